"""Triage of a case's sightings: how plausible each is, near-duplicates grouped, the order
case managers read them in, status and notes (audited), and the exports for the police.

Plausibility compares a sighting with the case's last-seen point and time: the distance, the
hours since, and the speed they imply. A child on foot covers about 5 km an hour; a sighting
60 km away ten minutes later needs a car at 360 km/h and is most likely someone else. The
order is that plausibility weighed by freshness (a sighting loses half its weight in a day),
with what staff have set aside (not credible, duplicate) at the end.

Only a point precise enough (exact, or a street or landmark: `alerts/geo/precision.py`) is
measured from or grouped by: a place text found only to its municipality sits at the town's
centre, and two such texts would read "0 km, 0 km/h, possible on foot" and look like duplicates
when they may be kilometres apart. Such a sighting reads "place known to the municipality only".
The same holds for the case's last-seen point when it is a municipality's centre, as the
gazetteer gives a last-seen place typed in words.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from alerts import errors
from alerts.cases.models import Case
from alerts.db.database import Database
from alerts.geo.gazetteer import fold, haversine_km
from alerts.geo.geocoding import GeocodingService
from alerts.geo.precision import at_a_municipality_centre, precise
from alerts.i18n import N_, in_language
from alerts.posters.layout import BOLD, FONT, embedding_fonts
from alerts.sightings import reports as sightings
from alerts.sightings.reports import BRUSSELS, STATUSES, Sighting
from alerts.staff import audit
from alerts.staff.models import Staff

SET_ASIDE = ("not_credible", "duplicate")
# How fast the child could have gone (km/h), and how plausible that makes the sighting.
SPEEDS = ((7.0, "on_foot", 1.0), (30.0, "bike_or_bus", 0.85), (130.0, "vehicle", 0.6))
TOO_FAST = ("too_fast", 0.1)
UNKNOWN = 0.5  # no point, or no last-seen point to compare with
BEFORE = 0.2  # seen before the child went missing
MIN_HOURS = 0.25  # a sighting minutes after: as if a quarter of an hour had passed
HALF_LIFE_HOURS = 24.0
# Near-duplicates: within this distance and time of each other, or the same sender again soon.
NEAR_KM = 0.5
NEAR_MINUTES = 30.0
SAME_SENDER_MINUTES = 15.0
GEOCODE_BATCH = 10  # place texts looked up per refresh (Nominatim asks for one a second)
GEOCODE_SECONDS = 3.0  # and no longer than this, so the page never waits long
NOTES_LIMIT = 2000


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """A sighting against the last-seen point and time."""

    distance_km: float | None
    hours_after: float | None
    speed_kmh: float | None
    # on_foot, bike_or_bus, vehicle, too_fast, before, no_point, municipality_only,
    # last_seen_municipality_only, no_last_seen
    reason: str
    plausibility: float
    score: float


@dataclass(frozen=True, kw_only=True)
class Ranked:
    sighting: Sighting
    assessment: Assessment


@dataclass(frozen=True, kw_only=True)
class Group:
    """Near-duplicates, the strongest first; `id` is the smallest sighting id in it."""

    id: int
    members: tuple[Ranked, ...]

    @property
    def set_aside(self) -> bool:
        return all(m.sighting.status in SET_ASIDE for m in self.members)

    @property
    def score(self) -> float:
        return max(m.assessment.score for m in self.members)


def assess(sighting: Sighting, case: Case, now: datetime) -> Assessment:
    """How plausible the sighting is, and how much it weighs now."""
    fresh = 0.5 ** (max((now - sighting.seen_at).total_seconds(), 0) / 3600 / HALF_LIFE_HOURS)
    hours = None
    if case.last_seen_at is not None:
        hours = (sighting.seen_at - case.last_seen_at).total_seconds() / 3600
    distance = speed = None
    if sighting.lat is None or sighting.lon is None:
        reason, plausible = "no_point", UNKNOWN
    elif not precise(sighting.point_precision):
        reason, plausible = "municipality_only", UNKNOWN
    elif case.last_seen_lat is None or case.last_seen_lon is None:
        reason, plausible = "no_last_seen", UNKNOWN
    elif at_a_municipality_centre(case.last_seen_lat, case.last_seen_lon):
        reason, plausible = "last_seen_municipality_only", UNKNOWN
    else:
        distance = haversine_km(case.last_seen_lat, case.last_seen_lon, sighting.lat, sighting.lon)
        reason, plausible, speed = _by_speed(distance, hours)
        if distance > case.search_radius_km:
            plausible *= max(0.4, case.search_radius_km / distance)
    if hours is not None and hours < -MIN_HOURS:
        reason, plausible = "before", BEFORE
    score = plausible * (0.3 + 0.7 * fresh)
    return Assessment(distance_km=distance, hours_after=hours, speed_kmh=speed, reason=reason,
                      plausibility=plausible, score=score)  # fmt: skip


def _by_speed(distance: float, hours: float | None) -> tuple[str, float, float | None]:
    if hours is None:
        return "no_last_seen", UNKNOWN, None
    speed = distance / max(hours, MIN_HOURS)
    for limit, reason, plausible in SPEEDS:
        if speed <= limit:
            return reason, plausible, speed
    return TOO_FAST[0], TOO_FAST[1], speed


def group_ids(found: list[Sighting]) -> dict[int, int]:
    """Each sighting's group: linked when near in place and time, or sent again by the same
    sender soon after; a group is everything linked, directly or through others."""
    parent = {s.id: s.id for s in found}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(a: Sighting, b: Sighting) -> None:
        ra, rb = root(a.id), root(b.id)
        parent[max(ra, rb)] = min(ra, rb)

    # Each sighting's place, worked out once (the pairs below run to hundreds of thousands): a
    # point precise enough to measure, else its place text folded for comparison.
    places = {s.id: _place(s) for s in found}
    by_time = sorted(found, key=lambda s: s.seen_at)
    for a, b in _within(by_time, lambda s: s.seen_at, NEAR_MINUTES):
        if _near(places[a.id], places[b.id]):
            link(a, b)
    by_sender = sorted(found, key=lambda s: (s.client_key, s.created_at))
    for a, b in _within(by_sender, lambda s: s.created_at, SAME_SENDER_MINUTES):
        if a.client_key == b.client_key:
            link(a, b)
    return {s.id: root(s.id) for s in found}


def _within(
    ordered: list[Sighting], moment: Callable[[Sighting], datetime], minutes: float
) -> Iterable[tuple[Sighting, Sighting]]:
    """Pairs at most `minutes` apart in a list sorted by `moment` (a sliding window, so a
    flood of a thousand sightings is not a million comparisons)."""
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if (moment(b) - moment(a)).total_seconds() > minutes * 60:
                break
            yield a, b


Place = tuple[float, float] | str


def _place(s: Sighting) -> Place:
    if s.lat is not None and s.lon is not None and precise(s.point_precision):
        return (s.lat, s.lon)
    return fold(s.place) if s.place.strip() else ""


def _near(a: Place, b: Place) -> bool:
    """Near in place: two precise points within NEAR_KM; else (a point only known to its
    municipality, or none) the same place text."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        # A degree of latitude is 111 km: most pairs are told apart without the trigonometry.
        if abs(a[0] - b[0]) > NEAR_KM / 111.0:
            return False
        return haversine_km(a[0], a[1], b[0], b[1]) <= NEAR_KM
    ta = a if isinstance(a, str) else ""
    return bool(ta) and ta == b


