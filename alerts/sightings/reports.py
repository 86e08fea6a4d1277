"""Sightings: one check of a report for the web form, JSON and the bot, storing it, reading it.
Who sent it, how many they may send, and writing in batches: sighting_intake.py.

A report is kept exactly as it was sent (texts are not trimmed or rewritten, so nothing a
tipster wrote is lost); what cannot be stored or read is refused with a message per field.
The photo, when there is one, is only ever kept re-encoded (no EXIF, no GPS).
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Self

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases import photos
from alerts.cases.models import Case, CaseState
from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.gazetteer import haversine_km
from alerts.geo.precision import PointPrecision
from alerts.i18n import BRUSSELS, N_, in_language
from alerts.posters.labels import HEADLINE

STATUSES = ("new", "credible", "not_credible", "duplicate", "police")
# The longest text accepted in each field, in characters.
LIMITS = {
    "place": 300, "seen": 2000, "direction": 300, "companions": 500,
    "name": 100, "phone": 30, "email": 254,
}  # fmt: skip
# A phone's clock may run a little ahead; a time further ahead is a mistake.
FUTURE_SLACK = timedelta(minutes=10)
OLDEST = timedelta(days=366)
# A time this long before the child was last seen is asked to be checked (a wrong day, AM/PM
# or a clock in another zone), and kept only when the tipster confirms it.
EARLY = timedelta(hours=2)
# The field a tipster ticks to say that such a time is right (the form's checkbox; JSON true).
CONFIRMED = "seen_at_confirmed"
TOO_EARLY = N_(
    "This is long before the child went missing. Please check the date and time; if they are "
    "right, tick “The time is right” and send again."
)
# Read out over the phone: no 0/O, 1/I/L or U/V look-alikes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE = re.compile(f"[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")
# Control characters other than tab and line breaks: PostgreSQL cannot store NUL, and the
# others only hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"[0-9+()./ -]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: its message (English, translated where it is shown), and
    the values the message names."""

    message: str
    values: Mapping[str, str] = field(default_factory=dict)


class ReportInvalid(Exception):
    """The report cannot be stored as sent; `problems` says why, field by field."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems


@dataclass(frozen=True, kw_only=True)
class Observation:
    """What a person reports having seen: when, where (a place, a point or both), what, and how
    to reach them if they said."""

    seen_at: datetime
    place: str
    lat: float | None
    lon: float | None
    point_source: str | None
    seen: str
    direction: str
    companions: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


@dataclass(frozen=True, kw_only=True)
class Report(Observation):
    """A checked report, ready to store; `point_precision` None: told by the point's source."""

    photo: bytes | None = None
    point_precision: PointPrecision | None = None

    @property
    def precision(self) -> PointPrecision:
        """How precise the point is: a point given as one is exact; a place text found by the
        geocoder is as precise as it said (the municipality, unless told otherwise)."""
        if self.lat is None:
            return "unknown"
        if self.point_precision is not None:
            return self.point_precision
        return "municipality" if self.point_source == "geocoded" else "exact"


@dataclass(frozen=True, kw_only=True)
class Sighting(Observation):
    """A stored report, as staff see it (the photo's bytes are fetched on their own)."""

    id: int
    case_id: int
    reference: str
    point_precision: str  # exact, street, municipality, unknown (alerts/geo/precision.py)
    source: str
    language: str
    has_photo: bool
    status: str
    notes: str
    group_id: int | None
    client_key: str
    created_at: datetime
    updated_at: datetime | None
    updated_by: int | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(**{f.name: row[f.name] for f in fields(cls)})

    @property
    def anonymous(self) -> bool:
        return not (self.contact_name or self.contact_phone or self.contact_email)


# -- checking a report ----------------------------------------------------------------------------


