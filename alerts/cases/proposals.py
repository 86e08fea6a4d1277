"""Proposed changes: what would widen an active case's publicity waits for a second approver.

On an active case, a change of its fields, its consent or a new photo is compared, through the
public views before and after (alerts/cases/widening.py), with what is published. A change that
only narrows (or changes nothing that is shown) takes effect at once, by one person, as before.
A change that widens anything, even when it also narrows something else, is stored whole as a
proposal and nothing published changes: a staff member with an approver role (APPROVER_ROLES),
not the proposer (with FOUR_EYES on), approves it after seeing the views before and after, and
the publication pipeline applies it then (`alerts.outbox.pipeline.approve_proposal`). To narrow
at once, record the narrowing change on its own: the console says so when a change is held.

The approver approves a fingerprint of the views after the change; the approval is refused when
the views it would publish then have another fingerprint (the case changed in between).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts import errors
from alerts.cases import lifecycle
from alerts.cases.consent import PublicPhoto, PublicView
from alerts.cases.fields import parse_case_fields, parse_consent
from alerts.cases.masking import FreeText, review
from alerts.cases.models import Case, CaseKind, CaseState, Consent
from alerts.cases.photos import CleanImage
from alerts.cases.publicity import coarsen, latest_photo
from alerts.cases.widening import Change, Publicity, changes, fingerprint, places_of, views_of
from alerts.config import Settings
from alerts.db.database import Database
from alerts.db.rows import Row
from alerts.staff import audit
from alerts.staff.models import Staff

KINDS = ("fields", "consent", "photo")
PROPOSED_PHOTO = "proposed"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Proposal(Row):
    id: int
    case_id: int
    kind: str
    data: str
    photo_width: int | None
    photo_height: int | None
    photo_sha256: str | None
    state: str
    proposed_by: int
    proposed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    fingerprint: str | None

    @property
    def values(self) -> dict[str, Any]:
        """The fields or the consent as sent (empty for a photo)."""
        loaded = json.loads(self.data)
        return loaded if isinstance(loaded, dict) else {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Preview:
    """What an approver looks at: the views published now and after, what differs, and the
    fingerprint of the views after, which the approval carries."""

    case: Case
    proposal: Proposal | None
    before: dict[str, PublicView | None]
    after: dict[str, PublicView | None]
    changes: list[Change]
    fingerprint: str
    # The free text as it will be published, what the consent withholds marked (none without a
    # consent): the approver sees what was masked and why.
    masked: list[FreeText] | None = None


async def current(db: Database, case: Case) -> Publicity:
    """What the case's views are made of now (its newest photo, even when not allowed)."""
    consent = await lifecycle.current_consent(db, case.id)
    return Publicity(case=case, consent=consent, photo=await latest_photo(db, case.id))


def _views(settings: Settings, state: Publicity, now: datetime) -> dict[str, PublicView | None]:
    return views_of(state, now=now, coarsen=coarsen, base_url=settings.public_base_url,
                    hotline=settings.hotline)  # fmt: skip


def _changed(
    state: Publicity, staff_id: int, kind: str, values: Mapping[str, Any],
    photo: PublicPhoto | None, now: datetime,
) -> Publicity:  # fmt: skip
    """`state` with the change applied (nothing written)."""
    if kind == "renewal":  # the level runs longer; what is published does not change
        return state
    if kind == "photo":
        return dataclasses.replace(state, photo=photo)
    if kind == "fields":
        fields = parse_case_fields(values, creating=False)
        if "kind" in fields:
            fields["kind"] = CaseKind(fields["kind"])
        return dataclasses.replace(state, case=dataclasses.replace(state.case, **fields))
    parsed = parse_consent(values, CaseKind(state.case.kind), now)
    consent = Consent(
        id=0, case_id=state.case.id, given_by=parsed["given_by"], relation=parsed["relation"],
        given_at=parsed["given_at"], recorded_by=staff_id, valid_until=parsed["valid_until"],
        level=parsed["level"], photo=parsed["photo"], name_mode=parsed["name_mode"],
        place_precision=parsed["place_precision"], forwarding=parsed["forwarding"],
        revoked_at=None, created_at=now,
    )  # fmt: skip
    return dataclasses.replace(state, consent=consent)


