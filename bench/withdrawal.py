"""The withdrawal benchmark: from the close to every publication in an end state, and to 410.

    python bench/withdrawal.py [--dsn URL] [--messages 1000] [--rate 30]

A case (with its posters and images) goes to N Telegram volunteers, sent quickly at the
paid-broadcast rate. Then the case is closed while one dispatcher runs at TELEGRAM_RATE (30,
Telegram's overall limit) against the Telegram sandbox, in a process of its own with Telegram's
limits. Figures:

(a) the close's commit to every publication of the case in an end state (deleted, here: the
    messages are younger than 48 hours), over the channel's own bound, N / rate seconds
    (goal: at most 1.1);
(b) the close's start to every public address of the case (page, photo, posters, images)
    answering 410, the web application served by this process (goal: under a second).

The database is `--dsn`, else TEST_DATABASE_URL, else the local server at
postgresql://postgres@127.0.0.1:5432/postgres when it answers, else an embedded one (pgserver);
a scratch database is created there and dropped at the end (bench/fanout.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from bench.fanout import (
    CENTRE,
    FIRST_USER_ID,
    Bench,
    _free_port,
    bench_session,
    dispatcher,
    load_volunteers,
    refused,
    sandbox_process,
    sandbox_settings,
    submitted_case,
    until_sent,
)

ENDED = ("withdrawn", "neutralised", "manual", "cancelled")


@contextlib.asynccontextmanager
async def web_app(settings: Settings) -> AsyncIterator[str]:
    """The web application on a free port (public pages only matter here); its base URL."""
    port = _free_port()
    plain = dataclasses.replace(settings, telegram_bot_token="", port=port)
    runner = web.AppRunner(create_app(plain), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def public_addresses(db: Database, base: str, case_id: int) -> list[str]:
    rows = await db.conn.fetch(
        "SELECT address FROM publications WHERE case_id = $1 "
        "AND channel IN ('case_page', 'poster', 'image')",
        case_id,
    )
    return [base + r["address"].split("alerts.example", 1)[1] for r in rows]


async def all_gone(session: aiohttp.ClientSession, addresses: list[str]) -> bool:
    async def status(url: str) -> int:
        async with session.get(url, allow_redirects=False) as response:
            await response.read()
            return response.status

    return set(await asyncio.gather(*(status(url) for url in addresses))) == {410}


async def until_410(addresses: list[str], started: float) -> float:
    """Seconds from `started` until every address answers 410."""
    async with aiohttp.ClientSession() as session:
        gone = await all_gone(session, addresses)
        while not gone:  # polled: this is what a visitor sees
            await asyncio.sleep(0.005)
            gone = await all_gone(session, addresses)
    return time.perf_counter() - started


async def until_ended(db: Database, case_id: int) -> None:
    query = "SELECT count(*) FROM publications WHERE case_id = $1 AND NOT (state = ANY($2))"
    left = await db.conn.fetchval(query, case_id, list(ENDED))
    while left:
        await asyncio.sleep(0.1)
        left = await db.conn.fetchval(query, case_id, list(ENDED))


async def bench_withdrawal(bench: Bench, messages: int, rate: int) -> None:
    await load_volunteers(bench.db, messages, lambda rng: 200.0, FIRST_USER_ID)
    async with sandbox_process(messages, 30, 1000) as url:
        fast = sandbox_settings(bench, url, telegram_rate=1000.0, telegram_paid_broadcast=True)
        case = await submitted_case(bench, photo=True, languages=["nl", "fr"], **CENTRE)
        async with dispatcher(bench, fast):
            await pipeline.approve(bench.db, fast, bench.staff[1], case.id)
            await until_sent(bench.db, case.id)
        print(f"      {messages:,} messages sent; closing", flush=True)
        settings = sandbox_settings(bench, url, telegram_rate=float(rate))
        async with web_app(settings) as base, dispatcher(bench, settings):
            addresses = await public_addresses(bench.db, base, case.id)
            await asyncio.sleep(1.0)  # the dispatcher listening, its buckets configured
            started = time.perf_counter()
            gone = asyncio.create_task(until_410(addresses, started))
            await pipeline.close(bench.db, bench.staff[0], case.id, "found_safe")
            committed = time.perf_counter()
            close_ms = (committed - started) * 1000
            await until_ended(bench.db, case.id)
            elapsed = time.perf_counter() - committed
            to_410 = await gone
        refusals = await refused(url)
    bound = messages / rate
    bench.report(f"(a) close to {messages:,} messages withdrawn, over {messages:,}/{rate}",
                 f"{elapsed:.1f} s", f"<= {1.1 * bound:.1f} s", elapsed / bound)  # fmt: skip
    times = await bench.db.conn.fetchrow(
        "SELECT count(*) FILTER (WHERE p.state = 'withdrawn') AS withdrawn, "
        "extract(epoch FROM max(p.ended_at) - c.closed_at) AS span FROM publications p "
        "JOIN cases c ON c.id = p.case_id WHERE p.case_id = $1 AND p.channel = 'telegram_dm' "
        "GROUP BY c.closed_at",
        case.id,
    )  # fmt: skip
    print(f"      {times['withdrawn']:,} deleted, the last {float(times['span']):.1f} s after the "
          f"close (database clock); sandbox refusals (429): {refusals}", flush=True)  # fmt: skip
    bench.report(f"(b) close to 410 at all {len(addresses)} public addresses",
                 f"{to_410 * 1000:.0f} ms", "< 1000 ms", to_410)  # fmt: skip
    print(f"      of which the close's transaction: {close_ms:.0f} ms", flush=True)


async def main(args: argparse.Namespace) -> None:
    async with bench_session(args.dsn, secure_cookies=False) as bench:
        await bench_withdrawal(bench, args.messages, args.rate)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--messages", type=int, default=1000, help="Telegram messages to withdraw")
    parser.add_argument("--rate", type=int, default=30, help="TELEGRAM_RATE while withdrawing")
    asyncio.run(main(parser.parse_args()))
