"""Each Telegram update processed once.

Telegram delivers an update again when the webhook did not answer in time, and anyone who has
the webhook secret can post one again: a sighting would be recorded twice, a button pressed
twice. Before any handler, the bot takes the update's id in `telegram_updates` (one INSERT …
ON CONFLICT DO NOTHING: of two deliveries at once, in any processes, one takes it); an update
already taken stops there. The scheduler forgets the ids after a week.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from alerts.db.database import Database

log = logging.getLogger(__name__)

GROUP = -100  # before every other handler (the sightings' group is -1, the conversation's 0)


def bot_id(token: str) -> int:
    """The bot's id: the digits before the colon of its token (0 when there are none)."""
    head = token.partition(":")[0]
    return int(head) if head.isascii() and head.isdigit() else 0


class Once:
    """The handler that lets each update through once per bot."""

    def __init__(self, db: Database, token: str) -> None:
        self.db = db
        self.bot_id = bot_id(token)

    def handler(self) -> TypeHandler[Update, Any, None]:
        return TypeHandler(Update, self.take)

    async def take(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let a new update on to the next handlers; stop one already taken."""
        if await self.db.fetchval("take_telegram_update", self.bot_id, update.update_id) is None:
            log.info("telegram update delivered again: not processed",
                     extra={"action": "telegram_update_repeated"})  # fmt: skip
            raise ApplicationHandlerStop
