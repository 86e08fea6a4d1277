"""`python run.py demo` as a real process, for the demo and browser tests: it is started as a new
user starts it, and what it prints (addresses, accounts) is what the tests use."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.support.paths import ROOT
from tests.support.processes import free_port

_ADDRESS = re.compile(r"^  ([A-Z][A-Za-z -]+):\s+(http://\S+)", re.MULTILINE)
_ACCOUNT = re.compile(r"^    [a-z ]+:\s+([a-z]+) / (\S+)$", re.MULTILINE)
_VOLUNTEERS = re.compile(r"Volunteers: (\d+) on Telegram .*?, (\d+) by e-mail")
_LAST_LINE = "Stop with Ctrl+C"


@dataclass(frozen=True)
class Demo:
    """A running demo as its banner describes it."""

    output: str
    addresses: dict[str, str]
    accounts: dict[str, str]
    volunteers: tuple[int, int]  # on Telegram, by e-mail
    log: IO[bytes]

    @property
    def base(self) -> str:
        return self.addresses["Console"].removesuffix("/console")

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def demo_env(data_dir: Path, port: int) -> dict[str, str]:
    """The environment of a new user's shell, with a data folder and a port of the test's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PUBLIC_BASE_URL")}
    env.update(DATA_DIR=str(data_dir), HOST="127.0.0.1", PORT=str(port), LOG_FORMAT="json")
    env.update(LOG_LEVEL="WARNING", PTB_TIMEDELTA="true")
    return env


@contextlib.contextmanager
def running_demo(data_dir: Path, *, timeout: float = 90) -> Iterator[Demo]:
    """`run.py demo` until the block ends (then SIGTERM, as Ctrl+C would)."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "run.py", "demo"], cwd=ROOT, env=demo_env(data_dir, free_port()),
            stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(process, lines), daemon=True)
        reader.start()
        try:
            output = _banner(lines, log, timeout)
            counts = _VOLUNTEERS.search(output)
            yield Demo(
                output=output, addresses=dict(_ADDRESS.findall(output)),
                accounts=dict(_ACCOUNT.findall(output)), log=log,
                volunteers=(int(counts.group(1)), int(counts.group(2))) if counts else (0, 0),
            )  # fmt: skip
        finally:
            _stop(process)
            reader.join(10)
            assert process.stdout is not None
            process.stdout.close()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    """Hand the demo's output over line by line (the pipe is read to its end, never left full)."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _banner(lines: queue.Queue[str | None], log: IO[bytes], timeout: float) -> str:
    """What the demo printed, up to its last line; fails with its log if it never gets there."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while not seen or _LAST_LINE not in seen[-1]:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            log.seek(0)
            raise AssertionError(f"the demo printed no addresses: {log.read().decode()[-3000:]}")
        seen.append(line)
    return "".join(seen)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
