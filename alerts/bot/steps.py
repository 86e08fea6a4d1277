"""The steps of a chat with the bot: where a chat stands, one update as a handler sees it, and
what the bot asks (and reminds) at each step, in English; the handlers translate it in the
chat's language (see alerts.i18n).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from telegram import CallbackQuery, Update

from alerts.i18n import N_
from alerts.volunteers.registry import Volunteer

LANGUAGE, PLACE, RADIUS, CONFIRM, QUIET = "language", "place", "radius", "confirm", "quiet"

# The same in every language: the person has not chosen one yet.
CHOOSE_LANGUAGE = (
    "Kies je taal · Choisissez votre langue · Wählen Sie Ihre Sprache · Choose your language"
)
# Where the place of each area is asked for.
ASK_PLACE = MappingProxyType(
    {
        "home": N_(
            "Where do you live? Tap “📍 Share my location” below, or type the name or the "
            "postcode of your municipality (for example “Gent” or “9000”). We only keep your "
            "place rounded to about 1 km."
        ),
        "work": N_(
            "Where do you work? Type the name or the postcode of the municipality (for example "
            "“Leuven” or “3000”), or send its location (📎 → Location lets you pick a point on "
            "the map). We only keep it rounded to about 1 km."
        ),
    }
)
CHOOSE_RADIUS = N_(
    "📍 Near %(place)s.\nWithin what distance of there do you want to receive alerts?"
)
RADIUS_EXPECTED = N_(
    "Please choose a distance with the buttons above, or type a number of kilometres between 1 "
    "and 200."
)
PLACE_UNKNOWN = N_(
    "I cannot find that place. Type the name or the postcode of a Belgian municipality (for "
    "example “Gent” or “9000”), or share a location."
)
NOT_UNDERSTOOD = N_("Sorry, I did not understand that. Send /help to see what I can do.")
NOT_SIGNED_UP = N_("You are not signed up, so you receive no alerts. Send /start to sign up.")
# What to say when a chat sends something that does not fit its current step.
REMINDERS = MappingProxyType(
    {
        LANGUAGE: N_("Please choose a language with the buttons above."),
        PLACE: N_(
            "Please share a location, or type the name or the postcode of your municipality."
        ),
        RADIUS: RADIUS_EXPECTED,
        CONFIRM: N_("Please confirm with the buttons above, or send /start to begin again."),
        QUIET: N_(
            "Please type the quiet hours as two times, for example 22:00-07:00, or choose with "
            "the buttons above."
        ),
    }
)

HELP = N_(
    "I send you the search notices of %(organisation)s about missing children near you.\n\n"
    "/start – sign up\n"
    "/settings – change your language, your areas (home and work), the distance and your quiet "
    "hours; download or delete your data\n"
    "/stop – stop the alerts at once\n"
    "/sighting – report that you saw the child of an alert\n"
    "/help – this help\n\n"
    "Do you see a missing child? Call %(hotline)s or the police (101). In an emergency, call 112."
)
SIGNED_UP = N_(
    "✅ You are signed up. When a child goes missing near you, you will get a message here.\n\n"
    "/settings – language, areas and quiet hours\n/stop – stop the alerts\n/help – help"
)
STOPPED = N_(
    "🔕 Done: you will receive no more alerts. Send /start to switch them back on.\n"
    "To download or delete your data, send /settings and choose “My data”."
)
# What the bot says once an area is saved from the settings.
SAVED = MappingProxyType(
    {"home": N_("✅ Saved. Home: %(area)s."), "work": N_("✅ Saved. Work: %(area)s.")}
)


@dataclass(frozen=True, kw_only=True)
class ChatState:
    """Where a chat stands: the step, the chosen language and what was chosen so far."""

    step: str
    lang: str
    mode: str = "signup"  # or "settings"
    label: str = "home"
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    keyboard: bool = False  # a reply keyboard is showing and must be removed at the end

    @classmethod
    def from_row(cls, row: Any) -> ChatState:
        # Fields a newer or older version of this code saved are ignored, not fatal.
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in json.loads(row["data"]).items() if k in known}
        return cls(step=row["step"], **data)

    def data(self) -> str:
        values = dataclasses.asdict(self)
        del values["step"]
        return json.dumps(values)


@dataclass(frozen=True, kw_only=True)
class Turn:
    """One update as a handler sees it: the chat, its volunteer (if any) and its state."""

    update: Update
    chat_id: int
    lang: str
    volunteer: Volunteer | None
    state: ChatState | None

    @property
    def query(self) -> CallbackQuery:
        assert self.update.callback_query is not None
        return self.update.callback_query
