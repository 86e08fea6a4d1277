"""Reporting a sighting through the bot: /sighting, or a reply to an alert message.

/sighting → where (a shared location, or a place typed and geocoded) → which alert, when
several could be meant (those sent to this chat, and public ones near that place) → what was
seen (a text) → a photo or "send without a photo" → stored, and the reference number sent
back. Replying to an alert (with a location, a text or a photo) starts the same report for
that alert's case, with what the reply carried. The report is checked like the web form's
(sightings.parse_report, clean_photo) and counted against the same limits (the sender is a
keyed hash of the Telegram user).

The handlers run in group -1, before the volunteer conversation: they stop an update they
handle, and let through everything else. Where a report stands is kept in the database
(telegram_sightings) and forgotten after an hour; nothing logged names a person or a place.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from alerts import clients, errors
from alerts.bot import sighting_steps as steps
from alerts.bot.chats import ChatLocks
from alerts.bot.sighting_steps import PHOTO, WHAT, WHERE, WHICH, Draft, Markup
from alerts.cases import lifecycle as cases
from alerts.cases import photos
from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.geocoding import GeocodeResult, GeocodingService
from alerts.i18n import LANGUAGES, gettext, in_language, language
from alerts.sightings import reports as sightings
from alerts.sightings.intake import Limited, Limits
from alerts.volunteers import registry as volunteers

log = logging.getLogger(__name__)

GROUP = -1  # before the volunteer conversation (group 0)
STALE_MINUTES = 60
MAX_CHOICES = 8
MAX_PLACE_TEXT = 300


class SightingBot:
    """The handlers, bound to the database, the geocoder, the settings and the limits."""

    def __init__(
        self, db: Database, geocoder: GeocodingService, settings: Settings, limits: Limits
    ) -> None:
        self.db, self.geocoder, self.settings, self.limits = db, geocoder, settings, limits
        self._chats = ChatLocks()

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        private = filters.ChatType.PRIVATE
        content = filters.LOCATION | (filters.TEXT & ~filters.COMMAND) | filters.PHOTO
        return [
            CommandHandler("sighting", self._wrap(self.on_command), filters=private),
            CallbackQueryHandler(self._wrap(self.on_button), pattern=r"^sight:"),
            MessageHandler(private & filters.COMMAND, self._wrap(self.on_other_command)),
            MessageHandler(private & content, self._wrap(self.on_message)),
        ]

    def _wrap(
        self, handler: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[bool]]
    ) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            private = self._chats.of(update)
            if private is None:
                return
            async with private[1]:
                handled = await handler(update, context)
            if handled:
                raise ApplicationHandlerStop  # the volunteer conversation must not see it

        return run

    # -- updates ----------------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        message = update.effective_message
        assert message is not None and update.effective_chat is not None
        chat_id = update.effective_chat.id
        await self.db.execute("forget_stale_telegram_sightings", STALE_MINUTES)
        lang = await self._language(update)
        case_id = await self._alert_case(chat_id, message.reply_to_message)
        draft = Draft(step=WHERE, lang=lang, case_id=case_id, seen_at=steps.iso(message.date))
        await self._save(chat_id, draft)
        await self._ask(update, draft)
        return True

    async def on_other_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Another command (/start, /stop…) ends a report in progress, then goes on as usual."""
        assert update.effective_chat is not None
        await self.db.execute("telegram_sighting_clear", update.effective_chat.id)
        return False

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        message = update.effective_message
        assert message is not None and update.effective_chat is not None
        chat_id = update.effective_chat.id
        row = await self.db.fetchrow("telegram_sighting_get", chat_id, STALE_MINUTES)
        if row is not None:
            await self._continue(update, Draft.from_row(row))
            return True
        case_id = await self._alert_case(chat_id, message.reply_to_message)
        if case_id is None:
            return False  # not about a sighting: the volunteer conversation's
        lang = await self._language(update)
        # What a reply says is what was seen; where comes next, unless it was a location.
        draft = Draft(step=WHAT, lang=lang, case_id=case_id, seen_at=steps.iso(message.date))
        await self._continue(update, draft)
        return True

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        row = await self.db.fetchrow("telegram_sighting_get", update.effective_chat.id,
                                     STALE_MINUTES)  # fmt: skip
        parts = (query.data or "").split(":", 2) + ["", ""]
        kind, arg = parts[1], parts[2]
        draft = Draft.from_row(row) if row else None
        await _quietly(query.answer())
        await _quietly(query.edit_message_reply_markup(None))
        if draft is None:
            return True
        if kind == "cancel":
            await self._clear(update, draft, steps.CANCELLED)
        elif kind == "case" and draft.step == WHICH:
            case = await cases.get_by_public_id(self.db, arg)
            if case is not None:
                await self._next(update, dataclasses.replace(draft, case_id=case.id))
        elif kind == "nophoto" and draft.step == PHOTO:
            await self._store(update, draft, None)
        return True

    # -- the steps --------------------------------------------------------------------------------

    async def _continue(self, update: Update, draft: Draft) -> None:
        """Take what the message carries for the step the report is at."""
        message = update.effective_message
        assert message is not None
        if message.location is not None:
            point = (message.location.latitude, message.location.longitude)
            draft = dataclasses.replace(draft, lat=point[0], lon=point[1], point_source="telegram",
                                        point_precision="exact")  # fmt: skip
        elif message.text is not None and draft.step in (WHERE, WHICH) and draft.lat is None:
            found = await self._geocode(message.text)
            if found is None:
                await self._send(update, in_language(draft.lang, steps.PLACE_UNKNOWN))
                return
            draft = dataclasses.replace(draft, place=message.text, lat=found.lat, lon=found.lon,
                                        point_source="geocoded",
                                        point_precision=found.precision)  # fmt: skip
        elif message.text is not None and draft.step in (WHAT, PHOTO, WHERE):
            if not await self._valid_text(update, draft, message.text):
                return
            draft = dataclasses.replace(draft, seen=steps.joined(draft.seen, message.text))
        elif message.photo:
            if draft.step == PHOTO:
                await self._store(update, draft, message.photo[-1].file_id)
                return
            draft = dataclasses.replace(draft, photo_id=message.photo[-1].file_id)
        await self._next(update, draft)

    async def _next(self, update: Update, draft: Draft) -> None:
        """Move on to the first thing still missing: where, which alert, what, a photo."""
        if draft.lat is not None and draft.case_id is None:
            draft = await self._choose_case(update, draft)
            if draft.case_id is None:
                return  # the choice is asked, or there is nothing near to report on
        if draft.lat is None:
            draft = dataclasses.replace(draft, step=WHERE)
        elif not draft.seen.strip():
            draft = dataclasses.replace(draft, step=WHAT)
        elif draft.photo_id is not None:
            await self._store(update, draft, draft.photo_id)
            return
        else:
            draft = dataclasses.replace(draft, step=PHOTO)
        if draft.case_id is not None and not await self._allowed(update, draft):
            return
        assert update.effective_chat is not None
        await self._save(update.effective_chat.id, draft)
        await self._ask(update, draft)

    async def _ask(self, update: Update, draft: Draft) -> None:
        with language(draft.lang):
            question, markup = steps.question(draft.step)
        if question:
            await self._send(update, question, markup)

    async def _choose_case(self, update: Update, draft: Draft) -> Draft:
        """The alert the report is about: the only one near, or the person's choice."""
        assert update.effective_chat is not None and draft.lat is not None
        assert draft.lon is not None
        choices = await sightings.reportable(self.db, self.settings, update.effective_chat.id,
                                             draft.lat, draft.lon, draft.lang)  # fmt: skip
        if len(choices) == 1:
            return dataclasses.replace(draft, case_id=choices[0].case.id)
        if not choices:
            await self._clear(update, draft, steps.NONE_NEAR)
            return draft
        draft = dataclasses.replace(draft, step=WHICH)
        await self._save(update.effective_chat.id, draft)
        rows = [[InlineKeyboardButton(c.label, callback_data=f"sight:case:{c.case.public_id}")]
                for c in choices[:MAX_CHOICES]]  # fmt: skip
        with language(draft.lang):
            rows.append([InlineKeyboardButton(gettext("Cancel"), callback_data="sight:cancel")])
            text = gettext("Which alert is your sighting about?")
        await self._send(update, text, InlineKeyboardMarkup(rows))
        return draft

    async def _valid_text(self, update: Update, draft: Draft, text: str) -> bool:
        """The text checked as the web form checks "what was seen"; False (and why, said) if
        it cannot be taken."""
        fields = {**draft.fields(), "seen": steps.joined(draft.seen, text), "place": "x"}
        try:
            sightings.parse_report(fields, datetime.now(UTC))
        except sightings.ReportInvalid as exc:
            problem = exc.problems.get("seen")
            if problem is not None:
                await self._problem(update, draft, problem)
                return False
        return True

    async def _problem(self, update: Update, draft: Draft, problem: sightings.Problem) -> None:
        with language(draft.lang):
            again = gettext(steps.AGAIN, problem=gettext(problem.message, **problem.values))
        await self._send(update, again)

    async def _public_id(self, case_id: int) -> str:
        """The case's public id: the key of its limit, shared with the web form."""
        return (await cases.get(self.db, case_id)).public_id

    async def _allowed(self, update: Update, draft: Draft) -> bool:
        assert draft.case_id is not None and update.effective_user is not None
        try:
            self.limits.check(self._sender(update), await self._public_id(draft.case_id))
        except Limited as exc:
            await self._limited(update, draft, exc)
            return False
        return True

    async def _store(self, update: Update, draft: Draft, photo_id: str | None) -> None:
        """Check the report as the web does, count it, clean the photo, store it, thank."""
        assert draft.case_id is not None
        public_id = await self._public_id(draft.case_id)
        try:
            report = sightings.parse_report(draft.fields(), datetime.now(UTC),
                                            point_source=draft.point_source,
                                            point_precision=draft.precision())  # fmt: skip
            ticket = self.limits.admit(self._sender(update), public_id)
        except sightings.ReportInvalid as exc:
            await self._problem(update, draft, next(iter(exc.problems.values())))
            return
        except Limited as exc:
            await self._limited(update, draft, exc)
            return
        try:
            if photo_id is not None:
                report = dataclasses.replace(report, photo=await self._photo(update, photo_id))
            stored = await sightings.store(
                self.db, public_id, report, source="telegram", language=draft.lang,
                client=self._sender(update),
            )  # fmt: skip
        except sightings.ReportInvalid as exc:
            ticket.release()
            await self._photo_refused(update, draft, exc.problems["photo"])
            return
        except errors.Gone:
            ticket.release()
            await self._clear(update, draft, steps.WITHDRAWN)
            return
        log.info("sighting received", extra={"action": "sighting_received", "source": "telegram",
                 "case_id": draft.case_id, "sighting_id": stored.id})  # fmt: skip
        hotline = self.settings.hotline
        done = in_language(draft.lang, steps.DONE, reference=stored.reference, hotline=hotline)
        await self._clear(update, draft, None)
        await self._send(update, done, ReplyKeyboardRemove())

    async def _photo_refused(
        self, update: Update, draft: Draft, problem: sightings.Problem
    ) -> None:
        """Say why, and ask for another photo (or none)."""
        await self._problem(update, draft, problem)
        draft = dataclasses.replace(draft, step=PHOTO, photo_id=None)
        assert update.effective_chat is not None
        await self._save(update.effective_chat.id, draft)
        await self._ask(update, draft)

    async def _photo(self, update: Update, file_id: str) -> bytes:
        """The photo's bytes from Telegram, cleaned like an upload (off the event loop)."""
        file = await update.get_bot().get_file(file_id)
        data = bytes(await file.download_as_bytearray())
        workers = self.settings.photo_decoders
        return await photos.off_loop(workers, sightings.clean_photo, data, self.settings)

    # -- helpers ----------------------------------------------------------------------------------

    def _sender(self, update: Update) -> str:
        assert update.effective_user is not None
        return clients.telegram_key(self.settings, update.effective_user.id)

    async def _alert_case(self, chat_id: int, replied: Message | None) -> int | None:
        """The active case of the alert message replied to, if it is one sent to this chat."""
        if replied is None:
            return None
        case_id: int | None = await self.db.fetchval(
            "alert_case_for_reply", chat_id, str(replied.message_id)
        )
        return case_id

    async def _language(self, update: Update) -> str:
        assert update.effective_chat is not None
        volunteer = await volunteers.by_chat(self.db, update.effective_chat.id)
        user = update.effective_user
        guess = (user.language_code or "")[:2] if user else ""
        lang = volunteer.language if volunteer is not None else guess
        return lang if lang in LANGUAGES else "en"

    async def _geocode(self, text: str) -> GeocodeResult | None:
        if len(text) > MAX_PLACE_TEXT:
            return None
        return await self.geocoder.geocode(text)

    async def _limited(self, update: Update, draft: Draft, exc: Limited) -> None:
        words = in_language(draft.lang, exc.message, minutes=exc.minutes,
                            hotline=self.settings.hotline)  # fmt: skip
        await self._clear(update, draft, None)
        await self._send(update, words, ReplyKeyboardRemove())

    async def _save(self, chat_id: int, draft: Draft) -> None:
        await self.db.execute("telegram_sighting_put", chat_id, draft.case_id, draft.step,
                              draft.data())  # fmt: skip

    async def _clear(self, update: Update, draft: Draft, message: str | None) -> None:
        """Forget the report; say `message` (naming the hotline, if it will) when given."""
        assert update.effective_chat is not None
        await self.db.execute("telegram_sighting_clear", update.effective_chat.id)
        if message is not None:
            text = in_language(draft.lang, message, hotline=self.settings.hotline)
            await self._send(update, text, ReplyKeyboardRemove())

    async def _send(self, update: Update, text: str, markup: Markup = None) -> None:
        assert update.effective_chat is not None
        await _quietly(update.get_bot().send_message(update.effective_chat.id, text,
                                                     reply_markup=markup))  # fmt: skip


async def _quietly(call: Awaitable[object]) -> None:
    """One Bot API call; a failure (the person blocked the bot, flood control) is logged, not
    raised: the report is stored whether or not the thanks arrive."""
    try:
        await call
    except TelegramError as exc:
        log.warning("bot reply failed", extra={"action": "sighting_bot_reply",
                                               "error": type(exc).__name__})  # fmt: skip
