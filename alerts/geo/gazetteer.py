"""The offline gazetteer of Belgium: municipalities and provinces, their names and centres.

The data (``alerts/geo/data/*.csv``) holds the 565 municipalities in force since the 2025
mergers, their centres (GeoNames, CC BY 4.0) and names in each language, plus the postcodes of
sub-municipalities and of merged former municipalities. The gazetteer answers postcode and name
look-ups, finds the municipality nearest a point, and coarsens a point to the precision a
consent allows; distances and the rounding of volunteers' homes are here too.
"""

from __future__ import annotations

import bisect
import csv
import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

from alerts.i18n import LANGUAGES

FLEMISH = frozenset({"ANT", "LIM", "OVL", "WVL", "VBR"})
# The nine municipalities of the German-speaking Community, whose official name is German.
GERMAN_SPEAKING = frozenset(
    {"4700", "4710", "4720", "4730", "4750", "4760", "4770", "4780", "4790"}
)
EARTH_RADIUS_KM = 6371.0088

Precision = Literal["exact", "municipality", "province"]

_POSTCODE = re.compile(r"(?<!\d)[1-9]\d{3}(?!\d)")
# "St-", "Ste-", "Saint-", "Sint-", "Sankt " all mean the same in a place name.
_SAINT = re.compile(r"\b(?:saint|sainte|sint|sankt|ste)\b")


def fold(text: str) -> str:
    """`text` as a comparison key: no case, accents, hyphens, apostrophes or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    words = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    return _SAINT.sub("st", words)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def round_point(lat: float, lon: float) -> tuple[float, float]:
    """The point rounded to about 1 km (two decimals), so a volunteer's home is never stored."""
    return round(lat, 2), round(lon, 2)


def _language(lang: str) -> str:
    code = lang[:2].lower()
    return code if code in LANGUAGES else "en"


@dataclass(frozen=True, kw_only=True)
class Named:
    """Names in the four languages of the service."""

    name_nl: str
    name_fr: str
    name_de: str
    name_en: str

    def name(self, lang: str) -> str:
        """The name in `lang`; any language but nl, fr and de gets the English name.

        The English name is the customary one where there is one (Brussels, Ghent), else the
        local name.
        """
        return str(getattr(self, f"name_{_language(lang)}"))

    def labels(self) -> MappingProxyType[str, str]:
        """The name in every language, keyed by language code."""
        return MappingProxyType({lang: self.name(lang) for lang in LANGUAGES})


@dataclass(frozen=True, kw_only=True)
class Province(Named):
    """A province (or the Brussels-Capital Region), its names and its centroid."""

    code: str
    lat: float
    lon: float


@dataclass(frozen=True, kw_only=True)
class Place(Named):
    """A municipality: its main postcode, names, province code and centre."""

    postcode: str
    province: str
    lat: float
    lon: float

    @property
    def official_names(self) -> tuple[str, ...]:
        """The name(s) in the municipality's own official language(s)."""
        if self.province == "BRU":
            return tuple(dict.fromkeys((self.name_nl, self.name_fr)))
        if self.province in FLEMISH:
            return (self.name_nl,)
        return (self.name_de if self.postcode in GERMAN_SPEAKING else self.name_fr,)

    @property
    def address(self) -> str:
        """The postal form, e.g. '1000 Brussel / Bruxelles'."""
        return f"{self.postcode} {' / '.join(self.official_names)}"


@dataclass(frozen=True, kw_only=True)
class CoarsePoint:
    """A point at a consented precision: a label per language and the point to show."""

    precision: Precision
    labels: MappingProxyType[str, str]
    lat: float
    lon: float


