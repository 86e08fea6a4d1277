"""The Telegram bot in production: python-telegram-bot running inside our aiohttp server.

Webhook mode (TELEGRAM_MODE=webhook): at start the bot calls setWebhook with
TELEGRAM_WEBHOOK_SECRET, and Telegram posts each update to POST /telegram/webhook with that
secret in a header; an update without it, or with a wrong one, gets 403 and is never processed.
Polling mode (TELEGRAM_MODE=polling) fetches updates with getUpdates, for setups without a
public URL. Either way the bot starts with the web application when TELEGRAM_BOT_TOKEN is set,
keeps retrying while Telegram cannot be reached (the rest of the service runs on), and stops
with it. alerts.web.public.telegram registers the route and the lifecycle.

The token is part of every Bot API URL. python-telegram-bot logs those URLs at DEBUG and puts the
token into InvalidToken's message, so a filter on its loggers scrubs the token from every record
and, at DEBUG, drops the arguments too (they are updates and requests: people's messages).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from alerts.bot import updates
from alerts.bot.conversation import Conversation
from alerts.channels.tg_request import AiohttpRequest
from alerts.config import Settings
from alerts.i18n import LANGUAGES, N_, in_language
from alerts.logs import scrub

# python-telegram-bot 22 warns on every RetryAfter unless it may use timedelta periods.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# Edited messages: only for a searcher's live location (alerts/bot/search_buttons.py).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
LIVE_GROUP = -50  # after the repeated updates' check, before the sightings' group (-1)
# The command menu, in this order: each command and what it does.
COMMANDS = {
    "start": N_("Sign up for alerts near you"),
    "sighting": N_("Report a sighting"),
    "settings": N_("Language, areas, quiet hours, my data"),
    "stop": N_("Stop the alerts"),
    "help": N_("Help"),
}
SORRY = N_("Sorry, something went wrong on our side. Please try again in a moment.")
MODES = ("webhook", "polling")
# A %-style placeholder in a log message.
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGc]")
# What Telegram accepts as a webhook secret token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_RETRY_DELAY = 60.0
POLL_TIMEOUT = 10


class TokenScrubber(logging.Filter):
    """Removes bot tokens from python-telegram-bot's records, and DEBUG records' arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def scrub(self, value: str) -> str:
        for token in self.tokens:
            value = value.replace(token, "<token>")
        return scrub(value)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG and record.args:
            # Keep what happened, drop the data: each placeholder becomes <redacted>.
            record.msg = _PLACEHOLDER.sub("<redacted>", str(record.msg))
            record.args = ()
        record.msg = self.scrub(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(self.scrub(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


SCRUBBER = TokenScrubber()


def _guard_telegram_logs(token: str) -> None:
    """Put the scrubber on every logger python-telegram-bot has (all exist once imported)."""
    SCRUBBER.tokens.add(token)
    # alerts.channels.tg_request scrubs its own messages; these are python-telegram-bot's.
    for name, logger in logging.root.manager.loggerDict.items():
        if name.split(".")[0] == "telegram" and isinstance(logger, logging.Logger):
            logger.addFilter(SCRUBBER)
    logging.getLogger("telegram").addFilter(SCRUBBER)


def check_settings(settings: Settings) -> None:
    """Refuse to start a bot that would be open to forged updates or misconfigured."""
    if settings.telegram_mode not in MODES:
        raise ValueError(f"TELEGRAM_MODE must be one of {', '.join(MODES)}")
    if settings.telegram_mode == "webhook" and not _SECRET.fullmatch(
        settings.telegram_webhook_secret
    ):
        raise ValueError(
            "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode: 1 to 256 characters among "
            "A-Z, a-z, 0-9, _ and -"
        )


def build_application(
    settings: Settings, conversation: Conversation
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot Application, on our aiohttp transport, with the handlers."""
    _guard_telegram_logs(settings.telegram_bot_token)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=2))
        # One chat's updates are kept in order by the conversation's lock; other chats go on.
        .concurrent_updates(True)
    )
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)  # our aiohttp route feeds the update queue
    application = builder.build()
    once = updates.Once(conversation.db, settings.telegram_bot_token)
    application.add_handler(once.handler(), group=updates.GROUP)  # a repeated update: dropped
    application.add_handler(conversation.searches.live_handler(), group=LIVE_GROUP)
    application.add_handlers(conversation.handlers())
    application.add_error_handler(_on_error)
    return application


@dataclass
class TelegramBot:
    """The running bot: the Application, and whether it is ready to take updates."""

    settings: Settings
    application: Application[Any, Any, Any, Any, Any, Any]
    ready: asyncio.Event = field(default_factory=asyncio.Event)


async def run(bot: TelegramBot) -> None:
    """Start the bot (retrying while Telegram is unreachable), run until cancelled, stop it."""
    application = bot.application
    try:
        if not await _retrying("initialize", application.initialize):
            return
        await application.start()
        bot.ready.set()
        await _set_commands(bot)
        if bot.settings.telegram_mode == "webhook":
            await _retrying("set the webhook", lambda: _set_webhook(bot))
        else:
            await _retrying("start polling", lambda: _start_polling(bot))
        log.info("telegram bot running", extra={"action": "telegram_started",
                                                "mode": bot.settings.telegram_mode})  # fmt: skip
        await asyncio.Event().wait()
    except Exception as exc:  # the web service must survive a broken bot
        log.error("telegram bot failed", extra={"action": "telegram_failed",
                                                "error": type(exc).__name__})  # fmt: skip
    finally:
        await _stop(application)


async def _retrying(what: str, action: Callable[[], Awaitable[object]]) -> bool:
    """Run `action` until it succeeds (True), or until Telegram refuses the token (False)."""
    delay = 1.0
    while True:
        try:
            await action()
            return True
        except InvalidToken:
            # Its message quotes the token: say what happened, not what it says.
            log.error("Telegram refused the bot token; the bot stays off",
                      extra={"action": "telegram_invalid_token"})  # fmt: skip
            return False
        except RetryAfter as exc:
            delay = max(delay, _seconds(exc.retry_after))
        except TelegramError as exc:
            log.warning(
                "Telegram cannot be reached to %s; retrying in %.0f s", what, delay,
                extra={"action": "telegram_unreachable", "error": type(exc).__name__,
                       "detail": SCRUBBER.scrub(str(exc))},
            )  # fmt: skip
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_DELAY)


def _seconds(value: Any) -> float:
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def _set_webhook(bot: TelegramBot) -> None:
    url = f"{bot.settings.public_base_url.rstrip('/')}{WEBHOOK_PATH}"
    await bot.application.bot.set_webhook(
        url, secret_token=bot.settings.telegram_webhook_secret,
        allowed_updates=list(ALLOWED_UPDATES),
    )  # fmt: skip


async def _start_polling(bot: TelegramBot) -> None:
    updater = bot.application.updater
    assert updater is not None
    await updater.start_polling(
        poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=list(ALLOWED_UPDATES)
    )


async def _set_commands(bot: TelegramBot) -> None:
    """The command menu in each language (and English for everyone else)."""
    try:
        for lang in (None, *LANGUAGES):
            commands = [BotCommand(c, in_language(lang, what)) for c, what in COMMANDS.items()]
            await bot.application.bot.set_my_commands(commands, language_code=lang)
    except TelegramError as exc:  # a missing menu is no reason to stay off
        log.warning("could not set the bot's commands",
                    extra={"action": "telegram_commands", "error": type(exc).__name__})  # fmt: skip


async def _stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling, update processing and the HTTP sessions; one step failing (Telegram gone
    away) must not keep the others from running."""
    steps: list[Callable[[], Awaitable[object]]] = []
    if application.updater is not None and application.updater.running:
        steps.append(application.updater.stop)
    if application.running:
        steps.append(application.stop)
    # shutdown() skips the bot when initialize() never succeeded; its HTTP sessions must close.
    steps += [application.shutdown, application.bot.shutdown]
    for step in steps:
        try:
            await step()
        except TelegramError as exc:
            log.warning("telegram bot did not stop cleanly",
                        extra={"action": "telegram_stop", "error": type(exc).__name__})  # fmt: skip


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed: log it (no personal data) and tell the person to try again."""
    error = context.error
    log.error("bot update failed", exc_info=error,
              extra={"action": "bot_error", "error": type(error).__name__})  # fmt: skip
    if isinstance(update, Update) and update.effective_chat is not None:
        user = update.effective_user
        lang = (user.language_code or "en")[:2] if user else "en"
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, in_language(lang, SORRY))
