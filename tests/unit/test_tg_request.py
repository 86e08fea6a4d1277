"""AiohttpRequest carries python-telegram-bot's calls, maps failures, and never leaks the token."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import telegram
from aiohttp import web
from telegram import InputMediaPhoto
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from alerts.channels.tg_request import AiohttpRequest, scrub_token
from sandbox.telegram.server import TelegramSandbox
from tests.support.images import jpeg
from tests.support.processes import free_port

TOKEN = "123456789:AAHrequestTokenForTests_0123456789a"
pytestmark = pytest.mark.sandbox(token=TOKEN, global_per_second=30)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    ) as client:
        yield client


async def test_send_message_goes_through(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user()

    sent = await bot.send_message(user.id, "<i>Vermist</i>: Lotte", parse_mode="HTML")

    assert sent.text == "Vermist: Lotte"
    assert sandbox.messages(user.id)[0].text_markup == "<i>Vermist</i>: Lotte"


async def test_photos_are_uploaded_as_multipart_and_edited_with_attach(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    sandbox.configure(limits_enabled=False)
    user = sandbox.create_user()
    image = jpeg(color="red")

    sent = await bot.send_photo(user.id, image, caption="Lotte, 14", protect_content=True)
    neutral = InputMediaPhoto(jpeg(color="grey"), caption="Ingetrokken")
    edited = await bot.edit_message_media(neutral, chat_id=user.id, message_id=sent.id)

    assert isinstance(edited, telegram.Message)
    assert sent.has_protected_content and sent.caption == "Lotte, 14"
    assert sandbox.file_bytes(sent.photo[-1].file_id) == image
    assert edited.caption == "Ingetrokken"
    assert sandbox.file_bytes(edited.photo[-1].file_id) == jpeg(color="grey")


async def test_telegram_errors_keep_their_meaning(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    await bot.send_message(user.id, "first")

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(user.id, "second")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(1, "nobody")

    assert refused.value.retry_after == timedelta(seconds=1)


async def test_a_long_poll_returns_when_a_user_writes(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)

    sandbox.user_sends_text(user.id, "/start")

    [update] = await asyncio.wait_for(poll, 2)
    assert update.message is not None and update.message.text == "/start"


async def test_a_long_poll_outlasts_the_read_timeout(sandbox: TelegramSandbox) -> None:
    # ptb adds the poll's own timeout to the read timeout; a 0.2 s socket read limit must not
    # cut a 1 s long-poll short.
    polling = AiohttpRequest(read_timeout=0.2)
    async with telegram.Bot(
        TOKEN, base_url=sandbox.base_url, request=AiohttpRequest(), get_updates_request=polling
    ) as bot:
        assert await bot.get_updates(timeout=1) == ()


async def test_an_unreachable_server_is_a_network_error_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = AiohttpRequest()
    bot = telegram.Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{free_port()}/bot",
        request=request,
        get_updates_request=AiohttpRequest(),
    )
    await request.initialize()
    # Enabled after Bot() on purpose: ptb itself logs its base URL, token included, at DEBUG.
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.raises(NetworkError) as failed:
            await bot.send_message(1, "hello")
    finally:
        await request.shutdown()

    rendered = "".join(traceback.format_exception(failed.value))
    assert str(failed.value).startswith("aiohttp.ClientConnectorError: Cannot connect to host")
    assert TOKEN not in rendered and TOKEN.split(":")[1] not in rendered
    logged = [logging.Formatter().format(record) for record in caplog.records]
    assert any("Telegram request failed" in line for line in logged)
    assert not [line for line in logged if TOKEN.split(":")[1] in line]


async def test_a_slow_server_is_a_timeout_without_the_token() -> None:
    async def never_answers(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response()

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", never_answers)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base_url = f"http://127.0.0.1:{runner.addresses[0][1]}/bot"
    request = AiohttpRequest(read_timeout=0.1)
    bot = telegram.Bot(TOKEN, base_url=base_url, request=request, get_updates_request=request)
    await request.initialize()
    try:
        with pytest.raises(TimedOut) as failed:
            await bot.send_message(1, "hello")
    finally:
        await request.shutdown()
        await runner.cleanup()

    assert TOKEN not in "".join(traceback.format_exception(failed.value))


async def test_an_uninitialized_request_refuses_to_send() -> None:
    bot = telegram.Bot(
        TOKEN,
        base_url="http://127.0.0.1:9/bot",
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    )

    with pytest.raises(NetworkError, match="not initialized"):
        await bot.send_message(1, "hello")


async def test_an_error_that_quotes_the_url_is_scrubbed_and_not_chained() -> None:
    request = AiohttpRequest()
    bot = telegram.Bot(
        TOKEN, base_url="http://127.0.0.1:99999/bot", request=request, get_updates_request=request
    )
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await bot.send_message(1, "hello")
    finally:
        await request.shutdown()

    assert str(failed.value) == (
        "aiohttp.InvalidUrlClientError: http://127.0.0.1:99999/bot<token>/sendMessage"
    )
    assert TOKEN.split(":")[1] not in "".join(traceback.format_exception(failed.value))


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:1/bot{TOKEN}/sendMessage",
        f"https://api.telegram.org/file/bot{TOKEN}/photos/file_1.jpg",
    ],
)
def test_the_token_is_scrubbed_from_error_texts(url: str) -> None:
    text = f"failed: {url} (quoted: {TOKEN.replace(':', '%3A')}); also {TOKEN}"

    scrubbed = scrub_token(text, url)

    assert TOKEN.split(":")[1] not in scrubbed
    assert "bot<token>" in scrubbed
