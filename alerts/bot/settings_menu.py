"""The bot's /settings menu: language, home and work areas, radius, quiet hours, and "My data"
(everything held, shown as JSON, and deleted on request).

Choosing a new place or radius runs through the conversation's own steps (see conversation),
in "settings" mode, so a place typed or shared is handled the same way as at sign-up.
"""

from __future__ import annotations

import html
import json
import logging
from typing import TYPE_CHECKING

from telegram import ReplyKeyboardRemove

from alerts.bot import keyboards as kb
from alerts.bot.steps import ASK_PLACE, CHOOSE_LANGUAGE, CHOOSE_RADIUS, NOT_SIGNED_UP, REMINDERS
from alerts.i18n import N_, gettext, language_name
from alerts.volunteers import registry as volunteers
from alerts.volunteers.registry import QuietHours, Volunteer, VolunteerError

if TYPE_CHECKING:  # the conversation owns this menu; only its types are needed here
    from alerts.bot.conversation import Conversation
    from alerts.bot.steps import Turn

log = logging.getLogger(__name__)
# Telegram allows 4096 characters a message; the JSON is cut at line ends below that.
EXPORT_CHUNK = 3500
DELETED = N_("✅ All your data has been deleted. Send /start if you ever want to sign up again.")
EXERCISES_ON = N_(
    "✅ Exercises: on. You will also receive the alerts of exercises, marked EXERCISE. No child "
    "is missing in an exercise. Tap 🧪 Exercises again to switch them off."
)
EXERCISES_OFF = N_("✅ Exercises: off. You receive real alerts only.")
AREA_MENU = {
    "home": N_("Home: %(area)s.\nWhat would you like to change?"),
    "work": N_("Work: %(area)s.\nWhat would you like to change?"),
}


