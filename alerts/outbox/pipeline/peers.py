"""Hotlines that pass alerts across borders (alerts/peers): a peer's Alert opened as a draft,
its Update as a revision or proposals, and a case offered to peers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from alerts.cases import lifecycle, proposals
from alerts.cases.models import Case
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
from alerts.db.retry import retried
from alerts.outbox import fanout
from alerts.outbox.pipeline import steps
from alerts.staff.models import Staff

PeerStep = Callable[[Database, Case], Awaitable[None]]


@retried
async def open_from_peer(
    db: Database, peer: Staff, fields: Mapping[str, Any], consent: Mapping[str, Any],
    step: PeerStep,
) -> Case:  # fmt: skip
    """A draft made from a peer's Alert, acting as the peer's account, with the consent the peer
    allows, and the caller's `step` (the link to the peer), in one transaction. Nothing is
    published: two local staff members submit and approve it like any case."""
    async with db.transaction() as tx:
        case = await lifecycle.create_draft(tx, peer, fields)
        await lifecycle.record_consent_in(tx, peer, case.id, consent)
        await step(tx, case)
    return case


@retried
async def revise_from_peer(
    db: Database, settings: Settings, peer: Staff, case_id: int, fields: Mapping[str, Any],
    consent: Mapping[str, Any], step: PeerStep,
) -> list[Proposal]:  # fmt: skip
    """A peer's Update, in one transaction: its fields as `revise`, its consent as
    `change_consent` (on an active case what widens is a proposal for a local approver, what
    narrows takes effect at once), then the caller's `step`; the proposals made."""
    made: list[Proposal] = []
    async with db.transaction() as tx:
        edited: Case | None = None
        proposal = await proposals.propose_in(tx, peer, case_id, "fields", fields)
        if proposal is None:
            case, revised_fields = await lifecycle.edit_in(tx, peer, case_id, fields)
            edited = case if revised_fields else None
        proposal_consent = await proposals.propose_in(tx, peer, case_id, "consent", consent)
        if proposal_consent is None:
            case, previous, recorded = await lifecycle.record_consent_in(tx, peer, case_id, consent)
            await steps.narrow(tx, case, previous, recorded)
            case = await steps.new_level(tx, settings, case, previous, recorded)
            again = await lifecycle.revise_for_consent_in(tx, peer, case, previous, recorded)
            edited = again or edited
        made = [p for p in (proposal, proposal_consent) if p is not None]
        images = edited is not None and await steps.republish(tx, settings, edited)
        await step(tx, await lifecycle.get(tx, case_id))
    revised = edited
    steps.after_commit(db, settings, revised, images)
    return made


@retried
async def offer_to_peers(db: Database, staff: Staff, case_id: int, peer_ids: list[int]) -> int:
    """The active case queued for the peers `peer_ids` (its current revision, then each later
    one and its Cancel); the peers it was not offered to before."""
    async with db.transaction() as tx:
        case = await lifecycle.get(tx, case_id, for_update=True)
        offered = await fanout.offer_to_peers(tx, staff, case, peer_ids)
    return offered
