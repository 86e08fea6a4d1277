"""The public page under a spike (issue 18): the case page, a poster and a square image served by
`run.py serve --only web`, side by side with a minimal aiohttp handler serving the same bytes,
and the close under that load with two web processes.

    python bench/public_page.py [--dsn URL] [--seconds 5] [--rounds 4] [--connections 64]
                                [--root PATH]

A level-3 case with a photo, in nl and fr, is approved in a scratch database (as bench/fanout.py
makes one). Then, one after the other, each driven by `wrk` (Debian package `wrk`; 2 threads,
`--connections`, `--seconds`, `--latency`) on this machine:

(a) the service (one `run.py serve --only web` process) and the ceiling (a minimal aiohttp
    application in a process of its own answering each path with the bytes the service answered,
    and the same Content-Type) for the case page, the nl poster (PDF) and the nl square image
    (PNG), in turns (`--rounds` runs of each, the order swapped every round, so that the other
    load on the machine meets both): requests per second (mean), p99 (median), and the ratio
    service / ceiling (goal: at least 0.5; the page's p99 under 50 ms). Also: the page asked
    again with its ETag answers 304.
(b) two web processes under load (`wrk` on the page of each, half the connections each); the
    case is closed in this process; each web process is then asked for the page until it answers
    410: the time from the close's commit to that 410, per process (goal: under 1 s).

`--root` runs the service from another checkout (e.g. main, for the figures before the change;
its migrations must be a subset of this checkout's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database, create_pool
from alerts.outbox import pipeline
from alerts.publication import materials
from alerts.staff import auth
from alerts.staff.models import Role, Staff
from bench.fanout import _free_port, scratch_database
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.images import jpeg

MINIMAL = """
import sys
from pathlib import Path
from aiohttp import web
folder, port = Path(sys.argv[1]), int(sys.argv[2])
app = web.Application()
for line in (folder / "index").read_text().splitlines():
    path, content_type, name = line.split("\\t")
    body = (folder / name).read_bytes()
    async def handler(request, body=body, content_type=content_type):
        return web.Response(body=body, headers={"Content-Type": content_type})
    app.router.add_get(path, handler)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
"""
ROWS: list[str] = []


def figures(rate: float, p99: float) -> str:
    return f"{rate:,.0f} req/s p99 {p99 * 1000:.0f} ms"


def report(what: str, value: str, goal: str, ratio: float | None = None) -> None:
    tail = f"ratio {ratio:5.2f}" if ratio is not None else ""
    line = f"{what:<52} {value:>26}   goal {goal:<12} {tail}"
    ROWS.append(line)
    print(line, flush=True)


# -- processes ---------------------------------------------------------------------------------


async def _wait_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.poll() is not None:
                tail = log.read_bytes()[-3000:].decode(errors="replace")  # noqa: ASYNC240
                raise SystemExit(f"{url}: the process ended:\n{tail}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not answer within a minute")


@contextlib.asynccontextmanager
async def process(args: list[str], url: str, env: dict[str, str], cwd: Path,
                  log: Path) -> AsyncIterator[None]:  # fmt: skip
    with log.open("wb") as out:
        child = subprocess.Popen(  # noqa: S603, ASYNC220 - our own commands, started once
            args, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=out
        )
        try:
            await _wait_answering(url, child, log)
            yield
        finally:
            child.terminate()
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def service(
    root: Path, url: str, port: int, tmp: Path, name: str
) -> contextlib.AbstractAsyncContextManager[None]:
    env = {"DATABASE_URL": url, "HOST": "127.0.0.1", "PORT": str(port), "SECURE_COOKIES": "false",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "TELEGRAM_BOT_TOKEN": "",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(root)}  # fmt: skip
    return process([sys.executable, "run.py", "serve", "--only", "web"],
                   f"http://127.0.0.1:{port}/healthz", env, root, tmp / f"{name}.log")  # fmt: skip


# -- wrk -----------------------------------------------------------------------------------------


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


async def wrk(url: str, connections: int, seconds: int, headers: tuple[str, ...] = ()
              ) -> tuple[float, float, str]:  # fmt: skip
    """(requests per second, p99 in seconds, the status codes seen) of a `wrk` run."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    run = await asyncio.create_subprocess_exec(*args, url, stdout=asyncio.subprocess.PIPE)
    out = (await run.communicate())[0].decode()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, f"{errors.group(1)} non-2xx" if errors else "all 2xx/3xx"