def parse_report(
    sent: Mapping[str, object],
    now: datetime,
    *,
    point_source: str | None = None,
    point_precision: PointPrecision | None = None,
) -> Report:
    """The report in `sent` (form fields or a JSON object); ReportInvalid naming every field
    that is wrong. `point_source` is set by the bot; the web says 'map' or 'device'. The bot
    also says how precise a point it geocoded is (`point_precision`)."""
    problems: dict[str, Problem] = {}
    seen_at = _seen_at(sent.get("seen_at"), now, problems)
    texts = {name: _text(sent.get(name), name, problems) for name in LIMITS}
    lat, lon = _point(sent.get("lat"), sent.get("lon"), problems)
    if not texts["seen"].strip() and "seen" not in problems:
        problems["seen"] = Problem(N_("Describe what you saw."))
    if not texts["place"].strip() and lat is None and not problems.keys() & {"place", "point"}:
        problems["place"] = Problem(N_("Enter where you saw the child, or give the point."))
    _check_contact(texts, problems)
    if problems:
        raise ReportInvalid(problems)
    assert seen_at is not None
    if lat is not None and point_source is None:
        point_source = "device" if sent.get("point_source") == "device" else "map"
    return Report(
        seen_at=seen_at, place=texts["place"], lat=lat, lon=lon,
        point_source=point_source if lat is not None else None,
        seen=texts["seen"], direction=texts["direction"], companions=texts["companions"],
        contact_name=_optional(texts["name"]), contact_phone=_optional(texts["phone"]),
        contact_email=_optional(texts["email"]),
        point_precision=point_precision if lat is not None else None,
    )  # fmt: skip


def _text(raw: object, name: str, problems: dict[str, Problem]) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        problems[name] = Problem(N_("This must be text."))
        return ""
    if _CONTROL.search(raw):
        problems[name] = Problem(
            N_("This text contains characters that cannot be sent. Please type it again.")
        )
    elif len(raw) > LIMITS[name]:
        problems[name] = Problem(N_("At most %(limit)s characters."), {"limit": str(LIMITS[name])})
    return raw


def _optional(text: str) -> str | None:
    return text if text.strip() else None


def _seen_at(raw: object, now: datetime, problems: dict[str, Problem]) -> datetime | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems["seen_at"] = Problem(N_("Enter when you saw the child."))
        return None
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        problems["seen_at"] = Problem(N_("Enter a valid date and time."))
        return None
    if when.tzinfo is None:  # the form's field is in the case's zone; apps send an offset
        when = when.replace(tzinfo=BRUSSELS)
    if when > now + FUTURE_SLACK:
        problems["seen_at"] = Problem(
            N_("This time is in the future. Enter when you saw the child.")
        )
    elif when < now - OLDEST:
        problems["seen_at"] = Problem(N_("This date is more than a year ago. Please check it."))
    return when


def early_problem(
    sent: Mapping[str, object], seen_at: datetime, last_seen_at: datetime | None
) -> Problem | None:
    """The problem with a seen-time long before the child was last seen, unless the tipster
    confirmed it (CONFIRMED: a ticked checkbox or JSON true)."""
    if last_seen_at is None or seen_at >= last_seen_at - EARLY:
        return None
    if sent.get(CONFIRMED) in (True, "on", "true", "1", "yes"):
        return None
    return Problem(TOO_EARLY)


def _point(
    raw_lat: object, raw_lon: object, problems: dict[str, Problem]
) -> tuple[float | None, float | None]:
    """Both coordinates or neither; numbers in range (a decimal comma is fine)."""
    given = [value not in (None, "") for value in (raw_lat, raw_lon)]
    if not any(given):
        return None, None
    try:
        if not all(given):
            raise ValueError("one coordinate")
        lat, lon = _number(raw_lat), _number(raw_lon)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError("out of range")
    except (ValueError, OverflowError):  # float(10**400) overflows
        problems["point"] = Problem(
            N_("Give both coordinates as numbers, for example 51.0543 and 3.7174.")
        )
        return None, None
    return lat, lon


