"""Cases and their lifecycle: draft -> pending approval -> active -> closed, and revisions."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts import errors
from alerts.cases.fields import (
    EDITABLE,
    parse_case_fields,
    parse_close_reason,
    parse_consent,
    parse_exercise,
)
from alerts.cases.models import Case, CaseKind, CaseState, Consent, Photo
from alerts.cases.photos import CleanImage, clean_image_off_loop
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import audit
from alerts.staff.models import Staff

# What each action does to the state; anything else is an illegal transition.
TRANSITIONS: dict[str, dict[CaseState, CaseState]] = {
    "submit": {CaseState.DRAFT: CaseState.PENDING_APPROVAL},
    "return": {CaseState.PENDING_APPROVAL: CaseState.DRAFT},
    "approve": {CaseState.PENDING_APPROVAL: CaseState.ACTIVE},
    "close": {
        CaseState.DRAFT: CaseState.CLOSED,
        CaseState.PENDING_APPROVAL: CaseState.CLOSED,
        CaseState.ACTIVE: CaseState.CLOSED,
    },
}
_REASONS = {
    CaseState.DRAFT: "the case is still a draft",
    CaseState.PENDING_APPROVAL: "the case is waiting for approval",
    CaseState.ACTIVE: "the case is already active",
    CaseState.CLOSED: "the case is closed; a new disappearance is a new case",
}


def may_approve(settings: Settings, staff: Staff) -> bool:
    """True when `staff` holds one of the approver roles (APPROVER_ROLES)."""
    return staff.role.value in settings.approver_roles


def check_approver(settings: Settings, staff: Staff, author: int | None, what: str) -> None:
    """Forbidden unless `staff` holds an approver role and (four eyes) is not `author`, who
    submitted the case (`what` 'case') or proposed the change."""
    if not may_approve(settings, staff):
        raise errors.Forbidden("Only a staff member with an approver role can approve.")
    if settings.four_eyes and author == staff.id:
        if what == "case":
            raise errors.Forbidden(
                "Cannot approve: a second staff member must approve what you submitted."
            )
        raise errors.Forbidden("A second staff member must approve the change you proposed.")


def check_transition(case: Case, action: str) -> CaseState:
    """The state `action` leads to from the case's state; IllegalTransition with the reason."""
    target = TRANSITIONS[action].get(case.state)
    if target is None:
        raise errors.IllegalTransition(f"Cannot {action}: {_REASONS[case.state]}.")
    return target


async def get(db: Database, case_id: int, *, for_update: bool = False) -> Case:
    row = await db.fetchrow("get_case_for_update" if for_update else "get_case", case_id)
    if row is None:
        raise errors.NotFound("No such case.")
    return Case.from_row(row)


async def get_by_public_id(db: Database, public_id: str) -> Case | None:
    row = await db.fetchrow("get_case_by_public_id", public_id)
    return None if row is None else Case.from_row(row)


async def list_cases(
    db: Database, state: CaseState | None = None, limit: int = 100, offset: int = 0
) -> list[Case]:
    rows = await db.fetch("list_cases", state.value if state else None, limit, offset)
    return [Case.from_row(r) for r in rows]


async def create_draft(db: Database, staff: Staff, data: Mapping[str, Any]) -> Case:
    """A new draft case with the given fields; an exercise for ever when `exercise` is true."""
    fields = parse_case_fields(data, creating=True)
    exercise = parse_exercise(data)
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "create_case", secrets.token_urlsafe(16), fields["kind"], staff.id, exercise
        )
        assert row is not None
        case = await _write_fields(tx, Case.from_row(row), fields)
        await audit.record(
            tx, staff.id, "case_created", case.id, fields=sorted(fields), exercise=exercise
        )
    return case


async def _write_fields(
    db: Database,
    case: Case,
    fields: Mapping[str, Any],
    *,
    revision: int | None = None,
    state: CaseState | None = None,
) -> Case:
    merged = {name: fields.get(name, getattr(case, name)) for name in EDITABLE}
    row = await db.fetchrow(
        "update_case_fields",
        case.id,
        str(merged["kind"]),
        *(merged[name] for name in EDITABLE[:10]),  # the text fields, in order
        merged["age"], merged["sex"], merged["height_cm"], merged["last_seen_at"],
        merged["last_seen_lat"], merged["last_seen_lon"], merged["search_radius_km"],
        merged["languages"],
        revision if revision is not None else case.revision,
        (state or case.state).value,
    )  # fmt: skip
    assert row is not None
    return Case.from_row(row)


