"""The volunteers' task messages (poster rounds, field-search call-outs) share the bot's rate
with the alerts: sent beside a running fan-out, against a sandbox that counts as Telegram does,
the bot is never refused for its overall rate, and each volunteer gets each message once. And
closing always wins: an invitation or a call-out still queued when the case closes never goes."""

from __future__ import annotations

import asyncio

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import tasks
from alerts.rounds import optin as poster_optin
from alerts.rounds import service as rounds
from alerts.searches import optin as search_optin
from alerts.staff.models import Role
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import bot_messages, close, users_at
from tests.support.dispatch import GENT, active_case, dispatching, eventually, moved, with_channels
from tests.support.searches import field_search

RATE = 10  # Telegram's overall limit, as the sandbox applies it
# The service's setting, a little under it: a loaded test machine may hold a message back for
# a tenth of a second, and the clump that follows must still fit. The task messages alone would
# break the limit at once if they did not share the bucket.
SERVICE_RATE = 8.0
VOLUNTEERS = 12


@pytest.mark.sandbox(global_per_second=RATE)
async def test_task_messages_beside_a_fan_out_keep_the_bot_s_overall_limit(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    settings = with_channels(live, telegram_rate=SERVICE_RATE)
    chats = await users_at(sandbox, db, [moved(GENT, 0.05 * (i + 1)) for i in range(VOLUNTEERS)])
    for row in await db.conn.fetch("SELECT id FROM volunteers"):
        await poster_optin.set_posters(db, row["id"], True)
        await search_optin.set_field_searches(db, row["id"], True, True)
    # The alert to all of them, a poster round's invitations and a call-out, all due at once.
    case = await active_case(db, settings, make_staff, photo=False)
    supervisor = await make_staff(Role.SUPERVISOR)
    _, invited = await rounds.start(db, settings, supervisor, case.id, 2.0)
    await field_search(db, supervisor, case)
    queued = await db.conn.fetchval("SELECT count(*) FROM search_messages")
    assert invited == queued == VOLUNTEERS

    # As in a worker: the task sender on the dispatcher's shares of the limit.
    async with (
        dispatching(db, settings) as dispatcher,
        tasks.sender(db, settings, limiter=dispatcher.limiter) as sender,
    ):
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:
            await eventually(lambda: _each_got(sandbox, chats, 3), within=30)
        finally:
            stop.set()
            await running
    # Telegram never had to refuse the bot, for its overall rate or for a chat's one message a
    # second: each volunteer's alert came first, and their task messages a second apart.
    assert sandbox.counters().refused == {}
    assert all(len(bot_messages(sandbox, chat)) == 3 for chat in chats)  # each once, no more


async def _each_got(sandbox: TelegramSandbox, chats: list[int], count: int) -> bool:
    return all(len(bot_messages(sandbox, chat)) >= count for chat in chats)


@pytest.mark.sandbox(limits_enabled=False)
async def test_closing_always_wins_over_queued_invitations_and_call_outs(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    # A poster round's invitations and a search's call-out are queued; before the sender's next
    # round, the case closes. Nobody is asked for posters or called out for a closed case.
    settings = with_channels(live)
    chats = await users_at(sandbox, db, [moved(GENT, 0.2), moved(GENT, 0.4)])
    for row in await db.conn.fetch("SELECT id FROM volunteers"):
        await poster_optin.set_posters(db, row["id"], True)
        await search_optin.set_field_searches(db, row["id"], True, True)
    case = await active_case(db, settings, make_staff, photo=False)
    supervisor = await make_staff(Role.SUPERVISOR)
    await rounds.start(db, settings, supervisor, case.id, 2.0)
    await field_search(db, supervisor, case)
    await close(db, supervisor, case.id)

    async with tasks.sender(db, settings) as sender:
        await sender.deliver_due()
    texts = [m.text or "" for chat in chats for m in bot_messages(sandbox, chat)]
    assert not [t for t in texts if "affiches" in t.lower() or "zoekactie" in t.lower()], texts
    states = await db.conn.fetch(
        "SELECT kind, state FROM poster_messages UNION ALL SELECT kind, state FROM search_messages"
    )
    assert {(r["kind"], r["state"]) for r in states} == {("invite", "cancelled"),
                                                         ("callout", "cancelled")}  # fmt: skip
