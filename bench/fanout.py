"""The fan-out benchmark: matching and queueing, delivered rate, approval to first message.

    python bench/fanout.py [--dsn URL] [--quick]

(a) the approval hook's planning (one SQL statement: bounding box on the (lat, lon) index, exact
    distance, batches of FANOUT_BATCH_SIZE volunteers nearest first; then the first batch made
    into publication rows) for 100,000 and 1,000,000 volunteers loaded with COPY, all of them in
    reach (the worst case: a 200 km search radius over Belgium), and a typical case (Gent,
    15 km) for reference; then how fast one dispatcher makes the other batches into rows after
    the commit, over the fastest sending rate (1,000 messages/s, paid broadcast);
(b) delivered messages per second over the configured TELEGRAM_RATE, at 30/s (Telegram's
    limit) and 1,000/s (paid broadcast), with the sandbox enforcing those limits in a process of
    its own and one dispatcher in this one;
(c) approval to the first message in the sandbox, median of several cases.

The database is `--dsn`, else TEST_DATABASE_URL, else the local server at
postgresql://postgres@127.0.0.1:5432/postgres when it answers, else an embedded one (pgserver).
A scratch database is created there and dropped at the end. Each figure is printed with its
ratio to the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import secrets
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database, EmbeddedPostgres, create_pool, migrate
from alerts.outbox import fanout, pipeline
from alerts.outbox.dispatcher import Dispatcher, open_channels
from alerts.staff import auth
from alerts.staff.models import Role, Staff
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.images import jpeg

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"
TOKEN = "123456789:" + "f" * 35
FIRST_USER_ID = 100_000_001
BELGIUM = ((49.55, 51.45), (2.6, 6.35))
# Within 200 km of every point of the box above: a case that reaches everyone.
CENTRE = {"last_seen_lat": 50.5, "last_seen_lon": 4.47, "search_radius_km": 200}

_CHILD = """
import asyncio, sys
from sandbox.telegram.server import SandboxConfig, TelegramSandbox
async def main():
    port, token, users, overall, paid = sys.argv[1:6]
    config = SandboxConfig(token=token, global_per_second=int(overall),
                           paid_broadcast_per_second=int(paid))
    async with TelegramSandbox(config, port=int(port)) as sandbox:
        for _ in range(int(users)):
            sandbox.create_user()
        print("ready", flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


@dataclasses.dataclass
class Bench:
    db: Database
    settings: Settings
    staff: tuple[Staff, Staff]
    rows: list[str] = dataclasses.field(default_factory=list)

    def report(self, what: str, value: str, goal: str, ratio: float) -> None:
        line = f"{what:<58} {value:>14}   goal {goal:<10} ratio {ratio:5.2f}"
        self.rows.append(line)
        print(line, flush=True)


# -- the database ------------------------------------------------------------------------------


async def _answers(dsn: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@contextlib.asynccontextmanager
async def scratch_database(dsn: str | None) -> AsyncIterator[tuple[str, str]]:
    """A fresh migrated database; (its URL, where the server is) until exit."""
    embedded = None
    if dsn is None:
        dsn = os.environ.get("TEST_DATABASE_URL") or (LOCAL if await _answers(LOCAL) else None)
    where = dsn or "embedded PostgreSQL (pgserver)"
    if dsn is None:
        embedded = EmbeddedPostgres(ROOT / "var" / "bench")
        dsn = embedded.start()
    name = f"bench_fanout_{os.getpid()}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    head, sep, query = dsn.partition("?")
    url = f"{head.rsplit('/', 1)[0]}/{name}{sep}{query}"
    try:
        conn = await asyncpg.connect(url)
        await migrate(conn)
        await conn.close()
        yield url, where
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if embedded is not None:
            embedded.stop()


async def load_volunteers(db: Database, count: int, radius_km: Any, first_chat: int) -> None:
    """`count` Telegram volunteers spread over Belgium, with COPY."""
    await db.conn.execute("TRUNCATE publications, volunteer_areas, volunteers CASCADE")
    rng = random.Random(count)
    (lat0, lat1), (lon0, lon1) = BELGIUM
    people = [(i, f"v{i}", "nl", first_chat + i - 1) for i in range(1, count + 1)]
    areas = [
        (i, "home", round(rng.uniform(lat0, lat1), 2), round(rng.uniform(lon0, lon1), 2),
         radius_km(rng))
        for i in range(1, count + 1)
    ]  # fmt: skip
    async with db.conn.acquire() as conn:
        await conn.copy_records_to_table(
            "volunteers", records=people,
            columns=["id", "public_id", "language", "telegram_chat_id"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "volunteer_areas", records=areas,
            columns=["volunteer_id", "label", "lat", "lon", "radius_km"],
        )  # fmt: skip
        await conn.execute("SELECT setval('volunteers_id_seq', $1)", count)
        # Loaded, not signing up during the alerts of earlier runs: no joins (issue 21).
        await conn.execute("DELETE FROM fanout_joins")
        await conn.execute("VACUUM ANALYZE volunteers")
        await conn.execute("VACUUM ANALYZE volunteer_areas")


async def bench_staff(db: Database, password: str = "bench password 123") -> tuple[Staff, Staff]:
    """A case manager and a supervisor (the approver) made for one run."""
    made = []
    for role in (Role.CASE_MANAGER, Role.SUPERVISOR):
        name = f"bench{secrets.token_hex(3)}"
        staff_id = await auth.create_staff(db, username=name, display_name=name, role=role,
                                           password=password)  # fmt: skip
        row = await db.fetchrow("staff_by_id", staff_id)
        assert row is not None
        made.append(Staff.from_row(row))
    return made[0], made[1]


@contextlib.asynccontextmanager
async def bench_session(
    dsn: str | None, *, pool_size: int = 20, **options: Any
) -> AsyncIterator[Bench]:
    """A Bench on a fresh scratch database (where it is, printed first), with the service's
    settings for it (the bot's token and a public address, `options` on top) and its two staff;
    once the body ends, the pool is closed and the rows reported are printed as the summary."""
    started = time.perf_counter()
    async with scratch_database(dsn) as (url, where):
        print(f"database: {where}", flush=True)
        pool = await create_pool(url, min_size=2, max_size=pool_size)
        db = Database(pool)
        settings = Settings.from_env(
            {},
            database_url=url,
            **{"telegram_bot_token": TOKEN, "public_base_url": "https://alerts.example", **options},
        )
        bench = Bench(db=db, settings=settings, staff=await bench_staff(db))
        try:
            yield bench
        finally:
            await pool.close()
    print("\n".join(["", f"summary ({time.perf_counter() - started:.0f} s):", *bench.rows]))


async def submitted_case(bench: Bench, photo: bool = False, **fields: Any) -> Case:
    manager = bench.staff[0]
    data = {**CASE_FIELDS, "last_seen_at": last_seen(), **fields}
    case = await cases.create_draft(bench.db, manager, data)
    await pipeline.change_consent(bench.db, bench.settings, manager, case.id, CONSENT)
    if photo:
        await pipeline.add_photo(bench.db, bench.settings, manager, case.id, jpeg(800, 600))
    return await cases.submit(bench.db, manager, case.id)


# -- (a) matching and queueing -----------------------------------------------------------------


async def timed_approval(bench: Bench, case: Case) -> tuple[float, float, int]:
    """(seconds in the fan-out planning step, seconds for the whole approval, rows queued)."""
    timing: dict[str, float] = {}
    plan = fanout.plan

    async def timed_plan(tx: Database, settings: Settings, approved: Case, consent: Any) -> int:
        started = time.perf_counter()
        timing["queued"] = await plan(tx, settings, approved, consent)
        timing["plan"] = time.perf_counter() - started
        return int(timing["queued"])

    started = time.perf_counter()
    with mock.patch.object(fanout, "plan", timed_plan):  # the pipeline's planning step, timed
        await pipeline.approve(bench.db, bench.settings, bench.staff[1], case.id)
    return timing["plan"], time.perf_counter() - started, int(timing["queued"])


async def expand_all(bench: Bench) -> tuple[float, int]:
    """(seconds, rows): one dispatcher's expander turning every waiting batch into rows."""
    started, rows = time.perf_counter(), 0
    while (queued := await fanout.expand(bench.db)) is not None:
        rows += queued
    return time.perf_counter() - started, rows


async def bench_matching(bench: Bench, count: int, goal: float) -> None:
    await load_volunteers(bench.db, count, lambda rng: 200.0, FIRST_USER_ID)
    case = await submitted_case(bench, **CENTRE)
    plan, total, queued = await timed_approval(bench, case)
    # The approval queues the nearest batch; the dispatchers match the rest (issue 18).
    assert 0 < queued <= bench.settings.fanout_batch_size, (queued, count)
    bench.report(f"(a) match and queue {count:,} volunteers, all in reach", f"{plan:.2f} s",
                 f"< {goal:g} s", plan / goal)  # fmt: skip
    print(f"      whole approval transaction with commit: {total:.2f} s", flush=True)
    seconds, rows = await expand_all(bench)
    made = await bench.db.conn.fetchval("SELECT count(*) FROM publications WHERE case_id = $1",
                                        case.id)  # fmt: skip
    assert made == count, (made, count)  # every volunteer has a row, none twice
    rate = rows / seconds
    bench.report(f"    rows made after the commit ({rows:,}) / 1,000 msg/s", f"{rate:,.0f}/s",
                 ">= 1", rate / 1000)  # fmt: skip
    await bench.db.conn.execute("TRUNCATE fanout_matches, fanout_batches, publications")
    case = await submitted_case(bench, last_seen_lat=50.8467, last_seen_lon=4.3525,
                                search_radius_km=50)  # fmt: skip
    plan, total, queued = await timed_approval(bench, case)
    print(f"      regional case (Brussels, 50 km): {queued:,} queued at once in {plan:.2f} s",
          flush=True)  # fmt: skip
    await bench.db.conn.execute("TRUNCATE fanout_matches, fanout_batches, publications")
    await load_volunteers(bench.db, count, lambda rng: rng.choice((2, 5, 10, 25, 50)), 1)
    case = await submitted_case(bench)
    plan, total, queued = await timed_approval(bench, case)
    print(f"      typical case (Gent, 15 km, radii 2-50 km): {queued:,} queued at once "
          f"in {plan:.3f} s",
          flush=True)  # fmt: skip


# -- (b) and (c): sending through the sandbox ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def sandbox_process(users: int, overall: int, paid: int) -> AsyncIterator[str]:
    """The Telegram sandbox in a process (a core) of its own; its base URL."""
    port = _free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, str(port), TOKEN, str(users), str(overall), str(paid),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 120)
        assert line.strip() == b"ready", line
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        await child.wait()


async def refused(url: str) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/sandbox/api/counters") as response,
    ):
        counters = await response.json()
    return int(sum(counters.get("refused", {}).values()))


@contextlib.asynccontextmanager
async def dispatcher(bench: Bench, settings: Settings) -> AsyncIterator[Dispatcher]:
    async with open_channels(settings, bench.db) as channels:
        worker = Dispatcher(bench.db, settings, channels)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task


async def until_sent(db: Database, case_id: int) -> None:
    query = "SELECT count(*) FROM publications WHERE case_id = $1 AND state <> 'sent'"
    unsent = await db.conn.fetchval(query, case_id)
    while unsent:
        await asyncio.sleep(0.25)
        unsent = await db.conn.fetchval(query, case_id)


def sandbox_settings(bench: Bench, url: str, **changes: Any) -> Settings:
    return dataclasses.replace(
        bench.settings, telegram_api_url=f"{url}/bot", telegram_file_url=f"{url}/file/bot",
        **changes,
    )  # fmt: skip


async def bench_rate(bench: Bench, rate: int, messages: int, paid: bool, goal: float) -> None:
    await load_volunteers(bench.db, messages, lambda rng: 200.0, FIRST_USER_ID)
    overall, paid_rate = (30, 1000)
    async with sandbox_process(messages, overall, paid_rate) as url:
        settings = sandbox_settings(
            bench, url, telegram_rate=float(rate), telegram_paid_broadcast=paid
        )
        async with dispatcher(bench, settings):
            case = await submitted_case(bench, photo=True, **CENTRE)
            await pipeline.approve(bench.db, settings, bench.staff[1], case.id)
            await until_sent(bench.db, case.id)
        times = await bench.db.conn.fetchrow(
            "SELECT min(sent_at) AS first, max(sent_at) AS last, count(*) AS n "
            "FROM publications WHERE case_id = $1", case.id,
        )  # fmt: skip
        refusals = await refused(url)
    span = (times["last"] - times["first"]).total_seconds()
    delivered = (times["n"] - 1) / span
    label = f"(b) delivered / configured at {rate:,}/s" + (" (paid broadcast)" if paid else "")
    bench.report(label, f"{delivered:,.1f}/s", f">= {goal:g}", delivered / rate)
    print(f"      {times['n']:,} messages in {span:.1f} s; sandbox refusals (429): {refusals}",
          flush=True)  # fmt: skip


async def bench_first_message(bench: Bench, rounds: int, goal: float) -> None:
    await load_volunteers(bench.db, 20, lambda rng: 200.0, FIRST_USER_ID)
    async with sandbox_process(20 * rounds, 30, 1000) as url:
        settings = sandbox_settings(bench, url, telegram_rate=30.0)
        latencies = []
        async with dispatcher(bench, settings):
            await asyncio.sleep(0.5)  # listening
            for _ in range(rounds):
                case = await submitted_case(bench, photo=True, **CENTRE)
                started = datetime.now(UTC)
                await pipeline.approve(bench.db, settings, bench.staff[1], case.id)
                first = None
                while first is None:
                    await asyncio.sleep(0.01)
                    first = await bench.db.conn.fetchval(  # a message, not a hosted page
                        "SELECT min(sent_at) FROM publications WHERE case_id = $1 "
                        "AND channel = 'telegram_dm'", case.id,
                    )  # fmt: skip
                latencies.append((first - started).total_seconds())
                await asyncio.sleep(1.2)  # Telegram's one message a second per chat
    median = statistics.median(latencies)
    bench.report("(c) approval to first message in the sandbox, median", f"{median * 1000:.0f} ms",
                 f"< {goal * 1000:g} ms", median / goal)  # fmt: skip
    print(f"      {rounds} cases: min {min(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms", flush=True)  # fmt: skip


# -- running it --------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    async with bench_session(args.dsn) as bench:
        # Sending first: the million rows of (a) leave checkpoints and vacuums behind.
        if "b" in args.parts:
            await bench_rate(bench, 30, 300 if args.quick else 600, False, 0.95)
            await bench_rate(bench, 1000, 5_000 if args.quick else 15_000, True, 0.9)
        if "c" in args.parts:
            await bench_first_message(bench, 5 if args.quick else 15, 0.3)
        if "a" in args.parts:
            await bench_matching(bench, 100_000, 1.0)
            if not args.quick:
                await bench_matching(bench, 1_000_000, 5.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument("--parts", default="abc", help="which figures: any of a, b, c")
    asyncio.run(main(parser.parse_args()))
