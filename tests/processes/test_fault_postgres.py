"""PostgreSQL restarted under a running service (`run.py serve`: web, dispatcher, scheduler) in
the middle of an approval, of a close and of a fan-out: no half-published case, no lost
withdrawal, `/healthz` says 503 while the database is away, and the service reconnects by
itself. The server is one of the test's own (tests.support.faults), never the shared one."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from alerts.cases import lifecycle as cases
from alerts.db.database import Database, create_pool
from alerts.outbox import pipeline
from alerts.staff import auth, tokens
from alerts.staff.models import Role, Staff
from sandbox.telegram.server import TelegramSandbox
from tests.support.dispatch import GENT, TOKEN, add_volunteer, eventually, moved, with_channels
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.faults import RestartablePostgres, pause_inside, paused, report, unpause
from tests.support.processes import serving

os.environ.setdefault("PTB_TIMEDELTA", "true")
pytestmark = pytest.mark.sandbox(global_per_second=30)
HOSTED = "channel IN ('case_page', 'poster', 'image', 'feed') OR target = 'press-room'"


class Service:
    """`run.py serve` on the restartable database, sending to the sandbox; the API as staff."""

    def __init__(self, url: str, base: str, db: Database, token: str) -> None:
        self.url, self.base, self.db = url, base, db
        self.headers = {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
            http.post(self.base + path, json=body or {}, headers=self.headers) as response,
        ):
            return response.status, await response.text()

    async def approve(self, case_id: int) -> tuple[int, Any]:
        """Approve as an approver does: with the fingerprint of the preview looked at."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
            http.get(f"{self.base}/api/cases/{case_id}/preview", headers=self.headers) as seen,
        ):
            fingerprint = (await seen.json())["fingerprint"]
        return await self.post(f"/api/cases/{case_id}/approve", {"fingerprint": fingerprint})

    async def health(self) -> int:
        """The status of /healthz (the test gives it 5 s: it must not hang)."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
            http.get(self.base + "/healthz") as response,
        ):
            return response.status

    async def query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """On a connection of its own: the pool's may have died with the server."""
        conn = await asyncpg.connect(self.url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


async def staff(db: Database, role: Role) -> Staff:
    name = f"{role.value}{time.monotonic_ns()}"
    staff_id = await auth.create_staff(db, username=name, display_name=name, role=role,
                                       password="correct horse battery staple")  # fmt: skip
    row = await db.fetchrow("staff_by_id", staff_id)
    assert row is not None
    return Staff.from_row(row)


@pytest.fixture
async def service(
    restartable_url: str, sandbox: TelegramSandbox, tmp_path: Path
) -> AsyncIterator[Service]:
    pool = await create_pool(restartable_url, min_size=1, max_size=4)
    db = Database(pool)
    supervisor = await staff(db, Role.SUPERVISOR)
    issued = await tokens.create(
        db, username=supervisor.username, name="faults", scopes=("read", "write", "approve")
    )
    token = issued.secret
    env = {
        "DATABASE_URL": restartable_url, "DATA_DIR": str(tmp_path), "SECURE_COOKIES": "false",
        "GEOCODER": "offline", "PUBLIC_BASE_URL": "https://alerts.example",
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": sandbox.base_url,
        "TELEGRAM_FILE_URL": sandbox.base_file_url, "TELEGRAM_WEBHOOK_SECRET": "faults-secret",
        "TELEGRAM_RATE": "25", "SMTP_URL": "", "DISPATCH_POLL_SECONDS": "0.2",
        "DISPATCH_STALL_SECONDS": "3", "FANOUT_BATCH_SIZE": "20", "LOG_FORMAT": "json",
    }  # fmt: skip
    try:
        async with serving(env) as base:
            yield Service(restartable_url, base, db, token)
    finally:
        await pool.close()


async def submitted_case(service: Service, volunteers: int, sandbox: TelegramSandbox) -> int:
    """A case waiting for approval (discreet: direct messages only) with `volunteers` in reach."""
    for index in range(volunteers):
        user = sandbox.create_user(language_code="nl")
        await add_volunteer(service.db, moved(GENT, 0.05 * index, bearing=index * 7),
                            chat_id=user.id)  # fmt: skip
    manager = await staff(service.db, Role.CASE_MANAGER)
    case = await cases.create_draft(
        service.db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()}
    )
    settings = with_channels(_settings(service.url))
    await pipeline.change_consent(service.db, settings, manager, case.id, {**CONSENT, "level": 1})
    await cases.submit(service.db, manager, case.id)
    return case.id


