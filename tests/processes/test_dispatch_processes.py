"""Dispatchers as real processes (`python run.py serve --only dispatch`) on one database:
three together keep Telegram's overall limit and send each message once; two configured at the
limit itself keep it while Telegram counts late; a `kill -9` in the middle of a fan-out, then a
restart, repeats at most the messages that were in flight."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
import telegram

from alerts.cases import lifecycle as cases
from alerts.channels.tg_request import AiohttpRequest
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout
from sandbox.telegram.server import SANDBOX_API, TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.dispatch import (
    GENT,
    TOKEN,
    active_case,
    add_volunteer,
    eventually,
    moved,
    publications,
    with_channels,
)
from tests.support.faults import report
from tests.support.paths import ROOT
from tests.support.processes import free_port, worker_env, workers

os.environ.setdefault("PTB_TIMEDELTA", "true")
# Telegram's own limits: 30 messages a second overall, one a second per chat.
pytestmark = pytest.mark.sandbox(global_per_second=30)


async def chats_with_volunteers(sandbox: TelegramSandbox, db: Database, count: int) -> list[int]:
    chats = []
    for index in range(count):
        user = sandbox.create_user(language_code="fr")
        await add_volunteer(db, moved(GENT, 0.05 * index, bearing=index * 7), chat_id=user.id)
        chats.append(user.id)
    return chats


def received(sandbox: TelegramSandbox, chats: list[int]) -> dict[int, int]:
    return {chat: sum(1 for m in sandbox.messages(chat) if m.from_bot) for chat in chats}


def reached(
    sandbox: TelegramSandbox, chats: list[int], at_least: int
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return sum(1 for n in received(sandbox, chats).values() if n) >= at_least

    return check


async def test_three_dispatcher_processes_keep_the_limit_and_send_each_message_once(
    db: Database, settings: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await chats_with_volunteers(sandbox, db, 140)
    env = worker_env(settings, sandbox, TELEGRAM_RATE="28")
    async with workers(3, env) as started:
        # Batches of 25: the approval queues the nearest 25, the three workers make the rest.
        planning = with_channels(settings, fanout_batch_size=25)
        # A discreet case (level 1): direct messages only, so no posters or post images are
        # rendered in this process, which also runs the sandbox and its per-second count; a
        # render there delays the sandbox's clock, not the dispatchers'.
        case = await active_case(db, planning, make_staff, photo=False, consent={"level": 1})
        await eventually(reached(sandbox, chats, len(chats)), within=30)
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        logs = "".join(worker.raw() for worker in started)
    assert set(received(sandbox, chats).values()) == {1}
    # Never once over Telegram's 30 messages a second, together.
    assert sandbox.counters().refused.get("global", 0) == 0
    rows = await publications(db, case.id)
    assert {r["state"] for r in rows} == {"sent"} and len(rows) == len(chats)
    assert await fanout.waiting(db, case.id) == 0
    assert len({r["claimed_by"] for r in rows}) == 3  # all three took part
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs


@contextlib.asynccontextmanager
async def stalling(every: float, stall: float) -> AsyncIterator[None]:
    """Block this process's event loop, which runs the sandbox, for `stall` seconds every
    `every` seconds: calls queue in the socket meanwhile and are counted together when it
    resumes, as a congested Telegram front end would count them (the fault, not a wait)."""

    async def stall_now_and_then() -> None:
        while True:
            await asyncio.sleep(every)
            time.sleep(stall)  # noqa: ASYNC251 - blocking on purpose: the sandbox stops

    task = asyncio.create_task(stall_now_and_then())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_two_dispatchers_at_the_limit_draw_no_429_when_telegram_counts_late(
    db: Database, settings: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await chats_with_volunteers(sandbox, db, 100)
    # Both processes told the limit itself: no margin for the delays between send and count.
    env = worker_env(settings, sandbox, TELEGRAM_RATE="30")
    async with workers(2, env):
        planning = with_channels(settings, fanout_batch_size=25)
        case = await active_case(db, planning, make_staff, photo=False, consent={"level": 1})
        async with stalling(every=0.7, stall=0.3):
            await eventually(reached(sandbox, chats, len(chats)), within=40)
        await asyncio.sleep(0.3)  # anything sent twice would arrive now
    assert set(received(sandbox, chats).values()) == {1}
    assert sandbox.counters().refused.get("global", 0) == 0
    rows = await publications(db, case.id)
    assert {r["state"] for r in rows} == {"sent"} and len(rows) == len(chats)
    assert len({r["claimed_by"] for r in rows}) == 2  # both took part


async def test_invariant_6_idempotency_key(
    db: Database, settings: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await chats_with_volunteers(sandbox, db, 120)
    # Telegram takes 0.2 s per message here, so a dozen are in flight at any moment.
    sandbox.configure(global_per_second=1000)
    _slow_down(sandbox.app[SANDBOX_API], "send_photo", 0.2)
    planning = with_channels(settings, fanout_batch_size=10)  # most rows made by the worker
    case = await active_case(db, planning, make_staff)
    # The key holds: the same approval planned again adds nothing, a duplicate row is refused.
    consent = await cases.current_consent(db, case.id)
    assert await fanout.plan(db, planning, case, consent) == 0
    first = (await publications(db, case.id))[0]
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.conn.execute(
            "INSERT INTO publications (case_id, revision, channel, target) VALUES ($1, $2, $3, $4)",
            case.id, first["revision"], first["channel"], first["target"],
        )  # fmt: skip

    env = worker_env(settings, sandbox, TELEGRAM_RATE="60", DISPATCH_STALL_SECONDS="1.5")
    async with workers(1, env) as [doomed]:
        await eventually(reached(sandbox, chats, 30), within=30)
        doomed.process.kill()  # SIGKILL: no cleanup, no last records
        await doomed.process.wait()
    in_flight = {
        int(r["address"]) for r in await publications(db, case.id) if r["state"] == "sending"
    }
    assert in_flight, "the kill should have caught messages in flight"
    restarted = time.monotonic()
    async with workers(1, env):
        await eventually(reached(sandbox, chats, len(chats)), within=30)
        await eventually(lambda: _all_sent(db, case.id), within=15)
    counts = received(sandbox, chats)
    twice = {chat for chat, n in counts.items() if n > 1}
    figures = report(
        "kill -9 of a dispatcher during a fan-out", volunteers=len(chats),
        sent=sum(counts.values()), in_flight_at_kill=len(in_flight), duplicates=len(twice),
        time_to_drain_s=time.monotonic() - restarted,
    )  # fmt: skip
    assert min(counts.values()) == 1 and max(counts.values()) <= 2, figures
    # A crash repeats at most what was in flight, never the fan-out.
    assert twice <= in_flight, figures


async def _all_sent(db: Database, case_id: int) -> bool:
    return {r["state"] for r in await publications(db, case_id)} == {"sent"}


def _slow_down(api: Any, method: str, seconds: float) -> None:
    original: Callable[..., Awaitable[Any]] = getattr(api, method)

    async def slow(params: Any) -> Any:
        await asyncio.sleep(seconds)
        return await original(params)

    api._methods[method.replace("_", "").lower()] = (method, slow)


async def test_run_py_telegram_sandbox_serves_the_bot_api() -> None:
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "telegram-sandbox", "--port", str(port), cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}, stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )  # fmt: skip
    bot = telegram.Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest())
    try:

        async def answers() -> bool:
            try:
                async with bot:
                    return (await bot.get_me()).username == "alerts_sandbox_bot"
            except telegram.error.NetworkError:
                return False

        await eventually(answers, within=20)
    finally:
        process.terminate()
        await process.wait()
        log.seek(0)
        assert TOKEN.split(":")[1] not in log.read().decode()
        log.close()
