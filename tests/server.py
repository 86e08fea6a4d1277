"""Run `python run.py serve` as a real process for tests that need a live server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import IO

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
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