# -- the case ----------------------------------------------------------------------------------


async def staff(db: Database) -> tuple[Staff, Staff]:
    made = []
    for role in (Role.CASE_MANAGER, Role.SUPERVISOR):
        name = f"bench{secrets.token_hex(3)}"
        staff_id = await auth.create_staff(db, username=name, display_name=name, role=role,
                                           password="bench password 123")  # fmt: skip
        row = await db.fetchrow("staff_by_id", staff_id)
        assert row is not None
        made.append(Staff.from_row(row))
    return made[0], made[1]


async def approved_case(db: Database, settings: Settings, people: tuple[Staff, Staff]) -> str:
    manager, supervisor = people
    data = {**CASE_FIELDS, "last_seen_at": last_seen(), "languages": ["nl", "fr"]}
    case = await cases.create_draft(db, manager, data)
    consent = {**CONSENT, "level": 3, "photo": True}
    await pipeline.change_consent(db, settings, manager, case.id, consent)
    await pipeline.add_photo(db, settings, manager, case.id, jpeg(900, 1200))
    await cases.submit(db, manager, case.id)
    case = await pipeline.approve(db, settings, supervisor, case.id)
    await materials.drain()
    return case.public_id


# -- the figures ---------------------------------------------------------------------------------


async def side_by_side(base: str, public_id: str, tmp: Path, args: argparse.Namespace) -> None:
    """(a): each resource from the service, then the same bytes from the minimal handler."""
    resources = {"case page": f"/alerts/{public_id}",
                 "poster PDF (nl)": f"/alerts/{public_id}/poster-nl.pdf",
                 "square image (nl)": f"/alerts/{public_id}/square-nl.png"}  # fmt: skip
    folder = tmp / "bytes"
    folder.mkdir()
    index = []
    async with aiohttp.ClientSession() as session:
        for n, path in enumerate(resources.values()):
            async with session.get(base + path) as response:
                assert response.status == 200, (path, response.status)
                (folder / str(n)).write_bytes(await response.read())
                index.append(f"{path}\t{response.headers['Content-Type']}\t{n}")
        page = base + resources["case page"]
        async with session.get(page) as first:
            etag, cookie = first.headers.get("ETag"), first.cookies.get("csrf")
        headers = {"If-None-Match": etag or '""'}
        if cookie is not None:
            headers["Cookie"] = f"csrf={cookie.value}"
        async with session.get(page, headers=headers) as again:
            report("case page asked again with its ETag", f"HTTP {again.status}", "304")
    (folder / "index").write_text("\n".join(index))
    port = _free_port()
    minimal = [sys.executable, "-c", MINIMAL, str(folder), str(port)]
    ceiling_base = f"http://127.0.0.1:{port}"
    async with process(minimal, ceiling_base + resources["case page"], {}, ROOT, tmp / "min.log"):
        for what, path in resources.items():
            size = (folder / str(list(resources).index(what))).stat().st_size
            rate, p99, top, top_p99, codes = await interleaved(
                base + path, ceiling_base + path, args
            )
            report(f"{what} ({size // 1024} KB): the service", figures(rate, p99), "")
            report(f"{what}: minimal aiohttp, same bytes", figures(top, top_p99), "")
            report(f"{what}: service / ceiling ({codes})", f"{rate / top:.2f}", ">= 0.5",
                   rate / top / 0.5)  # fmt: skip
            if what == "case page":
                report("case page p99 at the service", f"{p99 * 1000:.1f} ms", "< 50 ms",
                       p99 / 0.05)  # fmt: skip
    if cookie is not None and etag:
        conditional = (f"If-None-Match: {etag}", f"Cookie: csrf={cookie.value}")
        rate, p99, codes = await wrk(page, args.connections, args.seconds, conditional)
        report(f"case page, conditional (304) ({codes})", figures(rate, p99), "")


