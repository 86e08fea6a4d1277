"""Withdrawing the forwarding consent reaches what was already sent on Telegram.

The Bot API cannot protect a message by editing it (editMessageText, editMessageCaption and
editMessageMedia take no protect_content), so a revision that forbids forwarding sends each
volunteer and regional channel the alert again, protected, and takes the earlier message back
(deleted, or neutralised when Telegram no longer deletes it), each step in the registry. Written
as the attack: before this, the messages were edited in place and every one stayed forwardable.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import telegram
from telegram.error import BadRequest

from alerts.channels.tg_texts import ending_notice, replaced_notice
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import registry as partners
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.channels import (
    TERMINAL,
    before_each,
    bot_messages,
    close,
    ended,
    published,
    states_are,
    users,
)
from tests.support.dispatch import GENT, add_volunteer, dispatching, eventually, moved, publications
from tests.support.factories import CONSENT

os.environ.setdefault("PTB_TIMEDELTA", "true")
pytestmark = pytest.mark.sandbox(count_edits=False)

FORWARDABLE = {**CONSENT, "level": 2, "forwarding": True}
REPLACED = "forwarding withdrawn, replaced by a protected message"


def settled(db: Database, case_id: int) -> Callable[[], Awaitable[bool]]:
    """For `eventually`: nothing of the case waits to be sent or taken back."""

    async def check() -> bool:
        rows = await publications(db, case_id)
        return not any(r["state"] in ("pending", "sending", "withdrawing") for r in rows)

    return check


def live_messages(sandbox: TelegramSandbox, chat: int) -> list[Any]:
    return [m for m in bot_messages(sandbox, chat) if not m.deleted]


async def forward_fails(bot: telegram.Bot, to_chat: int, chat: int, message_id: int) -> bool:
    try:
        await bot.forward_message(to_chat, chat, message_id)
    except BadRequest as err:
        return "can't be forwarded" in err.message
    return False


async def regional_channel(sandbox: TelegramSandbox, db: Database, make_staff: StaffFactory) -> int:
    channel = sandbox.create_group("Oost-Vlaanderen", chat_type="channel")
    await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id=str(channel.id),
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip
    return channel.id


@pytest.mark.parametrize("photo", [False, True], ids=["text", "photo"])
async def test_withdrawn_forwarding_leaves_every_chat_only_a_protected_alert(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
    photo: bool,
) -> None:
    chats = await users(sandbox, db, range(1, 11))
    channel = await regional_channel(sandbox, db, make_staff)
    await add_volunteer(db, moved(GENT, 11), email="v11@example.org")
    elsewhere = sandbox.create_group("Where a volunteer forwards to").id
    case = await published(db, live, make_staff, photo=photo, languages=["nl"],
                           consent=FORWARDABLE)  # fmt: skip
    async with (
        dispatching(db, live),
        telegram.Bot(live.telegram_bot_token, base_url=live.telegram_api_url) as bot,
    ):
        await eventually(states_are(db, case.id, {"sent"}))
        first = {chat: live_messages(sandbox, chat) for chat in [*chats, channel]}
        assert all(len(found) == 1 and not found[0].protect_content for found in first.values())
        # Forwardable now, as the consent allows.
        await bot.forward_message(elsewhere, chats[0], first[chats[0]][0].message_id)
        mails = len(sink.messages)

        manager = await make_staff()
        narrower = {**FORWARDABLE, "forwarding": False}
        await pipeline.change_consent(db, live, manager, case.id, narrower)
        await eventually(settled(db, case.id), within=30)

        for chat in [*chats, channel]:
            [old] = first[chat]
            assert sandbox.message(chat, old.message_id).deleted, chat
            [alert] = live_messages(sandbox, chat)
            assert alert.protect_content and alert.message_id != old.message_id
            assert bool(alert.photo_file_id) == photo
            assert (alert.caption if photo else alert.text) == (old.caption if photo else old.text)
            assert await forward_fails(bot, elsewhere, chat, alert.message_id)
    # E-mail gets what a revision always sends it: the update, threaded with the first.
    assert len(sink.messages) == mails + 1
    rows = await publications(db, case.id)
    by_address: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_address.setdefault(row["address"], []).append(row)
    for chat in [*chats, channel]:
        old_row, new_row = by_address[str(chat)]
        assert (old_row["revision"], new_row["revision"]) == (1, 2)
        assert (old_row["state"], old_row["end_reason"]) == ("withdrawn", f"{REPLACED}: deleted")
        assert old_row["protected"] is False
        assert new_row["edits_id"] == old_row["id"]
        assert (new_row["state"], new_row["protected"]) == ("sent", True)
        assert new_row["external_id"] == str(live_messages(sandbox, chat)[0].message_id)
    # The progress counts the latest message of each recipient: all reached, once.
    reach = await db.fetch("case_reach", case.id, ["telegram_dm", "telegram_channel"])
    assert {(r["channel"], r["state"]): r["n"] for r in reach} == {
        ("telegram_dm", "sent"): 10, ("telegram_channel", "sent"): 1,
    }  # fmt: skip

    # Closing the case then takes back the protected messages.
    async with dispatching(db, live):
        await close(db, manager, case.id)
        await eventually(ended(db, case.id), within=30)
    assert live_messages(sandbox, channel) == []
    for chat in chats:  # only the ending notice is left (issue 21)
        assert [m.text for m in live_messages(sandbox, chat)] == [ending_notice("nl")], chat
    rows = await publications(db, case.id)
    assert {r["state"] for r in rows if r["revision"] == 2 and r["channel"] != "email"} == {
        "withdrawn"
    }


async def test_a_blocked_volunteer_and_a_message_too_old_to_delete(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    blocked, old, fresh = await users(sandbox, db, [1, 2, 3])
    case = await published(db, live, make_staff, photo=False, languages=["nl"],
                           consent=FORWARDABLE)  # fmt: skip
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        sandbox.block_bot(blocked)
        sandbox.age_messages(49 * 3600, chat_id=old)  # Telegram no longer deletes it
        await pipeline.change_consent(db, live, await make_staff(), case.id,
                                      {**FORWARDABLE, "forwarding": False})  # fmt: skip
        await eventually(settled(db, case.id), within=30)
    rows = {r["address"]: r for r in await publications(db, case.id) if r["revision"] == 1}
    new = {r["address"]: r for r in await publications(db, case.id) if r["revision"] == 2}

    # The volunteer who blocked the bot gets nothing new and is deactivated; the forwardable
    # message is taken back all the same.
    assert (new[str(blocked)]["state"], new[str(blocked)]["end_reason"]) == (
        "failed", "recipient_gone",
    )  # fmt: skip
    assert not await db.conn.fetchval(
        "SELECT active FROM volunteers WHERE telegram_chat_id = $1", blocked
    )
    assert rows[str(blocked)]["state"] in TERMINAL
    assert rows[str(blocked)]["end_reason"].startswith(
        "forwarding withdrawn, no protected message could replace it"
    )
    assert [m.deleted for m in bot_messages(sandbox, blocked)] == [True]

    # Too old to delete: the protected alert arrives, the old message keeps only a notice that
    # points to it.
    first, alert = bot_messages(sandbox, old)
    assert not first.deleted and first.text == replaced_notice("nl")
    assert first.text == "Deze oproep is vervangen door het bericht hieronder."

    assert alert.protect_content and not alert.deleted
    assert (rows[str(old)]["state"], rows[str(old)]["end_reason"]) == (
        "neutralised", f"{REPLACED}: neutral notice",
    )  # fmt: skip
    assert [(m.deleted, m.protect_content) for m in bot_messages(sandbox, fresh)] == [
        (True, False), (False, True),
    ]  # fmt: skip


async def test_an_edit_that_keeps_forwarding_forbidden_edits_in_place(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    """Messages sent protected stay protected through an edit: no replacement needed."""
    [chat] = await users(sandbox, db, [1])
    case = await published(db, live, make_staff, photo=False, languages=["nl"])
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        # New words widen what is published: a second account approves them.
        await revise_approved(db, live, await make_staff(), case.id, {"clothing": "a red coat"})
        await eventually(states_are(db, case.id, {"sent", "superseded"}))
    [message] = bot_messages(sandbox, chat)
    assert message.protect_content and message.edited and "red coat" in (message.text or "")


async def test_a_close_while_the_protected_alerts_go_out_withdraws_old_and_new(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users(sandbox, db, [1, 2, 3])
    case = await published(db, live, make_staff, photo=False, languages=["nl"],
                           consent=FORWARDABLE)  # fmt: skip
    manager = await make_staff()
    closed = asyncio.Event()

    async def close_first(params: Any) -> None:
        if not closed.is_set():  # the first protected alert is on its way when the case closes
            closed.set()
            await close(db, manager, case.id)

    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        before_each(sandbox, "send_message", close_first)
        await pipeline.change_consent(db, live, manager, case.id,
                                      {**FORWARDABLE, "forwarding": False})  # fmt: skip
        await eventually(ended(db, case.id), within=30)
    assert closed.is_set()
    for chat in chats:  # whatever went out, before or during the close, is gone; one ending
        assert bot_messages(sandbox, chat), chat
        assert [m.text for m in live_messages(sandbox, chat)] == [ending_notice("nl")], chat
    assert {r["state"] for r in await publications(db, case.id)} <= TERMINAL
