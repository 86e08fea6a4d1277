"""The Telegram bot's tests' helpers: a sandbox user talking to the bot, the service started with
its bot on the sandbox (the `start` fixture), a volunteer signed up through the conversation.

A module using them sets the sandbox's options with
`pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from sandbox.telegram.records import MessageSnapshot, SandboxUser
from sandbox.telegram.server import TelegramSandbox
from tests.support.processes import free_port

TOKEN = "7123456789:AAFbotTokenForTheVolunteerTests_01234"
SECRET = "webhook-Secret_42"
Client = TestClient[Any, Any]
GENT = (51.0543, 3.7174)  # shared by the phone, exact: must be stored rounded


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `check()` is true; AssertionError after `within` seconds."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.01)


class Chat:
    """A sandbox user talking to the bot; each action waits until the bot has answered."""

    def __init__(self, sandbox: TelegramSandbox, user: SandboxUser) -> None:
        self.sandbox, self.user = sandbox, user

    def bot_messages(self) -> list[MessageSnapshot]:
        return [m for m in self.sandbox.messages(self.user.id) if m.from_bot]

    def _actions(self) -> int:
        return sum(len(m.history) for m in self.bot_messages())

    @property
    def last(self) -> MessageSnapshot:
        return self.bot_messages()[-1]

    async def send(self, words: str, replies: int = 1) -> MessageSnapshot:
        before = self._actions()
        self.sandbox.user_sends_text(self.user.id, words)
        await until(lambda: self._actions() >= before + replies)
        return self.last

    async def share(self, lat: float, lon: float) -> MessageSnapshot:
        before = self._actions()
        self.sandbox.user_shares_location(self.user.id, lat, lon)
        await until(lambda: self._actions() >= before + 1)
        return self.last

    async def press(self, data: str) -> MessageSnapshot:
        """Tap the newest button with this callback data; wait for the bot's answer."""
        message = next(m for m in reversed(self.bot_messages()) if data in callbacks(m))
        update = self.sandbox.user_presses_button(self.user.id, message.message_id, data)
        query_id = update["callback_query"]["id"]
        await until(lambda: self.sandbox.callback_answer(query_id) is not None)
        return self.last


def callbacks(message: MessageSnapshot) -> list[str]:
    """The callback data of a message's inline buttons, row by row."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button.get("callback_data", "") for row in rows for button in row]


def bot_settings(settings: Settings, sandbox_url: str, port: int, **changes: Any) -> Settings:
    """`settings` with the bot on, talking to the sandbox at `sandbox_url`, served on `port`."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN, "telegram_api_url": f"{sandbox_url}/bot",
        "telegram_file_url": f"{sandbox_url}/file/bot", "telegram_mode": "webhook",
        "telegram_webhook_secret": SECRET, "public_base_url": f"http://127.0.0.1:{port}",
    }  # fmt: skip
    return dataclasses.replace(settings, **{**values, **changes})


Start = Callable[..., Awaitable[Client]]


@pytest.fixture
def start(sandbox: TelegramSandbox, settings: Settings, aiohttp_client: Any) -> Start:
    """Start the service with its bot; in webhook mode, wait until the webhook is set.

    The sandbox and the database come first so that they outlive the service.
    """

    async def run(**changes: Any) -> Client:
        port = free_port()
        configured = bot_settings(settings, sandbox.url, port, **changes)
        client: Client = await aiohttp_client(create_app(configured), server_kwargs={"port": port})
        if configured.telegram_mode == "webhook":
            await until(lambda: sandbox.webhook() is not None)
        return client

    return run


def chat(sandbox: TelegramSandbox, lang: str = "en") -> Chat:
    """A new sandbox user, about to talk to the bot."""
    return Chat(sandbox, sandbox.create_user(language_code=lang))


async def sign_up(sandbox: TelegramSandbox, lang: str = "en") -> Chat:
    """A new sandbox user signed up as a volunteer at GENT (10 km)."""
    person = chat(sandbox, lang)
    await person.send("/start")
    await person.press(f"lang:{lang}")
    await person.share(*GENT)
    await person.press("radius:10")
    await person.press("confirm:yes")
    return person
