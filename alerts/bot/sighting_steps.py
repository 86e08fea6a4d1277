"""A sighting being reported through the bot: its steps, what was given so far, and what the
bot says at each step (gettext messages, said in the reporter's language)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from alerts.geo.precision import PRECISIONS, PointPrecision
from alerts.i18n import N_, gettext

WHERE, WHICH, WHAT, PHOTO = "where", "which", "what", "photo"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None

# What the bot says, translated where it is sent.
CANCELLED = N_("Your report was not sent.")
NONE_NEAR = N_(
    "There is no active alert near this place. If you think you saw a missing child, call "
    "%(hotline)s. If the child is in danger, call 112."
)
PLACE_UNKNOWN = N_("We could not find that place. Share a location, or type a street and town.")
DONE = N_(
    "Thank you. Your report was sent to the case managers. Your reference number: "
    "%(reference)s. If you remember anything else, call %(hotline)s and give this number. If "
    "the child is in danger, call 112."
)
AGAIN = N_("%(problem)s Please try again.")
WITHDRAWN = N_("This alert has been withdrawn. Thank you for your help.")


@dataclass(frozen=True, kw_only=True)
class Draft:
    """A report being made: its step, its language and what was given so far."""

    step: str
    lang: str
    case_id: int | None = None
    seen_at: str = ""
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    point_source: str | None = None
    point_precision: str | None = None  # of a geocoded place text: street or municipality
    seen: str = ""
    photo_id: str | None = None  # a photo sent as the reply to an alert, taken at the end

    @classmethod
    def from_row(cls, row: Any) -> Draft:
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in json.loads(row["data"]).items() if k in known}
        return cls(step=row["step"], case_id=row["case_id"], **data)

    def data(self) -> str:
        values = dataclasses.asdict(self)
        del values["step"], values["case_id"]
        return json.dumps(values)

    def precision(self) -> PointPrecision | None:
        """The point's precision as the geocoder told it (a draft saved before it was kept
        has none: parse_report then takes a geocoded point as the municipality only)."""
        known: dict[str | None, PointPrecision] = {p: p for p in PRECISIONS}
        return known.get(self.point_precision)

    def fields(self) -> dict[str, object]:
        """The report as parse_report reads a form."""
        return {"seen_at": self.seen_at, "place": self.place, "lat": self.lat,
                "lon": self.lon, "seen": self.seen}  # fmt: skip


def iso(moment: datetime | None) -> str:
    """`moment` (now when None) as an ISO 8601 text, as a form would send it."""
    return (moment or datetime.now(UTC)).isoformat()


def joined(before: str, more: str) -> str:
    """What was seen: the texts sent so far, one per line."""
    return f"{before}\n{more}" if before.strip() else more


def question(step: str) -> tuple[str, Markup]:
    """What the bot asks at `step`, in the current language, with its buttons."""
    cancel = InlineKeyboardButton(gettext("Cancel"), callback_data="sight:cancel")
    if step == WHERE:
        button = KeyboardButton(gettext("📍 Send my current location"), request_location=True)
        where = gettext(
            "Where did you see the child? Share the location (📎 → Location) or type the place."
        )
        return where, ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if step == WHAT:
        what = gettext(
            "What did you see? Tell us when (if it was not just now), what the child was "
            "doing and wearing, which way they went and who was with them."
        )
        return what, ReplyKeyboardRemove()
    if step == PHOTO:
        skip = InlineKeyboardButton(gettext("Send without a photo"), callback_data="sight:nophoto")
        photo = gettext("Do you have a photo? Send it now, or tap “Send without a photo”.")
        return photo, InlineKeyboardMarkup([[skip], [cancel]])
    return "", None
