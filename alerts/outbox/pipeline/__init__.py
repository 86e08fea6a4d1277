"""The publication pipeline: every transition that publishes or withdraws, with its steps.

The transitions live in `transitions.py` (the case's), `renewals.py` (levels that end unless
renewed) and `peers.py` (hotlines across borders), their steps in `steps.py`; this package
exports them all, and only its modules call the state changes of alerts.cases.

Each function below is the only way to make its transition. It opens one transaction, lets
alerts.cases.lifecycle lock the case (`SELECT ... FOR UPDATE`) and change it, runs the
transition's steps in that transaction in the order written here, commits, and then runs what
must wait for the commit. The steps are plain calls, not a list filled at start-up: a step
cannot be left out by the order in which the application was wired.

| transition          | in the transaction, in order                   | after the commit     |
|---------------------|------------------------------------------------|----------------------|
| approve             | plan the fan-out; publish the materials        | render the images    |
| revise, add a photo | re-plan the fan-out; publish the materials     | render the images    |
|                     | (on an active case, a change that widens what  |                      |
|                     | is published is only stored as a proposal)     |                      |
| approve a proposal  | apply it; check that what it publishes is what | render the images    |
|                     | the approver saw; then as revise/change consent|                      |
| reject a proposal   | record the decision                            |                      |
| change consent      | (a widening one: a proposal, as above)         |                      |
|                     | withdraw what it no longer allows; if it shows | render the images    |
|                     | the case differently, revise (as above)        |                      |
| revoke consent      | withdraw what it no longer allows (everything) |                      |
| end consents        | per case: withdraw what the consent no longer  |                      |
|                     | allows (end date reached, sends in flight)     |                      |
| renew a level       | start its next period (a level of              |                      |
|                     | LEVEL_RENEWAL_APPROVAL: a proposal, as above)  |                      |
| expire a level      | drop to the lower level; then as change consent| render the images    |
| close               | withdraw what we host; wake the dispatchers    | end the first rows   |
|                     | (O(1): the fan-out's rows are not touched)     | (the sweep ends all) |
| from a peer         | a draft with the peer's consent, or its update |                      |
|                     | as revise and change consent (proposals when   |                      |
|                     | they widen); the caller's step (alerts/peers)  |                      |
| offer to peers      | queue the revision for the peers (channel peer)|                      |

Waking the dispatchers is a NOTIFY written by the steps: PostgreSQL delivers it at the commit.
`db` is always a pool (the images are rendered on another connection after the commit).

**The lock order.** Every transaction that touches a case's outbox takes the case row first:

1. Transitions (approve, revise, add a photo, consent, close, end consents) lock the case row
   `FOR NO KEY UPDATE` (lifecycle), before any publication or batch row, and so wait for one
   another in that order only.
2. The dispatchers' work - expanding a batch, claiming, recording, withdrawing, sweeping - never
   locks the case row for writing and never waits for it: it only reads the case's state, and
   its inserts' foreign-key checks take `FOR KEY SHARE`, which `FOR NO KEY UPDATE` lets through.
   Its own rows (batches, publications) it takes `FOR UPDATE SKIP LOCKED`: a row another
   transaction holds is left for a later round. So a transition never waits for a dispatcher,
   nor a dispatcher for a transition, and no cycle - no deadlock - can form between them. (One
   exception, without a cycle: a narrowing consent waits for a matching under way, the
   dispatcher's `fanout_matches` row, so that the batches it writes are narrowed too; the
   matching waits for nothing a transition holds.)
3. Hence the close: one short transaction whatever the fan-out's size. It changes the state
   and withdraws what we host (O(materials)); the sweep (`fanout.end_closed`: the close's
   first round after the commit, then every dispatcher on the close's NOTIFY and on its
   polling) cancels the unsent rows and marks the sent ones `withdrawing`, read from the
   case's state, so a crash after the commit loses nothing. From the commit nothing new
   leaves: a claim reads the case's state and one that reads it closed is never sent. A
   message claimed before the commit is in flight: the check right before its send (the
   dispatcher's CaseGate, marked closed by the close's NOTIFY, else read at most 0.1 s ago)
   stops it unless it is already on its way, and what went out is recorded `withdrawing`
   (or `sent`, then marked by the sweep) and taken back.

Transient database errors (deadlock, serialization failure, lost connection) make a transition
run again whole (alerts.db.retry: bounded, with jitter), then answer 503 with `Retry-After`.
"""

from alerts.outbox.pipeline.peers import PeerStep, offer_to_peers, open_from_peer, revise_from_peer
from alerts.outbox.pipeline.renewals import expire_levels, renew
from alerts.outbox.pipeline.transitions import (
    add_photo,
    approve,
    approve_proposal,
    change_consent,
    close,
    end_consents,
    reject_proposal,
    revise,
    revoke_consent,
)

__all__ = [
    "PeerStep",
    "add_photo",
    "approve",
    "approve_proposal",
    "change_consent",
    "close",
    "end_consents",
    "expire_levels",
    "offer_to_peers",
    "open_from_peer",
    "reject_proposal",
    "renew",
    "revise",
    "revise_from_peer",
    "revoke_consent",
]
