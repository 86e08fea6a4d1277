"""Approval to first message whatever the fan-out's size (issue 18).

    python bench/first_message.py [--dsn URL] [--sizes 100,100000,1000000] [--rounds 5]

For each size, that many Telegram volunteers are loaded with COPY, spread over Belgium, every
one of them in reach of the case (Belgium's centre, 200 km); then, `--rounds` times, a case with
a photo is approved (`pipeline.approve`, the whole transaction with its commit) with one
dispatcher running beside it and the Telegram sandbox in a process of its own, and the time from
the approval's start to the first `sent_at` is taken; the case is then closed, its outbox
swept and the outbox tables vacuumed before the next round (a first round, not counted, warms
up). Printed per size: the median
approval (and the fan-out step inside it) and approval-to-first-message times, their ratio
to the 100-volunteer figure of the same run (goal: within 1.5x) and the first message's
ratio to the goal (300 ms). The database is chosen as in bench/fanout.py.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout as fanout_bench  # bench/fanout.py: the scratch database, the sandbox, a dispatcher

from alerts.config import Settings
from alerts.db.database import Database, create_pool
from alerts.outbox import pipeline

FIRST_USER_ID = fanout_bench.FIRST_USER_ID
CENTRE = fanout_bench.CENTRE
GOAL = 0.3
SANDBOX_USERS = 2_000  # the nearest volunteers, who get the first messages


def _km(lat: float, lon: float) -> float:
    lat0, lon0 = map(math.radians, (CENTRE["last_seen_lat"], CENTRE["last_seen_lon"]))
    p, q = math.radians(lat), math.radians(lon)
    h = math.sin((p - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(p) * math.sin((q - lon0) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


async def load(db: Database, count: int) -> None:
    """`count` Telegram volunteers over Belgium, all in reach, numbered nearest first so that
    the first messages go to the sandbox's first users."""
    await db.conn.execute(
        "TRUNCATE fanout_matches, fanout_batches, publications, volunteer_areas, volunteers CASCADE"
    )
    rng = random.Random(count)
    (lat0, lat1), (lon0, lon1) = fanout_bench.BELGIUM
    points = sorted(
        ((round(rng.uniform(lat0, lat1), 4), round(rng.uniform(lon0, lon1), 4))
         for _ in range(count)),
        key=lambda p: _km(*p),
    )  # fmt: skip
    people = [(i, f"v{i}", "nl", FIRST_USER_ID + i - 1) for i in range(1, count + 1)]
    areas = [(i, "home", lat, lon, 200.0) for i, (lat, lon) in enumerate(points, 1)]
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
        # the load's writes flushed now, not by a checkpoint during the approvals
        await conn.execute("CHECKPOINT")


async def swept(db: Database) -> None:
    """Until the closed cases' outbox is ended and no matching or batch is left."""
    for _ in range(600):
        left = await db.conn.fetchval(
            "SELECT (SELECT count(*) FROM fanout_matches) + (SELECT count(*) FROM fanout_batches)"
            " + (SELECT count(*) FROM publications WHERE state = 'pending'"
            "    AND channel = 'telegram_dm')"
        )
        if not left:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the outbox of the closed cases was not swept")


async def measure(
    bench: fanout_bench.Bench, settings: Settings, size: int, rounds: int
) -> tuple[float, float]:
    """(median approval, median fan-out step in it, median approval to first message), in
    seconds."""
    approvals, plans, firsts = [], [], []
    for index in range(rounds + 1):
        case = await fanout_bench.submitted_case(bench, photo=True, **CENTRE)
        started = datetime.now(UTC)
        # the approval, with its fan-out step timed (bench/fanout.py)
        plan, total, _ = await fanout_bench.timed_approval(bench, case)
        if index:  # the first round warms up (templates, fonts, plans) and is not counted
            approvals.append(total)
            plans.append(plan)
        first = None
        while first is None:
            await asyncio.sleep(0.005)
            first = await bench.db.conn.fetchval(
                "SELECT min(sent_at) FROM publications WHERE case_id = $1 "
                "AND channel = 'telegram_dm'",
                case.id,
            )
        if index:
            firsts.append((first - started).total_seconds())
        await pipeline.close(bench.db, bench.staff[0], case.id, "found_safe")
        await swept(bench.db)
        # The previous round's matching, batches and cancelled rows vacuumed away, so that each
        # round starts from the same state (not autovacuum beside the next approval).
        await bench.db.conn.execute("VACUUM ANALYZE publications, fanout_batches, fanout_matches")
        await asyncio.sleep(1.2)  # Telegram's one message a second per chat
    shown = ", ".join(f"{a * 1000:.0f}" for a in approvals)
    planned = ", ".join(f"{p * 1000:.1f}" for p in plans)
    print(f"      {size:>9,}: approvals {shown} ms (fan-out step {planned} ms); "
          f"first messages {', '.join(f'{f * 1000:.0f}' for f in firsts)} ms",
          flush=True)  # fmt: skip
    return statistics.median(approvals), statistics.median(plans), statistics.median(firsts)


async def main(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    async with fanout_bench.scratch_database(args.dsn) as (url, where):
        print(f"database: {where}", flush=True)
        pool = await create_pool(url, min_size=2, max_size=20)
        db = Database(pool)
        settings = Settings.from_env(
            {}, database_url=url, telegram_bot_token=fanout_bench.TOKEN,
            public_base_url="https://alerts.example",
        )  # fmt: skip
        bench = fanout_bench.Bench(
            db=db, settings=settings, staff=await fanout_bench.bench_staff(db)
        )
        results: dict[int, tuple[float, float, float]] = {}
        try:
            async with fanout_bench.sandbox_process(SANDBOX_USERS, 30, 1000) as sandbox:
                sending = fanout_bench.sandbox_settings(bench, sandbox, telegram_rate=30.0)
                for size in sizes:
                    started = time.perf_counter()
                    await load(db, size)
                    print(f"loaded {size:,} volunteers in {time.perf_counter() - started:.0f} s",
                          flush=True)  # fmt: skip
                    async with fanout_bench.dispatcher(bench, sending):
                        await asyncio.sleep(0.5)  # listening
                        results[size] = await measure(bench, sending, size, args.rounds)
        finally:
            await pool.close()
    base_approval, base_plan, base_first = results[sizes[0]]
    print(f"\nsummary (median of {args.rounds}; ratios to {sizes[0]:,} volunteers in this run):")
    for size, (approval, plan, first) in results.items():
        print(f"  {size:>9,} in reach: approval {approval * 1000:6.0f} ms"
              f" (x{approval / base_approval:.2f}; its fan-out step {plan * 1000:5.1f} ms,"
              f" x{plan / base_plan:.2f})"
              f"   first message {first * 1000:6.0f} ms (x{first / base_first:.2f}, goal <= 1.5;"
              f" {first / GOAL:.2f} of {GOAL * 1000:.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--sizes", default="100,100000,1000000", help="volunteers in reach")
    parser.add_argument("--rounds", type=int, default=5, help="approvals per size")
    asyncio.run(main(parser.parse_args()))
