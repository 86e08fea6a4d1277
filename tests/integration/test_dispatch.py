"""The dispatcher through the real python-telegram-bot client against the Telegram sandbox and
the SMTP sink, on a real PostgreSQL: who gets what, when, and the invariants 2 and 4."""

from __future__ import annotations

import asyncio
import logging
import os
import time as clock
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import registry as partners
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.channels import all_sent, before_each, bot_messages, messaged, reaching, users_at
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
    states,
    with_channels,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")
BRUSSELS = ZoneInfo("Europe/Brussels")


async def test_only_volunteers_in_reach_get_the_alert_nearest_first(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    inside = await users_at(sandbox, db, [moved(GENT, km) for km in (14.9, 0.5, 7, 3)])
    outside = await users_at(sandbox, db, [moved(GENT, 15.1), (50.6326, 5.5797), (49.6, 5.8)])
    # One at a time, so the order of sending is the order of claiming.
    one_by_one = with_channels(live, dispatch_concurrency=1, telegram_rate=200.0)
    arrivals = _arrival_order(sandbox, "send_photo")
    case = await active_case(db, one_by_one, make_staff)
    async with dispatching(db, one_by_one):
        await eventually(all_sent(db, case.id))
    assert all(len(bot_messages(sandbox, chat)) == 1 for chat in inside)
    assert not any(bot_messages(sandbox, chat) for chat in outside)
    # Nearest first: 0.5, 3, 7 then 14.9 km.
    assert arrivals == [inside[1], inside[3], inside[2], inside[0]]
    message = bot_messages(sandbox, inside[0])[0]
    assert message.protect_content and message.photo_file_id
    assert "/stop" in (message.caption or "")


async def test_quiet_hours_hold_the_message_until_they_end(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    now = datetime.now(BRUSSELS)
    ends = now + timedelta(seconds=2)
    quiet = ((now - timedelta(hours=1)).time(), ends.time())
    [held] = await users_at(sandbox, db, [moved(GENT, 1)], quiet=quiet)
    [awake] = await users_at(sandbox, db, [moved(GENT, 2)])
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(lambda: _has_message(sandbox, awake))
        assert not bot_messages(sandbox, held)
        await eventually(lambda: _has_message(sandbox, held), within=10)
    assert datetime.now(BRUSSELS) >= ends
    assert set(await states(db, case.id)) == {"sent"}


async def test_level_3_overrides_quiet_hours(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    now = datetime.now(BRUSSELS)
    quiet = ((now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time())
    [held] = await users_at(sandbox, db, [moved(GENT, 1)], quiet=quiet)
    await active_case(db, live, make_staff, kind="third_party_abduction", consent={"level": 3})
    async with dispatching(db, live):
        await eventually(lambda: _has_message(sandbox, held))


async def _has_message(sandbox: TelegramSandbox, chat: int) -> bool:
    return bool(bot_messages(sandbox, chat))


async def test_volunteers_who_opted_out_get_nothing(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    [stopped_before] = await users_at(sandbox, db, [moved(GENT, 1)], active=False)
    [stopped_after, staying] = await users_at(sandbox, db, [moved(GENT, 2), moved(GENT, 3)])
    case = await active_case(db, live, make_staff)
    # Opting out between the approval and the send cancels the queued message.
    await db.conn.execute(
        "UPDATE volunteers SET active = false, deactivated_reason = 'stop' "
        "WHERE telegram_chat_id = $1",
        stopped_after,
    )
    async with dispatching(db, live):
        await eventually(lambda: _has_message(sandbox, staying))
        await eventually(lambda: _no_pending(db, case.id))
    assert not bot_messages(sandbox, stopped_before) and not bot_messages(sandbox, stopped_after)
    rows = {r["address"]: r for r in await publications(db, case.id)}
    assert str(stopped_before) not in rows
    assert rows[str(stopped_after)]["state"] == "cancelled"
    assert rows[str(stopped_after)]["end_reason"] == "opted_out"


async def _no_pending(db: Database, case_id: int) -> bool:
    found = await states(db, case_id)
    return not found.get("pending") and not found.get("sending")


async def test_a_volunteer_who_blocked_the_bot_is_deactivated(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    [blocked, fine] = await users_at(sandbox, db, [moved(GENT, 1), moved(GENT, 2)])
    sandbox.block_bot(blocked)
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(lambda: _no_pending(db, case.id))
    volunteer = await db.conn.fetchrow(
        "SELECT active, deactivated_reason FROM volunteers WHERE telegram_chat_id = $1", blocked
    )
    assert dict(volunteer) == {"active": False, "deactivated_reason": "blocked_bot"}
    rows = {r["address"]: r for r in await publications(db, case.id)}
    assert rows[str(blocked)]["state"] == "failed"
    assert "blocked" in rows[str(blocked)]["last_error"]
    assert rows[str(fine)]["state"] == "sent"


async def test_a_429_is_honoured_and_the_message_delivered_after_retry_after(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    make_staff: StaffFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The sandbox allows 3 messages a second; our limiter is told 50, so Telegram must refuse.
    sandbox.configure(global_per_second=3)
    chats = await users_at(sandbox, db, [moved(GENT, 1 + km / 10) for km in range(8)])
    case = await active_case(db, live, make_staff, photo=False)
    fast = with_channels(live, telegram_rate=50.0)
    started = clock.monotonic()
    with caplog.at_level(logging.WARNING, logger="alerts.outbox.limits"):
        async with dispatching(db, fast):
            await eventually(all_sent(db, case.id), within=15)
    assert sandbox.counters().refused.get("global", 0) >= 1
    pauses = [r for r in caplog.records if getattr(r, "action", "") == "dispatch.paused"]
    assert pauses and all(getattr(r, "retry_after", 0) >= 1 for r in pauses)
    # 8 messages at 3 a second, with at least one retry_after of a second in between.
    assert clock.monotonic() - started >= 2
    assert all(len(bot_messages(sandbox, chat)) == 1 for chat in chats)


async def test_a_revision_edits_the_messages_already_sent(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users_at(sandbox, db, [moved(GENT, 1), moved(GENT, 2)])
    case = await active_case(db, live, make_staff)
    manager = await make_staff()
    async with dispatching(db, live):
        await eventually(all_sent(db, case.id))
        await revise_approved(db, live, manager, case.id, {"clothing": "a green winter coat"})
        await eventually(lambda: _revision_sent(db, case.id, 2))
    for chat in chats:
        [message] = bot_messages(sandbox, chat)
        assert message.edited and "green winter coat" in (message.caption or "")
    rows = await publications(db, case.id)
    assert {(r["revision"], r["state"]) for r in rows} == {(1, "superseded"), (2, "sent")}
    first = {r["target"]: r["external_id"] for r in rows if r["revision"] == 1}
    assert first == {r["target"]: r["external_id"] for r in rows if r["revision"] == 2}


async def _revision_sent(db: Database, case_id: int, revision: int) -> bool:
    rows = [r for r in await publications(db, case_id) if r["revision"] == revision]
    return bool(rows) and all(r["state"] == "sent" for r in rows)


async def test_invariant_2_every_message_is_recorded(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:
    await users_at(sandbox, db, [moved(GENT, km) for km in (1, 2, 3, 4, 5)])
    for km in (1, 6):
        await add_volunteer(db, moved(GENT, km), email=f"v{km}@example.org")
    channel = sandbox.create_group("Oost-Vlaanderen", chat_type="channel")
    await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id=str(channel.id),
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(all_sent(db, case.id))
    rows = await publications(db, case.id)
    telegram = {
        (str(m.chat_id), str(m.message_id))
        for chat in sandbox.chats() for m in sandbox.messages(chat.id) if m.from_bot
    }  # fmt: skip
    recorded = {(r["address"], r["external_id"]) for r in rows if r["channel"] != "email"}
    assert telegram == recorded and len(telegram) == 6
    mails = {str(m.message["Message-ID"]) for m in sink.messages}
    assert mails == {r["external_id"] for r in rows if r["channel"] == "email"}
    assert len(mails) == 2 and all(r["body"] for r in rows)


async def test_invariant_4_nothing_sent_after_close(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users_at(sandbox, db, [moved(GENT, km / 10) for km in range(1, 61)])
    # Every send takes 0.3 s at "Telegram", so some are in flight when the case closes: the
    # concurrency (8 calls in 0.3 s) paces the sends, not the rate (a token is held from its
    # call until a second after the answer: 40 a second allow 30 such calls a second).
    before_each(sandbox, "send_photo", lambda _: asyncio.sleep(0.3))
    slow = with_channels(live, telegram_rate=40.0, dispatch_concurrency=8)
    case = await active_case(db, slow, make_staff)
    async with dispatching(db, slow):
        await eventually(reaching(sandbox, chats, at_least=10))
        await pipeline.close(db, await make_staff(), case.id, "found_safe")
        at_close = messaged(sandbox, chats)
        await asyncio.sleep(1.0)
        after = messaged(sandbox, chats)
        await eventually(lambda: _no_pending(db, case.id))
    rows = await publications(db, case.id)
    # The dispatcher's withdrawal lanes may already have taken some back (tests/test_withdrawal).
    assert {r["state"] for r in rows} <= {"withdrawing", "withdrawn", "cancelled"}
    withdrawing = {r["address"] for r in rows if r["state"] in ("withdrawing", "withdrawn")}
    # Only what was in flight at the close arrived after it; all of it is being withdrawn.
    assert 0 < len(after) - len(at_close) <= 8
    assert {str(chat) for chat in after} == withdrawing
    assert len(after) < len(chats)


async def test_a_message_put_back_after_its_case_closed_is_cancelled_not_left_pending(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users_at(sandbox, db, [moved(GENT, 1), moved(GENT, 2)])
    case = await active_case(db, live, make_staff)
    # A dispatcher holds the nearest message while the case closes, then puts it back (a 429,
    # a network error): its retry makes the row pending again after the close cancelled the rest.
    claimed = await db.fetch("claim_publications", "slow worker", ["telegram_dm"], 1)
    await pipeline.close(db, await make_staff(), case.id, "found_safe")
    await db.execute("record_retry", claimed[0]["id"], "slow worker", 0.0, "timeout", True)
    assert await states(db, case.id) == {"pending": 1, "cancelled": 1}
    async with dispatching(db, live):
        await eventually(lambda: _no_pending(db, case.id))
    rows = await publications(db, case.id)
    assert [(r["state"], r["end_reason"]) for r in rows] == [("cancelled", "case_closed")] * 2
    assert messaged(sandbox, chats) == []


def _arrival_order(sandbox: TelegramSandbox, method: str) -> list[int]:
    """The chat ids `method` is called for, in order of arrival at the sandbox."""
    seen: list[int] = []

    async def record(params: Any) -> None:
        seen.append(int(params.string("chat_id")))

    before_each(sandbox, method, record)
    return seen
