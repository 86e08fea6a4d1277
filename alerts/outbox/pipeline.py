"""The publication pipeline: every transition that publishes or withdraws, with its steps.

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

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts import errors
from alerts.cases import levels, lifecycle, proposals
from alerts.cases.consent import CHANNEL_LEVEL
from alerts.cases.models import Case, CaseState, Consent, Photo
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
from alerts.db.retry import retried
from alerts.outbox import fanout, withdrawal
from alerts.outbox.withdrawal import Reconciled
from alerts.publication import materials
from alerts.staff import audit
from alerts.staff.models import Staff

log = logging.getLogger(__name__)


# -- the steps -----------------------------------------------------------------------------------


async def _publish(tx: Database, settings: Settings, case: Case, consent: Consent) -> bool:
    """The steps of revision 1: the fan-out, then the materials; True when images wait for the
    commit."""
    await fanout.plan(tx, settings, case, consent)
    return await materials.publish_revision(tx, settings, case)


async def _republish(tx: Database, settings: Settings, case: Case) -> bool:
    """The steps of revision N+1: the fan-out (edits and newly in reach), then the materials."""
    await fanout.plan_revision(tx, settings, case)
    return await materials.publish_revision(tx, settings, case)


async def _narrow(tx: Database, case: Case, previous: Consent | None, consent: Consent) -> None:
    """Withdraw what `consent` no longer allows (only an active case has published anything)."""
    if case.state is CaseState.ACTIVE:
        await withdrawal.narrow(tx, case.id, previous, consent, datetime.now(UTC))


async def _new_level(
    tx: Database, settings: Settings, case: Case, previous: Consent | None, consent: Consent
) -> Case:
    """`case` with a period of the consent's level begun, when an active case's level changed
    (alerts.cases.levels: each level runs for its LEVEL_MAX_HOURS)."""
    if case.state is not CaseState.ACTIVE or (previous and previous.level == consent.level):
        return case
    return await levels.start_period_in(
        tx, settings, case, consent.level, datetime.now(UTC), renewal=False
    )


def _after_commit(db: Database, settings: Settings, case: Case | None, images: bool) -> None:
    if case is not None and images:
        materials.render_images_later(db, settings, case)


# -- the transitions -----------------------------------------------------------------------------


@retried
async def approve(
    db: Database, settings: Settings, staff: Staff, case_id: int, *, seen: str | None = None
) -> Case:
    """The case, now active (revision 1), its fan-out planned and its materials published.
    `seen`: the fingerprint of the preview the approver saw; refused when it is not what
    would be published (the API and the console always send it)."""
    async with db.transaction() as tx:
        case, consent = await lifecycle.approve_in(tx, settings, staff, case_id)
        case = await _new_level(tx, settings, case, None, consent)
        if seen is not None:
            published = await proposals.published_fingerprint(tx, settings, case)
            proposals.check_fingerprint(seen, published)
        images = await _publish(tx, settings, case, consent)
    _after_commit(db, settings, case, images)
    return case


@retried
async def revise(
    db: Database, settings: Settings, staff: Staff, case_id: int, data: Mapping[str, Any]
) -> Case | Proposal:
    """The case after the edit; an active case's new revision is sent and published. An edit
    that would widen what an active case publishes is a proposal instead, nothing changed."""
    async with db.transaction() as tx:
        proposal = await proposals.propose_in(tx, staff, case_id, "fields", data)
        if proposal is not None:
            return proposal
        case, revised = await lifecycle.edit_in(tx, staff, case_id, data)
        images = revised and await _republish(tx, settings, case)
    _after_commit(db, settings, case, images)
    return case


@retried
async def add_photo(
    db: Database, settings: Settings, staff: Staff, case_id: int, data: bytes
) -> Photo | Proposal:
    """The stored photo; an active case's new revision is sent and published. A photo that an
    active case would show is a proposal instead, nothing changed."""
    image = await lifecycle.clean_photo(settings, data)
    async with db.transaction() as tx:
        proposal = await proposals.propose_in(tx, staff, case_id, "photo", {}, image)
        if proposal is not None:
            return proposal
        photo, revised = await lifecycle.add_photo_in(tx, staff, case_id, image)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return photo


@retried
async def change_consent(
    db: Database, settings: Settings, staff: Staff, case_id: int, data: Mapping[str, Any]
) -> Consent | Proposal:
    """The consent now recorded. On an active case, what it no longer allows is withdrawn
    first; a consent that changes what may be shown makes a new revision, sent and published
    to the new scope. A consent that would widen what an active case publishes (even if it
    also narrows something) is a proposal instead, nothing changed."""
    async with db.transaction() as tx:
        proposal = await proposals.propose_in(tx, staff, case_id, "consent", data)
        if proposal is not None:
            return proposal
        case, previous, consent = await lifecycle.record_consent_in(tx, staff, case_id, data)
        await _narrow(tx, case, previous, consent)
        case = await _new_level(tx, settings, case, previous, consent)
        revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return consent


@retried
async def approve_proposal(
    db: Database, settings: Settings, staff: Staff, case_id: int, proposal_id: int, seen: str
) -> Case:
    """The case after the proposed change, approved by an approver who saw the views with the
    fingerprint `seen`: applied, checked to publish exactly those views, then sent and
    published like any revision (a consent withdraws what it no longer allows first)."""
    async with db.transaction() as tx:
        proposal, image = await proposals.decide_in(
            tx, settings, staff, case_id, proposal_id, approve=True, seen=seen
        )
        revised: Case | None
        if proposal.kind == "fields":
            revised, _ = await lifecycle.edit_in(tx, staff, case_id, proposal.values)
        elif proposal.kind == "photo":
            assert image is not None
            _, revised = await lifecycle.add_photo_in(tx, staff, case_id, image)
        elif proposal.kind == "renewal":
            revised = None
            await _renew_in(tx, settings, staff, case_id, level=proposal.values.get("level"))
        else:
            case, previous, consent = await lifecycle.record_consent_in(
                tx, staff, case_id, proposal.values
            )
            await _narrow(tx, case, previous, consent)
            case = await _new_level(tx, settings, case, previous, consent)
            revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        case = revised or await lifecycle.get(tx, case_id)
        published = await proposals.published_fingerprint(tx, settings, case)
        proposals.check_fingerprint(seen, published)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return case


@retried
async def reject_proposal(
    db: Database, settings: Settings, staff: Staff, case_id: int, proposal_id: int
) -> Proposal:
    """The proposed change, rejected (by an approver, or withdrawn by its proposer)."""
    async with db.transaction() as tx:
        proposal, _ = await proposals.decide_in(
            tx, settings, staff, case_id, proposal_id, approve=False
        )
    return proposal


@retried
async def revoke_consent(db: Database, staff: Staff, case_id: int) -> Consent:
    """The revoked consent: everything the case published is withdrawn."""
    async with db.transaction() as tx:
        case, previous, consent = await lifecycle.revoke_consent_in(tx, staff, case_id)
        await _narrow(tx, case, previous, consent)
    return consent


async def end_consents(db: Database, now: datetime | None = None) -> Reconciled:
    """For every active case whose consent no longer allows what is still out (its end date
    reached, or sends that were in flight when it narrowed), that is withdrawn, a transaction
    per case; then the renders nobody may download any more are deleted."""
    now = now or datetime.now(UTC)
    channels, levels = zip(*CHANNEL_LEVEL.items(), strict=True)
    found = await db.fetch("cases_out_of_scope", list(channels), list(levels))
    for row in found:
        await _end_consent(db, row["case_id"], now)
    deleted = int(await db.fetchval("delete_unpublished_materials"))
    return Reconciled(cases=len(found), materials=deleted)


async def _end_consent(db: Database, case_id: int, now: datetime) -> None:
    async with db.transaction() as tx:
        case = await lifecycle.get(tx, case_id, for_update=True)
        if case.state is not CaseState.ACTIVE:
            return
        consent = await lifecycle.current_consent(tx, case.id)
        narrowed = await withdrawal.narrow(tx, case.id, None, consent, now, in_flight_only=True)
        await audit.record(
            tx, None, "consent_scope_enforced", case.id,
            reason=withdrawal.narrowing_reason(consent, now, False),
            **dataclasses.asdict(narrowed),
        )  # fmt: skip


@retried
async def renew(db: Database, settings: Settings, staff: Staff, case_id: int) -> Case | Proposal:
    """The case with the level in force renewed for another LEVEL_MAX_HOURS; for a level of
    LEVEL_RENEWAL_APPROVAL, a proposal that another staff member approves instead."""
    async with db.transaction() as tx:
        case = await lifecycle.get(tx, case_id, for_update=True)
        levels.check_renewable(case, staff, datetime.now(UTC))
        consent = await lifecycle.current_consent(tx, case.id)
        assert consent is not None  # an active case's level ends only with a consent in force
        if levels.renewal_needs_approval(settings, consent.level):
            return await proposals.propose_renewal_in(tx, staff, case, consent.level)
        return await _renew_in(tx, settings, staff, case_id, level=consent.level)


async def _renew_in(
    tx: Database, settings: Settings, staff: Staff, case_id: int, *, level: Any
) -> Case:
    """Renew the case's `level` (checked again: an approved renewal may have waited, and the
    level may have ended or changed meanwhile)."""
    case = await lifecycle.get(tx, case_id, for_update=True)
    now = datetime.now(UTC)
    levels.check_renewable(case, None, now)
    consent = await lifecycle.current_consent(tx, case.id)
    assert consent is not None
    if consent.level != level:
        raise errors.Conflict("The level changed since this renewal was asked for.")
    return await levels.renew_in(tx, settings, staff, case, consent, now)


async def expire_levels(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Every active case whose level reached its end without renewal, dropped to the lower
    level (a transaction per case); the cases dropped."""
    now = now or datetime.now(UTC)
    dropped = 0
    for row in await db.fetch("levels_ended", now):
        dropped += await _expire_level(db, settings, row["id"], now)
    return dropped


