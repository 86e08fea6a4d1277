"""Large fan-outs in batches: the approval queues the nearest batch of volunteers at once and
writes the others as batches, which the dispatchers turn into rows after the commit, nearest
first. Nothing is lost on the way, and what happens meanwhile (an opt-out, a revision, a
narrower consent, the close) is honoured."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from alerts.cases import lifecycle as cases
from alerts.cases.consent import PublicView
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout, pipeline, withdrawal
from alerts.outbox.claims import CaseGate, Claim
from alerts.outbox.limits import RateLimiter
from alerts.outbox.sender import Sender
from alerts.volunteers import registry as volunteers
from alerts.web.console.progress import reach
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    moved,
    publications,
    with_channels,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")
BATCH = 3


@pytest.fixture
def small(settings: Settings) -> Settings:
    """Telegram and e-mail configured (nothing is sent here), batches of three volunteers."""
    return with_channels(settings, smtp_url="smtp://127.0.0.1:1", fanout_batch_size=BATCH)


async def ten_volunteers(db: Database) -> list[int]:
    """Ten Telegram volunteers 1 to 10 km from Gent, nearest first."""
    return [await add_volunteer(db, moved(GENT, km), chat_id=km) for km in range(1, 11)]


async def expand_all(db: Database) -> int:
    """What the dispatchers do after the commit: every waiting batch made into rows."""
    rows = 0
    while (queued := await fanout.expand(db)) is not None:
        rows += queued
    return rows


async def queued_volunteers(db: Database, case_id: int, revision: int = 1) -> list[int]:
    rows = await publications(db, case_id)
    return [r["volunteer_id"] for r in sorted(rows, key=lambda r: r["sort_key"])
            if r["revision"] == revision]  # fmt: skip


async def test_the_nearest_batch_is_queued_at_the_approval_and_the_rest_after_it(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    nearest_first = await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    # At the commit: the three nearest have their rows; a dispatcher matches the other seven
    # after it, into batches, once.
    assert await queued_volunteers(db, case.id) == nearest_first[:BATCH]
    assert await fanout.match_rest(db) == 7
    assert await fanout.match_rest(db) is None
    assert await fanout.waiting(db, case.id) == 7
    progress = await reach(db, case.id)
    assert (progress.matched, progress.counts["pending"], progress.queueing) == (10, 10, 7)
    # One batch at a time, nearest first.
    assert await fanout.expand(db) == BATCH
    assert await queued_volunteers(db, case.id) == nearest_first[: 2 * BATCH]
    assert await expand_all(db) == 4
    # Every volunteer once, in order of distance, with the distance as the sort key.
    rows = await publications(db, case.id)
    assert await queued_volunteers(db, case.id) == nearest_first
    assert sorted(round(r["sort_key"]) for r in rows) == list(range(1, 11))
    assert len({r["target"] for r in rows}) == 10
    assert await fanout.waiting(db, case.id) == 0
    assert (await reach(db, case.id)).queueing == 0


async def test_a_volunteer_who_opts_out_before_their_batch_is_made_gets_nothing(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    nearest_first = await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    leaving = nearest_first[8]
    assert await volunteers.deactivate(db, leaving, "stopped")
    assert await expand_all(db) == 6
    assert await queued_volunteers(db, case.id) == [v for v in nearest_first if v != leaving]


async def test_closing_drops_the_batches_not_yet_made_into_rows(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    await pipeline.close(db, await make_staff(), case.id, "found_safe")
    assert await fanout.expand(db) is None
    assert await fanout.waiting(db, case.id) == 0
    rows = await publications(db, case.id)
    assert len(rows) == BATCH and {r["state"] for r in rows} == {"cancelled"}


async def test_a_batch_of_a_case_closed_since_it_was_written_makes_no_rows(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    # As if the close had run without the fan-out's close hook (another process's version).
    await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    await pipeline.close(db, await make_staff(), case.id, "found_safe")
    assert await expand_all(db) == 0
    assert len(await publications(db, case.id)) == BATCH


async def test_a_revision_replaces_the_batches_of_the_one_before(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    nearest_first = await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    revised = await revise_approved(db, small, await make_staff(), case.id,
                                    {"clothing": "green coat"})  # fmt: skip
    assert revised.revision == 2
    assert await expand_all(db) == 7
    # Everyone gets revision 2 once; nothing of revision 1 is left to send.
    assert await queued_volunteers(db, case.id, revision=2) == nearest_first
    first = [r for r in await publications(db, case.id) if r["revision"] == 1]
    assert len(first) == BATCH and {r["state"] for r in first} == {"cancelled"}


async def test_a_revoked_consent_takes_its_channels_out_of_the_waiting_batches(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    await ten_volunteers(db)
    case = await active_case(db, small, make_staff)
    previous = await cases.current_consent(db, case.id)
    # The scheduler's path when a consent ends: no new revision, only the narrowing.
    await withdrawal.narrow(db, case.id, previous, None, datetime.now(UTC))
    assert await fanout.waiting(db, case.id) == 0
    assert await expand_all(db) == 0
    assert {r["state"] for r in await publications(db, case.id)} == {"cancelled"}


async def test_a_claim_of_a_revision_newer_than_the_known_state_is_sent_as_that_revision(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    await add_volunteer(db, moved(GENT, 1), chat_id=1)
    case = await active_case(db, small, make_staff)
    gate = CaseGate(db, small, ttl=3600.0)  # the state stays cached
    sender = Sender(db, small, {}, RateLimiter(db), gate)
    status = await gate.status(case.id)
    assert status is not None and status.revision == 1
    await gate.view(case.id, status, "telegram_dm")  # revision 1's, cached too
    await revise_approved(db, small, await make_staff(), case.id, {"clothing": "green coat"})
    [row] = await db.fetch("claim_publications", "test", ["telegram_dm"], 10)
    view = await sender.prepare(Claim.from_row(row))
    assert isinstance(view, PublicView)
    assert (view.revision, view.clothing) == (2, "green coat")
