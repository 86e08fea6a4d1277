"""Poster rounds in the bot (issue 21): the invitation's buttons (`pr:<round>:accepted`,
`declined`, `replaced`, `removed:<place>`), a shared location recorded as a place where posters
went up (then its count: `pc:<place>:<n>`), and the opt-in from /settings (`po:<menu|on|off>`).

What a volunteer may do is decided by alerts.rounds.service, exactly as on the phone page; a
refusal (not asked, ended) is said in the chat.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Location

from alerts import errors
from alerts.i18n import N_, gettext
from alerts.rounds import notices, optin, service

if TYPE_CHECKING:  # the conversation owns these buttons; only its types are needed here
    from alerts.bot.conversation import Conversation
    from alerts.bot.steps import Turn

log = logging.getLogger(__name__)
COUNTS = (1, 2, 3, 5, 10)
DONE = {
    "declined": N_("Thank you for answering."),
    "replaced": N_("✅ Thank you: your posters show the new version."),
    "removed": N_("✅ Thank you: these posters are recorded as taken down."),
}
RECORDED = N_("📍 Recorded: %(count)s poster(s) here. How many did you put up at this place?")
COUNTED = N_("✅ %(count)s poster(s) recorded at this place. Thank you!")
ABOUT = N_(
    "Posters: when a child goes missing near you, the hotline may ask you to put up posters in "
    "a zone of your own, and to take them down when the appeal ends.\n\nNow: %(status)s"
)


def optin_keyboard(on: bool) -> InlineKeyboardMarkup:
    button = (
        InlineKeyboardButton(gettext("Stop poster rounds"), callback_data="po:off")
        if on
        else InlineKeyboardButton(gettext("Ask me to put up posters"), callback_data="po:on")
    )
    return InlineKeyboardMarkup([[button]])


def count_keyboard(place_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(str(n), callback_data=f"pc:{place_id}:{n}")
                                  for n in COUNTS]])  # fmt: skip


class PosterButtons:
    """The poster buttons and locations of one Conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.chat = conversation

    async def button(self, turn: Turn, arg: str) -> bool:
        """`<round id>:<action>[:<place>]`; False when the button means nothing (anymore)."""
        raw_id, _, rest = arg.partition(":")
        action, _, raw_place = rest.partition(":")
        if turn.volunteer is None or not raw_id.isdigit() or action not in (*DONE, "accepted"):
            return False
        db, volunteer_id, round_id = self.chat.db, turn.volunteer.id, int(raw_id)
        try:
            if action in ("accepted", "declined"):
                member = await service.answer(db, round_id, volunteer_id, action)
            elif action == "replaced":
                await service.replaced(db, round_id, volunteer_id)
            elif raw_place.isdigit() and len(raw_place) < 19:
                await service.removed(db, round_id, volunteer_id, int(raw_place))
            else:
                return False
        except errors.AlertsError as exc:
            await self.chat.send(turn, gettext(exc.message))
            return True
        url = notices.page_url(self.chat.settings, round_id, turn.volunteer.public_id, turn.lang)
        if action == "accepted":
            found = await service.get(db, round_id)
            zone = service.zone_of(found, member)
            said = notices.accepted_text(self.chat.settings, found, zone, turn.lang)
        else:
            said = gettext(DONE[action])
        await self.chat.send(turn, f"{said}\n\n{url}")
        log.info("poster round answered in the bot", extra={"action": "poster_button",
                                                            "what": action})  # fmt: skip
        return True

    async def count_button(self, turn: Turn, arg: str) -> bool:
        """`<place>:<n>`: the count of the place just recorded."""
        raw_place, _, raw_count = arg.partition(":")
        if turn.volunteer is None or not raw_place.isdigit() or not raw_count.isdigit():
            return False
        round_id = await self.chat.db.fetchval("round_open_of_volunteer", turn.volunteer.id)
        if round_id is None or int(raw_count) not in COUNTS:
            return False
        try:
            await service.set_count(self.chat.db, round_id, turn.volunteer.id, int(raw_place),
                                    int(raw_count))  # fmt: skip
        except errors.AlertsError as exc:
            await self.chat.send(turn, gettext(exc.message))
            return True
        await self.chat.edit(turn, gettext(COUNTED, count=raw_count))
        return True

    async def location(self, turn: Turn, where: Location) -> bool:
        """A location shared outside any step: posters put up there, when the volunteer has
        accepted an open round (one poster until they say how many); False otherwise."""
        if turn.volunteer is None:
            return False
        round_id = await self.chat.db.fetchval("round_open_of_volunteer", turn.volunteer.id)
        if round_id is None:
            return False
        try:
            point = (where.latitude, where.longitude)
            place = await service.put_up(self.chat.db, round_id, turn.volunteer.id, point, 1)
        except errors.AlertsError as exc:
            await self.chat.send(turn, gettext(exc.message))
            return True
        await self.chat.send(turn, gettext(RECORDED, count=1), count_keyboard(place))
        return True

    async def optin_button(self, turn: Turn, arg: str) -> bool:
        """`po:menu` shows the opt-in; `po:on` / `po:off` change it."""
        if turn.volunteer is None or arg not in ("menu", "on", "off"):
            return False
        db, volunteer_id = self.chat.db, turn.volunteer.id
        if arg != "menu":
            await optin.set_posters(db, volunteer_id, arg == "on")
        on = await optin.opted_in(db, volunteer_id)
        status = gettext("on") if on else gettext("off")
        await self.chat.edit(turn, gettext(ABOUT, status=status), optin_keyboard(on))
        return True
