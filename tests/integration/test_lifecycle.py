"""The case lifecycle: every transition, legal and illegal; four-eyes; approval's conditions."""

from __future__ import annotations

from typing import Any

import pytest

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import CaseState
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import approve_change
from tests.support.factories import CONSENT, draft, pending


async def test_draft_to_pending_to_active_to_closed(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager)
    assert case.state is CaseState.PENDING_APPROVAL and case.submitted_by == manager.id
    case = await pipeline.approve(database, settings, supervisor, case.id)
    assert case.state is CaseState.ACTIVE and case.revision == 1
    assert case.approved_by == supervisor.id
    case = await pipeline.close(database, manager, case.id, "found_safe")
    assert case.state is CaseState.CLOSED and case.close_reason == "found_safe"


async def test_pending_case_can_be_sent_back_to_draft(
    database: Database, make_staff: StaffFactory
) -> None:
    manager = await make_staff()
    case = await pending(database, manager)
    case = await cases.return_to_draft(database, manager, case.id)
    assert case.state is CaseState.DRAFT and case.submitted_by is None


async def test_editing_a_pending_case_sends_it_back_to_draft(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager = await make_staff()
    case = await pending(database, manager)
    edit = {"hair": "short, dyed black"}
    case = await pipeline.revise(database, settings, manager, case.id, edit)
    assert case.state is CaseState.DRAFT and case.hair == "short, dyed black"


@pytest.mark.parametrize("state", ["draft", "pending_approval", "active"])
async def test_close_is_legal_from_every_open_state(
    database: Database, settings: Settings, make_staff: StaffFactory, state: str
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await draft(database, manager)
    if state != "draft":
        await pipeline.change_consent(database, settings, manager, case.id, CONSENT)
        case = await cases.submit(database, manager, case.id)
    if state == "active":
        case = await pipeline.approve(database, settings, supervisor, case.id)
    closed = await pipeline.close(database, manager, case.id, "unfounded")
    assert closed.state is CaseState.CLOSED


ILLEGAL = [
    ("draft", "approve", "still a draft"),
    ("draft", "return", "still a draft"),
    ("pending_approval", "submit", "waiting for approval"),
    ("active", "submit", "already active"),
    ("active", "approve", "already active"),
    ("active", "return", "already active"),
    ("closed", "submit", "closed"),
    ("closed", "approve", "closed"),
    ("closed", "return", "closed"),
    ("closed", "close", "closed"),
]


@pytest.mark.parametrize(("state", "action", "reason"), ILLEGAL)
async def test_illegal_transitions_are_refused_with_a_reason(
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    state: str,
    action: str,
    reason: str,
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await draft(database, manager)
    if state != "draft":
        case = await pending(database, manager)
    if state in ("active", "closed"):
        case = await pipeline.approve(database, settings, supervisor, case.id)
    if state == "closed":
        case = await pipeline.close(database, manager, case.id, "found_safe")
    calls = {
        "submit": lambda: cases.submit(database, manager, case.id),
        "approve": lambda: pipeline.approve(database, settings, supervisor, case.id),
        "return": lambda: cases.return_to_draft(database, manager, case.id),
        "close": lambda: pipeline.close(database, manager, case.id, "found_safe"),
    }
    with pytest.raises(errors.IllegalTransition, match=reason):
        await calls[action]()
    assert (await cases.get(database, case.id)).state.value == state


async def test_closed_case_cannot_be_edited_or_get_consent(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager = await make_staff()
    case = await draft(database, manager)
    await pipeline.close(database, manager, case.id, "found_safe")
    with pytest.raises(errors.IllegalTransition, match="new disappearance is a new case"):
        await pipeline.revise(database, settings, manager, case.id, {"hair": "red"})
    with pytest.raises(errors.IllegalTransition):
        await pipeline.change_consent(database, settings, manager, case.id, CONSENT)


async def test_invariant_1_four_eyes_submitter_cannot_approve(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager = await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager)
    with pytest.raises(errors.Forbidden, match="second staff member"):
        await pipeline.approve(database, settings, manager, case.id)
    assert (await cases.get(database, case.id)).state is CaseState.PENDING_APPROVAL


async def test_four_eyes_can_be_switched_off(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    import dataclasses

    # The one account must still hold an approver role (APPROVER_ROLES).
    supervisor = await make_staff(Role.SUPERVISOR)
    case = await pending(database, supervisor)
    single = dataclasses.replace(settings, four_eyes=False)
    assert (await pipeline.approve(database, single, supervisor, case.id)).state is CaseState.ACTIVE


async def test_invariant_1_approval_refused_without_consent(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager, consent=False)
    with pytest.raises(errors.Conflict, match="no consent"):
        await pipeline.approve(database, settings, supervisor, case.id)
    assert (await cases.get(database, case.id)).state is CaseState.PENDING_APPROVAL


async def test_invariant_1_approval_refused_with_revoked_consent(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager)
    await database.execute("revoke_consent", case.id)
    with pytest.raises(errors.Conflict, match="no consent"):
        await pipeline.approve(database, settings, supervisor, case.id)


async def test_invariant_1_approval_refused_without_police_reference(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager, police_reference="")
    with pytest.raises(errors.Conflict, match="police or prosecutor reference"):
        await pipeline.approve(database, settings, supervisor, case.id)


async def test_submit_says_what_is_missing(database: Database, make_staff: StaffFactory) -> None:
    manager = await make_staff()
    case = await cases.create_draft(database, manager, {"kind": "lost_injured"})
    with pytest.raises(errors.Conflict, match="last seen.*when.*name or a description"):
        await cases.submit(database, manager, case.id)


async def test_editing_an_active_case_makes_a_new_revision(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager)
    case = await pipeline.approve(database, settings, supervisor, case.id)
    # New words in the clothing show more: a proposal, which a second approver approves.
    change = await pipeline.revise(
        database, settings, manager, case.id, {"clothing": "grey hoodie"}
    )
    assert (await cases.get(database, case.id)).revision == 1
    case = await approve_change(database, settings, supervisor, change)
    assert case.revision == 2 and case.state is CaseState.ACTIVE
    revisions = await database.fetch("list_revisions", case.id)
    assert [r["number"] for r in revisions] == [2, 1]


async def test_every_lifecycle_action_is_audited(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    from alerts.staff import audit

    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await pending(database, manager)
    await pipeline.approve(database, settings, supervisor, case.id)
    await pipeline.close(database, manager, case.id, "found_safe")
    actions = [e["action"] for e in await audit.entries(database, case.id)]
    assert actions == [
        "case_closed", "case_approved", "case_submitted", "consent_recorded", "case_created",
    ]  # fmt: skip


async def test_invariant_1_nothing_is_published_before_approval(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager = await make_staff()
    case = await pending(database, manager, consent=False)
    await pipeline.change_consent(database, settings, manager, case.id, {**CONSENT, "level": 3})
    assert await database.fetch("list_publications", case.id) == []
    assert (await client.get(f"/alerts/{case.public_id}")).status == 404
    assert (await client.get(f"/alerts/{case.public_id}/poster-nl.pdf")).status == 404
    for feed in ("/feeds/alerts.atom", "/feeds/cap.xml"):
        assert case.public_id not in await (await client.get(feed)).text()
