"""The scheduler's hourly `sessions` job: expired staff sessions and day-old failed logins go,
live sessions and recent failures stay."""

from __future__ import annotations

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox.scheduler import Scheduler
from alerts.staff import auth
from tests.support.app import StaffFactory


async def _backdate(db: Database, session: auth.Session, *, seen: int, created: int) -> None:
    """Move the session's last use and its login `seen` and `created` minutes into the past."""
    await db.conn.execute(
        "UPDATE staff_sessions SET last_seen_at = now() - make_interval(mins => $2), "
        "created_at = now() - make_interval(mins => $3) WHERE token_hash = $1",
        auth.token_hash(session.token),
        seen,
        created,
    )


async def _session_hashes(db: Database) -> set[str]:
    return {r["token_hash"] for r in await db.conn.fetch("SELECT token_hash FROM staff_sessions")}


async def test_the_scheduler_deletes_expired_sessions_and_old_login_attempts(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    idle, fresh, too_old = [await auth.open_session(database, staff) for _ in range(3)]
    idle_limit, age_limit = settings.session_idle_minutes, settings.session_max_hours * 60
    await _backdate(database, idle, seen=idle_limit + 1, created=idle_limit + 1)
    await _backdate(database, fresh, seen=idle_limit - 1, created=age_limit - 1)
    await _backdate(database, too_old, seen=0, created=age_limit + 1)
    await database.conn.execute(
        "INSERT INTO login_attempts (key_hash, at) "
        "VALUES ('old', now() - interval '25 hours'), ('recent', now() - interval '1 hour')"
    )

    scheduler = Scheduler(database, settings)
    assert (await scheduler.run_due())["sessions"] == {"sessions": 2, "login_attempts": 1}

    assert await _session_hashes(database) == {auth.token_hash(fresh.token)}
    assert await auth.load_session(database, settings, fresh.token) is not None
    attempts = await database.conn.fetch("SELECT key_hash FROM login_attempts")
    assert [r["key_hash"] for r in attempts] == ["recent"]
    assert "sessions" not in await scheduler.run_due()  # hourly
