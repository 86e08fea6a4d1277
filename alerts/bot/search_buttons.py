"""Field searches in the bot (issue 21): the call-out's buttons (Coming, Not coming, Check in,
Check out: `search:<id>:<action>`) and the opt-in from /settings (`fs:<menu|on|off>`), where
the button that opts in is the volunteer's confirmation that they are 18 or older.

What a volunteer may do is decided by alerts.searches.service, exactly as on the phone page;
a refusal (not called out, full, ended) is said in the chat.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from alerts import errors
from alerts.i18n import N_, gettext
from alerts.searches import notices, optin, service

if TYPE_CHECKING:  # the conversation owns these buttons; only its types are needed here
    from alerts.bot.conversation import Conversation
    from alerts.bot.steps import Turn

log = logging.getLogger(__name__)
DONE = {
    "coming": N_("✅ Thank you: you are expected at the assembly point."),
    "not_coming": N_("Thank you for answering."),
    "checkin": N_("✅ You are checked in. Please check out when you leave."),
    "checkout": N_("✅ You are checked out. Thank you for searching."),
}
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
        await self.chat.send(turn, f"{gettext(DONE[action])}\n\n{url}")
        log.info("search answered in the bot", extra={"action": "search_button", "what": action})
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
