"""The service as real processes: `run.py` commands run to their end, `run.py serve` as a live
server, dispatchers (`run.py serve --only dispatch`) with their logs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from typing import IO, Any

import aiohttp

from alerts.config import Settings
from sandbox.telegram.server import TelegramSandbox
from tests.support.dispatch import TOKEN, eventually
from tests.support.paths import ROOT


def free_port() -> int:
    """A TCP port nothing listens on (for a moment)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def run_cli(*args: str, env: Mapping[str, str], stdin: bytes = b"") -> str:
    """Run `python run.py ARGS` to the end; its standard output (fails on a non-zero exit)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", *args, cwd=ROOT, env={**os.environ, **env},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


@contextlib.asynccontextmanager
async def serving(env: Mapping[str, str], wait: float = 60) -> AsyncIterator[str]:
    """`run.py serve` running with `env`; its base URL once /healthz answers."""
    port = free_port()
    full_env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), **env}
    # The log goes to a file: an undrained pipe would fill up and stall the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "serve", cwd=ROOT, env=full_env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(base, process, log, wait)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def _wait_healthy(
    base: str, process: asyncio.subprocess.Process, log: IO[bytes], wait: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            if process.returncode is not None:
                log.seek(0)
                raise AssertionError(log.read().decode()[-3000:])
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise AssertionError(f"run.py serve did not answer /healthz within {wait} s")


# -- dispatchers ---------------------------------------------------------------------------------


class Worker:
    """One `run.py serve --only dispatch` process and its log."""

    def __init__(self, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
        self.process = process
        self.log = log

    def lines(self) -> list[dict[str, Any]]:
        self.log.seek(0)
        text = self.log.read().decode()
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def raw(self) -> str:
        self.log.seek(0)
        return self.log.read().decode()

    async def started(self) -> bool:
        if self.process.returncode is not None:
            raise AssertionError(self.raw()[-3000:])
        return any(line.get("action") == "dispatch.started" for line in self.lines())


@contextlib.asynccontextmanager
async def workers(count: int, env: dict[str, str]) -> AsyncIterator[list[Worker]]:
    """`count` dispatcher processes with `env`, once each has started; stopped at exit."""
    started: list[Worker] = []
    try:
        for _ in range(count):
            started.append(await _start(env))
        for worker in started:
            await eventually(worker.started, within=30)
        yield started
    finally:
        for worker in started:
            if worker.process.returncode is None:
                worker.process.terminate()
                await asyncio.wait_for(worker.process.wait(), 20)
            worker.log.close()


async def _start(env: dict[str, str]) -> Worker:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - workers() closes it
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "serve", "--only", "dispatch", cwd=ROOT,
        env={**os.environ, **env}, stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    return Worker(process, log)


def worker_env(settings: Settings, sandbox: TelegramSandbox, **extra: str) -> dict[str, str]:
    """The environment of a dispatcher process on the test's database, sending to `sandbox`."""
    return {
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sandbox.base_url,
        "TELEGRAM_FILE_URL": sandbox.base_file_url,
        "SMTP_URL": "",
        "DISPATCH_POLL_SECONDS": "0.2",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "PTB_TIMEDELTA": "true",
        **extra,
    }