def _lasts_longer(before: Consent | None, after: Consent | None, now: datetime) -> bool:
    """True when `after` allows publishing for longer than `before` (a later end date)."""
    if after is None or before is None or not before.in_force(now):
        return False
    if after.valid_until is None:
        return before.valid_until is not None
    return before.valid_until is not None and after.valid_until > before.valid_until


def _photo_of(proposal: Proposal, jpeg: bytes | None) -> PublicPhoto | None:
    if proposal.kind != "photo" or jpeg is None:
        return None
    return PublicPhoto(public_id=PROPOSED_PHOTO, width=proposal.photo_width or 0,
                       height=proposal.photo_height or 0, jpeg=jpeg)  # fmt: skip


async def get(db: Database, case_id: int, proposal_id: int, *, lock: bool = False) -> Proposal:
    row = await db.fetchrow(
        "get_proposal_for_update" if lock else "get_proposal", case_id, proposal_id
    )
    if row is None:
        raise errors.NotFound("No such proposed change.")
    return Proposal.from_row(row)


async def list_for(db: Database, case_id: int, *, pending: bool = False) -> list[Proposal]:
    return [Proposal.from_row(r) for r in await db.fetch("list_proposals", case_id, pending)]


async def photo_bytes(db: Database, case_id: int, proposal_id: int) -> bytes | None:
    data = await db.fetchval("proposal_photo", case_id, proposal_id)
    return None if data is None else bytes(data)


async def preview(
    db: Database, settings: Settings, case: Case, proposal: Proposal | None = None
) -> Preview:
    """The views of `case` now and after `proposal` (without one: after its approval, for a
    case waiting for it; nothing is published before)."""
    now = datetime.now(UTC)
    state = await current(db, case)
    if proposal is None:
        before = (
            _views(settings, state, now)
            if case.state is CaseState.ACTIVE
            else dict.fromkeys(_views(settings, state, now))
        )
        after = _views(settings, state, now) if case.state is not CaseState.CLOSED else {}
        after = {channel: after.get(channel) for channel in before}
    else:
        jpeg = await photo_bytes(db, case.id, proposal.id)
        changed = _changed(state, proposal.proposed_by, proposal.kind, proposal.values,
                           _photo_of(proposal, jpeg), now)  # fmt: skip
        before, after = _views(settings, state, now), _views(settings, changed, now)
        state = changed
    found = changes(before, after, places_of(case, coarsen))
    masked = review(state.case, state.consent) if state.consent is not None else None
    return Preview(case=case, proposal=proposal, before=before, after=after, changes=found,
                   fingerprint=fingerprint(after), masked=masked)  # fmt: skip


async def published_fingerprint(db: Database, settings: Settings, case: Case) -> str:
    """The fingerprint of the views the case publishes now (inside the approval's transaction:
    what the approval publishes)."""
    return fingerprint(_views(settings, await current(db, case), datetime.now(UTC)))


def check_fingerprint(approved: str, published: str) -> None:
    """Conflict when what would be published is not what the approver saw."""
    if approved != published:
        raise errors.Conflict(
            "What would be published changed since you looked at it. Look at the preview "
            "again and approve what it shows now."
        )


# -- the state changes (only alerts.outbox.pipeline calls them) ----------------------------------


