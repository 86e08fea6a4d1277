"""Two dispatcher processes configured at exactly Telegram's limit, while "Telegram" stalls and
then takes the queued calls all at once: the shared window (alerts/outbox/limits.py) still
never puts more than the limit in any second of Telegram's count."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from sandbox.telegram.server import TelegramSandbox
from tests.processes.test_dispatch_processes import chats_with_volunteers, reached, received
from tests.support.app import StaffFactory
from tests.support.dispatch import active_case, eventually, publications, with_channels
from tests.support.processes import worker_env, workers

os.environ.setdefault("PTB_TIMEDELTA", "true")
# Telegram's own limits: 30 messages a second overall, one a second per chat.
pytestmark = pytest.mark.sandbox(global_per_second=30)


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
