"""The answer buttons under an alert ("I can help", "I am nearby now", "Not available").

The button's data names only the answer (alerts.channels.tg_texts: answer_keyboard). The answer
is recorded for the private chat the button was pressed in, and only when the message it sits
on is the alert the service sent to that very chat: a forwarded copy, wherever it lands, is
another message in another chat and answers for nobody. A volunteer may press again (the last
answer counts) while the case is active; afterwards they are told the appeal has ended.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ContextTypes

from alerts.db.database import Database
from alerts.i18n import LANGUAGES, in_language
from alerts.volunteers import answers
from alerts.volunteers import registry as volunteers

log = logging.getLogger(__name__)
PREFIX = "ans:"


class AnswerButtons:
    """The handler of the answer buttons, bound to the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def handler(self) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(self.on_button, pattern=f"^{PREFIX}")

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        answer = (query.data or "").removeprefix(PREFIX)
        outcome = await self._record(update, answer)
        text = (
            answers.THANKS[answer] if outcome == "recorded"
            else answers.CLOSED if outcome == "closed" else answers.NOT_YOURS
        )  # fmt: skip
        lang = await self._language(update)
        try:
            await query.answer(in_language(lang, text), show_alert=outcome != "recorded")
        except TelegramError as exc:  # the answer is stored whether or not the thanks arrive
            log.warning("answer reply failed", extra={"action": "answer_reply",
                                                      "error": type(exc).__name__})  # fmt: skip
        log.info("answer button", extra={"action": "answer_button", "outcome": outcome})
        raise ApplicationHandlerStop  # the volunteer conversation must not see it

    async def _record(self, update: Update, answer: str) -> str:
        query, chat = update.callback_query, update.effective_chat
        assert query is not None
        message = query.message
        if (
            answer not in answers.ANSWERS or chat is None or chat.type != ChatType.PRIVATE
            or message is None or query.from_user.id != chat.id
        ):  # fmt: skip
            return "unknown"
        return await answers.by_telegram(self.db, chat.id, message.message_id, answer)

    async def _language(self, update: Update) -> str:
        chat, user = update.effective_chat, update.effective_user
        volunteer = await volunteers.by_chat(self.db, chat.id) if chat else None
        lang = volunteer.language if volunteer else (user.language_code or "")[:2] if user else ""
        return lang if lang in LANGUAGES else "en"