async def interleaved(
    service: str, ceiling: str, args: argparse.Namespace
) -> tuple[float, float, float, float, str]:
    """The service and the ceiling measured in turns (`--rounds` of `--seconds` each, the order
    swapped every round), so that a change in the machine's other load meets both: (service
    req/s, its median p99, ceiling req/s, its median p99, the service's status codes)."""
    runs: dict[str, list[tuple[float, float, str]]] = {service: [], ceiling: []}
    for n in range(args.rounds):
        for url in (service, ceiling) if n % 2 == 0 else (ceiling, service):
            runs[url].append(await wrk(url, args.connections, args.seconds))
    ours, top = runs[service], runs[ceiling]
    codes = ", ".join(sorted({c for _, _, c in ours}))
    return (statistics.fmean(r for r, _, _ in ours), statistics.median(p for _, p, _ in ours),
            statistics.fmean(r for r, _, _ in top), statistics.median(p for _, p, _ in top),
            codes)  # fmt: skip


async def until_gone(url: str, committed: float) -> float:
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(url) as response:
                await response.read()
                if response.status == 410:
                    return time.monotonic() - committed
            await asyncio.sleep(0.005)


async def close_under_load(db: Database, people: tuple[Staff, Staff], public_id: str,
                           bases: list[str], args: argparse.Namespace) -> None:  # fmt: skip
    """(b): the close's commit to 410 in each of two loaded web processes."""
    case = await cases.get_by_public_id(db, public_id)
    assert case is not None
    seconds = max(args.seconds, 6)
    loads = [asyncio.create_task(wrk(f"{base}/alerts/{public_id}", args.connections // 2, seconds))
             for base in bases]  # fmt: skip
    await asyncio.sleep(seconds / 3)
    await pipeline.close(db, people[0], case.id, "found_safe")
    committed = time.monotonic()
    delays = await asyncio.gather(
        *(until_gone(f"{b}/alerts/{public_id}", committed) for b in bases)
    )
    loaded = await asyncio.gather(*loads)
    for n, (delay, (rate, _p99, _)) in enumerate(zip(delays, loaded, strict=True), 1):
        report(f"close's commit to 410, web process {n} of 2 (loaded: {rate:,.0f} req/s)",
               f"{delay * 1000:.0f} ms", "< 1 s", delay / 1.0)  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    root = Path(args.root) if args.root else ROOT
    async with scratch_database(args.dsn) as (url, where):
        print(f"database: {where}; service from {root}", flush=True)
        pool = await create_pool(url, min_size=2, max_size=10)
        db = Database(pool)
        settings = Settings.from_env({}, database_url=url, secure_cookies=False)
        try:
            people = await staff(db)
            public_id = await approved_case(db, settings, people)
            with tempfile.TemporaryDirectory() as scratch:
                tmp = Path(scratch)
                ports = [_free_port(), _free_port()]
                async with service(root, url, ports[0], tmp, "web1"):
                    base = f"http://127.0.0.1:{ports[0]}"
                    await side_by_side(base, public_id, tmp, args)
                    async with service(root, url, ports[1], tmp, "web2"):
                        bases = [base, f"http://127.0.0.1:{ports[1]}"]
                        async with aiohttp.ClientSession() as session:
                            for b in bases:  # warm both
                                async with session.get(f"{b}/alerts/{public_id}") as r:
                                    assert r.status == 200
                        await close_under_load(db, people, public_id, bases, args)
        finally:
            await pool.close()
    print("\n".join(["", "summary:", *ROWS]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL server to create the scratch database on")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=4, help="turns of service and ceiling")
    parser.add_argument("--connections", type=int, default=64, help="wrk's connections")
    parser.add_argument("--root", help="the checkout to run the service from (default: this)")
    arguments = parser.parse_args()
    if arguments.root:
        arguments.root = str(Path(arguments.root).resolve())
    asyncio.run(main(arguments))
