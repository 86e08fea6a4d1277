"""How precise a point is, and how a geocoder's answer tells it.

A point is `exact` when a person gave it as a point (a map pin, the device's position, a location
shared on Telegram); `street` when a geocoder found the place text to a street, an address or a
landmark; `municipality` when the text was only found to a municipality (the offline gazetteer
knows nothing finer, and a geocoder's answer for a town, a district or a postcode is no better);
`unknown` when there is no point yet. Distances, speeds and duplicates are only worked out from
`exact` and `street` points: two texts found to the same town centre are 0 km apart on paper and
may be kilometres apart in fact.

A geocoded text is never `exact`: even a house number is where the geocoder puts the building.
Nominatim's answer says what it found: `addresstype` (Nominatim 4.3 and later), `class` and
`type`, `place_rank` (26 and 27 are streets, 28 to 30 buildings and points of interest) and the
bounding box of the object. An answer is `street` only when it names a sub-municipal object and
its box is small; anything else, or an answer that says nothing of its type, is `municipality`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any, Literal

from alerts.geo.gazetteer import default_gazetteer, haversine_km

PointPrecision = Literal["exact", "street", "municipality", "unknown"]
PRECISIONS: tuple[PointPrecision, ...] = ("exact", "street", "municipality", "unknown")
# Points precise enough to measure distances and speeds from, and to group duplicates by.
PRECISE: frozenset[str] = frozenset({"exact", "street"})

# A street, a square or a station fits in this (its bounding box's diagonal); a long road or a
# district does not, and then the answer only places the text in its municipality.
STREET_MAX_KM = 2.0
STREET_RANK = 26
# Nominatim's address types for areas: an answer of one of these is a municipality at best.
AREA_TYPES = frozenset({
    "continent", "country", "state", "region", "province", "state_district", "county",
    "district", "municipality", "city", "town", "village", "hamlet", "isolated_dwelling",
    "farm", "locality", "city_district", "borough", "suburb", "quarter", "neighbourhood",
    "city_block", "postcode", "island", "islet", "administrative", "boundary",
})  # fmt: skip
# Classes of objects smaller than a municipality: streets, buildings, stations, shops, ...
OBJECT_CLASSES = frozenset({
    "highway", "building", "amenity", "railway", "public_transport", "shop", "tourism",
    "leisure", "historic", "office", "craft", "man_made", "aeroway", "emergency", "club",
    "healthcare", "bridge", "waterway",
})  # fmt: skip


def precise(precision: str | None) -> bool:
    """Whether a point of this precision can be measured from."""
    return precision in PRECISE


# A point this close to a municipality's centre in the gazetteer is what the gazetteer answered
# for a place typed in words (a case's last-seen place has no precision stored of its own).
CENTRE_KM = 0.02


@functools.lru_cache(maxsize=1024)
def at_a_municipality_centre(lat: float, lon: float) -> bool:
    """Whether the point is a municipality's centre as the offline gazetteer has it: the point
    the gazetteer gives a place typed in words, so one only known to its municipality."""
    place = default_gazetteer().nearest(lat, lon)
    return haversine_km(lat, lon, place.lat, place.lon) <= CENTRE_KM


def from_nominatim(raw: Mapping[str, Any]) -> PointPrecision:
    """The precision of one of Nominatim's search results (`Location.raw`)."""
    kind = str(raw.get("addresstype") or "").lower()
    category = str(raw.get("class") or raw.get("category") or "").lower()
    place_type = str(raw.get("type") or "").lower()
    if kind in AREA_TYPES or place_type in AREA_TYPES or category == "boundary":
        return "municipality"
    rank = _number(raw.get("place_rank"))
    named_object = category in OBJECT_CLASSES or place_type in ("square", "house")
    if not (named_object or (rank is not None and rank >= STREET_RANK)):
        return "municipality"
    size = box_km(raw.get("boundingbox"))
    if size is None or size > STREET_MAX_KM:
        return "municipality"
    return "street"


def box_km(box: object) -> float | None:
    """The diagonal of Nominatim's bounding box [south, north, west, east], in kilometres."""
    if not isinstance(box, list | tuple) or len(box) != 4:
        return None
    numbers = [_number(value) for value in box]
    if any(n is None for n in numbers):
        return None
    south, north, west, east = (float(n) for n in numbers if n is not None)
    height = (north - south) * 111.2
    width = (east - west) * 111.2 * math.cos(math.radians((north + south) / 2))
    return math.hypot(height, width)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
