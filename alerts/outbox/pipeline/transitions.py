"""The case's transitions: approve, revise, add a photo, change or revoke the consent, decide a
proposal, end consents, close (the table and the lock order: alerts.outbox.pipeline)."""

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
from alerts.db.retry import retried
from alerts.outbox import fanout, withdrawal
from alerts.outbox.pipeline import renewals, steps
from alerts.outbox.withdrawal import Reconciled
from alerts.publication import materials
from alerts.searches import service as searches
from alerts.staff import audit
from alerts.staff.models import Staff

log = logging.getLogger(__name__)


@retried
async def approve(
    db: Database, settings: Settings, staff: Staff, case_id: int, *, seen: str | None = None
) -> Case:
    """The case, now active (revision 1), its fan-out planned and its materials published.
    `seen`: the fingerprint of the preview the approver saw; refused when it is not what
    would be published (the API and the console always send it)."""
    async with db.transaction() as tx:
        case, consent = await lifecycle.approve_in(tx, settings, staff, case_id)
        case = await steps.new_level(tx, settings, case, None, consent)
        if seen is not None:
            published = await proposals.published_fingerprint(tx, settings, case)
            proposals.check_fingerprint(seen, published)
        images = await steps.publish(tx, settings, case, consent)
    steps.after_commit(db, settings, case, images)
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
        images = revised and await steps.republish(tx, settings, case)
    steps.after_commit(db, settings, case, images)
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
        images = revised is not None and await steps.republish(tx, settings, revised)
    steps.after_commit(db, settings, revised, images)
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
        await steps.narrow(tx, case, previous, consent)
        case = await steps.new_level(tx, settings, case, previous, consent)
        revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        images = revised is not None and await steps.republish(tx, settings, revised)
    steps.after_commit(db, settings, revised, images)
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
            await renewals.apply_renewal(
                tx, settings, staff, case_id, level=proposal.values.get("level")
            )
        else:
            case, previous, consent = await lifecycle.record_consent_in(
                tx, staff, case_id, proposal.values
            )
            await steps.narrow(tx, case, previous, consent)
            case = await steps.new_level(tx, settings, case, previous, consent)
            revised = await lifecycle.revise_for_consent_in(tx, staff, case, previous, consent)
        case = revised or await lifecycle.get(tx, case_id)
        published = await proposals.published_fingerprint(tx, settings, case)
        proposals.check_fingerprint(seen, published)
        images = revised is not None and await steps.republish(tx, settings, revised)
    steps.after_commit(db, settings, revised, images)
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
        await steps.narrow(tx, case, previous, consent)
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
async def close(db: Database, staff: Staff, case_id: int, reason: Any) -> Case:
    """The case, now closed for good: nothing more goes out, what went out is being withdrawn,
    and what we host answers 410 from the commit on."""
    async with db.transaction() as tx:
        case = await lifecycle.close_in(tx, staff, case_id, reason)
        await materials.withdraw_hosted(tx, case.id, "case closed")
        await withdrawal.end_hosted_leftovers(tx, case)
        await fanout.stop(tx, case)
    await _end_first_rows(db, case)
    await _end_searches(db, case)
    return case


async def _end_searches(db: Database, case: Case) -> None:
    """The case's open field searches ended at once, and whoever answered or checked in asked
    to check out (else the searches' notifier does it at its next round)."""
    try:
        await searches.end_for_case(db, case.id)
    except Exception:
        log.warning("closed case's searches left to the notifier", exc_info=True, extra={
            "action": "pipeline.close_searches_failed", "case_id": case.id})  # fmt: skip


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
