"""The outside channels failing under dispatcher processes (`run.py serve --only dispatch`):
Telegram unreachable, then slow, then answering 429, then 500 (sandbox.telegram.faults), the SMTP
server refusing, a partner webhook timing out; each during a fan-out and during a withdrawal.
Nothing is lost, Telegram's limits hold, and the backlog drains once the channel recovers.

Each fault lasts FAULT_SECONDS (tests.support.faults: a few seconds stand for the issue's
"minute"); the figures are printed at the end of the run."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from alerts.config import Settings
from alerts.db.database import Database
from alerts.partners import registry as partners
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import bot_messages, close
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    eventually,
    moved,
    publications,
    with_channels,
)
from tests.support.faults import FAULT_SECONDS, report
from tests.support.processes import worker_env, workers

os.environ.setdefault("PTB_TIMEDELTA", "true")
# Telegram's own limits: 30 messages a second overall, one a second per chat.
pytestmark = pytest.mark.sandbox(global_per_second=30)

TELEGRAM_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("unreachable", {}),
    ("slow", {"delay": 2.0}),  # seconds per call, under the client's 5-second read timeout
    ("429", {"retry_after": 2}),
    ("500", {}),
]


async def telegram_fails(sandbox: TelegramSandbox) -> float:
    """Each fault in turn for FAULT_SECONDS; the moment Telegram is well again."""
    for mode, options in TELEGRAM_FAULTS:
        sandbox.fail(mode, seconds=FAULT_SECONDS, **options)
        await asyncio.sleep(FAULT_SECONDS)
    sandbox.recover()
    return time.monotonic()


async def states(db: Database, case_id: int, channel: str) -> list[dict[str, Any]]:
    return [r for r in await publications(db, case_id) if r["channel"] == channel]


def all_in(db: Database, case_id: int, channel: str, count: int, wanted: set[str]) -> Any:
    async def check() -> bool:
        rows = await states(db, case_id, channel)
        lost = [(r["state"], r["last_error"]) for r in rows if r["state"] in ("failed", "manual")]
        assert not lost, f"given up: {lost}"
        return len(rows) == count and {r["state"] for r in rows} <= wanted

    return check


async def test_telegram_unreachable_slow_429_and_500_during_a_fan_out_and_a_withdrawal(
    db: Database, settings: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = []
    for index in range(100):
        user = sandbox.create_user(language_code="fr")
        await add_volunteer(db, moved(GENT, 0.05 * index, bearing=index * 7), chat_id=user.id)
        chats.append(user.id)
    env = worker_env(settings, sandbox, TELEGRAM_RATE="25")
    async with workers(2, env):
        # The fan-out starts while Telegram is unreachable and goes on through every fault.
        faults = asyncio.create_task(telegram_fails(sandbox))
        planning = with_channels(settings, fanout_batch_size=25)
        case = await active_case(db, planning, make_staff, photo=False, consent={"level": 1})
        recovered = await faults
        await eventually(all_in(db, case.id, "telegram_dm", len(chats), {"sent"}), within=90)
        drained = time.monotonic() - recovered
        counts = {chat: len(bot_messages(sandbox, chat)) for chat in chats}
        rows = await states(db, case.id, "telegram_dm")
        hits = dict(sandbox.state.faults.hits)
        sandbox.state.faults.hits.clear()
        figures = report(
            "telegram faults during a fan-out", fault_s=FAULT_SECONDS, volunteers=len(chats),
            sent=sum(counts.values()), duplicates=sum(n - 1 for n in counts.values() if n > 1),
            max_attempts=max(r["attempts"] for r in rows), calls_hit=hits,
            limits_broken=dict(sandbox.counters().refused), time_to_drain_s=drained,
        )  # fmt: skip
        # Every volunteer has the alert, once; no message was lost or given up.
        assert set(counts.values()) == {1}, figures
        # Never over Telegram's limits, whatever it answered meanwhile.
        assert sandbox.counters().refused == {}, figures
        # Each fault met calls (a refused connection reaches no handler to count it).
        assert all(hits.get(mode) for mode in ("slow", "429", "500")), figures

        # The withdrawal goes through the same faults.
        faults = asyncio.create_task(telegram_fails(sandbox))
        await close(db, await make_staff(), case.id)
        recovered = await faults
        await eventually(all_in(db, case.id, "telegram_dm", len(chats), {"withdrawn"}), within=90)
        drained = time.monotonic() - recovered
        rows = await states(db, case.id, "telegram_dm")
        deleted = sum(1 for chat in chats for m in bot_messages(sandbox, chat) if m.deleted)
        figures = report(
            "telegram faults during a withdrawal", fault_s=FAULT_SECONDS, withdrawn=deleted,
            max_attempts=max(r["withdraw_attempts"] for r in rows),
            calls_hit=dict(sandbox.state.faults.hits), time_to_drain_s=drained,
        )  # fmt: skip
        assert deleted == len(chats), figures
        # Each alert deleted; what stays is the ending that follows it (issue 21).
        for chat in chats:
            alert, *endings = bot_messages(sandbox, chat)
            assert alert.deleted and endings and all(not m.deleted for m in endings), figures
        assert sandbox.counters().refused == {}, figures


async def test_an_smtp_server_refusing_then_accepting_loses_no_mail(
    db: Database,
    settings: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:
    addresses = [f"v{n}@example.org" for n in range(20)]
    for index, address in enumerate(addresses):
        await add_volunteer(db, moved(GENT, 0.1 * index), email=address, language="nl")
    env = worker_env(settings, sandbox, SMTP_URL=sink.url, EMAIL_RATE="50")
    async with workers(1, env):
        sink.refuse(FAULT_SECONDS)
        started = time.monotonic()
        planning = with_channels(settings, smtp_url=sink.url)  # e-mail on, for the planning
        case = await active_case(db, planning, make_staff, photo=False, consent={"level": 1})
        await eventually(all_in(db, case.id, "email", len(addresses), {"sent"}), within=60)
        alerts = [m.rcpt_tos for m in sink.messages]
        figures = report(
            "smtp refusing during a fan-out", fault_s=FAULT_SECONDS, sent=len(alerts),
            refused=sink.refused, time_to_deliver_s=time.monotonic() - started,
        )  # fmt: skip
        assert sink.refused > 0, figures
        assert sorted(r[0] for r in alerts) == sorted(addresses), figures  # each once

        sink.clear()
        refused_before = sink.refused
        sink.refuse(FAULT_SECONDS)
        started = time.monotonic()
        await close(db, await make_staff(), case.id)
        await eventually(all_in(db, case.id, "email", len(addresses), {"withdrawn"}), within=60)
        notices = [m.rcpt_tos for m in sink.messages]
        figures = report(
            "smtp refusing during a withdrawal", fault_s=FAULT_SECONDS, notices=len(notices),
            refused=sink.refused - refused_before, time_to_drain_s=time.monotonic() - started,
        )  # fmt: skip
        assert sink.refused > refused_before, figures
        assert sorted(r[0] for r in notices) == sorted(addresses), figures


class SlowPartner:
    """A partner's webhook that answers after `WEBHOOK_TIMEOUT_SECONDS` while `slow_until`
    has not passed, then at once; it keeps every request it answered."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.slow_until = 0.0
        self.requests: list[tuple[float, str, bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        slow = time.monotonic() < self.slow_until
        if slow:
            await asyncio.sleep(self.delay)
        self.requests.append((time.monotonic(), request.headers["X-Alerts-Delivery"], body))
        return web.Response(status=200)


@pytest.fixture
async def partner() -> AsyncIterator[tuple[SlowPartner, str]]:
    endpoint = SlowPartner(delay=1.5)
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield endpoint, f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()


async def test_a_partner_webhook_timing_out_gets_the_alert_and_the_cancel_once_it_answers(
    db: Database,
    settings: Settings,
    sandbox: TelegramSandbox,
    make_staff: StaffFactory,
    partner: tuple[SlowPartner, str],
) -> None:
    endpoint, url = partner
    supervisor = await make_staff(Role.SUPERVISOR)
    await partners.add_partner_webhook(db, supervisor, name="screens", url=url, fmt="json")
    # The partner takes 1.5 s, the service waits 1 s: a timeout, while slow_until lasts.
    env = worker_env(settings, sandbox, WEBHOOK_TIMEOUT_SECONDS="1")
    async with workers(1, env):
        endpoint.slow_until = time.monotonic() + FAULT_SECONDS
        started = time.monotonic()
        case = await active_case(db, settings, make_staff, languages=["nl"], consent={"level": 3})
        await eventually(all_in(db, case.id, "webhook", 1, {"sent"}), within=60)
        [row] = await states(db, case.id, "webhook")
        alerts = [r for r in endpoint.requests if b'"cancel"' not in r[2]]
        figures = report(
            "partner webhook timing out during a fan-out", fault_s=FAULT_SECONDS,
            attempts=row["attempts"], requests_seen_by_partner=len(alerts),
            time_to_deliver_s=time.monotonic() - started,
        )  # fmt: skip
        assert row["attempts"] >= 2, figures  # the timed-out ones were tried again
        # The partner may see a late attempt too: the same delivery id lets it drop the repeat.
        assert len({delivery for _, delivery, _ in alerts}) == 1, figures

        endpoint.slow_until = time.monotonic() + FAULT_SECONDS
        started = time.monotonic()
        await close(db, await make_staff(), case.id)
        await eventually(all_in(db, case.id, "webhook", 1, {"withdrawn"}), within=60)
        [row] = await states(db, case.id, "webhook")
        cancels = [r for r in endpoint.requests if b'"cancel"' in r[2]]
        figures = report(
            "partner webhook timing out during a withdrawal", fault_s=FAULT_SECONDS,
            attempts=row["withdraw_attempts"], cancels_seen_by_partner=len(cancels),
            time_to_drain_s=time.monotonic() - started,
        )  # fmt: skip
        assert cancels and row["withdraw_attempts"] >= 2, figures
