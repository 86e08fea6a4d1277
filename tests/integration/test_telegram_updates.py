"""A Telegram update delivered again (Telegram's retry, or a replay by whoever has the webhook
secret) is processed once: one after the other, both at once, and by another process on the
same database. The ids are forgotten after a week. A secret header that is not UTF-8 is a 400."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from alerts.bot.steps import CHOOSE_LANGUAGE
from alerts.bot.updates import bot_id
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox.scheduler import Scheduler
from sandbox.telegram.server import TelegramSandbox
from tests.integration.test_bot import start_update
from tests.support.bot import SECRET, TOKEN, Client, Start, until
from tests.support.raw_http import raw_request

pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def deliver(client: Client, update: dict[str, object]) -> None:
    answer = await client.post("/telegram/webhook", json=update, headers=HEADERS)
    assert answer.status == 200


async def answers_settle(sandbox: TelegramSandbox, user_id: int) -> int:
    """The number of the bot's messages to the user once the first has come and the bot had
    time to send any other."""
    await until(lambda: len(sandbox.messages(user_id)) >= 1)
    await asyncio.sleep(0.5)
    return len(sandbox.messages(user_id))


async def test_an_update_delivered_twice_is_answered_once(
    start: Start, sandbox: TelegramSandbox
) -> None:
    client = await start()
    user = sandbox.create_user()
    update = start_update(user)

    await deliver(client, update)
    await until(lambda: len(sandbox.messages(user.id)) == 1)
    await deliver(client, update)

    assert await answers_settle(sandbox, user.id) == 1
    assert sandbox.messages(user.id)[0].text == CHOOSE_LANGUAGE


async def test_an_update_delivered_twice_at_once_is_answered_once(
    start: Start, sandbox: TelegramSandbox
) -> None:
    client = await start()
    user = sandbox.create_user()
    update = start_update(user)

    await asyncio.gather(*(deliver(client, update) for _ in range(4)))

    assert await answers_settle(sandbox, user.id) == 1


async def test_an_update_taken_by_another_process_is_not_processed_again(
    start: Start, sandbox: TelegramSandbox, database: Database
) -> None:
    first, second = await start(), await start()  # two services on one database
    user = sandbox.create_user()
    update = start_update(user)

    await deliver(first, update)
    await until(lambda: len(sandbox.messages(user.id)) == 1)
    await deliver(second, update)

    assert await answers_settle(sandbox, user.id) == 1
    taken = await database.conn.fetch("SELECT bot_id, update_id FROM telegram_updates")
    assert [tuple(row) for row in taken] == [(bot_id(TOKEN), update["update_id"])]


async def test_a_secret_header_that_is_not_utf8_gets_a_400(
    start: Start, sandbox: TelegramSandbox
) -> None:
    client = await start()
    user = sandbox.create_user()
    headers = [(b"X-Telegram-Bot-Api-Secret-Token", b"\xff\xfe"),
               (b"Content-Type", b"application/json")]  # fmt: skip

    response = await raw_request(client.port, "POST", "/telegram/webhook", headers, b"{}")

    assert response.status == 400 and b"Traceback" not in response.body
    await asyncio.sleep(0.3)
    assert sandbox.messages(user.id) == []


async def test_the_scheduler_forgets_update_ids_after_a_week(
    database: Database, settings: Settings
) -> None:
    now = datetime.now(UTC)
    for update_id, age in ((1, timedelta(days=8)), (2, timedelta(days=6))):
        await database.conn.execute(
            "INSERT INTO telegram_updates (bot_id, update_id, taken_at) VALUES (7, $1, $2)",
            update_id, now - age,
        )  # fmt: skip

    done = await Scheduler(database, settings).run_due()

    assert done["telegram_updates"] == {"updates": 1}
    assert await database.conn.fetchval("SELECT array_agg(update_id) FROM telegram_updates") == [2]
