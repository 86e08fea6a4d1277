"""Withdrawal workers as real processes (`python run.py serve --only dispatch`): a `kill -9` in
the middle of a withdrawal, then a restart, finishes the job; running it again changes nothing."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from alerts.channels.tg_texts import ending_notice, neutral_jpeg
from alerts.config import Settings
from alerts.db.database import Database
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import (
    TERMINAL,
    before_each,
    bot_messages,
    close,
    published,
    states_are,
    users,
)
from tests.support.dispatch import dispatching, eventually, publications, with_channels
from tests.support.faults import report
from tests.support.processes import worker_env, workers

os.environ.setdefault("PTB_TIMEDELTA", "true")
pytestmark = pytest.mark.sandbox(count_edits=False)


def count_state(db: Database, case_id: int, state: str, at_least: int) -> Any:
    async def check() -> bool:
        rows = await publications(db, case_id)
        return sum(1 for r in rows if r["state"] == state) >= at_least

    return check


def snapshot(sandbox: TelegramSandbox, chats: list[int]) -> list[Any]:
    return [(m.chat_id, m.message_id, m.deleted, m.history) for chat in chats
            for m in sandbox.messages(chat)]  # fmt: skip


async def test_a_worker_killed_mid_withdrawal_is_finished_by_the_next_and_a_rerun_changes_nothing(
    db: Database, settings: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    young = await users(sandbox, db, [0.1 * n for n in range(1, 51)])
    old = await users(sandbox, db, [5 + 0.1 * n for n in range(10)], language="fr")
    live = with_channels(
        settings, telegram_api_url=sandbox.base_url, telegram_file_url=sandbox.base_file_url
    )
    case = await published(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}), within=20)
    for chat in old:
        sandbox.age_messages(49 * 3600, chat_id=chat)
    await close(db, await make_staff(), case.id)
    for method in ("delete_message", "edit_message_media"):
        before_each(sandbox, method, lambda _: asyncio.sleep(0.2))
    env = worker_env(settings, sandbox, TELEGRAM_RATE="60", DISPATCH_STALL_SECONDS="1.5")
    async with workers(1, env) as [doomed]:
        await eventually(count_state(db, case.id, "withdrawn", 15), within=20)
        doomed.process.kill()  # SIGKILL: no cleanup, no last records
        await doomed.process.wait()
    rows = await publications(db, case.id)
    left = [r for r in rows if r["state"] == "withdrawing"]
    assert left, "the kill should have caught withdrawals half done"
    # Taken by the dead worker (leased for DISPATCH_STALL_SECONDS), not lost.
    leased = [r for r in left if r["withdraw_attempts"]]
    assert leased and all(f":{doomed.process.pid}:" in r["claimed_by"] for r in leased)
    restarted = time.monotonic()
    async with workers(1, env):
        await eventually(states_are(db, case.id, TERMINAL), within=30)
        drained = time.monotonic() - restarted
    rows = await publications(db, case.id)
    report(
        "kill -9 of a dispatcher during a withdrawal", messages=len(rows),
        half_done_at_kill=len(left), withdrawn=sum(r["state"] == "withdrawn" for r in rows),
        neutralised=sum(r["state"] == "neutralised" for r in rows), time_to_drain_s=drained,
    )  # fmt: skip
    assert {r["state"] for r in rows if int(r["address"]) in young} == {"withdrawn"}
    assert {r["state"] for r in rows if int(r["address"]) in old} == {"neutralised"}
    # Each alert deleted, then the ending notice (issue 21): at least once (a kill between its
    # send and its record sends it again).
    for chat in young:
        alert, *endings = bot_messages(sandbox, chat)
        assert alert.deleted and endings and {m.text for m in endings} == {ending_notice("nl")}
    for chat in old:
        [message] = bot_messages(sandbox, chat)
        assert message.caption == ending_notice("fr")
        assert sandbox.file_bytes(message.photo_file_id) == neutral_jpeg()
    # Once more: nothing is left to claim, and neither the sandbox nor the registry changes.
    before = (snapshot(sandbox, young + old), rows)
    async with workers(1, env):
        await asyncio.sleep(1.5)
    assert (snapshot(sandbox, young + old), await publications(db, case.id)) == before
