"""The Telegram bot's place in the web application: its webhook route, and the bot started and
stopped with the application (alerts.bot.service runs it, alerts.bot.* holds its handlers).

`setup(app)` registers POST /telegram/webhook and a cleanup context that, when
TELEGRAM_BOT_TOKEN is set, builds the bot on the application's database, geocoder and sighting
limits, and runs it until the application stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from alerts.bot.answers import AnswerButtons
from alerts.bot.conversation import Conversation
from alerts.bot.service import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    TelegramBot,
    build_application,
    check_settings,
)
from alerts.bot.service import run as run_bot
from alerts.bot.sightings import GROUP, SightingBot
from alerts.sightings.intake import Limits
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public.sightings import LIMITS

log = logging.getLogger(__name__)

BOT = web.AppKey("telegram_bot", TelegramBot)


def setup(app: web.Application) -> None:
    """Register the webhook route and start the bot with the app (when a token is set)."""
    app.router.add_post(WEBHOOK_PATH, webhook, name="telegram_webhook")
    app.cleanup_ctx.append(_telegram_ctx)


async def _telegram_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    if not settings.telegram_bot_token:
        yield
        return
    check_settings(settings)
    conversation = Conversation(app[keys.DB], app[keys.GEOCODER], settings)
    bot = TelegramBot(settings=settings, application=build_application(settings, conversation))
    register_sightings(bot.application, app)  # /sighting and replies to alerts, first
    app[BOT] = bot
    task = asyncio.create_task(run_bot(bot), name="telegram-bot")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def register_sightings(
    application: Application[Any, Any, Any, Any, Any, Any], app: web.Application
) -> None:
    """Add the sighting handlers to the bot, ahead of the volunteer conversation's."""
    settings = app[keys.SETTINGS]
    limits = app.get(LIMITS) or Limits.from_settings(settings)
    reporter = SightingBot(app[keys.DB], app[keys.GEOCODER], settings, limits)
    application.add_handlers(reporter.handlers(), group=GROUP)
    # The answer buttons under the alerts, ahead of the volunteer conversation too.
    application.add_handler(AnswerButtons(app[keys.DB]).handler(), group=GROUP)


@public
async def webhook(request: web.Request) -> web.Response:
    """An update from Telegram: 403 unless it carries the webhook secret, else queued."""
    settings = request.app[keys.SETTINGS]
    bot = request.app.get(BOT)
    if bot is None or settings.telegram_mode != "webhook":
        raise web.HTTPNotFound()
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.telegram_webhook_secret.encode()):
        log.warning("webhook update refused: wrong or missing secret",
                    extra={"action": "telegram_webhook_refused"})  # fmt: skip
        raise web.HTTPForbidden(text="Forbidden")
    if not bot.ready.is_set():
        raise web.HTTPServiceUnavailable(text="The bot is starting")  # Telegram retries
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="Not JSON") from None
    if not isinstance(data, dict) or "update_id" not in data:
        raise web.HTTPBadRequest(text="Not an update")
    await bot.application.update_queue.put(Update.de_json(data, bot.application.bot))
    return web.Response(status=200)