@retried
async def _expire_level(db: Database, settings: Settings, case_id: int, now: datetime) -> int:
    async with db.transaction() as tx:
        ended = await levels.drop_level_in(tx, settings, case_id, now)
        if ended is None:
            return 0
        case, previous, consent = ended
        await _narrow(tx, case, previous, consent)
        revised = await lifecycle.revise_for_consent_in(tx, None, case, previous, consent)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return 1


@retried
async def close(db: Database, staff: Staff, case_id: int, reason: Any) -> Case:
    """The case, now closed for good: nothing more goes out, what went out is being withdrawn,
    and what we host answers 410 from the commit on."""
    async with db.transaction() as tx:
        case = await lifecycle.close_in(tx, staff, case_id, reason)
        await materials.withdraw_hosted(tx, case.id, "case closed")
        await withdrawal.end_hosted_leftovers(tx, case)
        await fanout.stop(tx, case)
    await _end_first_rows(db, case)
    return case


# The close's own first round of the sweep: a small fan-out is ended when the close answers, a
# large one by the dispatchers (the close answers in the same time whatever the size).
_CLOSE_ROUND_ROWS = 500


async def _end_first_rows(db: Database, case: Case) -> None:
    try:
        await fanout.end_closed(db, case.id, chunk=_CLOSE_ROUND_ROWS, rounds=1, batches=20)
    except Exception:
        # Committed already: the dispatchers' sweep ends the rows from the case's state.
        log.warning("closed case's rows left to the sweep", exc_info=True, extra={
            "action": "pipeline.close_sweep_failed", "case_id": case.id})  # fmt: skip
