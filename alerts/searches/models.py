"""A search, its members and sectors as stored, what staff write to create or change one, and
the grid of sectors around the assembly point."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts import errors
from alerts.db.rows import Row
from alerts.i18n import BRUSSELS

MAX_TEXT = 2000
MAX_LINE = 200
# The grid: at most this many sectors a side, each at least this wide (km).
MAX_GRID = 6
KM_PER_DEGREE_LAT = 111.32


@dataclass(frozen=True, kw_only=True)
class Search(Row):
    id: int
    case_id: int
    case_public_id: str = ""
    case_state: str = "active"
    state: str
    police_liaison: str
    assembly_place: str
    assembly_lat: float
    assembly_lon: float
    assembly_at: datetime
    bring: str
    briefing: str
    coordinator: str
    max_searchers: int
    coming: int
    created_by: int
    created_at: datetime
    ended_at: datetime | None

    @property
    def open(self) -> bool:
        return self.state == "open" and self.case_state == "active"


@dataclass(frozen=True, kw_only=True)
class Member(Row):
    id: int
    search_id: int
    volunteer_id: int
    answer: str | None
    team_leader: bool
    answered_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    lat: float | None
    lon: float | None

    @property
    def checked_in(self) -> bool:
        return self.checked_in_at is not None and self.checked_out_at is None


@dataclass(frozen=True, kw_only=True)
class Sector(Row):
    id: int
    search_id: int
    label: str
    south: float
    west: float
    north: float
    east: float
    leader_id: int | None
    searched_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What staff wrote for a new search, checked."""

    police_liaison: str
    assembly_place: str
    assembly_lat: float
    assembly_lon: float
    assembly_at: datetime
    bring: str
    briefing: str
    coordinator: str
    max_searchers: int
    radius_km: float
    grid: int


def parse_plan(form: Mapping[str, Any], now: datetime | None = None) -> Plan:
    """The plan of a search from a form or JSON; InvalidInput naming the first wrong field."""
    liaison = _text(form, "police_liaison", MAX_LINE)
    if not liaison:
        raise errors.InvalidInput("Name the police liaison of the search.", field="police_liaison")
    place = _text(form, "assembly_place", MAX_LINE)
    if not place:
        raise errors.InvalidInput("Give the assembly point.", field="assembly_place")
    briefing = _text(form, "briefing", MAX_TEXT)
    if not briefing:
        raise errors.InvalidInput("Write the briefing for the searchers.", field="briefing")
    return Plan(
        police_liaison=liaison, assembly_place=place,
        assembly_lat=_number(form, "assembly_lat", -90, 90),
        assembly_lon=_number(form, "assembly_lon", -180, 180),
        assembly_at=parse_time(form.get("assembly_at"), now),
        bring=_text(form, "bring", MAX_TEXT), briefing=briefing,
        coordinator=_text(form, "coordinator", MAX_LINE),
        max_searchers=int(_number(form, "max_searchers", 1, 500)),
        radius_km=_number(form, "radius_km", 0.2, 10, default=1.0),
        grid=int(_number(form, "grid", 1, MAX_GRID, default=3)),
    )  # fmt: skip


def parse_time(raw: object, now: datetime | None = None) -> datetime:
    """A meeting time (ISO; without an offset it is Brussels time), not in the past."""
    try:
        when = datetime.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise errors.InvalidInput("Give the time of the meeting.", field="assembly_at") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=BRUSSELS)
    if when < (now or datetime.now(UTC)) - timedelta(hours=1):
        raise errors.InvalidInput("The meeting time is in the past.", field="assembly_at")
    return when


def parse_point(raw_lat: object, raw_lon: object) -> tuple[float, float] | None:
    """A position from a form (both empty: none); InvalidInput when it is not a point."""
    if str(raw_lat or "").strip() == "" and str(raw_lon or "").strip() == "":
        return None
    lat = _number({"lat": raw_lat}, "lat", -90, 90)
    lon = _number({"lon": raw_lon}, "lon", -180, 180)
    return lat, lon


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise errors.InvalidInput("This text is too long.", field=name)
    return text


def _number(
    form: Mapping[str, Any], name: str, low: float, high: float, default: float | None = None
) -> float:
    raw = form.get(name)
    if (raw is None or str(raw).strip() == "") and default is not None:
        return default
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise errors.InvalidInput("This number is missing or out of range.", field=name)
    return value


def grid(
    lat: float, lon: float, radius_km: float, side: int
) -> list[tuple[str, tuple[float, ...]]]:
    """`side`×`side` sectors (label, (south, west, north, east)) covering the square of
    `radius_km` around the point; labels A1, A2… row by row from the north-west."""
    d_lat = radius_km / KM_PER_DEGREE_LAT
    d_lon = radius_km / (KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    step_lat, step_lon = 2 * d_lat / side, 2 * d_lon / side
    north, west = lat + d_lat, lon - d_lon
    sectors = []
    for row in range(side):
        for col in range(side):
            box = (north - (row + 1) * step_lat, west + col * step_lon,
                   north - row * step_lat, west + (col + 1) * step_lon)  # fmt: skip
            sectors.append((f"{chr(ord('A') + row)}{col + 1}", tuple(round(v, 6) for v in box)))
    return sectors