async def _snapshot(db: Database, case: Case, staff: Staff | None) -> None:
    snapshot = {name: getattr(case, name) for name in EDITABLE}
    photos = await db.fetch("list_photos", case.id)
    snapshot["photos"] = [p["public_id"] for p in photos]
    await db.execute(
        "add_revision",
        case.id,
        case.revision,
        json.dumps(snapshot, default=str),
        staff.id if staff else None,
    )


async def photos(db: Database, case_id: int) -> list[Photo]:
    return [Photo.from_row(r) for r in await db.fetch("list_photos", case_id)]


async def current_consent(db: Database, case_id: int) -> Consent | None:
    row = await db.fetchrow("current_consent", case_id)
    return None if row is None else Consent.from_row(row)


_SCOPE = ("level", "photo", "name_mode", "place_precision", "forwarding")


def _shown_differently(previous: Consent | None, consent: Consent) -> bool:
    """True when the new consent changes what the materials and messages may show."""
    return previous is None or any(
        getattr(previous, name) != getattr(consent, name) for name in _SCOPE
    )


async def submit(db: Database, staff: Staff, case_id: int) -> Case:
    """The case, now waiting for a second staff member's approval."""
    async with db.transaction() as tx:
        case = await get(tx, case_id, for_update=True)
        check_transition(case, "submit")
        missing = [
            label
            for label, present in (
                ("where the child was last seen", case.last_seen_place or case.last_seen_lat),
                ("when the child was last seen", case.last_seen_at),
                ("the child's name or a description", case.first_name or case.description),
            )
            if not present
        ]
        if missing:
            # 409, not 422: the request is well formed; the case lacks what publishing needs.
            message = "Cannot submit: missing " + ", ".join(missing) + "."
            raise errors.Conflict(message)
        row = await tx.fetchrow("set_case_submitted", case.id, staff.id)
        await audit.record(tx, staff.id, "case_submitted", case.id)
    assert row is not None
    return Case.from_row(row)


async def return_to_draft(db: Database, staff: Staff, case_id: int) -> Case:
    """The case, sent back from pending approval to draft for changes."""
    async with db.transaction() as tx:
        case = await get(tx, case_id, for_update=True)
        check_transition(case, "return")
        row = await tx.fetchrow("set_case_returned", case.id)
        await audit.record(tx, staff.id, "case_returned", case.id)
    assert row is not None
    return Case.from_row(row)


async def _back_to_draft(tx: Database, staff: Staff, case: Case) -> Case:
    """A case waiting for approval, back to draft: any change (fields, consent, photo) means the
    approver must look again at what they approve. Other cases as they are."""
    if case.state is not CaseState.PENDING_APPROVAL:
        return case
    row = await tx.fetchrow("set_case_returned", case.id)
    assert row is not None
    await audit.record(tx, staff.id, "case_returned", case.id, reason="changed")
    return Case.from_row(row)


# -- the transitions that publish or withdraw ----------------------------------------------------
# Each takes the transaction alerts.outbox.pipeline opened, locks the case and changes it; the
# pipeline then runs the transition's publication steps in the same transaction. Only the
# pipeline calls them (tests/test_architecture.py checks), so no state changes without its steps.


async def edit_in(
    tx: Database, staff: Staff, case_id: int, data: Mapping[str, Any]
) -> tuple[Case, bool]:
    """The case after the edit, and whether it made a new revision. A draft is edited in
    place; a case waiting for approval goes back to draft (what the approver sees must be what
    they approve); an active case gets a new revision."""
    fields = parse_case_fields(data, creating=False)
    case = await get(tx, case_id, for_update=True)
    if case.state is CaseState.CLOSED:
        raise errors.IllegalTransition(f"Cannot edit: {_REASONS[case.state]}.")
    if case.state is CaseState.ACTIVE:
        case = await _write_fields(tx, case, fields, revision=case.revision + 1)
        await _snapshot(tx, case, staff)
        await audit.record(tx, staff.id, "case_revised", case.id, revision=case.revision,
                           fields=sorted(fields))  # fmt: skip
        return case, True
    case = await _write_fields(tx, case, fields, state=CaseState.DRAFT)
    await audit.record(tx, staff.id, "case_edited", case.id, fields=sorted(fields))
    return case, False


async def clean_photo(settings: Settings, data: bytes) -> CleanImage:
    """The uploaded photo cleaned and bounded (before any lock: it takes a while), by one of
    the process's photo decoders, off the event loop."""
    return await clean_image_off_loop(
        data,
        max_bytes=settings.photo_max_bytes,
        max_pixels=settings.photo_max_pixels,
        max_side=settings.photo_max_side,
        workers=settings.photo_decoders,
    )


