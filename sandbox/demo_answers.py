"""The demo's volunteers answer the alerts they get on Telegram, as people would: some of them,
a few seconds after the alert arrives, press one of its buttons in the sandbox ("I can help",
"I am nearby now", "Not available"). The bot receives the press as it would from Telegram and
records the answer, so that a case's figures show answers per distance ring within the demo's
five minutes. Who answers and what is drawn from the chat and message ids: the same at every
run."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Iterable

from aiohttp import web

from alerts.db.database import CleanupCtx
from sandbox.telegram.control import SandboxControlError
from sandbox.telegram.records import MessageSnapshot
from sandbox.telegram.server import TelegramSandbox

# Of the alerts received, the share answered with each answer (the rest stay unanswered).
SHARES = (("help", 0.2), ("nearby", 0.1), ("unavailable", 0.15))
DELAY = (2.0, 10.0)  # seconds after the alert arrives
POLL = 1.0
BUTTON = "ans:help"


class Answering:
    """The demo volunteers' presses: `step()` looks at their chats and presses what is due."""

    def __init__(self, sandbox: TelegramSandbox, chats: Iterable[int]) -> None:
        self.sandbox = sandbox
        self.chats = list(chats)
        self.seen: set[tuple[int, int]] = set()
        self.due: dict[tuple[int, int], tuple[float, str]] = {}

    def step(self, now: float) -> int:
        """Plan an answer for each new alert, press those due at `now`; how many were pressed."""
        for chat in self.chats:
            with contextlib.suppress(SandboxControlError):
                for message in self.sandbox.messages(chat):
                    self._plan(chat, message, now)
        pressed = 0
        for key, (at, answer) in list(self.due.items()):
            if at <= now:
                del self.due[key]
                with contextlib.suppress(SandboxControlError):  # deleted, or the user blocked
                    self.sandbox.user_presses_button(key[0], key[1], f"ans:{answer}")
                    pressed += 1
        return pressed

    def _plan(self, chat: int, message: MessageSnapshot, now: float) -> None:
        key = (chat, message.message_id)
        markup = message.reply_markup or {}
        buttons = [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]
        if key in self.seen or not message.from_bot or message.deleted or BUTTON not in buttons:
            return
        self.seen.add(key)
        draw = random.Random(f"{chat}:{key[1]}")
        pick, total = draw.random(), 0.0
        for answer, share in SHARES:
            total += share
            if pick < total:
                self.due[key] = (now + draw.uniform(*DELAY), answer)
                return


def answering(sandbox: TelegramSandbox, chats: Iterable[int]) -> CleanupCtx:
    """A cleanup context that runs the demo volunteers' answers beside the demo."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        answers = Answering(sandbox, chats)

        async def loop() -> None:
            while True:
                answers.step(time.monotonic())
                await asyncio.sleep(POLL)

        task = asyncio.create_task(loop(), name="demo-answers")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx
