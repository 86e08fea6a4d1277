"""Telegram's refusals in the dispatcher's terms (alerts.channels.base), with no token in their
text."""

from __future__ import annotations

from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.error import RetryAfter as TelegramRetryAfter

from alerts.channels.base import (
    ChannelError,
    ChatMoved,
    PermanentFailure,
    RecipientGone,
    RetryAfter,
    TemporaryFailure,
)
from alerts.logs import scrub

NOT_MODIFIED = "message is not modified"
GONE = ("message to edit not found", "message to delete not found")


class MessageGone(Exception):
    """The message to edit no longer exists."""


def says(err: BadRequest, *texts: str) -> bool:
    """True when Telegram's refusal says one of `texts` (python-telegram-bot capitalises it)."""
    message = err.message.lower()
    return any(text in message for text in texts)


def translate(err: TelegramError) -> ChannelError:
    """The dispatcher's view of a python-telegram-bot error, with no token in its text."""
    if isinstance(err, TelegramRetryAfter):
        wait = err.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return RetryAfter(seconds, f"RetryAfter: {seconds:g} s")
    if isinstance(err, ChatMigrated):
        # python-telegram-bot raises it for Telegram's 400 "group chat was upgraded to a
        # supergroup chat" with parameters.migrate_to_chat_id.
        moved = str(err.new_chat_id)
        return ChatMoved(moved, f"the group became a supergroup (chat id {moved})")
    if isinstance(err, Forbidden):
        # Telegram's words, which python-telegram-bot keeps whole: "Forbidden: bot was ...".
        words = scrub(err.message)
        return RecipientGone(words if words.startswith("Forbidden") else f"Forbidden: {words}")
    if isinstance(err, BadRequest):
        return PermanentFailure(f"BadRequest: {scrub(err.message)}")
    if isinstance(err, InvalidToken):
        return TemporaryFailure("InvalidToken")  # its text holds the token
    if isinstance(err, NetworkError):
        return TemporaryFailure(f"{type(err).__name__}: {scrub(err.message)}")
    return TemporaryFailure(type(err).__name__)
