"""Field searches in the bot (issue 21): the call-out's buttons (Coming, Not coming, Check in,
Check out: `search:<id>:<action>`), the opt-in from /settings (`fs:<menu|on|off>`), where
the button that opts in is the volunteer's confirmation that they are 18 or older, and a shared
location as a searcher's position: while they are checked in it updates their position (a live
location's moves too, quietly: `live_handler`, the only handler that sees an edited message);
when they answered coming and the meeting is near, it checks them in with it. The position is
kept only while they are checked in (the check-out erases it).

What a volunteer may do is decided by alerts.searches.service, exactly as on the phone page;
a refusal (not called out, full, ended) is said in the chat.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Location,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from alerts import errors
from alerts.i18n import N_, gettext
from alerts.searches import notices, optin, service

if TYPE_CHECKING:  # the conversation owns these buttons; only its types are needed here
    from alerts.bot.conversation import Conversation
    from alerts.bot.poster_buttons import PosterButtons
    from alerts.bot.steps import Turn

log = logging.getLogger(__name__)
DONE = {
    "coming": N_("✅ Thank you: you are expected at the assembly point."),
    "not_coming": N_("Thank you for answering."),
    "checkin": N_("✅ You are checked in. Please check out when you leave."),
    "checkout": N_("✅ You are checked out. Thank you for searching."),
}
SHARE = N_(
    "Share your location (the 📍 button below) so that the coordinators see where you are; "
    "share it again to update it. It is kept only while you are checked in."
)
CHECKED_IN_THERE = N_("✅ You are checked in, with your position. Please check out when you leave.")
POSITION_UPDATED = N_("📍 Your position is updated for the coordinators of this search.")
# A location shared by a searcher who answered coming checks them in from this long before the
# meeting (a location shared the day before is more likely meant for something else).
CHECK_IN_EARLY_MINUTES = 60
ABOUT = N_(
    "Field searches: with the police, the hotline sometimes asks volunteers near a place to "
    "search an area. Only adults can join.\n\nNow: %(status)s"
)


def optin_keyboard(on: bool) -> InlineKeyboardMarkup:
    button = (
        InlineKeyboardButton(gettext("Stop field searches"), callback_data="fs:off")
        if on
        else InlineKeyboardButton(gettext("I am 18 or older: call me out"), callback_data="fs:on")
    )
    return InlineKeyboardMarkup([[button]])


def position_keyboard() -> ReplyKeyboardMarkup:
    """The button that shares the phone's location; it stays while checked in."""
    share = KeyboardButton(gettext("📍 Share my location"), request_location=True)
    return ReplyKeyboardMarkup([[share]], resize_keyboard=True)


class SearchButtons:
    """The search buttons of one Conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.chat = conversation

    async def button(self, turn: Turn, arg: str) -> bool:
        """`<search id>:<action>`; False when the button means nothing (anymore)."""
        raw_id, _, action = arg.partition(":")
        if turn.volunteer is None or not raw_id.isdigit() or action not in DONE:
            return False
        db, volunteer_id, search_id = self.chat.db, turn.volunteer.id, int(raw_id)
        try:
            if action in ("coming", "not_coming"):
                await service.answer(db, search_id, volunteer_id, action)
            elif action == "checkin":
                await service.check_in(db, search_id, volunteer_id, None)
            else:
                await service.check_out(db, search_id, volunteer_id)
        except errors.AlertsError as exc:
            await self.chat.send(turn, gettext(exc.message))
            return True
        url = notices.page_url(self.chat.settings, search_id, turn.volunteer.public_id, turn.lang)
        said = gettext(DONE[action])
        keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
        if action == "checkin":
            said, keyboard = f"{said}\n\n{gettext(SHARE)}", position_keyboard()
        elif action == "checkout":
            keyboard = ReplyKeyboardRemove()
        await self.chat.send(turn, f"{said}\n\n{url}", keyboard)
        log.info("search answered in the bot", extra={"action": "search_button", "what": action})
        return True

    async def location(self, turn: Turn, where: Location, posters: PosterButtons) -> bool:
        """A location shared outside any step: a checked-in searcher's position first, else
        posters put up there (poster rounds), else a check-in with it for one who answered
        coming to a meeting that is near; False when it is none of these."""
        if turn.volunteer is None:
            return False
        found = await self._search_of(turn)
        if found is not None and found["checked_in"]:
            return await self._position(turn, found["id"], where, POSITION_UPDATED)
        if await posters.location(turn, where):
            return True
        if found is None:
            return False
        return await self._position(turn, found["id"], where, CHECKED_IN_THERE)

    def live_handler(self) -> MessageHandler[Any, Any]:
        """The handler of edited messages, before every other one: a live location that moves
        on moves a checked-in searcher's position; nothing else is done with an edit (an edited
        word is not a new answer, a live location puts no posters up)."""
        moved = self.chat.wrap(self.moved)

        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.edited_message
            if message is not None and message.location is not None:
                await moved(update, context)
            raise ApplicationHandlerStop

        return MessageHandler(filters.UpdateType.EDITED_MESSAGE, run)

    async def moved(self, turn: Turn) -> None:
        """A live location's new point: the position of a searcher checked in, quietly."""
        message = turn.update.edited_message
        if turn.volunteer is None or message is None or message.location is None:
            return
        found = await self._search_of(turn)
        if found is not None and found["checked_in"]:
            await self._position(turn, found["id"], message.location, None)

    async def _search_of(self, turn: Turn) -> Any:
        assert turn.volunteer is not None
        return await self.chat.db.fetchrow("search_of_shared_location", turn.volunteer.id,
                                           CHECK_IN_EARLY_MINUTES)  # fmt: skip

    async def _position(
        self, turn: Turn, search_id: int, where: Location, said: str | None
    ) -> bool:
        """Check in (again) with the shared position: checked in stays checked in, with it;
        `said` in the chat after (nothing for a live location's move)."""
        assert turn.volunteer is not None
        point = (where.latitude, where.longitude)
        try:
            await service.check_in(self.chat.db, search_id, turn.volunteer.id, point)
        except errors.AlertsError as exc:
            if said is not None:
                await self.chat.send(turn, gettext(exc.message))
            return True
        if said is not None:
            await self.chat.send(turn, gettext(said), position_keyboard())
        log.info("searcher position shared in the bot", extra={"action": "search_position"})
        return True

    async def optin_button(self, turn: Turn, arg: str) -> bool:
        """`fs:menu` shows the opt-in; `fs:on` opts in (the button confirms the age)."""
        if turn.volunteer is None or arg not in ("menu", "on", "off"):
            return False
        db, volunteer_id = self.chat.db, turn.volunteer.id
        if arg != "menu":
            await optin.set_field_searches(db, volunteer_id, arg == "on", adult=arg == "on")
        on = await optin.opted_in(db, volunteer_id)
        status = gettext("on") if on else gettext("off")
        await self.chat.edit(turn, gettext(ABOUT, status=status), optin_keyboard(on))
        return True