def rank(case: Case, found: list[Sighting], now: datetime) -> list[Group]:
    """The sightings in groups, in reading order: groups still open first, strongest first,
    then the newest."""
    ids = group_ids(found)
    members: dict[int, list[Ranked]] = {}
    for s in found:
        members.setdefault(ids[s.id], []).append(
            Ranked(sighting=s, assessment=assess(s, case, now))
        )
    groups = [
        Group(id=gid, members=tuple(sorted(items, key=_member_order)))
        for gid, items in members.items()
    ]
    return sorted(groups, key=lambda g: (g.set_aside, -g.score, -g.members[0].sighting.id))


def _member_order(item: Ranked) -> tuple[bool, float, int]:
    return (item.sighting.status in SET_ASIDE, -item.assessment.score, -item.sighting.id)


async def locate(db: Database, geocoder: GeocodingService, case: Case) -> None:
    """Look up a few place texts still without a point: off the report's hot path (a report
    never waits for Nominatim), at most GEOCODE_BATCH at a time and for GEOCODE_SECONDS (a
    public Nominatim answers one a second), each once, with the precision it was found to."""
    started = time.monotonic()
    for row in await db.fetch("sightings_to_geocode", case.id, GEOCODE_BATCH):
        if time.monotonic() - started > GEOCODE_SECONDS:
            break  # the rest at the next refresh
        found = await geocoder.geocode(row["place"]) if row["place"].strip() else None
        if found is None:
            await db.execute("set_geocoded_point", row["id"], None, None, "unknown")
        else:
            await db.execute("set_geocoded_point", row["id"], found.lat, found.lon,
                             found.precision)  # fmt: skip


async def refresh(db: Database, geocoder: GeocodingService, case: Case) -> list[Sighting]:
    """The case's sightings after `locate`, with the groups that changed saved."""
    await locate(db, geocoder, case)
    found_now = await sightings.of_case(db, case.id)
    ids = group_ids(found_now)
    changed = [(s.id, ids[s.id]) for s in found_now if s.group_id != ids[s.id]]
    if changed:
        await db.execute("set_sighting_groups", [c[0] for c in changed], [c[1] for c in changed])
        found_now = [replace(s, group_id=ids[s.id]) for s in found_now]
    return found_now