async def add_photo_in(
    tx: Database, staff: Staff, case_id: int, image: CleanImage
) -> tuple[Photo, Case | None]:
    """The stored photo, and the case's new revision when the case is active (else None)."""
    case = await get(tx, case_id, for_update=True)
    if case.state is CaseState.CLOSED:
        raise errors.IllegalTransition(f"Cannot add a photo: {_REASONS[case.state]}.")
    row = await tx.fetchrow(
        "add_photo", secrets.token_urlsafe(16), case.id, image.jpeg, image.width,
        image.height, image.sha256,
    )  # fmt: skip
    assert row is not None
    await _back_to_draft(tx, staff, case)
    revised = None
    if case.state is CaseState.ACTIVE:
        revised = await _write_fields(tx, case, {}, revision=case.revision + 1)
        await _snapshot(tx, revised, staff)
    await audit.record(tx, staff.id, "photo_added", case.id, photo=row["public_id"])
    return Photo.from_row(row), revised


async def record_consent_in(
    tx: Database, staff: Staff, case_id: int, data: Mapping[str, Any]
) -> tuple[Case, Consent | None, Consent]:
    """The case, its previous consent and the new one, which replaces it."""
    case = await get(tx, case_id, for_update=True)
    if case.state is CaseState.CLOSED:
        raise errors.IllegalTransition(f"Cannot record consent: {_REASONS[case.state]}.")
    previous = await current_consent(tx, case.id)
    values = parse_consent(data, CaseKind(case.kind), datetime.now(UTC))
    case = await _back_to_draft(tx, staff, case)
    row = await tx.fetchrow(
        "add_consent", case.id, values["given_by"], values["relation"], values["given_at"],
        staff.id, values["valid_until"], values["level"], values["photo"],
        values["name_mode"].value, values["place_precision"].value, values["forwarding"],
    )  # fmt: skip
    assert row is not None
    await audit.record(
        tx, staff.id, "consent_recorded", case.id, level=values["level"],
        photo=values["photo"], name_mode=values["name_mode"].value,
        place_precision=values["place_precision"].value, forwarding=values["forwarding"],
    )  # fmt: skip
    return case, previous, Consent.from_row(row)


async def revise_for_consent_in(
    tx: Database, staff: Staff | None, case: Case, previous: Consent | None, consent: Consent
) -> Case | None:
    """The active case's new revision when `consent` changes what may be shown; else None."""
    if case.state is not CaseState.ACTIVE or not _shown_differently(previous, consent):
        return None
    case = await _write_fields(tx, case, {}, revision=case.revision + 1)
    await _snapshot(tx, case, staff)
    return case


async def revoke_consent_in(
    tx: Database, staff: Staff, case_id: int
) -> tuple[Case, Consent | None, Consent]:
    """The case, its consent before, and that consent revoked: nothing of the case may be
    published any more."""
    case = await get(tx, case_id, for_update=True)
    if case.state is CaseState.CLOSED:
        raise errors.IllegalTransition(
            "Cannot revoke the consent: the case is closed; a new disappearance is a new case."
        )
    previous = await current_consent(tx, case.id)
    row = await tx.fetchrow("revoke_consent", case.id)
    if row is None:
        raise errors.Conflict("There is no consent to revoke.")
    await audit.record(tx, staff.id, "consent_revoked", case.id)
    return case, previous, Consent.from_row(row)


async def approve_in(
    tx: Database, settings: Settings, staff: Staff, case_id: int
) -> tuple[Case, Consent]:
    """The case, now active (revision 1), and the consent it was approved under; refused with
    the reason when anything is missing."""
    case = await get(tx, case_id, for_update=True)
    check_transition(case, "approve")
    check_approver(settings, staff, case.submitted_by, "case")
    consent = await current_consent(tx, case.id)
    if consent is None or not consent.in_force(datetime.now(UTC)):
        raise errors.Conflict("Cannot approve: no consent in force is recorded for this case.")
    if not case.police_reference:
        raise errors.Conflict("Cannot approve: the police or prosecutor reference is missing.")
    row = await tx.fetchrow("set_case_approved", case.id, staff.id)
    assert row is not None
    case = Case.from_row(row)
    await _snapshot(tx, case, staff)
    await audit.record(tx, staff.id, "case_approved", case.id, level=consent.level)
    return case, consent


async def close_in(tx: Database, staff: Staff, case_id: int, reason: Any) -> Case:
    """The case, now closed for good."""
    close_reason = parse_close_reason(reason)
    case = await get(tx, case_id, for_update=True)
    check_transition(case, "close")
    row = await tx.fetchrow("set_case_closed", case.id, staff.id, close_reason.value)
    assert row is not None
    await audit.record(tx, staff.id, "case_closed", case.id, reason=close_reason.value)
    return Case.from_row(row)
