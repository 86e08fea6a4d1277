"""The console case page of a case with 100,000 publications (issue 19): under a second.

    python bench/console_case_page.py [--dsn URL] [--publications 100000] [--requests 40]

Two active cases: one whose fan-out made N publications (inserted in one SQL statement: messages
to volunteers on Telegram and by e-mail, in every state), one with none beyond its own hosted
page and posters (the ceiling: the same page, with the same work but for the publications).
The web application runs in this process on a free port; a staff member logs in through the
login form and GETs each case page R times (after a warm-up). Figures: the median and the p99
of the big case's page, and their ratio to the small case's page; also the publications page
(first page, and a page deep in the list: keyset pagination) of the big case.

The database is `--dsn`, else TEST_DATABASE_URL, else the local server, else an embedded one
(bench/fanout.py's scratch database, dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import re
import statistics
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database, create_pool
from alerts.outbox import pipeline
from alerts.staff.models import Staff
from bench.fanout import Bench, _free_port, bench_staff, scratch_database, submitted_case

PASSWORD = "bench password 123"
GOAL = 1.0  # seconds, the bound for the case page


async def active_case(bench: Bench) -> int:
    case = await submitted_case(bench)
    approved = await pipeline.approve(bench.db, bench.settings, bench.staff[1], case.id)
    return approved.id


async def fill(db: Database, case_id: int, n: int) -> None:
    """N publications of the case, in one statement."""
    started = time.perf_counter()
    await db.conn.execute(
        """
        INSERT INTO publications (case_id, revision, channel, target, language, address, state,
                                  sort_key, sent_at)
        SELECT $1, 1, CASE WHEN i % 4 = 0 THEN 'email' ELSE 'telegram_dm' END,
               'volunteer/' || i, 'nl', 'address-' || i,
               (ARRAY['sent', 'sent', 'pending', 'failed', 'withdrawn', 'cancelled'])[i % 6 + 1],
               (i % 300) / 10.0, now()
        FROM generate_series(1, $2) AS i
        """,
        case_id, n,
    )  # fmt: skip
    await db.conn.execute("ANALYZE publications")
    print(f"{n} publications inserted in {time.perf_counter() - started:.1f} s", flush=True)


async def logged_in(base: str, staff: Staff) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(f"{base}/login") as page:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found
    form = {"csrf_token": found.group(1), "username": staff.username, "password": PASSWORD}
    async with session.post(f"{base}/login", data=form, allow_redirects=False) as answer:
        assert answer.status == 303, answer.status
    return session


async def timings(session: aiohttp.ClientSession, url: str, n: int) -> list[float]:
    for _ in range(3):  # warm-up: templates compiled, plans cached
        async with session.get(url) as response:
            assert response.status == 200, (url, response.status)
            await response.read()
    seconds = []
    for _ in range(n):
        started = time.perf_counter()
        async with session.get(url) as response:
            body = await response.read()
        seconds.append(time.perf_counter() - started)
        assert response.status == 200 and len(body) < 200_000, (url, len(body))
    return seconds


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def main(args: argparse.Namespace) -> None:
    async with scratch_database(args.dsn) as (url, where):
        print(f"database: {where}", flush=True)
        pool = await create_pool(url, min_size=2, max_size=10)
        db = Database(pool)
        port = _free_port()
        settings = Settings.from_env({}, database_url=url, public_base_url="https://alerts.example",
                                     secure_cookies=False, port=port)  # fmt: skip
        bench = Bench(db=db, settings=settings, staff=await bench_staff(db, PASSWORD))
        big, small = await active_case(bench), await active_case(bench)
        await fill(db, big, args.publications)
        runner = web.AppRunner(create_app(dataclasses.replace(settings)), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        base = f"http://127.0.0.1:{port}"
        session = await logged_in(base, bench.staff[1])
        try:
            deep = await db.conn.fetchval(
                "SELECT id FROM publications WHERE case_id = $1 ORDER BY id OFFSET $2 LIMIT 1",
                big, args.publications - 100,
            )  # fmt: skip
            pages = {
                "case page, 0 fan-out publications (ceiling)": f"/console/cases/{small}",
                f"case page, {args.publications:,} publications": f"/console/cases/{big}",
                "publications page 1": f"/console/cases/{big}/publications",
                "publications page near the end": f"/console/cases/{big}/publications?after={deep}",
                "publications, filtered (e-mail, failed)":
                    f"/console/cases/{big}/publications?channel=email&state=failed",
            }  # fmt: skip
            results = {name: await timings(session, base + path, args.requests)
                       for name, path in pages.items()}  # fmt: skip
        finally:
            await session.close()
            await runner.cleanup()
            await pool.close()
    ceiling = statistics.median(results["case page, 0 fan-out publications (ceiling)"])
    print(f"\n{args.requests} requests each, after 3 warm-up requests")
    print(f"{'page':<48} {'median':>9} {'p99':>9}  {'median/ceiling':>14}  {'p99/goal':>8}")
    for name, values in results.items():
        median, high = statistics.median(values), p99(values)
        print(f"{name:<48} {median * 1000:7.1f} ms {high * 1000:7.1f} ms  "
              f"{median / ceiling:14.2f}  {high / GOAL:8.3f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    asyncio.run(main(parser.parse_args()))
