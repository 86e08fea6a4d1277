"""The dispatcher's CPU per message, and two dispatcher processes sharing 1,000 messages/s.

    python bench/dispatcher_cpu.py [--dsn URL] [--messages N] [--parts ab] [--profile FILE]

The Telegram sandbox runs in a process of its own (its CPU is not counted) with Telegram's
paid-broadcast limit (1,000 messages/s overall, 1/s per chat); each dispatcher is a process of its
own too (the same `Dispatcher` that `serve` runs, with TELEGRAM_PAID_BROADCAST on), so that its
CPU time can be read from /proc/<pid>/stat while a fan-out of N volunteers goes out:

(a) one dispatcher at TELEGRAM_RATE=1000: CPU milliseconds per message (the process's user +
    system time from the approval's commit to the last delivery, over the messages sent), with
    the ratio to the goal of 0.35 ms; and the delivered rate;
(b) two dispatcher processes at TELEGRAM_RATE=1000: delivered / configured rate (goal >= 0.97)
    and the sandbox's refusals (429; goal: none).

`--profile FILE` runs (a)'s dispatcher under cProfile and writes its statistics to FILE.
The database is `--dsn`, else TEST_DATABASE_URL, else the local server when it answers, else an
embedded one; a scratch database is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from fanout import (  # noqa: E402 - the fan-out benchmark's database and volunteers
    CENTRE,
    FIRST_USER_ID,
    TOKEN,
    Bench,
    _free_port,
    bench_session,
    load_volunteers,
    refused,
    submitted_case,
)

from alerts.config import Settings  # noqa: E402
from alerts.outbox import pipeline  # noqa: E402

_SANDBOX = """
import asyncio, sys
from sandbox.telegram.server import SandboxConfig, TelegramSandbox
async def main():
    port, token, users, paid = sys.argv[1:5]
    config = SandboxConfig(token=token, paid_broadcast_per_second=int(paid))
    async with TelegramSandbox(config, port=int(port)) as sandbox:
        for _ in range(int(users)):
            sandbox.create_user()
        print("ready", flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""

_DISPATCHER = """
import asyncio, os, signal, sys
os.environ.setdefault("PTB_TIMEDELTA", "true")
from alerts.config import Settings
from alerts.db.database import Database, create_pool
from alerts.outbox.dispatcher import Dispatcher, open_channels
async def main():
    url, api, rate = sys.argv[1:4]
    settings = Settings.from_env(
        {}, database_url=url, telegram_bot_token=os.environ["BENCH_TOKEN"],
        public_base_url="https://alerts.example", telegram_api_url=api + "/bot",
        telegram_file_url=api + "/file/bot", telegram_rate=float(rate),
        telegram_paid_broadcast=True,
    )
    pool = await create_pool(url, min_size=2, max_size=10)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with open_channels(settings, Database(pool)) as channels:
        worker = Dispatcher(Database(pool), settings, channels)
        print("ready", flush=True)
        await worker.run(stop)
    await pool.close()
profile = os.environ.get("BENCH_PROFILE")
if profile:
    import cProfile, time
    profiler = cProfile.Profile(time.process_time)  # CPU time, not the wall clock
    profiler.runcall(asyncio.run, main())
    profiler.dump_stats(profile)
else:
    asyncio.run(main())
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def child(script: str, *args: str, env: dict[str, str] | None = None) -> AsyncIterator[int]:
    """A Python child running `script` until exit; its pid once it printed "ready"."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "BENCH_TOKEN": TOKEN, **(env or {})},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        assert line.strip() == b"ready", line
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()


async def fan_out(
    bench: Bench, settings: Settings, pids: list[int], messages: int
) -> tuple[float, dict]:
    """Approve a case that reaches every volunteer (`messages`); (CPU seconds of `pids`,
    delivery figures)."""
    case = await submitted_case(bench, photo=True, **CENTRE)
    await asyncio.sleep(1.0)  # the dispatchers are listening and idle
    updates = "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'publications'"
    written = await bench.db.conn.fetchval(updates)
    before = sum(cpu_seconds(pid) for pid in pids)
    await pipeline.approve(bench.db, settings, bench.staff[1], case.id)
    # Every volunteer sent to: the approval queues the nearest only, the dispatchers match the
    # rest after its commit (issue 18, part 2), so "nothing unsent" may hold before they have.
    query = (
        "SELECT count(*) FROM publications"
        " WHERE case_id = $1 AND channel = 'telegram_dm' AND state = 'sent'"
    )
    deadline = time.monotonic() + 600
    while await bench.db.conn.fetchval(query, case.id) < messages:
        assert time.monotonic() < deadline, "the fan-out did not finish in 10 minutes"
        await asyncio.sleep(0.1)
    used = sum(cpu_seconds(pid) for pid in pids) - before
    await asyncio.sleep(0.6)  # the statistics collector's delay
    written = await bench.db.conn.fetchval(updates) - written
    row = await bench.db.conn.fetchrow(
        "SELECT min(sent_at) AS first, max(sent_at) AS last, count(*) AS n,"
        " count(DISTINCT address) AS chats FROM publications"
        " WHERE case_id = $1 AND channel = 'telegram_dm'", case.id,
    )  # fmt: skip
    return used, {**row, "updates": written}


async def run(bench: Bench, url: str, args: argparse.Namespace, processes: int) -> None:
    messages, rate = args.messages, args.rate
    await load_volunteers(bench.db, messages, lambda rng: 200.0, FIRST_USER_ID)
    port = _free_port()
    api = f"http://127.0.0.1:{port}"
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(child(_SANDBOX, str(port), TOKEN, str(messages), "1000"))
        env = {"BENCH_PROFILE": args.profile} if args.profile and processes == 1 else {}
        pids = [
            await stack.enter_async_context(child(_DISPATCHER, url, api, str(rate), env=env))
            for _ in range(processes)
        ]
        used, times = await fan_out(bench, bench.settings, pids, messages)
        refusals = await refused(api)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{api}/sandbox/api/counters") as response,
        ):
            reasons = (await response.json()).get("refused", {})
    n = times["n"]
    assert times["chats"] == n == messages, times  # each volunteer once
    span = (times["last"] - times["first"]).total_seconds()
    delivered = (n - 1) / span
    per_message = used / n * 1000
    label = "one dispatcher" if processes == 1 else f"{processes} dispatcher processes"
    print(f"      {label}: {n:,} messages in {span:.1f} s, {used:.2f} s of CPU, "
          f"sandbox refusals (429): {refusals} {reasons}; row updates per message "
          f"{times['updates'] / n:.2f} (2: claimed, sent; more: retries)", flush=True)  # fmt: skip
    if processes == 1:
        bench.report("(a) dispatcher CPU per message", f"{per_message:.3f} ms", "<= 0.35 ms",
                     per_message / 0.35)  # fmt: skip
        bench.report("    delivered / configured at 1,000/s, one process", f"{delivered:,.0f}/s",
                     ">= 0.97", delivered / 1000)  # fmt: skip
    else:
        bench.report(f"(b) delivered / configured at 1,000/s, {processes} processes",
                     f"{delivered:,.0f}/s", ">= 0.97", delivered / 1000)  # fmt: skip
        bench.report("    CPU per message, both processes together", f"{per_message:.3f} ms",
                     "<= 0.35 ms", per_message / 0.35)  # fmt: skip
    bench.report(f"    sandbox refusals (429), {label}", f"{refusals}", "0", float(refusals))


async def main(args: argparse.Namespace) -> None:
    async with bench_session(args.dsn, pool_size=10) as bench:
        if "a" in args.parts:
            await run(bench, bench.settings.database_url, args, 1)
        if "b" in args.parts:
            await run(bench, bench.settings.database_url, args, 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--messages", type=int, default=15_000, help="volunteers in the fan-out")
    parser.add_argument("--parts", default="ab", help="which figures: any of a, b")
    parser.add_argument("--rate", type=int, default=1000, help="TELEGRAM_RATE (for profiles)")
    parser.add_argument("--profile", help="cProfile statistics of (a)'s dispatcher to this file")
    asyncio.run(main(parser.parse_args()))
