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
| close               | stop the fan-out and mark what went out        |                      |
|                     | `withdrawing`; withdraw what we host           |                      |

Waking the dispatchers is a NOTIFY written by the steps: PostgreSQL delivers it at the commit.
`db` is always a pool (the images are rendered on another connection after the commit).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.cases import lifecycle, proposals
from alerts.cases.consent import CHANNEL_LEVEL
from alerts.cases.models import Case, CaseState, Consent, Photo
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
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


def _after_commit(db: Database, settings: Settings, case: Case | None, images: bool) -> None:
    if case is not None and images:
        materials.render_images_later(db, settings, case)


# -- the transitions -----------------------------------------------------------------------------


async def approve(
    db: Database, settings: Settings, staff: Staff, case_id: int, *, seen: str | None = None
) -> Case:
    """The case, now active (revision 1), its fan-out planned and its materials published.
    `seen`: the fingerprint of the preview the approver saw; refused when it is not what
    would be published (the API and the console always send it)."""
    async with db.transaction() as tx:
        case, consent = await lifecycle.approve_in(tx, settings, staff, case_id)
        if seen is not None:
            published = await proposals.published_fingerprint(tx, settings, case)
            proposals.check_fingerprint(seen, published)
        images = await _publish(tx, settings, case, consent)
    _after_commit(db, settings, case, images)
    return case


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
        revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return consent


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
        else:
            case, previous, consent = await lifecycle.record_consent_in(
                tx, staff, case_id, proposal.values
            )
            await _narrow(tx, case, previous, consent)
            revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        case = revised or await lifecycle.get(tx, case_id)
        published = await proposals.published_fingerprint(tx, settings, case)
        proposals.check_fingerprint(seen, published)
        images = revised is not None and await _republish(tx, settings, revised)
    _after_commit(db, settings, revised, images)
    return case


async def reject_proposal(
    db: Database, settings: Settings, staff: Staff, case_id: int, proposal_id: int
) -> Proposal:
    """The proposed change, rejected (by an approver, or withdrawn by its proposer)."""
    async with db.transaction() as tx:
        proposal, _ = await proposals.decide_in(
            tx, settings, staff, case_id, proposal_id, approve=False
        )
    return proposal


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


async def close(db: Database, staff: Staff, case_id: int, reason: Any) -> Case:
    """The case, now closed for good: nothing more goes out, what went out is being withdrawn,
    and what we host answers 410 from the commit on."""
    async with db.transaction() as tx:
        case = await lifecycle.close_in(tx, staff, case_id, reason)
        await fanout.stop(tx, case)
        await materials.withdraw_hosted(tx, case.id, "case closed")
        await withdrawal.end_hosted_leftovers(tx, case)
    return case
