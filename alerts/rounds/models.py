"""A poster round, its members and places as stored, and the zones around the place: six
sectors of 60° per ring, rings as wide as the round's radius, numbered in order of acceptance
(zone 0 is the first ring's northern-north-east sector), so volunteers never share one."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts import errors
from alerts.db.rows import Row

SECTORS = 6
KM_PER_DEGREE_LAT = 111.32
MAX_COUNT = 50


@dataclass(frozen=True, kw_only=True)
class Round(Row):
    id: int
    case_id: int
    case_public_id: str = ""
    case_state: str = "active"
    case_languages: list[str] | None = None
    state: str
    lat: float
    lon: float
    radius_km: float
    fingerprint: str
    revision: int
    created_by: int
    created_at: datetime
    takedown_at: datetime | None

    @property
    def open(self) -> bool:
        return self.state == "open" and self.case_state == "active"


@dataclass(frozen=True, kw_only=True)
class Member(Row):
    id: int
    round_id: int
    volunteer_id: int
    answer: str | None
    zone: int | None
    answered_at: datetime | None
    replace_asked_at: datetime | None
    replaced_at: datetime | None

    @property
    def must_replace(self) -> bool:
        return self.replace_asked_at is not None and self.replaced_at is None


@dataclass(frozen=True, kw_only=True)
class Place(Row):
    id: int
    round_id: int
    member_id: int | None
    lat: float
    lon: float
    count: int
    put_up_at: datetime
    removed_at: datetime | None
    reminded_at: datetime | None
    reported_at: datetime | None
    manual_reason: str | None

    @property
    def up(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True, kw_only=True)
class Zone:
    """Zone `number` of a round: a ring between `inner_km` and `outer_km` of the place, between
    two bearings (degrees from north), and the point in its middle (for a map link)."""

    number: int
    label: str
    inner_km: float
    outer_km: float
    from_deg: int
    to_deg: int
    lat: float
    lon: float


def zone(number: int, lat: float, lon: float, radius_km: float) -> Zone:
    ring, sector = divmod(number, SECTORS)
    step = 360 // SECTORS
    middle_lat, middle_lon = _offset(lat, lon, (ring + 0.5) * radius_km, sector * step + step / 2)
    return Zone(
        number=number, label=f"{chr(ord('A') + ring % 26)}{sector + 1}",
        inner_km=round(ring * radius_km, 1), outer_km=round((ring + 1) * radius_km, 1),
        from_deg=sector * step, to_deg=(sector + 1) * step,
        lat=round(middle_lat, 5), lon=round(middle_lon, 5),
    )  # fmt: skip


def _offset(lat: float, lon: float, km: float, degrees: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) towards a bearing of `degrees` from north (flat: zones
    are a few km wide)."""
    bearing = math.radians(degrees)
    d_lat = km * math.cos(bearing) / KM_PER_DEGREE_LAT
    d_lon = km * math.sin(bearing) / (KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return lat + d_lat, lon + d_lon


def zone_outline(
    number: int, lat: float, lon: float, radius_km: float, steps: int = 8
) -> list[tuple[float, float]]:
    """The outline of zone `number` for a map: along its outer arc, then back along its inner
    one (the place itself for the first ring)."""
    ring, sector = divmod(number, SECTORS)
    step = 360 / SECTORS
    bearings = [sector * step + i * step / steps for i in range(steps + 1)]
    outer = [_offset(lat, lon, (ring + 1) * radius_km, b) for b in bearings]
    inner = [_offset(lat, lon, ring * radius_km, b) for b in reversed(bearings)] if ring else \
        [(lat, lon)]  # fmt: skip
    return [(round(a, 6), round(b, 6)) for a, b in outer + inner]


def _number(raw: object, name: str, low: float, high: float, default: float | None = None) -> float:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if text == "" and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise errors.InvalidInput("This number is missing or out of range.", field=name)
    return value


def parse_radius(form: Mapping[str, Any]) -> float:
    """The ring width staff chose (km), 1 by default."""
    return _number(form.get("radius_km"), "radius_km", 0.2, 20, default=1.0)


def parse_point(raw_lat: object, raw_lon: object) -> tuple[float, float]:
    """Where posters were put up; InvalidInput when it is not a point."""
    if str(raw_lat or "").strip() == "" or str(raw_lon or "").strip() == "":
        raise errors.InvalidInput("Share the position of the posters, or pick it on the map.",
                                  field="lat")  # fmt: skip
    return _number(raw_lat, "lat", -90, 90), _number(raw_lon, "lon", -180, 180)


def parse_count(raw: object) -> int:
    """How many posters (1 to 50)."""
    value = _number(raw, "count", 1, MAX_COUNT, default=1.0)
    if value != int(value):
        raise errors.InvalidInput("This number is missing or out of range.", field="count")
    return int(value)
