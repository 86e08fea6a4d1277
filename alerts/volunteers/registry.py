"""Volunteers: checking what they type, Telegram sign-up, areas, quiet hours, opt-out, and
export and deletion of their data. E-mail sign-up is in `email_signup`, the signed links of
their messages in `links`.

A volunteer's places are stored only as points rounded to about 1 km. Nothing here logs a
person's address, chat id or place.

For other modules: `QuietHours.contains(moment)`, and `deactivate_chat(db, chat_id, reason)`
for a volunteer who blocked the bot.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Any, Self

from alerts.db.database import Database
from alerts.geo.gazetteer import round_point
from alerts.i18n import BRUSSELS, LANGUAGES

AREA_LABELS = ("home", "work")
RADIUS_CHOICES = (2, 5, 10, 25, 50)
MAX_RADIUS_KM = 200
# A bot conversation left alone this long starts again from the beginning.
CONVERSATION_MINUTES = 24 * 60

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}")
_TIME = re.compile(r"(\d{1,2})(?:\s*[:.hH]\s*(\d{2})?)?")
_RANGE = re.compile(r"(.+?)\s*(?:[-–—]|\s(?:tot|to|until|till|à|bis)\s)\s*(.+)")


class VolunteerError(Exception):
    """Input or a link that cannot be used; `key` names its message (volunteers.messages)."""

    def __init__(self, key: str, field: str | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.field = field


@dataclass(frozen=True, kw_only=True)
class Area:
    """One area a volunteer watches: a point rounded to about 1 km and a radius."""

    label: str
    lat: float
    lon: float
    radius_km: float

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(label=row["label"], lat=row["lat"], lon=row["lon"], radius_km=row["radius_km"])


@dataclass(frozen=True, kw_only=True)
class QuietHours:
    """A nightly window (local time) without alerts; it may run past midnight."""

    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        """True when `moment` (timezone-aware) falls in the window, in Belgian local time."""
        now = moment.astimezone(BRUSSELS).time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, kw_only=True)
class Volunteer:
    """A volunteer as stored (their areas are read separately)."""

    id: int
    public_id: str
    language: str
    telegram_chat_id: int | None
    email: str | None
    email_confirmed_at: datetime | None
    active: bool
    deactivated_reason: str | None
    quiet_start: time | None
    quiet_end: time | None
    created_at: datetime
    updated_at: datetime
    # Alerts of exercise cases too (marked EXERCISE); off unless they opt in.
    exercises: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    @property
    def quiet_hours(self) -> QuietHours | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return QuietHours(start=self.quiet_start, end=self.quiet_end)


# -- validation ----------------------------------------------------------------------------------


def make_area(label: str, lat: float, lon: float, radius_km: float) -> Area:
    """A valid area with its point rounded to about 1 km (the exact point is never kept)."""
    if label not in AREA_LABELS:
        raise VolunteerError("area_label_invalid", "label")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise VolunteerError("place_unknown", "place")
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise VolunteerError("radius_invalid", "radius")
    rounded_lat, rounded_lon = round_point(lat, lon)
    return Area(label=label, lat=rounded_lat, lon=rounded_lon, radius_km=float(radius_km))


def parse_radius(value: str) -> float:
    """A radius typed as '10', '10 km' or '2,5'; VolunteerError when not in (0, 200] km."""
    text = value.strip().lower().removesuffix("km").strip().replace(",", ".")
    try:
        radius = float(text)
    except ValueError:
        raise VolunteerError("radius_invalid", "radius") from None
    if not 0 < radius <= MAX_RADIUS_KM:
        raise VolunteerError("radius_invalid", "radius")
    return radius


def parse_time(value: str, field: str = "quiet") -> time:
    """A time of day typed as '22:00', '22.00', '22h', '2200' or '7'."""
    value = value.strip()
    if value.isdigit() and len(value) in (3, 4):
        value = f"{value[:-2]}:{value[-2:]}"
    found = _TIME.fullmatch(value)
    if not found:
        raise VolunteerError("time_invalid", field)
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour == 24 and minute == 0:
        hour = 0
    if hour > 23 or minute > 59:
        raise VolunteerError("time_invalid", field)
    return time(hour, minute)


def quiet_hours(start: str, end: str) -> QuietHours | None:
    """Quiet hours from two form fields: both empty means none."""
    if not start.strip() and not end.strip():
        return None
    if not start.strip():
        raise VolunteerError("quiet_incomplete", "quiet_start")
    if not end.strip():
        raise VolunteerError("quiet_incomplete", "quiet_end")
    begin, finish = parse_time(start, "quiet_start"), parse_time(end, "quiet_end")
    if begin == finish:
        raise VolunteerError("quiet_same", "quiet_end")
    return QuietHours(start=begin, end=finish)


def parse_quiet_hours(text: str) -> QuietHours:
    """Quiet hours typed in one line, e.g. '22:00-07:00' or '23h - 7h'."""
    found = _RANGE.fullmatch(text.strip().lower())
    if not found:
        raise VolunteerError("quiet_invalid", "quiet")
    quiet = quiet_hours(found.group(1), found.group(2))
    assert quiet is not None  # both parts matched non-empty text
    return quiet


def normalise_email(value: str) -> str:
    """The address in lower case; VolunteerError when it cannot be one."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise VolunteerError("email_invalid", "email")
    return email


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise VolunteerError("language_invalid", "language")
    return value


