"""The sandbox page's chat with the bot: the person trying the demo is one more Telegram user
("You"), so they can sign up as a volunteer through the bot as anyone would on Telegram.

What they type and the buttons they press become real Bot API updates in the sandbox, which
pushes them to the service's webhook; the page then shows the bot's answers. Used by the sandbox
page (sandbox/page.py), so only in the demo.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.telegram.control import SandboxControl, SandboxControlError
from sandbox.telegram.records import MessageSnapshot

YOU = 899_999_999  # below the demo volunteers' chat ids (sandbox/demo_data.py)
MAX_TEXT = 1000
# How long a post waits for the bot's answer before the page is shown (the webhook is local).
ANSWER_WAIT = 5.0
# Seconds without a new message or edit after which the bot is taken to be done answering. Over
# a second: the sandbox holds the bot to Telegram's one message a second per chat, so the second
# message of an answer (an edit, then the next question) comes a second after the first.
_QUIET = 1.2


@dataclass(frozen=True, kw_only=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, kw_only=True)
class Line:
    """One message of the chat, as the person's phone shows it."""

    message_id: int
    from_bot: bool
    at: datetime
    text: str
    deleted: bool
    buttons: tuple[tuple[Button, ...], ...]


def ensure_user(control: SandboxControl) -> None:
    """The demo visitor's Telegram user (kept when it exists: they may have signed up)."""
    with contextlib.suppress(SandboxControlError):
        control.create_user(YOU, "You", language_code="en")


def chat(control: SandboxControl) -> list[Line]:
    """The conversation between the visitor and the bot, oldest first."""
    return [_line(message) for message in control.messages(YOU)]


def _line(message: MessageSnapshot) -> Line:
    content = message.content
    text = content.text or content.caption or ""
    if content.location is not None:
        text = f"📍 {content.location[0]:.4f}, {content.location[1]:.4f}"
    rows = (content.reply_markup or {}).get("inline_keyboard", [])
    buttons = tuple(
        tuple(Button(label=b["text"], data=b["callback_data"]) for b in row if "callback_data" in b)
        for row in rows
    )
    return Line(
        message_id=message.message_id, from_bot=message.from_bot,
        at=datetime.fromtimestamp(message.edit_date or message.date, UTC), text=text,
        deleted=message.deleted, buttons=() if message.deleted else buttons,
    )  # fmt: skip


async def say(control: SandboxControl, text: str) -> None:
    """The visitor writes `text` to the bot; returns once the bot has answered (or a while)."""
    text = text.strip()[:MAX_TEXT]
    if text:
        before = _shape(control)
        control.user_sends_text(YOU, text)
        await _answered(control, before)


async def press(control: SandboxControl, message_id: int, data: str) -> None:
    """The visitor taps a button of one of the bot's messages."""
    before = _shape(control)
    try:
        control.user_presses_button(YOU, message_id, data)
    except SandboxControlError:  # an old page: the button is gone
        return
    await _answered(control, before)


def _shape(control: SandboxControl) -> tuple[object, ...]:
    """What changes when the bot answers: its messages, their contents and deletions."""
    return tuple((m.message_id, m.deleted, m.content) for m in control.messages(YOU) if m.from_bot)


async def _answered(control: SandboxControl, before: tuple[object, ...]) -> None:
    """Wait until the bot has answered and then stayed quiet for a moment (an answer may take
    two messages: an edit of the question, then the next question), or ANSWER_WAIT at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_WAIT
    shape, quiet_since = before, loop.time()
    # Polled: the sandbox has no signal for a bot's answer.
    while loop.time() < deadline:
        await asyncio.sleep(0.05)
        now = _shape(control)
        if now != shape:
            shape, quiet_since = now, loop.time()
        elif shape != before and loop.time() - quiet_since >= _QUIET:
            return