def _settings(url: str) -> Any:
    from alerts.config import Settings

    return Settings.from_env({}, database_url=url, geocoder="offline")


async def restart_when_paused(
    service: Service, restartable_pg: RestartablePostgres, action: asyncio.Task[Any]
) -> dict[str, Any]:
    """Wait until the service's transaction sleeps in the pause, restart PostgreSQL (checking
    /healthz while it is down), and say what was seen."""
    conn = await asyncpg.connect(service.url)
    try:
        await eventually(lambda: paused(conn), within=30)
    finally:
        await conn.close()
    await asyncio.to_thread(restartable_pg.stop)
    down = time.monotonic()
    health_down = await service.health()
    await asyncio.sleep(0.5)
    await asyncio.to_thread(restartable_pg.start)
    seen = {"healthz_while_down": health_down, "down_s": time.monotonic() - down}
    status, text = await asyncio.wait_for(action, 60)
    seen["answer"] = status
    seen["answer_text"] = text[:120]
    return seen


async def healthy_again(service: Service) -> None:
    async def check() -> bool:
        try:
            return await service.health() == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    await eventually(check, within=30, every=0.2)


async def test_a_restart_in_the_middle_of_an_approval_leaves_it_whole_or_undone(
    service: Service, restartable_pg: RestartablePostgres, sandbox: TelegramSandbox
) -> None:
    case_id = await submitted_case(service, 30, sandbox)
    conn = await asyncpg.connect(service.url)
    # The approval sleeps right after writing its first publication, inside its transaction.
    await pause_inside(conn, "publications", "INSERT", 5)
    await conn.close()
    approving = asyncio.create_task(service.approve(case_id))
    seen = await restart_when_paused(service, restartable_pg, approving)
    conn = await asyncpg.connect(service.url)
    await unpause(conn, "publications")
    await conn.close()
    figures = report("postgres restart during an approval", **seen)
    assert seen["healthz_while_down"] == 503, figures
    [case] = await service.query("SELECT state FROM cases WHERE id = $1", case_id)
    published = await service.query(
        f"SELECT count(*) AS n FROM publications WHERE case_id = $1 AND ({HOSTED})", case_id
    )
    planned = await service.query(
        f"SELECT count(*) AS n FROM publications WHERE case_id = $1 AND NOT ({HOSTED})", case_id
    )
    # Whole or not at all: approved with its fan-out and materials, or still waiting, bare.
    if case["state"] == "active":
        assert published[0]["n"] > 0 and planned[0]["n"] > 0, figures
    else:
        assert case["state"] == "pending_approval", figures
        assert published[0]["n"] == planned[0]["n"] == 0, figures
        assert seen["answer"] in (500, 503), figures
    # The service came back by itself: healthy, and the approval goes through now.
    await healthy_again(service)
    if case["state"] != "active":
        status, text = await service.approve(case_id)
        assert status == 200, text
    chats = [c.id for c in sandbox.chats()]

    async def all_reached() -> bool:
        return all(any(m.from_bot for m in sandbox.messages(chat)) for chat in chats)

    try:
        await eventually(all_reached, within=30)
    except AssertionError:
        rows = await service.query(
            "SELECT state, count(*) FROM publications WHERE case_id = $1 GROUP BY 1", case_id
        )
        raise AssertionError(f"{figures}; publications {[tuple(r) for r in rows]}") from None
    sent = sum(1 for chat in chats for m in sandbox.messages(chat) if m.from_bot)
    report("postgres restart during an approval, then", sent=sent, volunteers=len(chats))
    assert sent == len(chats)