# -- reading and changing volunteers -------------------------------------------------------------


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


async def by_chat(db: Database, chat_id: int) -> Volunteer | None:
    row = await db.fetchrow("volunteer_by_chat", chat_id)
    return Volunteer.from_row(row) if row else None


async def by_public_id(db: Database, public_id: str) -> Volunteer | None:
    row = await db.fetchrow("volunteer_by_public_id", public_id)
    return Volunteer.from_row(row) if row else None


async def areas_of(db: Database, volunteer_id: int) -> list[Area]:
    """The volunteer's areas, home first."""
    return [Area.from_row(r) for r in await db.fetch("volunteer_areas", volunteer_id)]


async def save_telegram_signup(db: Database, chat_id: int, language: str, home: Area) -> Volunteer:
    """Sign up the volunteer of a Telegram chat (again) with this home area; alerts on."""
    async with db.transaction() as tx:
        row = await tx.fetchrow("upsert_telegram_volunteer", new_public_id(), chat_id, language)
        assert row is not None
        volunteer = Volunteer.from_row(row)
        await set_area(tx, volunteer.id, home)
    return volunteer


async def set_area(db: Database, volunteer_id: int, area: Area) -> None:
    """Add or replace the volunteer's area with `area`'s label."""
    await db.execute(
        "upsert_volunteer_area", volunteer_id, area.label, area.lat, area.lon, area.radius_km
    )


async def remove_area(db: Database, volunteer_id: int, label: str) -> None:
    """Remove a second area; the home area stays (a volunteer without one gets nothing)."""
    if label == "home":
        raise VolunteerError("area_label_invalid", "label")
    await db.execute("delete_volunteer_area", volunteer_id, label)


async def set_language(db: Database, volunteer_id: int, language: str) -> None:
    await db.execute("set_volunteer_language", volunteer_id, check_language(language))


async def set_quiet_hours(db: Database, volunteer_id: int, quiet: QuietHours | None) -> None:
    start, end = (quiet.start, quiet.end) if quiet else (None, None)
    await db.execute("set_volunteer_quiet_hours", volunteer_id, start, end)


async def set_exercises(db: Database, volunteer_id: int, on: bool) -> None:
    """Receive exercise alerts too (`on`), or real ones only (the default)."""
    await db.execute("set_volunteer_exercises", volunteer_id, on)


async def deactivate(db: Database, volunteer_id: int, reason: str) -> bool:
    """Stop a volunteer's alerts in one step; False when they were already stopped."""
    return await db.fetchval("deactivate_volunteer", volunteer_id, reason) is not None


async def deactivate_chat(db: Database, chat_id: int, reason: str) -> bool:
    """Stop the alerts of a Telegram chat's volunteer (reason 'blocked_bot' after a 403)."""
    return await db.fetchval("deactivate_volunteer_by_chat", chat_id, reason) is not None


async def delete(db: Database, volunteer: Volunteer) -> None:
    """Delete everything held about a volunteer: the record, areas, conversation, sign-ups."""
    async with db.transaction() as tx:
        await tx.execute("expire_manage_links_of_volunteer", volunteer.id)
        await tx.execute("delete_volunteer", volunteer.id)
        if volunteer.telegram_chat_id is not None:
            await tx.execute("conversation_clear", volunteer.telegram_chat_id)
        if volunteer.email is not None:
            await tx.execute("forget_signups_for_email", volunteer.email)


async def export(db: Database, volunteer: Volunteer) -> dict[str, Any]:
    """Everything held about a volunteer, as JSON-ready data (their right of access)."""
    areas = await areas_of(db, volunteer.id)
    sent = await db.fetch("volunteer_publications", volunteer.id)
    pending = (
        await db.fetch("pending_signups_for_email", volunteer.email) if volunteer.email else []
    )
    chat = volunteer.telegram_chat_id
    conversation = (
        await db.fetchrow("conversation_get", chat, CONVERSATION_MINUTES) if chat else None
    )
    searches = await db.fetchrow("volunteer_search_records", volunteer.id)  # issue 21
    posters = await db.fetchrow("volunteer_poster_records", volunteer.id)  # issue 21
    record = asdict(volunteer)
    del record["id"]  # internal, meaningless outside the database
    return _jsonable(
        {
            "volunteer": record,
            "areas": [asdict(a) for a in areas],
            "alerts_received": [dict(r) for r in sent],
            "field_searches": {
                "opted_in": bool(searches and searches["field_searches"]),
                "adult_confirmed_at": searches["adult_confirmed_at"] if searches else None,
                "call_outs": json.loads(searches["searches"]) if searches else [],
            },
            "poster_rounds": {
                "opted_in": bool(posters and posters["posters"]),
                "rounds": json.loads(posters["rounds"]) if posters else [],
            },
            "unconfirmed_signups": [_signup_json(r) for r in pending],
            "bot_conversation": (
                {"step": conversation["step"], "data": json.loads(conversation["data"])}
                if conversation
                else None
            ),
        }
    )


def _signup_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**dict(row), "areas": json.loads(row["areas"]) if row["areas"] else []}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | time):
        return value.isoformat()
    return value
