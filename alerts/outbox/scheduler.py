"""The scheduler: the service's periodic jobs, in the worker processes, one process at a time.

- `consents`, every SCHEDULER_INTERVAL_SECONDS: consents that reached their end date, and sends
  that were in flight when a consent narrowed: what they no longer allow is withdrawn
  (alerts.outbox.pipeline.end_consents);
- `levels`, every SCHEDULER_INTERVAL_SECONDS: reminders before a publication level ends, and
  the levels that ended without renewal dropped (alerts.outbox.expiry);
- `posters`, every SCHEDULER_INTERVAL_SECONDS: volunteers whose posters are still up after a
  poster round's takedown task are reminded, then what is still up is reported to staff
  (alerts.rounds.service.remind);
- `retention`, daily: the retention purge (alerts.outbox.retention.purge).
- `sessions`, hourly: expired staff sessions and failed logins older than a day are deleted
  (alerts.staff.auth.prune_sessions); hourly, so a burst of failed logins does not linger.
- `telegram_updates`, hourly: the ids of Telegram updates taken more than a week ago are
  forgotten (alerts.bot.updates keeps them so that a repeated update is processed once).

It runs wherever the dispatchers run (`run.py serve`, and `serve --only dispatch`); a process
that only serves the web does not run it. Any number of processes may run it: a job's run holds
a PostgreSQL advisory lock (`pg_try_advisory_lock`; a process that finds it taken skips that
round), and the time of each job's last run is kept in `scheduler_runs`, so the daily purge runs
once a day whichever process gets there first, and a restart does not run it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from alerts.config import Settings
from alerts.db.database import Database, rows_affected
from alerts.outbox import expiry, pipeline, retention
from alerts.rounds import service as rounds
from alerts.staff import auth

log = logging.getLogger(__name__)

HOUR = 3_600.0
DAY = 24 * HOUR
Work = Callable[[Database, Settings], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, kw_only=True)
class Job:
    """A periodic job: its name (and lock), how often it runs, and what it does."""

    name: str
    every: float
    work: Work


async def _consents(db: Database, settings: Settings) -> Mapping[str, Any]:
    return dataclasses.asdict(await pipeline.end_consents(db))


async def _retention(db: Database, settings: Settings) -> Mapping[str, Any]:
    report = await retention.purge(db, settings)
    return {**report.totals(), "waiting": len(report.waiting)}


async def _telegram_updates(db: Database, settings: Settings) -> Mapping[str, Any]:
    """The Telegram update ids taken more than a week ago, forgotten (alerts.bot.updates)."""
    return {"updates": rows_affected(await db.execute("prune_telegram_updates"))}


def default_jobs(settings: Settings) -> list[Job]:
    return [
        Job(name="consents", every=settings.scheduler_interval_seconds, work=_consents),
        Job(name="levels", every=settings.scheduler_interval_seconds, work=expiry.run),
        Job(name="posters", every=settings.scheduler_interval_seconds, work=rounds.remind),
        Job(name="retention", every=DAY, work=_retention),
        Job(name="sessions", every=HOUR, work=auth.prune_sessions),
        Job(name="telegram_updates", every=HOUR, work=_telegram_updates),
    ]


class Scheduler:
    """Runs the jobs that are due, again every SCHEDULER_INTERVAL_SECONDS, until stopped."""

    def __init__(self, db: Database, settings: Settings, jobs: list[Job] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.jobs = jobs if jobs is not None else default_jobs(settings)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("scheduler started", extra={"action": "scheduler.started",
                                             "jobs": [job.name for job in self.jobs]})  # fmt: skip
        while not stop.is_set():
            await self.run_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.scheduler_interval_seconds)

    async def run_due(self) -> dict[str, Mapping[str, Any]]:
        """Run each job that is due and free; what each of them reported."""
        results = {}
        for job in self.jobs:
            try:
                result = await self.run_job(job)
            except Exception as err:
                # The database is away, or a bug: the scheduler goes on, the next round retries.
                log.warning("scheduled job failed", exc_info=True, extra={
                    "action": "scheduler.failed", "job": job.name,
                    "error": type(err).__name__})  # fmt: skip
                continue
            if result is not None:
                results[job.name] = result
        return results

    async def run_job(self, job: Job) -> Mapping[str, Any] | None:
        """Run `job` if it is due and no other process runs it now; its result, else None."""
        async with self._lock(job.name) as held:
            if not held or not await self.db.fetchval("scheduler_is_due", job.name, job.every):
                return None
            result = await job.work(self.db, self.settings)
            await self.db.execute("scheduler_record_run", job.name, json.dumps(result))
        log.info("scheduled job ran", extra={"action": "scheduler.ran", "job": job.name,
                                             **result})  # fmt: skip
        return result

    @contextlib.asynccontextmanager
    async def _lock(self, name: str) -> AsyncIterator[bool]:
        """The job's session-level advisory lock on a connection of its own (released at exit,
        and by PostgreSQL if the process dies)."""
        pool = self.db.conn
        assert isinstance(pool, asyncpg.Pool), "the scheduler needs a pool"
        async with pool.acquire() as conn:
            locks = Database(conn)
            held = bool(await locks.fetchval("scheduler_try_lock", name))
            try:
                yield held
            finally:
                if held:
                    await locks.fetchval("scheduler_unlock", name)