async def propose_in(
    tx: Database,
    staff: Staff,
    case_id: int,
    kind: str,
    values: Mapping[str, Any],
    image: CleanImage | None = None,
) -> Proposal | None:
    """A proposal when the change would widen what the active case publishes; None when it
    takes effect at once (a case that is not active, or a change that only narrows)."""
    case = await lifecycle.get(tx, case_id, for_update=True)
    if case.state is not CaseState.ACTIVE:
        return None
    now = datetime.now(UTC)
    state = await current(tx, case)
    photo = None
    if image is not None:
        photo = PublicPhoto(public_id=PROPOSED_PHOTO, width=image.width, height=image.height,
                            jpeg=image.jpeg)  # fmt: skip
    changed = _changed(state, staff.id, kind, values, photo, now)
    defaults = {"base_url": "", "hotline": ""}
    before = views_of(state, now=now, coarsen=coarsen, **defaults)
    after = views_of(changed, now=now, coarsen=coarsen, **defaults)
    wider = any(c.widens for c in changes(before, after, places_of(case, coarsen)))
    if not wider and not _lasts_longer(state.consent, changed.consent, now):
        return None
    row = await tx.fetchrow(
        "add_proposal", case.id, kind, staff.id, json.dumps(dict(values), default=str),
        image.jpeg if image else None, image.width if image else None,
        image.height if image else None, image.sha256 if image else None,
    )  # fmt: skip
    assert row is not None
    proposal = Proposal.from_row(row)
    fields = sorted(values) if kind != "photo" else []
    await audit.record(tx, staff.id, "change_proposed", case.id, proposal=proposal.id,
                       kind=kind, fields=fields)  # fmt: skip
    return proposal


async def propose_renewal_in(tx: Database, staff: Staff, case: Case, level: int) -> Proposal:
    """A proposal to renew the level in force of the active `case` (a level whose renewal needs
    a second approval: alerts.cases.levels)."""
    pending = await tx.fetchval("pending_renewal", case.id)
    if pending is not None:
        raise errors.Conflict("A renewal of this level already waits for approval.")
    row = await tx.fetchrow("add_proposal", case.id, "renewal", staff.id,
                            json.dumps({"level": level}), None, None, None, None)  # fmt: skip
    assert row is not None
    proposal = Proposal.from_row(row)
    await audit.record(tx, staff.id, "change_proposed", case.id, proposal=proposal.id,
                       kind="renewal", fields=[])  # fmt: skip
    return proposal


async def decide_in(
    tx: Database,
    settings: Settings,
    staff: Staff,
    case_id: int,
    proposal_id: int,
    *,
    approve: bool,
    seen: str | None = None,
) -> tuple[Proposal, CleanImage | None]:
    """The proposal, now approved or rejected (with its photo when it proposes one). Approving
    takes an approver who is not the proposer and the fingerprint of the views they saw; the
    pipeline then applies the change in the same transaction and checks what it publishes."""
    case = await lifecycle.get(tx, case_id, for_update=True)
    proposal = await get(tx, case_id, proposal_id, lock=True)
    if proposal.state != "pending":
        raise errors.Conflict("This proposed change was already decided.")
    if approve:
        if case.state is not CaseState.ACTIVE:
            raise errors.Conflict("Cannot approve the change: the case is not active.")
        lifecycle.check_approver(settings, staff, proposal.proposed_by, "proposal")
        if not seen:
            raise errors.InvalidInput(
                "Approve what the preview shows: send its fingerprint.", field="fingerprint"
            )
        check_fingerprint(seen, (await preview(tx, settings, case, proposal)).fingerprint)
    elif proposal.proposed_by != staff.id and not lifecycle.may_approve(settings, staff):
        raise errors.Forbidden("Only an approver or the proposer can reject a proposed change.")
    state = "approved" if approve else "rejected"
    await tx.execute("decide_proposal", proposal.id, staff.id, state, seen if approve else None)
    await audit.record(tx, staff.id, f"change_{state}", case.id, proposal=proposal.id,
                       kind=proposal.kind)  # fmt: skip
    image = None
    if proposal.kind == "photo":
        jpeg = await photo_bytes(tx, case.id, proposal.id)
        assert jpeg is not None
        image = CleanImage(jpeg=jpeg, width=proposal.photo_width or 0,
                           height=proposal.photo_height or 0,
                           sha256=proposal.photo_sha256 or "")  # fmt: skip
    return dataclasses.replace(proposal, state=state, decided_by=staff.id), image
