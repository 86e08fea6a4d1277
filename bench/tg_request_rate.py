"""sendMessage/s through python-telegram-bot against the Telegram sandbox, limits switched off.

    python bench/tg_request_rate.py [--transport aiohttp|httpx] [--in-process]

By default the sandbox runs in a child process (its own core, like Telegram's servers would be
somewhere else); `--in-process` shares one event loop between sandbox and bot. The figure is
printed with its ratio to the 1,000 messages/s of Telegram's paid broadcast, the rate a fan-out
must be able to reach.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import telegram
from telegram.request import BaseRequest, HTTPXRequest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.channels.tg_request import AiohttpRequest
from sandbox.telegram.server import SandboxConfig, TelegramSandbox

TOKEN = "123456789:" + "b" * 35
TARGET_PER_SECOND = 1000
CHATS = 200

_CHILD = """
import asyncio, sys
from channels.telegram_sandbox import SandboxConfig, TelegramSandbox
async def main():
    config = SandboxConfig(token=sys.argv[2], limits_enabled=False)
    async with TelegramSandbox(config, port=int(sys.argv[1])) as sandbox:
        for _ in range({chats}):
            sandbox.create_user()
        print("ready", flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def sandbox_elsewhere() -> AsyncIterator[str]:
    port = _free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD.format(chats=CHATS),
        str(port),
        TOKEN,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        await child.stdout.readline()  # "ready"
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        child.terminate()
        await child.wait()


@contextlib.asynccontextmanager
async def sandbox_here() -> AsyncIterator[str]:
    async with TelegramSandbox(SandboxConfig(token=TOKEN, limits_enabled=False)) as sandbox:
        for _ in range(CHATS):
            sandbox.create_user()
        yield sandbox.base_url


def make_request(transport: str, concurrency: int) -> BaseRequest:
    if transport == "httpx":
        return HTTPXRequest(connection_pool_size=concurrency)
    return AiohttpRequest(connection_pool_size=concurrency)


async def measure(base_url: str, transport: str, messages: int, concurrency: int) -> float:
    request = make_request(transport, concurrency)
    first_chat = 100_000_001  # the sandbox's first automatic user id
    async with telegram.Bot(TOKEN, base_url=base_url, request=request) as bot:
        queue = iter(range(min(500, messages)))

        async def sender() -> None:
            for n in queue:
                await bot.send_message(first_chat + n % CHATS, f"Alert {n}: have you seen her?")

        await asyncio.gather(*(sender() for _ in range(concurrency)))  # warm-up pass
        queue = iter(range(messages))
        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return messages / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["aiohttp", "httpx"], default="aiohttp")
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    where = sandbox_here() if args.in_process else sandbox_elsewhere()
    async with where as base_url:
        rate = await measure(base_url, args.transport, args.messages, args.concurrency)
    place = "in-process" if args.in_process else "separate process"
    print(
        f"sendMessage/s via {args.transport} (sandbox {place}): {rate:,.0f} "
        f"= {rate / TARGET_PER_SECOND:.2f} x the {TARGET_PER_SECOND}/s paid-broadcast rate"
    )


if __name__ == "__main__":
    asyncio.run(main())
