"""The photo benchmark: /healthz while ten 40-megapixel photos are uploaded, and the memory.

    python bench/photos.py [--root PATH] [--dsn URL] [--photos 10] [--quick]

Starts `run.py serve --only web` from `--root` (this checkout by default; give another checkout,
e.g. main's, to measure the code before a change with the same bench) on a scratch database, and
a draft case with an API token. Then, in the same run:

(a) the ceiling: /healthz latency with nothing else going on (one request at a time);
(b) the same /healthz loop while `--photos` 40-megapixel JPEGs (7744 x 5163, 39.98 MP, under
    PHOTO_MAX_BYTES) are uploaded at once to POST /api/cases/{id}/photos;
(c) the server process's peak resident memory (VmHWM), and its resident memory before (b).

Prints p50, p99 and max of each loop and the ratio of (b)'s p99 to (a)'s. The database is
`--dsn`, else TEST_DATABASE_URL, else the local server at postgresql://postgres@127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"
WIDTH, HEIGHT = 7744, 5163  # 39.98 megapixels: just under PHOTO_MAX_PIXELS (40,000,000)


def photo() -> bytes:
    """A 40-megapixel JPEG of a smooth scene with grain (a phone photo's size: 5 to 9 MB)."""
    from PIL import Image, ImageFilter

    small = Image.effect_noise((WIDTH // 8, HEIGHT // 8), 90).convert("RGB")
    big = small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((WIDTH, HEIGHT), 12).filter(ImageFilter.SMOOTH)
    big = Image.blend(big, Image.merge("RGB", (grain, grain, grain)), 0.15)
    out = io.BytesIO()
    big.save(out, "JPEG", quality=85)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def with_database(dsn: str, name: str) -> str:
    base, _, _ = dsn.rpartition("/")
    return f"{base}/{name}"


@contextlib.asynccontextmanager
async def scratch_database(dsn: str) -> AsyncIterator[str]:
    name = f"bench_photos_{os.getpid()}"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(dsn, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def serving(root: Path, database_url: str) -> AsyncIterator[tuple[str, int]]:
    """`run.py serve --only web` from `root`; its base URL and process id once it answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "HOST": "127.0.0.1", "PORT": str(port),
           "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING", "GEOCODER": "offline",
           "PASSWORD_HASH_PROFILE": "fast-insecure-for-tests", "PYTHONPATH": str(root)}  # fmt: skip
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "serve", "--only", "web", cwd=root, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                if process.returncode is not None:
                    log.seek(0)
                    raise SystemExit(log.read().decode()[-3000:])
                await asyncio.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        await process.wait()
        log.close()


async def prepare(database_url: str) -> tuple[str, int]:
    """An API token of a case manager, and a draft case to add the photos to."""
    sys.path.insert(0, str(ROOT))
    from alerts.db import database as db
    from alerts.staff import auth
    from alerts.staff.models import Role

    pool = await db.create_pool(database_url, min_size=1, max_size=2)
    try:
        database = db.Database(pool)
        staff_id = await auth.create_staff(
            database, username="bench", display_name="Bench", role=Role.CASE_MANAGER,
            password="a long enough password",
        )  # fmt: skip
        case_id = await database.conn.fetchval(
            "INSERT INTO cases (public_id, reference, kind, created_by) "
            "VALUES ($1, '2026-00001', 'runaway', $2) RETURNING id",
            secrets.token_urlsafe(8), staff_id,
        )  # fmt: skip
        try:  # the token module since issue 17; before it, in auth (the "before" measurement)
            from alerts.staff import tokens
        except ImportError:
            token = await auth.create_api_token(database, "bench", "bench")  # type: ignore[attr-defined]
        else:
            token = (await tokens.create(database, username="bench", name="bench")).secret
        return token, case_id
    finally:
        await pool.close()


def memory(pid: int) -> dict[str, int]:
    """The process's VmRSS and VmHWM (peak), in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) // 1024
    return values


async def healthz_loop(session: aiohttp.ClientSession, base: str, until: asyncio.Event,
                       at_least: int) -> list[float]:  # fmt: skip
    """Latencies (ms) of /healthz, one request at a time, until `until` is set (and at least
    `at_least` requests)."""
    times: list[float] = []
    while not until.is_set() or len(times) < at_least:
        start = time.perf_counter()
        async with session.get(f"{base}/healthz") as response:
            await response.read()
            assert response.status == 200, response.status
        times.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.005)
    return times


def summary(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


async def upload(session: aiohttp.ClientSession, base: str, token: str, case_id: int,
                 data: bytes) -> tuple[int, float]:  # fmt: skip
    form = aiohttp.FormData()
    form.add_field("photo", data, filename="photo.jpg", content_type="image/jpeg")
    start = time.perf_counter()
    async with session.post(f"{base}/api/cases/{case_id}/photos", data=form,
                            headers={"Authorization": f"Bearer {token}"}) as response:  # fmt: skip
        await response.read()
        return response.status, time.perf_counter() - start


async def run(args: argparse.Namespace) -> None:
    data = photo()
    print(f"photo: {WIDTH} x {HEIGHT} ({WIDTH * HEIGHT / 1e6:.2f} MP), {len(data) / 1e6:.1f} MB")
    print(f"server: {args.root}")
    dsn = args.dsn or os.environ.get("TEST_DATABASE_URL") or LOCAL
    async with scratch_database(dsn) as url, serving(args.root, url) as (base, pid):
        token, case_id = await prepare(url)
        async with aiohttp.ClientSession() as session:
            idle = asyncio.Event()
            idle.set()
            await healthz_loop(session, base, idle, 50)  # warm up
            ceiling = await healthz_loop(session, base, idle, args.idle)
            before = memory(pid)
            done = asyncio.Event()
            probe = asyncio.create_task(healthz_loop(session, base, done, 20))
            start = time.perf_counter()
            results = await asyncio.gather(
                *(upload(session, base, token, case_id, data) for _ in range(args.photos))
            )
            elapsed = time.perf_counter() - start
            done.set()
            loaded = await probe
            after = memory(pid)
    statuses = sorted({status for status, _ in results})
    slowest = max(seconds for _, seconds in results)
    c50, c99, cmax = summary(ceiling)
    l50, l99, lmax = summary(loaded)
    print(f"(a) /healthz alone: {len(ceiling)} requests, p50 {c50:.1f} ms, p99 {c99:.1f} ms, "
          f"max {cmax:.1f} ms")  # fmt: skip
    print(f"(b) /healthz during {args.photos} uploads: {len(loaded)} requests, p50 {l50:.1f} ms, "
          f"p99 {l99:.1f} ms, max {lmax:.1f} ms; p99 ratio to (a) {l99 / c99:.1f}x")  # fmt: skip
    print(
        f"    uploads: statuses {statuses}, all done in {elapsed:.1f} s (slowest {slowest:.1f} s)"
    )
    print(f"(c) server memory: {before['VmRSS']} MB resident before the uploads, peak "
          f"{after['VmHWM']} MB (VmHWM)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--dsn", help="PostgreSQL server URL (a scratch database is made)")
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--idle", type=int, default=300, help="/healthz requests for (a)")
    parser.add_argument("--quick", action="store_true", help="2 photos, 100 idle requests")
    args = parser.parse_args()
    if args.quick:
        args.photos, args.idle = 2, 100
    args.root = args.root.resolve()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