def _number(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(raw)
    value = float(raw.strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _check_contact(texts: dict[str, str], problems: dict[str, Problem]) -> None:
    phone, email = texts["phone"].strip(), texts["email"].strip()
    if phone and "phone" not in problems:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE.fullmatch(phone) or not 6 <= digits <= 20:
            problems["phone"] = Problem(
                N_("Enter a phone number of 6 to 20 digits, for example +32 470 12 34 56.")
            )
    if email and "email" not in problems and not _EMAIL.fullmatch(email):
        problems["email"] = Problem(N_("Enter an e-mail address like name@example.be."))


def clean_photo(data: bytes, settings: Settings) -> bytes:
    """The photo re-encoded as a JPEG without metadata; ReportInvalid when it is refused.

    CPU-bound (a phone photo takes a tenth of a second to decode): run it off the event loop.
    """
    limit = min(settings.photo_max_bytes, settings.sighting_max_body)
    try:
        image = photos.clean_image(
            data, max_bytes=limit, max_pixels=settings.photo_max_pixels,
            max_side=settings.photo_max_side,
        )  # fmt: skip
    except errors.InvalidInput as exc:
        raise ReportInvalid({"photo": photo_problem(exc.message, limit)}) from None
    return image.jpeg


def photo_problem(message: str, limit: int) -> Problem:
    """The public message for one of clean_image's (English, staff-facing) refusals."""
    if "too large" in message:
        mb = str(max(limit // (1024 * 1024), 1))
        return Problem(N_("The photo is too large: at most %(mb)s MB."), {"mb": mb})
    if "pixels" in message:
        return Problem(N_("The photo has too many pixels. Choose a smaller one."))
    if "Only JPEG" in message:
        return Problem(N_("Only JPEG, PNG or WebP photos are accepted."))
    return Problem(
        N_("This file is not a photo we can read. Choose a JPEG, PNG or WebP photo, or none.")
    )


# -- storing and reading --------------------------------------------------------------------------


def new_reference() -> str:
    """A reference for the tipster: random, so it tells nothing about how many came before."""
    # 48 random bits as eight letters of a 29-letter alphabet (29**8 is 560 times smaller than
    # 2**48, so no letter is noticeably likelier); one call to the OS instead of eight.
    number = int.from_bytes(secrets.token_bytes(6))
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[index])
    return f"{''.join(chars[:4])}-{''.join(chars[4:])}"


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """A stored report: its id, its case, and the reference given to the tipster."""

    id: int
    case_id: int
    reference: str


async def store(
    db: Database, public_id: str, report: Report, *, source: str, language: str, client: str
) -> Receipt:
    """Store the report for the case with this public id; Gone when that case is not active
    (closed meanwhile, or no such case): the INSERT itself checks, in one round trip."""
    for _ in range(3):  # a reference drawn twice: draw again
        reference = new_reference()
        try:
            row = await db.fetchrow(
                "insert_sighting", public_id, reference, source, language, report.seen_at,
                report.place, report.lat, report.lon, report.point_source, report.seen,
                report.direction, report.companions, report.photo, report.contact_name,
                report.contact_phone, report.contact_email, client, report.precision,
            )  # fmt: skip
        except errors.Conflict:
            continue
        if row is None:
            raise errors.Gone()
        return Receipt(id=row["id"], case_id=row["case_id"], reference=reference)
    raise RuntimeError("no unique reference in three draws")


async def get(db: Database, sighting_id: int) -> Sighting:
    row = await db.fetchrow("sighting_by_id", sighting_id)
    if row is None:
        raise errors.NotFound("No such sighting.")
    return Sighting.from_row(row)


async def of_case(db: Database, case_id: int) -> list[Sighting]:
    """Every sighting of the case, newest first."""
    return [Sighting.from_row(row) for row in await db.fetch("case_sightings", case_id)]


async def photo(db: Database, sighting_id: int) -> bytes | None:
    value: bytes | None = await db.fetchval("sighting_photo", sighting_id)
    return value


@dataclass(frozen=True, kw_only=True)
class Reportable:
    """A case a report could be about, and how to name it to the person reporting."""

    case: Case
    label: str


async def reportable(
    db: Database, settings: Settings, chat_id: int, lat: float, lon: float, lang: str
) -> list[Reportable]:
    """The active cases a Telegram user at a point may report on: those alerted to the chat,
    and those with a public page whose last-seen point is near (three search radii, at least
    30 km). Each is named only with what the consent lets that channel show."""
    alerted = {row["case_id"] for row in await db.fetch("cases_alerted_to_chat", chat_id)}
    found = []
    for case in await cases.list_cases(db, CaseState.ACTIVE, 200, 0):
        if case.id not in alerted and not _near(case, lat, lon):
            continue
        channel = "telegram_dm" if case.id in alerted else "case_page"
        try:
            view = await view_for(db, settings, case, channel)
        except errors.NotPublishable:
            continue
        name = view.name or in_language(lang, HEADLINE)
        found.append(Reportable(case=case, label=f"{name} – {view.place(lang)}"))
    return found


def _near(case: Case, lat: float, lon: float) -> bool:
    if case.last_seen_lat is None or case.last_seen_lon is None:
        return False
    distance = haversine_km(case.last_seen_lat, case.last_seen_lon, lat, lon)
    return distance <= max(3 * case.search_radius_km, 30.0)