class SettingsMenu:
    """The settings buttons and what follows them, for one Conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.chat = conversation

    async def open(self, turn: Turn) -> None:
        """/settings: the menu with what is set now (or how to sign up)."""
        await self.chat.clear(turn)
        if turn.volunteer is None:
            await self.chat.send(turn, gettext(NOT_SIGNED_UP), ReplyKeyboardRemove())
            return
        await self.chat.send(turn, await self._menu_text(turn), kb.settings())

    async def _menu_text(self, turn: Turn) -> str:
        assert turn.volunteer is not None
        active = turn.volunteer.active
        status = gettext("on") if active else gettext("off (send /start to switch them on)")
        return gettext(
            "Your settings\n\nAlerts: %(status)s\nLanguage: %(language)s\nHome: %(home)s\n"
            "Work: %(work)s\nQuiet hours: %(quiet)s\n\nWhat would you like to change?",
            status=status, language=language_name(turn.lang),
            home=await self.chat.area_text(turn, "home"),
            work=await self.chat.area_text(turn, "work"), quiet=self._quiet_text(turn),
        )  # fmt: skip

    def _quiet_text(self, turn: Turn) -> str:
        quiet = turn.volunteer.quiet_hours if turn.volunteer else None
        return str(quiet) if quiet else gettext("none")

    async def menu_button(self, turn: Turn, arg: str) -> bool:
        """A button of the menu itself (`set:<what>`); False when it no longer applies."""
        chat = self.chat
        if turn.volunteer is None:
            return False
        if arg == "lang":
            await chat.begin(turn, "language", mode="settings")
            await chat.edit(turn, CHOOSE_LANGUAGE, kb.languages())
        elif arg in volunteers.AREA_LABELS:
            if await chat.area(turn, arg) is None:
                return await self.area_button(turn, f"{arg}:place")
            shown = gettext(AREA_MENU[arg], area=await chat.area_text(turn, arg))
            await chat.edit(turn, shown, kb.area(arg))
        elif arg == "quiet":
            await chat.begin(turn, "quiet", mode="settings")
            shown = gettext(
                "Quiet hours: %(quiet)s.\n\nDuring your quiet hours you get no alerts, except "
                "the most urgent ones (public appeals about a child in danger). Choose below, or "
                "type the hours, for example 22:00-07:00.",
                quiet=self._quiet_text(turn),
            )
            await chat.edit(turn, shown, kb.quiet())
        elif arg == "data":
            await self._send_export(turn, turn.volunteer)
        elif arg == "exercises":
            await self._toggle_exercises(turn, turn.volunteer)
        else:
            return False
        return True

    async def _toggle_exercises(self, turn: Turn, volunteer: Volunteer) -> None:
        """Exercise alerts on if they were off, off if they were on; says which."""
        await volunteers.set_exercises(self.chat.db, volunteer.id, not volunteer.exercises)
        await self.chat.edit(turn, gettext(EXERCISES_OFF if volunteer.exercises else EXERCISES_ON))

    async def area_button(self, turn: Turn, arg: str) -> bool:
        """`area:<label>:place|radius|remove`: a new place, a new radius, or no work area."""
        chat = self.chat
        label, _, action = arg.partition(":")
        if turn.volunteer is None or label not in volunteers.AREA_LABELS:
            return False
        if action == "place":
            await chat.begin(turn, "place", mode="settings", label=label, keyboard=True)
            await chat.send(turn, gettext(ASK_PLACE[label]), kb.location())
            return True
        area = await chat.area(turn, label)
        if area is None:
            return False
        if action == "radius":
            await chat.begin(
                turn, "radius", mode="settings", label=label, lat=area.lat, lon=area.lon
            )
            place = chat.place_name(area.lat, area.lon, turn.lang)
            await chat.edit(turn, gettext(CHOOSE_RADIUS, place=place), kb.radii())
            return True
        if action == "remove" and label != "home":
            await volunteers.remove_area(chat.db, turn.volunteer.id, label)
            await chat.edit(turn, gettext("✅ The work area has been removed."))
            return True
        return False

    async def quiet_button(self, turn: Turn, arg: str) -> bool:
        if turn.volunteer is None or (arg != "off" and arg not in kb.QUIET_PRESETS):
            return False
        quiet = None if arg == "off" else volunteers.parse_quiet_hours(kb.QUIET_PRESETS[arg])
        await self._save_quiet_hours(turn, quiet, edit=True)
        return True

    async def typed_quiet_hours(self, turn: Turn, entered: str) -> None:
        try:
            quiet = volunteers.parse_quiet_hours(entered)
        except VolunteerError:
            await self.chat.send(turn, gettext(REMINDERS["quiet"]))
            return
        await self._save_quiet_hours(turn, quiet, edit=False)

    async def _save_quiet_hours(self, turn: Turn, quiet: QuietHours | None, *, edit: bool) -> None:
        chat = self.chat
        assert turn.volunteer is not None
        await volunteers.set_quiet_hours(chat.db, turn.volunteer.id, quiet)
        await chat.clear(turn)
        shown = str(quiet) if quiet else gettext("none")
        saved = gettext("✅ Quiet hours: %(quiet)s.", quiet=shown)
        await (chat.edit if edit else chat.send)(turn, saved)

    async def data_button(self, turn: Turn, arg: str) -> bool:
        """`data:delete`, then `data:delete-yes` (everything is deleted) or `data:cancel`."""
        chat = self.chat
        if turn.volunteer is None:
            return False
        if arg == "delete":
            question = gettext(
                "This deletes your settings and your areas, and you will get no more alerts. It "
                "cannot be undone. Are you sure?"
            )
            await chat.edit(turn, question, kb.delete())
        elif arg == "delete-yes":
            await volunteers.delete(chat.db, turn.volunteer)
            log.info("volunteer deleted", extra={"action": "volunteer_delete", "channel": "bot"})
            await chat.edit(turn, gettext(DELETED))
        elif arg == "cancel":
            await chat.edit(turn, gettext("Nothing was changed."))
        else:
            return False
        return True

    async def _send_export(self, turn: Turn, volunteer: Volunteer) -> None:
        """Everything held about the volunteer, as JSON in one or more messages."""
        exported = await volunteers.export(self.chat.db, volunteer)
        chunks = _chunks(json.dumps(exported, indent=1, ensure_ascii=False), EXPORT_CHUNK)
        intro = gettext("This is everything we hold about you:")
        for number, chunk in enumerate(chunks):
            head = f"{intro}\n" if number == 0 else ""
            markup = kb.data() if number == len(chunks) - 1 else None
            body = f"{html.escape(head)}<pre>{html.escape(chunk)}</pre>"
            await self.chat.send(turn, body, markup, parse_mode="HTML")


def _chunks(value: str, size: int) -> list[str]:
    """`value` cut at line ends into pieces of at most about `size` characters."""
    chunks: list[str] = []
    current = ""
    for line in value.splitlines(keepends=True):
        if current and len(current) + len(line) > size:
            chunks.append(current)
            current = ""
        current += line
    return [*chunks, current] if current else chunks or [""]
