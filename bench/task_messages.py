"""The volunteers' task messages beside a fan-out (issue 21): a poster round started at the
moment of an approval, its invitations sharing the bot's rate with the alert.

    python bench/task_messages.py [--dsn URL] [--volunteers 600]

N Telegram volunteers, all in reach and all opted in to poster rounds; the Telegram sandbox in a
process of its own with Telegram's free limits (30 messages a second overall, one a second per
chat); one dispatcher, and the task sender (`alerts.outbox.tasks`) on its shares of the limit,
in this process as in a worker, at TELEGRAM_RATE 30. A case is approved (N alerts) and a poster
round started on it at once (N invitations): every volunteer gets two messages. Figures: the
messages delivered per second from the first to the last, against the ceiling of the same run,
the channel's allowed rate (30/s); the sandbox's refusals, for the overall limit and, apart, for
the per-chat limit (an alert and an invitation to the same chat within a second), which pause
the whole bot.

The database is `--dsn`, else TEST_DATABASE_URL, else the local server (bench/fanout.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.db.database import Database
from alerts.outbox import pipeline, tasks
from alerts.rounds import service as rounds
from bench.fanout import (
    CENTRE,
    FIRST_USER_ID,
    Bench,
    bench_session,
    dispatcher,
    load_volunteers,
    sandbox_process,
    sandbox_settings,
    submitted_case,
)

RATE = 30  # Telegram's free overall limit: the sandbox's, and the service's setting


async def counters(url: str) -> dict[str, int]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/sandbox/api/counters") as response,
    ):
        refused: dict[str, int] = (await response.json()).get("refused", {})
    return refused


async def delivered(db: Database, case_id: int, round_id: int) -> tuple[int, float]:
    """(messages sent, seconds from the first to the last) of the alert and the round."""
    row = await db.conn.fetchrow(
        "SELECT count(*) AS n, extract(epoch FROM max(t) - min(t)) AS span FROM ("
        " SELECT sent_at AS t FROM publications WHERE case_id = $1 AND state = 'sent'"
        "   AND channel = 'telegram_dm'"
        " UNION ALL SELECT sent_at FROM poster_messages WHERE round_id = $2 AND state = 'sent'"
        ") sent", case_id, round_id,
    )  # fmt: skip
    return int(row["n"]), float(row["span"] or 0.0)


async def run(bench: Bench, volunteers: int) -> None:
    await load_volunteers(bench.db, volunteers, lambda rng: 200.0, FIRST_USER_ID)
    await bench.db.conn.execute("UPDATE volunteers SET posters = true")
    async with sandbox_process(volunteers, RATE, 1000) as url:
        settings = sandbox_settings(bench, url, telegram_rate=float(RATE))
        async with (
            dispatcher(bench, settings) as worker,
            tasks.sender(bench.db, settings, limiter=worker.limiter) as sender,
        ):
            stop = asyncio.Event()
            running = asyncio.create_task(sender.run(stop))
            case = await submitted_case(bench, photo=False, **CENTRE)
            await pipeline.approve(bench.db, settings, bench.staff[1], case.id)
            started, invited = await rounds.start(bench.db, settings, bench.staff[0], case.id, 1.0)
            wanted = volunteers + invited
            sent, _ = await delivered(bench.db, case.id, started.id)
            while sent < wanted:
                await asyncio.sleep(0.5)
                sent, _ = await delivered(bench.db, case.id, started.id)
            stop.set()
            await running
        refused = await counters(url)
    sent, span = await delivered(bench.db, case.id, started.id)
    rate = (sent - 1) / span
    bench.report(f"delivered / allowed rate ({RATE}/s), alert + round", f"{rate:,.1f}/s",
                 ">= 0.9", rate / RATE)  # fmt: skip
    print(f"      {sent:,} messages ({volunteers:,} alerts, {invited:,} invitations) in "
          f"{span:.1f} s; refusals: overall {refused.get('global', 0)}, per chat "
          f"{refused.get('per_chat', 0)}", flush=True)  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    async with bench_session(args.dsn) as bench:
        await run(bench, args.volunteers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--volunteers", type=int, default=600, help="volunteers in reach")
    asyncio.run(main(parser.parse_args()))
