"""No 500 for a transient database conflict (issue 16): a real deadlock with another transaction,
and connections terminated under the transition, are retried inside the service (the whole
transaction again); when every attempt fails the answer is 503 with `Retry-After` and a "try
again" in the person's language, and nothing of the change is left half-done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from alerts.cases import lifecycle as cases
from alerts.cases.models import CaseState
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff.models import Role
from tests.support.app import PASSWORD, Bearer, StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import active_case, with_channels
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        getattr(r, "error", "") for r in caplog.records if getattr(r, "action", "") == "db.retry"
    ]


async def state(db: Database, case_id: int) -> str:
    value: str = await db.conn.fetchval("SELECT state FROM cases WHERE id = $1", case_id)
    return value


async def hosted_states(db: Database, case_id: int) -> set[str]:
    rows = await db.conn.fetch(
        "SELECT DISTINCT state FROM publications WHERE case_id = $1 AND channel = 'case_page'",
        case_id,
    )
    return {r["state"] for r in rows}


async def waiting_for_a_lock(other: asyncpg.Connection, *, besides: int) -> list[int]:
    rows = await other.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> $1 AND pid <> pg_backend_pid()",
        besides,
    )
    return [r["pid"] for r in rows]


async def test_a_close_caught_in_a_real_deadlock_is_retried_and_answers_200(
    db: Database,
    settings: Settings,
    database_url: str,
    make_staff: StaffFactory,
    bearer: Bearer,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = await active_case(db, with_channels(settings), make_staff, photo=False)
    manager = await bearer(await make_staff())
    caplog.set_level(logging.WARNING, logger="alerts.db.retry")
    other = await asyncpg.connect(database_url)
    try:
        # The other transaction never detects the deadlock itself: the close is the victim.
        await other.execute("SET deadlock_timeout = '60s'")
        tx = other.transaction()
        await tx.start()
        # It holds the case's page row, which the close updates after locking the case...
        await other.execute(
            "UPDATE publications SET last_error = last_error WHERE case_id = $1 "
            "AND channel = 'case_page'",
            case.id,
        )
        closing = asyncio.ensure_future(
            client.post(
                f"/api/cases/{case.id}/close", json={"reason": "found_safe"}, headers=manager
            )
        )
        while not await waiting_for_a_lock(other, besides=other.get_server_pid()):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        # ...and then wants the case row the close holds: PostgreSQL ends the close's attempt.
        await other.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", case.id)
        await tx.rollback()
        answer = await asyncio.wait_for(closing, 30)
    finally:
        await other.close()
    assert answer.status == 200, await answer.text()
    assert retries(caplog) == ["DeadlockDetectedError"]
    assert await state(db, case.id) == CaseState.CLOSED
    assert await hosted_states(db, case.id) == {"withdrawn"}


@contextlib.asynccontextmanager
async def terminating(database_url: str, besides: int) -> AsyncIterator[list[int]]:
    """Until exit, every backend of the database that waits for a lock is terminated (as if
    the connection were lost), but for `besides`; the pids terminated."""
    killer = await asyncpg.connect(database_url)
    killed: list[int] = []
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            for pid in await waiting_for_a_lock(killer, besides=besides):
                await killer.execute("SELECT pg_terminate_backend($1)", pid)
                killed.append(pid)
            await asyncio.sleep(0.01)

    task = asyncio.ensure_future(loop())
    try:
        yield killed
    finally:
        stop.set()
        await task
        await killer.close()


@pytest.mark.parametrize("where", ["api", "console"])
async def test_a_close_whose_connection_is_lost_at_every_attempt_answers_503_half_done_nothing(
    db: Database,
    settings: Settings,
    database_url: str,
    make_staff: StaffFactory,
    bearer: Bearer,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    case = await active_case(db, with_channels(settings), make_staff, photo=False)
    manager = await make_staff()
    token = await bearer(manager)
    if where == "console":
        csrf = await logged_in(client, manager)
        await client.post("/language", data={"csrf_token": csrf, "lang": "nl", "next": "/"})
    caplog.set_level(logging.WARNING, logger="alerts.db.retry")
    holder = await asyncpg.connect(database_url)
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", case.id)
        async with terminating(database_url, holder.get_server_pid()) as killed:
            if where == "api":
                answer = await client.post(
                    f"/api/cases/{case.id}/close", json={"reason": "found_safe"}, headers=token
                )
            else:
                answer = await client.post(
                    f"/console/cases/{case.id}/close",
                    data={"csrf_token": csrf, "reason": "found_safe", "password": PASSWORD},
                    allow_redirects=False,
                )
        await tx.rollback()
    finally:
        await holder.close()
    body = await answer.text()
    assert answer.status == 503, body
    assert answer.headers["Retry-After"] == "2"
    assert killed and len(retries(caplog)) == 5
    if where == "api":
        assert "try again" in (await answer.json())["error"]
    else:  # the console's page, in the person's language
        assert '<html lang="nl">' in body and "Probeer het over enkele seconden opnieuw" in body
    # Nothing half-done: the case is active, its page published, its fan-out untouched.
    assert await state(db, case.id) == CaseState.ACTIVE
    assert await hosted_states(db, case.id) == {"sent"}
    # And once the database answers again, the same request goes through.
    again = await client.post(
        f"/api/cases/{case.id}/close", json={"reason": "found_safe"}, headers=token
    )
    assert again.status == 200, await again.text()
    assert await state(db, case.id) == CaseState.CLOSED


async def _submitted(db: Database, settings: Settings, make_staff: StaffFactory) -> Any:
    manager = await make_staff()
    case = await cases.create_draft(db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()})
    await pipeline.change_consent(db, settings, manager, case.id, CONSENT)
    return await cases.submit(db, manager, case.id)


@pytest.mark.parametrize("transition", ["approve", "revise", "change_consent", "revoke_consent"])
async def test_a_transition_whose_connection_is_lost_once_is_run_again_whole_and_made_once(
    db: Database,
    settings: Settings,
    database_url: str,
    make_staff: StaffFactory,
    caplog: pytest.LogCaptureFixture,
    transition: str,
) -> None:
    planning = with_channels(settings)
    staff = await make_staff(Role.SUPERVISOR)
    if transition == "approve":
        case = await _submitted(db, planning, make_staff)
        run = pipeline.approve(db, planning, staff, case.id)
    else:
        case = await active_case(db, planning, make_staff, photo=False)
        if transition == "revise":
            # A correction that removes words narrows: it takes effect at once, by one person.
            run = pipeline.revise(db, planning, staff, case.id, {"clothing": "red rain jacket"})
        elif transition == "change_consent":
            run = pipeline.change_consent(db, planning, staff, case.id, {**CONSENT, "level": 1})
        else:
            run = pipeline.revoke_consent(db, staff, case.id)
    audit_before = await db.conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE case_id = $1", case.id
    )
    caplog.set_level(logging.WARNING, logger="alerts.db.retry")
    holder = await asyncpg.connect(database_url)
    killer = await asyncpg.connect(database_url)
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", case.id)
        running = asyncio.ensure_future(run)
        besides = holder.get_server_pid()
        while not (waiting := await waiting_for_a_lock(killer, besides=besides)):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        # The connection is lost in the middle of the transaction (the case row locked or
        # being locked): nothing of it stays, and the service runs it again.
        await killer.execute("SELECT pg_terminate_backend($1)", waiting[0])
        # The next attempt waits for the case row again (without a retry: the call failed).
        while not running.done() and not await waiting_for_a_lock(killer, besides=besides):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await tx.rollback()
        await asyncio.wait_for(running, 30)
    finally:
        await holder.close()
        await killer.close()
    assert retries(caplog) and len(retries(caplog)) == 1
    row = await db.conn.fetchrow("SELECT state, revision FROM cases WHERE id = $1", case.id)
    # Made once: one new revision at most, one audit record per step.
    if transition == "approve":
        assert (row["state"], row["revision"]) == ("active", 1)
    elif transition in ("revise", "change_consent"):
        assert (row["state"], row["revision"]) == ("active", case.revision + 1)
    audit = await db.conn.fetch(
        "SELECT action FROM audit_log WHERE case_id = $1 ORDER BY id OFFSET $2",
        case.id,
        audit_before,
    )
    actions = [r["action"] for r in audit]
    assert len(actions) == len(set(actions)), actions
