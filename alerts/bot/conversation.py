"""The bot's conversation with volunteers: sign-up, stop and help, in nl, fr, de and en.

Sign-up: /start → language (buttons) → a shared location, or a municipality or postcode typed
→ radius (buttons) → summary → saved. Where each chat stands is kept in the database
(telegram_conversations), so several web processes behind one webhook, and restarts, agree; a
lock per chat keeps one chat's updates in order inside a process while other chats go on.
The /settings menu lives in settings_menu, the buttons in keyboards, the steps in steps. Each
update is handled in its chat's language (alerts.i18n.language); nothing logged names a person.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from alerts.bot import keyboards as kb
from alerts.bot.chats import ChatLocks
from alerts.bot.poster_buttons import PosterButtons
from alerts.bot.search_buttons import SearchButtons
from alerts.bot.settings_menu import SettingsMenu
from alerts.bot.steps import (
    ASK_PLACE,
    CHOOSE_LANGUAGE,
    CHOOSE_RADIUS,
    CONFIRM,
    HELP,
    LANGUAGE,
    NOT_SIGNED_UP,
    NOT_UNDERSTOOD,
    PLACE,
    PLACE_UNKNOWN,
    QUIET,
    RADIUS,
    RADIUS_EXPECTED,
    REMINDERS,
    SAVED,
    SIGNED_UP,
    STOPPED,
    ChatState,
    Turn,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.gazetteer import haversine_km, round_point
from alerts.geo.geocoding import GeocodingService
from alerts.i18n import LANGUAGES, N_, current, gettext, language, language_name
from alerts.volunteers import messages
from alerts.volunteers import registry as volunteers
from alerts.volunteers.registry import Area, VolunteerError

log = logging.getLogger(__name__)

# Longest wait for Telegram's flood control before a reply is given up (seconds).
MAX_RETRY_WAIT = 30.0
# A shared point farther than this from any municipality centre is shown by its coordinates.
NEAR_KM = 25.0
MAX_PLACE_TEXT = 120
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


Handler = Callable[[Turn], Awaitable[None]]


class Conversation:
    """The handlers of the bot, bound to the database, the geocoder and the settings."""

    def __init__(self, db: Database, geocoder: GeocodingService, settings: Settings) -> None:
        self.db = db
        self.geocoder = geocoder
        self.settings = settings
        self._chats = ChatLocks()
        self.menu = SettingsMenu(self)
        # Field searches and poster rounds: their buttons, the opt-ins, posters' places shared.
        self.searches, self.posters = SearchButtons(self), PosterButtons(self)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        private = filters.ChatType.PRIVATE
        return [
            CommandHandler("start", self.wrap(self.on_start), filters=private),
            CommandHandler("settings", self.wrap(self.menu.open), filters=private),
            CommandHandler("stop", self.wrap(self.on_stop), filters=private),
            CommandHandler("help", self.wrap(self.on_help), filters=private),
            CallbackQueryHandler(self.wrap(self.on_button)),
            MessageHandler(private & filters.LOCATION, self.wrap(self.on_location)),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.wrap(self.on_text)),
            MessageHandler(private, self.wrap(self.on_other)),
            ChatMemberHandler(self.wrap(self.on_membership), ChatMemberHandler.MY_CHAT_MEMBER),
        ]

    def wrap(self, handler: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Any]:
        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            private = self._chats.of(update)
            if private is None:
                return
            chat_id, lock = private
            async with lock:
                turn = await self._turn(update, chat_id)
                with language(turn.lang):
                    await handler(turn)

        return run

    async def _turn(self, update: Update, chat_id: int) -> Turn:
        volunteer = await volunteers.by_chat(self.db, chat_id)
        row = await self.db.fetchrow("conversation_get", chat_id, volunteers.CONVERSATION_MINUTES)
        state = ChatState.from_row(row) if row else None
        user = update.effective_user
        guess = (user.language_code or "")[:2] if user else ""
        lang = state.lang if state else volunteer.language if volunteer else guess
        lang = lang if lang in LANGUAGES else "en"
        return Turn(update=update, chat_id=chat_id, lang=lang, volunteer=volunteer, state=state)

    # -- commands --------------------------------------------------------------------------------

    async def on_start(self, turn: Turn) -> None:
        if turn.volunteer is not None and turn.volunteer.active:
            await self.clear(turn)
            area = await self.area_text(turn, "home")
            already = gettext(
                "You are already signed up (%(area)s).\n\n/settings – change your language, "
                "areas or quiet hours\n/stop – stop the alerts",
                area=area,
            )
            await self.send(turn, already, ReplyKeyboardRemove())
            return
        await self.db.execute("forget_stale_conversations", volunteers.CONVERSATION_MINUTES)
        await self.save(turn, ChatState(step=LANGUAGE, lang=turn.lang))
        await self.send(turn, CHOOSE_LANGUAGE, kb.languages())

    async def on_stop(self, turn: Turn) -> None:
        """One step: the alerts stop at once, and the volunteer is told so."""
        await self.clear(turn)
        if turn.volunteer is None:
            await self.send(turn, gettext(NOT_SIGNED_UP), ReplyKeyboardRemove())
            return
        if await volunteers.deactivate(self.db, turn.volunteer.id, "opt_out"):
            log.info("volunteer stopped", extra={"action": "volunteer_stop", "channel": "bot"})
        await self.send(turn, gettext(STOPPED), ReplyKeyboardRemove())

    async def on_help(self, turn: Turn) -> None:
        organisation = self.settings.organisation(current())
        hotline = self.settings.hotline
        await self.send(turn, gettext(HELP, organisation=organisation, hotline=hotline))

    async def on_membership(self, turn: Turn) -> None:
        """The user blocked the bot: no more alerts (Telegram would refuse them anyway)."""
        member = turn.update.my_chat_member
        if member is not None and member.new_chat_member.status == "kicked":
            await self.clear(turn)
            if await volunteers.deactivate_chat(self.db, turn.chat_id, "blocked_bot"):
                log.info("volunteer blocked the bot", extra={"action": "volunteer_blocked"})

    # -- messages --------------------------------------------------------------------------------

    async def on_location(self, turn: Turn) -> None:
        message = turn.update.effective_message
        assert message is not None and message.location is not None
        state = turn.state
        if state is not None and state.step not in (PLACE, RADIUS):
            await self._remind(turn)
            return
        if state is None and await self.searches.location(turn, message.location, self.posters):
            return  # a searcher's position, or posters put up there (poster rounds)
        if state is None:
            outside = N_("To change your area, send /settings.")
            await self.send(turn, gettext(outside if turn.volunteer else NOT_SIGNED_UP))
            return
        lat, lon = round_point(message.location.latitude, message.location.longitude)
        await self._ask_radius(turn, state, lat, lon)

    async def on_text(self, turn: Turn) -> None:
        message = turn.update.effective_message
        assert message is not None and message.text is not None
        entered, state = message.text.strip(), turn.state
        if state is not None and state.step == QUIET:
            await self.menu.typed_quiet_hours(turn, entered)
        elif state is not None and state.step == RADIUS and _is_number(entered):
            await self._typed_radius(turn, state, entered)
        elif state is not None and state.step in (PLACE, RADIUS):
            await self._typed_place(turn, state, entered)
        elif state is not None:
            await self._remind(turn)
        else:
            await self.send(turn, gettext(NOT_UNDERSTOOD))

    async def on_other(self, turn: Turn) -> None:
        """Photos, stickers, unknown commands: say what is expected now."""
        if turn.state is not None:
            await self._remind(turn)
        else:
            await self.send(turn, gettext(NOT_UNDERSTOOD))

    async def _typed_place(self, turn: Turn, state: ChatState, entered: str) -> None:
        """A place typed while one is asked for, or instead of a radius (a change of mind)."""
        found = await self.geocoder.geocode(entered) if len(entered) <= MAX_PLACE_TEXT else None
        if found is None:
            unknown = PLACE_UNKNOWN if state.step == PLACE else RADIUS_EXPECTED
            await self.send(turn, gettext(unknown))
            return
        lat, lon = round_point(found.lat, found.lon)
        await self._ask_radius(turn, state, lat, lon)

    async def _ask_radius(self, turn: Turn, state: ChatState, lat: float, lon: float) -> None:
        new = dataclasses.replace(state, step=RADIUS, lat=lat, lon=lon, keyboard=True)
        await self.save(turn, new)
        place = self.place_name(lat, lon, turn.lang)
        await self.send(turn, gettext(CHOOSE_RADIUS, place=place), kb.radii())

    async def _typed_radius(self, turn: Turn, state: ChatState, entered: str) -> None:
        try:
            radius = volunteers.parse_radius(entered)
        except VolunteerError:
            await self.send(turn, gettext(RADIUS_EXPECTED))
            return
        await self._radius_chosen(turn, state, radius, edit=False)

    async def _remind(self, turn: Turn) -> None:
        step = turn.state.step if turn.state else ""
        await self.send(turn, gettext(REMINDERS.get(step, NOT_UNDERSTOOD)))

    # -- buttons ---------------------------------------------------------------------------------

    async def on_button(self, turn: Turn) -> None:
        kind, _, arg = (turn.query.data or "").partition(":")
        routes: dict[str, Callable[[Turn, str], Awaitable[bool]]] = {
            "lang": self._language_button, "radius": self._radius_button,
            "confirm": self._confirm_button, "set": self.menu.menu_button,
            "area": self.menu.area_button, "quiet": self.menu.quiet_button,
            "data": self.menu.data_button, "po": self.posters.optin_button,
            "search": self.searches.button, "fs": self.searches.optin_button,
            "pr": self.posters.button, "pc": self.posters.count_button,
        }  # fmt: skip
        route = routes.get(kind)
        handled = route is not None and await route(turn, arg)
        await self._call(turn, lambda: turn.query.answer(
            None if handled else gettext("This button no longer works. Send /settings or /start.")
        ))  # fmt: skip

    async def _language_button(self, turn: Turn, code: str) -> bool:
        state = turn.state
        if state is None or state.step != LANGUAGE or code not in LANGUAGES:
            return False
        if state.mode == "settings" and turn.volunteer is not None:
            await volunteers.set_language(self.db, turn.volunteer.id, code)
            await self.clear(turn)
            with language(code):
                await self.edit(turn, gettext("✅ From now on I will write to you in English."))
            return True
        await self.save(turn, ChatState(step=PLACE, lang=code, keyboard=True))
        await self.edit(turn, f"{CHOOSE_LANGUAGE}\n\n✓ {language_name(code)}")
        with language(code):
            welcome = gettext(
                "Welcome! When a child goes missing near you, I send you the search notice, so "
                "that you can keep your eyes open. You can stop at any time with /stop."
            )
            await self.send(turn, f"{welcome}\n\n{gettext(ASK_PLACE['home'])}", kb.location())
        return True

    async def _radius_button(self, turn: Turn, arg: str) -> bool:
        state = turn.state
        if state is None or state.step != RADIUS or arg not in map(str, volunteers.RADIUS_CHOICES):
            return False
        await self._radius_chosen(turn, state, float(arg), edit=True)
        return True

    async def _radius_chosen(
        self, turn: Turn, state: ChatState, radius: float, *, edit: bool
    ) -> None:
        assert state.lat is not None and state.lon is not None
        area = volunteers.make_area(state.label, state.lat, state.lon, radius)
        reply = self.edit if edit else self.send
        if state.mode == "signup":
            await self.save(turn, dataclasses.replace(state, step=CONFIRM, radius_km=radius))
            language, shown = language_name(turn.lang), self.describe(area, turn.lang)
            summary = gettext(
                "Is this right?\n\nLanguage: %(language)s\nArea: %(area)s",
                language=language, area=shown,
            )  # fmt: skip
            await reply(turn, summary, kb.confirm())
            return
        assert turn.volunteer is not None
        await volunteers.set_area(self.db, turn.volunteer.id, area)
        await self.clear(turn)
        saved = gettext(SAVED[area.label], area=self.describe(area, turn.lang))
        if edit and state.keyboard:
            await self.edit(turn, f"✓ {messages.km(turn.lang, radius)} km")
        if state.keyboard:
            await self.send(turn, saved, ReplyKeyboardRemove())
        else:
            await reply(turn, saved)

    async def _confirm_button(self, turn: Turn, arg: str) -> bool:
        state = turn.state
        if state is None or state.step != CONFIRM or arg not in ("yes", "again"):
            return False
        await self.edit_markup(turn)
        if arg == "again":
            await self.save(turn, ChatState(step=PLACE, lang=turn.lang, keyboard=True))
            await self.send(turn, gettext(ASK_PLACE["home"]), kb.location())
            return True
        assert state.lat is not None and state.lon is not None and state.radius_km is not None
        home = volunteers.make_area("home", state.lat, state.lon, state.radius_km)
        await volunteers.save_telegram_signup(self.db, turn.chat_id, turn.lang, home)
        await self.clear(turn)
        log.info("volunteer signed up", extra={"action": "volunteer_signup", "channel": "bot"})
        await self.send(turn, gettext(SIGNED_UP), ReplyKeyboardRemove())
        return True

    # -- helpers ---------------------------------------------------------------------------------

    async def begin(self, turn: Turn, step: str, **choices: Any) -> None:
        """Start a step afresh (in the chat's language) with what is already chosen."""
        await self.save(turn, ChatState(step=step, lang=turn.lang, **choices))

    async def save(self, turn: Turn, state: ChatState) -> None:
        await self.db.execute("conversation_put", turn.chat_id, state.step, state.data())

    async def clear(self, turn: Turn) -> None:
        await self.db.execute("conversation_clear", turn.chat_id)

    async def area(self, turn: Turn, label: str) -> Area | None:
        assert turn.volunteer is not None
        areas = await volunteers.areas_of(self.db, turn.volunteer.id)
        return next((a for a in areas if a.label == label), None)

    async def area_text(self, turn: Turn, label: str) -> str:
        area = await self.area(turn, label)
        return self.describe(area, turn.lang) if area else gettext("not set")

    def describe(self, area: Area, lang: str) -> str:
        with language(lang):
            return messages.area(self.place_name(area.lat, area.lon, lang), area.radius_km)

    def place_name(self, lat: float, lon: float, lang: str) -> str:
        place = self.geocoder.gazetteer.nearest(lat, lon)
        if haversine_km(lat, lon, place.lat, place.lon) > NEAR_KM:
            return f"{lat:.2f}, {lon:.2f}"
        return place.name(lang)

    # -- talking to Telegram ---------------------------------------------------------------------

    async def send(
        self, turn: Turn, body: str, markup: Markup = None, parse_mode: str | None = None
    ) -> None:
        bot = turn.update.get_bot()
        await self._call(turn, lambda: bot.send_message(
            turn.chat_id, body, reply_markup=markup, parse_mode=parse_mode
        ))  # fmt: skip

    async def edit(self, turn: Turn, body: str, markup: Markup = None) -> None:
        """Replace the text (and buttons) of the message whose button was pressed."""
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        await self._call(turn, lambda: turn.query.edit_message_text(body, reply_markup=inline))

    async def edit_markup(self, turn: Turn) -> None:
        """Take the buttons off the message whose button was pressed."""
        await self._call(turn, lambda: turn.query.edit_message_reply_markup(None))

    async def _call(self, turn: Turn, request: Callable[[], Awaitable[object]]) -> None:
        """Make one Bot API call, waiting out flood control; a blocked bot stops the alerts."""
        for _ in range(3):
            try:
                await request()
                return
            except RetryAfter as exc:
                await asyncio.sleep(min(_seconds(exc.retry_after), MAX_RETRY_WAIT))
            except Forbidden:
                if await volunteers.deactivate_chat(self.db, turn.chat_id, "blocked_bot"):
                    log.info("volunteer blocked the bot", extra={"action": "volunteer_blocked"})
                return
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise
                return
        log.warning("bot reply given up after flood control", extra={"action": "bot_reply_dropped"})


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _is_number(value: str) -> bool:
    stripped = value.lower().removesuffix("km").strip().replace(",", ".")
    return stripped.replace(".", "", 1).isdigit()
