"""The Telegram sandbox's faults (sandbox.telegram.faults), seen by the real python-telegram-bot
client on the service's own transport: unreachable, slow, 429 and 500, for a while or until
ended, switched from Python and over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import telegram
from telegram.error import NetworkError, RetryAfter

from alerts.channels.tg_request import AiohttpRequest
from sandbox.telegram.server import SandboxControlError, TelegramSandbox

TOKEN = "123456789:AAHsandboxTokenForTests_0123456789ab"
pytestmark = pytest.mark.sandbox(token=TOKEN)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    request = AiohttpRequest(read_timeout=5.0, connect_timeout=1.0)
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url, request=request) as client:
        yield client


async def raw_call(sandbox: TelegramSandbox, method: str) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.base_url}{TOKEN}/{method}") as response,
    ):
        return response.status, await response.json()


async def test_429_answers_as_telegram_does_and_is_not_counted_as_a_broken_limit(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    chat = sandbox.create_user().id
    sandbox.fail("429", retry_after=7)
    status, body = await raw_call(sandbox, "getMe")
    assert (status, body) == (429, {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    })  # fmt: skip
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat, "hello")
    assert caught.value.retry_after == timedelta(seconds=7)
    assert sandbox.messages(chat) == []
    assert sandbox.counters().refused == {}  # the client broke no limit
    assert sandbox.state.faults.hits["429"] == 2
    sandbox.recover()
    await bot.send_message(chat, "hello")
    assert len(sandbox.messages(chat)) == 1


async def test_500_answers_internal_server_error_until_it_ends_by_itself(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    chat = sandbox.create_user().id
    sandbox.fail("500", seconds=0.5)
    status, body = await raw_call(sandbox, "sendMessage")
    assert (status, body) == (500, {
        "ok": False, "error_code": 500, "description": "Internal Server Error"})  # fmt: skip
    with pytest.raises(NetworkError):  # python-telegram-bot's name for a 5xx
        await bot.send_message(chat, "hello")
    await asyncio.sleep(0.6)
    assert sandbox.fault() is None
    await bot.send_message(chat, "hello")
    assert len(sandbox.messages(chat)) == 1


async def test_slow_answers_each_call_after_the_delay(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    chats = [sandbox.create_user().id for _ in range(3)]
    sandbox.fail("slow", delay=0.4)
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(chat, "hello") for chat in chats))
    assert time.monotonic() - started >= 0.4
    assert all(len(sandbox.messages(chat)) == 1 for chat in chats)


async def test_unreachable_refuses_new_connections_and_cuts_open_ones(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    chat = sandbox.create_user().id
    await bot.send_message(chat, "before")  # a pooled connection stays open
    sandbox.fail("unreachable", seconds=1.0)
    for _ in range(3):
        with pytest.raises(NetworkError):
            await bot.send_message(chat, "during")
    with pytest.raises(aiohttp.ClientConnectorError):  # a new connection: refused
        await raw_call(sandbox, "getMe")
    assert [m.text for m in sandbox.messages(chat)] == ["before"]
    await asyncio.sleep(1.2)  # it ends by itself and listens again on the same port
    await bot.send_message(chat, "after")
    assert [m.text for m in sandbox.messages(chat)] == ["before", "after"]


async def test_faults_are_switched_over_http_from_another_process(
    sandbox: TelegramSandbox,
) -> None:
    api = f"{sandbox.url}/sandbox/api/faults"
    async with aiohttp.ClientSession() as http:
        async with http.post(api, json={"mode": "429", "retry_after": 3}) as response:
            assert response.status == 200
            assert (await response.json())["fault"]["mode"] == "429"
        assert (await raw_call(sandbox, "getMe"))[0] == 429
        async with http.delete(api) as response:
            assert (await response.json()) == {"fault": None, "hits": {"429": 1}}
        assert (await raw_call(sandbox, "getMe"))[0] == 200
        # Unreachable, it could not be reached to be ended: it needs a duration.
        async with http.post(api, json={"mode": "unreachable"}) as response:
            assert response.status == 400
        async with http.post(api, json={"mode": "sideways", "seconds": 1}) as response:
            assert response.status == 400
    with pytest.raises(SandboxControlError):
        sandbox.fail("500", seconds=0)


async def test_connections_met_by_unreachable_coming_and_going_are_each_refused_or_served(
    sandbox: TelegramSandbox,
) -> None:
    """Clients keep connecting while the sandbox stops and starts listening many times: each
    connection is refused, cut or served, and none is left half-made (asyncio's server, closed
    just after it accepted a connection, dropped it unclosed: a ResourceWarning in a CI run)."""
    stop = asyncio.Event()

    async def connect_again_and_again() -> None:
        while not stop.is_set():
            try:
                _, writer = await asyncio.open_connection(sandbox.host, sandbox.port)
            except OSError:
                await asyncio.sleep(0)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    clients = [asyncio.create_task(connect_again_and_again()) for _ in range(8)]
    for _ in range(100):
        sandbox.fail("unreachable", seconds=0.005)
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*clients)
    assert sandbox.fault() is None
    gc.collect()  # a transport dropped unclosed warns here, and the warning fails the test
    assert (await raw_call(sandbox, "getMe"))[0] == 200