async def test_a_restart_in_the_middle_of_a_close_loses_no_withdrawal(
    service: Service, restartable_pg: RestartablePostgres, sandbox: TelegramSandbox
) -> None:
    case_id = await submitted_case(service, 20, sandbox)
    status, text = await service.approve(case_id)
    assert status == 200, text
    chats = [c.id for c in sandbox.chats()]

    async def all_sent() -> bool:
        rows = await service.query(
            f"SELECT state FROM publications WHERE case_id = $1 AND NOT ({HOSTED})", case_id
        )
        return len(rows) == len(chats) and {r["state"] for r in rows} == {"sent"}

    await eventually(all_sent, within=30)
    conn = await asyncpg.connect(service.url)
    # The close sleeps right after the case turned closed, inside its transaction.
    await pause_inside(conn, "cases", "UPDATE", 5, "NEW.state = 'closed'")
    await conn.close()
    closing = asyncio.create_task(
        service.post(f"/api/cases/{case_id}/close", {"reason": "found_safe"})
    )
    seen = await restart_when_paused(service, restartable_pg, closing)
    conn = await asyncpg.connect(service.url)
    await unpause(conn, "cases")
    await conn.close()
    figures = report("postgres restart during a close", **seen)
    assert seen["healthz_while_down"] == 503, figures
    [case] = await service.query("SELECT state FROM cases WHERE id = $1", case_id)
    rows = await service.query(
        f"SELECT state FROM publications WHERE case_id = $1 AND NOT ({HOSTED})", case_id
    )
    if case["state"] == "active":  # undone whole: nothing withdrawn, nothing half-closed
        assert {r["state"] for r in rows} == {"sent"}, figures
        await healthy_again(service)
        status, text = await service.post(f"/api/cases/{case_id}/close", {"reason": "found_safe"})
        assert status == 200, text
    else:
        assert case["state"] == "closed", figures
    started = time.monotonic()

    async def all_withdrawn() -> bool:
        # Each alert deleted; what may follow it is the ending notice (issue 21), which stays.
        alerts = [next((m for m in sandbox.messages(chat) if m.from_bot), None) for chat in chats]
        return all(alert is not None and alert.deleted for alert in alerts)

    await eventually(all_withdrawn, within=30)
    rows = await service.query(
        f"SELECT state FROM publications WHERE case_id = $1 AND NOT ({HOSTED})", case_id
    )
    report("postgres restart during a close, then", withdrawn=len(chats),
           time_to_withdraw_s=time.monotonic() - started)  # fmt: skip
    assert {r["state"] for r in rows} == {"withdrawn"}


async def test_a_restart_in_the_middle_of_a_fan_out_reaches_everyone(
    service: Service, restartable_pg: RestartablePostgres, sandbox: TelegramSandbox
) -> None:
    case_id = await submitted_case(service, 120, sandbox)
    chats = [c.id for c in sandbox.chats()]

    def reached() -> set[int]:
        return {chat for chat in chats if any(m.from_bot for m in sandbox.messages(chat))}

    status, text = await service.approve(case_id)
    assert status == 200, text

    async def a_third() -> bool:
        return len(reached()) >= len(chats) // 3

    await eventually(a_third, within=30)
    await asyncio.to_thread(restartable_pg.stop)
    health_down = await service.health()
    await asyncio.sleep(1.0)
    await asyncio.to_thread(restartable_pg.start)
    before = reached()  # what had left before the database came back
    back = time.monotonic()

    async def everyone() -> bool:
        return len(reached()) == len(chats)

    await eventually(everyone, within=60)
    counts = {chat: sum(1 for m in sandbox.messages(chat) if m.from_bot) for chat in chats}
    twice = {chat for chat, n in counts.items() if n > 1}
    figures = report(
        "postgres restart during a fan-out", volunteers=len(chats), sent=sum(counts.values()),
        duplicates=len(twice), reached_before_restart=len(before),
        healthz_while_down=health_down, time_to_drain_s=time.monotonic() - back,
    )  # fmt: skip
    assert health_down == 503, figures
    # A restart repeats at most what was in flight across it (sent, not yet recorded).
    assert max(counts.values()) <= 2 and twice <= before, figures
    await healthy_again(service)

    async def all_recorded() -> bool:
        rows = await service.query(
            "SELECT state FROM publications WHERE case_id = $1 AND channel = 'telegram_dm'",
            case_id,
        )
        return len(rows) == len(chats) and {r["state"] for r in rows} == {"sent"}

    await eventually(all_recorded, within=30)