async def update(
    db: Database, staff: Staff, sighting_id: int, status: object, notes: object
) -> Sighting:
    """Set the status and notes of a sighting; audited (the notes' text stays out of the log)."""
    before = await sightings.get(db, sighting_id)
    new_status = before.status if status is None else status
    new_notes = before.notes if notes is None else notes
    if new_status not in STATUSES:
        raise errors.InvalidInput(
            "Must be one of: new, credible, not_credible, duplicate, police.", field="status"
        )
    if not isinstance(new_notes, str) or len(new_notes) > NOTES_LIMIT or "\x00" in new_notes:
        raise errors.InvalidInput("At most 2000 characters.", field="notes")
    async with db.transaction() as tx:
        row = await tx.fetchrow("update_sighting", sighting_id, new_status, new_notes, staff.id)
        assert row is not None
        await audit.record(
            tx, staff.id, "sighting_triaged", before.case_id, sighting=before.reference,
            status=new_status, previous=before.status, notes_changed=new_notes != before.notes,
        )  # fmt: skip
    return Sighting.from_row(row)


# -- exports for the police -----------------------------------------------------------------------


def _local(value: datetime | None) -> str:
    return value.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if value else ""


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


# The export's words (the police read it in the staff member's language).
STATUS_WORDS = {
    "new": N_("New"), "credible": N_("Credible"), "not_credible": N_("Not credible"),
    "duplicate": N_("Duplicate"), "police": N_("Passed to the police"),
}  # fmt: skip
SOURCE_WORDS = {"web": N_("Web form"), "json": N_("API (JSON)"), "telegram": N_("Telegram")}
POINT_WORDS = {
    "map": N_("point picked or typed"), "device": N_("position of the tipster's device"),
    "telegram": N_("location shared on Telegram"),
    "geocoded": N_("found from the place text (approximate)"),
}  # fmt: skip
PRECISION_WORDS = {
    "exact": N_("exact point"), "street": N_("street or landmark"),
    "municipality": N_("place known to the municipality only"), "unknown": N_("not placed"),
}  # fmt: skip


def _word(words: dict[str, str], code: str | None, lang: str) -> str:
    return in_language(lang, words[code]) if code in words else (code or "")


def export_rows(groups: list[Group], lang: str) -> list[list[str]]:
    """One row per sighting, in reading order, in `lang`: reference, group, status, seen at,
    place, latitude, longitude, where the point came from, how precise it is, distance (km)
    (only from a precise point), hours after the last
    sighting, implied speed (km/h), what was seen, direction, companions, photo, contact
    name, phone and e-mail, source, received at, notes."""
    rows = []
    yes = in_language(lang, N_("yes"))
    for group in groups:
        for item in group.members:
            s, a = item.sighting, item.assessment
            rows.append([
                s.reference, str(group.id), _word(STATUS_WORDS, s.status, lang),
                _local(s.seen_at), s.place, _number(s.lat, 5), _number(s.lon, 5),
                _word(POINT_WORDS, s.point_source, lang),
                _word(PRECISION_WORDS, s.point_precision, lang),
                _number(a.distance_km), _number(a.hours_after), _number(a.speed_kmh),
                s.seen, s.direction, s.companions, yes if s.has_photo else "",
                s.contact_name or "", s.contact_phone or "", s.contact_email or "",
                _word(SOURCE_WORDS, s.source, lang), _local(s.created_at), s.notes,
            ])  # fmt: skip
    return rows


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before them) as a
    # formula: a tipster's text must stay text when the police open the file.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """The rows as CSV in UTF-8 with a byte-order mark (which spreadsheets need to read UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([[_cell(value) for value in row] for row in [headers, *rows]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_pdf(title: str, subtitle: str, headers: list[str], rows: list[list[str]]) -> bytes:
    """The rows as an A4 PDF: a title, then one labelled block per sighting (CPU-bound, and it
    waits for any poster being written: run it in a thread)."""
    with embedding_fonts():
        return _pdf(title, subtitle, headers, rows)


def _pdf(title: str, subtitle: str, headers: list[str], rows: list[list[str]]) -> bytes:
    body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=10.5)
    label = ParagraphStyle("label", parent=body, fontName=BOLD)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=14, leading=18)
    story: list[object] = [Paragraph(escape(title), heading), Paragraph(escape(subtitle), body)]
    for record in rows:
        cells = [
            [Paragraph(escape(name), label), Paragraph(_lines(value), body)]
            for name, value in zip(headers, record, strict=True)
            if value
        ]
        table = Table(cells, colWidths=[45 * mm, 125 * mm])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ]))  # fmt: skip
        story += [Spacer(1, 4 * mm), table]
    out = io.BytesIO()
    margins = {"leftMargin": 20 * mm, "rightMargin": 20 * mm, "topMargin": 18 * mm,
               "bottomMargin": 18 * mm}  # fmt: skip
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, **margins)
    doc.build(story)
    return out.getvalue()


def _lines(value: str) -> str:
    # Paragraph reads its text as markup: escape it, and keep the tipster's line breaks.
    return "<br/>".join(escape(line) for line in value.splitlines() or [""])