class Gazetteer:
    """Belgian municipalities, searchable by postcode, name (any language) and position."""

    def __init__(
        self,
        places: list[Place],
        provinces: list[Province],
        extra_postcodes: list[dict[str, str]],
    ) -> None:
        self.places = tuple(places)
        self._provinces = {p.code: p for p in provinces}
        self._by_postcode = {p.postcode: p for p in places}
        self._names: dict[str, tuple[int, Place]] = {}
        for place in places:
            self._index(place.official_names, 0, place)
            self._index(place.labels().values(), 1, place)
        for row in extra_postcodes:
            place = self._by_postcode[row["municipality_postcode"]]
            self._by_postcode.setdefault(row["postcode"], place)
            self._index((row["name_nl"], row["name_fr"]), 2, place)
        self._codes = sorted(self._by_postcode)
        self._longest_name = max(len(key.split()) for key in self._names)

    def _index(self, names: Iterable[str], rank: int, place: Place) -> None:
        # An official name beats an exonym (Saint-Nicolas near Liège, not Sint-Niklaas), and
        # both beat a sub-municipality name.
        for name in names:
            key = fold(name)
            if key and (key not in self._names or self._names[key][0] > rank):
                self._names[key] = (rank, place)

    @classmethod
    def load(cls) -> Gazetteer:
        """The gazetteer read from the CSV files shipped next to this module."""
        data = resources.files("alerts.geo").joinpath("data")

        def rows(name: str) -> list[dict[str, str]]:
            return list(csv.DictReader(data.joinpath(name).read_text("utf-8").splitlines()))

        places = [Place(**_with_point(r)) for r in rows("be_municipalities.csv")]
        provinces = [Province(**_with_point(r)) for r in rows("be_provinces.csv")]
        return cls(places, provinces, rows("be_postcodes.csv"))

    def by_postcode(self, postcode: str) -> Place | None:
        """The municipality a known postcode (main or sub-municipality) belongs to."""
        return self._by_postcode.get(postcode.strip())

    def province(self, code: str) -> Province:
        """The province with `code` (ANT, LIM, ..., BRU for the Brussels-Capital Region)."""
        return self._provinces[code]

    def lookup(self, query: str) -> Place | None:
        """The municipality a free-text query names, by postcode or name; None if none."""
        key = fold(query)
        if not key:
            return None
        if key in self._names:
            return self._names[key][1]
        codes = _POSTCODE.findall(query)
        known = [self._by_postcode[c] for c in codes if c in self._by_postcode]
        named = self._find_name(query)
        if known:
            # "Chaussée de Waterloo 1500, 1180 Uccle": the postcode that agrees with the name.
            return named if named in known else known[-1]
        if named is not None:
            return named
        return self._near_postcode(codes[-1]) if codes else None

    def _find_name(self, query: str) -> Place | None:
        # The municipality usually ends an address, so search from the end, longest name first.
        for part in reversed(query.split(",")):
            hit = self._names.get(fold(part))
            if hit:
                return hit[1]
        words = [w for w in fold(query).split() if not w.isdigit()]
        for end in range(len(words), 0, -1):
            for start in range(max(0, end - self._longest_name), end):
                hit = self._names.get(" ".join(words[start:end]))
                if hit:
                    return hit[1]
        return None

    def _near_postcode(self, code: str) -> Place | None:
        # bpost numbers the villages of a municipality just above its main postcode, so an
        # unlisted postcode most likely belongs with the closest listed one below it in the
        # same hundred (3271 Zichem -> 3270 Scherpenheuvel-Zichem).
        i = bisect.bisect_right(self._codes, code)
        if i and self._codes[i - 1][:2] == code[:2]:
            return self._by_postcode[self._codes[i - 1]]
        return None

    def nearest(self, lat: float, lon: float) -> Place:
        """The municipality whose centre is nearest the point."""
        # An equirectangular distance ranks correctly at Belgium's scale and is cheap.
        k = math.cos(math.radians(lat)) ** 2
        return min(self.places, key=lambda p: (p.lat - lat) ** 2 + k * (p.lon - lon) ** 2)

    municipality_of = nearest

    def coarsen(self, lat: float, lon: float, precision: str) -> CoarsePoint:
        """The point as a consent allows it: exact, or its municipality's or province's centre."""
        place = self.nearest(lat, lon)
        if precision == "exact":
            return CoarsePoint(precision="exact", labels=place.labels(), lat=lat, lon=lon)
        if precision == "municipality":
            return CoarsePoint(
                precision="municipality", labels=place.labels(), lat=place.lat, lon=place.lon
            )
        if precision == "province":
            province = self.province(place.province)
            return CoarsePoint(
                precision="province", labels=province.labels(), lat=province.lat, lon=province.lon
            )
        raise ValueError(f"unknown precision {precision!r}")


def _with_point(row: dict[str, str]) -> dict[str, Any]:
    return {**row, "lat": float(row["lat"]), "lon": float(row["lon"])}


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The shared gazetteer, read from disk on first use."""
    return Gazetteer.load()
