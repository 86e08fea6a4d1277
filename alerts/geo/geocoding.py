"""Geocoding for Belgium: Nominatim through geopy, and the offline gazetteer as geopy's fallback.

Queries can be a person's address: they are never logged, here or by geopy. Every answer says
how precise its point is (`alerts/geo/precision.py`): the gazetteer knows municipalities only;
Nominatim's answer type and size tell whether it found a street or landmark. Nominatim's usage
policy asks for at most one request a second and a User-Agent naming the application: the calls
of a process go through one geopy AsyncRateLimiter, and the agent is a setting.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from geopy.adapters import AioHTTPAdapter, URLLibAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from alerts.geo.gazetteer import CoarsePoint, Gazetteer, Place, default_gazetteer, haversine_km
from alerts.geo.precision import PointPrecision, from_nominatim

log = logging.getLogger(__name__)

Source = Literal["nominatim", "offline"]


@dataclass(frozen=True, kw_only=True)
class GeocodeResult:
    """A geocoded point, its label, where the answer came from, its nearest municipality, and
    how precise the point is (never `exact` for a text; a reverse look-up keeps its point)."""

    lat: float
    lon: float
    label: str
    source: Source
    municipality: Place
    precision: PointPrecision = "municipality"


def _location(place: Place, **extra: Any) -> Location:
    raw = {
        "postcode": place.postcode,
        "province": place.province,
        "names": dict(place.labels()),
        **extra,
    }
    return Location(place.address, Point(place.lat, place.lon), raw)


class OfflineGeocoder(Geocoder):
    """A geopy geocoder answering from the gazetteer, with municipality precision."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        # The adapter is never used; urllib's holds no connection, unlike requests' Session.
        super().__init__(adapter_factory=URLLibAdapter)
        self.gazetteer = gazetteer or default_gazetteer()

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The municipality the query names, as a geopy Location (a list unless exactly_one)."""
        place = self.gazetteer.lookup(str(query))
        if place is None:
            return None
        location = _location(place)
        return location if exactly_one else [location]

    def reverse(
        self, query: Any, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The municipality nearest a point ("lat, lon", a tuple or a Point), as a Location."""
        point = Point(query)
        place = self.gazetteer.nearest(point.latitude, point.longitude)
        distance = haversine_km(point.latitude, point.longitude, place.lat, place.lon)
        location = _location(place, distance_km=round(distance, 3))
        return location if exactly_one else [location]


class GeocodingService:
    """Geocoding for the service: Nominatim when configured, the gazetteer as a fallback."""

    def __init__(
        self,
        *,
        provider: str = "offline",
        nominatim_domain: str = "nominatim.openstreetmap.org",
        nominatim_scheme: str = "https",
        user_agent: str = "community-alerts",
        timeout: float = 5.0,
        min_delay_seconds: float = 1.0,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        if provider not in ("offline", "nominatim"):
            raise ValueError(f"unknown geocoding provider {provider!r}")
        self.gazetteer = gazetteer or default_gazetteer()
        self.offline = OfflineGeocoder(self.gazetteer)
        self.nominatim: Nominatim | None = None
        self._limited: AsyncRateLimiter | None = None
        if provider == "nominatim":
            self.nominatim = Nominatim(
                domain=nominatim_domain,
                scheme=nominatim_scheme,
                user_agent=user_agent,
                timeout=timeout,
                adapter_factory=AioHTTPAdapter,
            )
            # One clock for search and reverse: Nominatim's policy counts both.
            self._limited = AsyncRateLimiter(
                _call, min_delay_seconds=min_delay_seconds, max_retries=0,
                error_wait_seconds=min_delay_seconds, swallow_exceptions=False,
            )  # fmt: skip
            # geopy logs every request URL at DEBUG, and the URL carries the address.
            geopy_log = logging.getLogger("geopy")
            geopy_log.setLevel(max(geopy_log.getEffectiveLevel(), logging.INFO))

    async def geocode(self, query: str, country_codes: str = "be") -> GeocodeResult | None:
        """The point a place text names (Nominatim first when configured), or None."""
        if not query.strip():
            return None
        if self.nominatim is not None and self._limited is not None:
            try:
                found = await self._limited(
                    self.nominatim.geocode, query, exactly_one=True, country_codes=country_codes
                )
            except (GeopyError, TimeoutError) as exc:
                _log_fallback(exc)
            else:
                if found is not None:
                    return self._result(
                        found.latitude, found.longitude, found.address, "nominatim",
                        from_nominatim(found.raw),
                    )  # fmt: skip
        location = self.offline.geocode(query)
        if not isinstance(location, Location):
            return None
        place = self.gazetteer.by_postcode(location.raw["postcode"])
        assert place is not None  # the offline geocoder answers with gazetteer places only
        return GeocodeResult(
            lat=place.lat,
            lon=place.lon,
            label=location.address,
            source="offline",
            municipality=place,
            precision="municipality",
        )

    async def reverse(self, lat: float, lon: float) -> GeocodeResult:
        """The point itself, labelled by Nominatim when it answers, else by its municipality."""
        if self.nominatim is not None and self._limited is not None:
            try:
                found = await self._limited(self.nominatim.reverse, (lat, lon), exactly_one=True)
            except (GeopyError, TimeoutError) as exc:
                _log_fallback(exc)
            else:
                if found is not None:
                    return self._result(lat, lon, found.address, "nominatim", "exact")
        location = self.offline.reverse((lat, lon))
        assert isinstance(location, Location)  # the nearest municipality always exists
        return self._result(lat, lon, location.address, "offline", "exact")

    def _result(
        self, lat: float, lon: float, label: str, source: Source, precision: PointPrecision
    ) -> GeocodeResult:
        municipality = self.gazetteer.nearest(lat, lon)
        return GeocodeResult(lat=lat, lon=lon, label=label, source=source,
                             municipality=municipality, precision=precision)  # fmt: skip

    def coarsen(self, lat: float, lon: float, precision: str) -> CoarsePoint:
        """The point at a consented precision; see `Gazetteer.coarsen`."""
        return self.gazetteer.coarsen(lat, lon, precision)

    async def close(self) -> None:
        """Close Nominatim's HTTP session, if one was opened."""
        if self.nominatim is not None:
            await self.nominatim.__aexit__(None, None, None)


async def _call(method: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    return await method(*args, **kwargs)


def _log_fallback(exc: BaseException) -> None:
    # Only the error's type: geopy's messages quote the request URL, which holds the query.
    log.warning(
        "Nominatim failed; answering from the offline gazetteer",
        extra={"action": "geocode_fallback", "error": type(exc).__name__},
    )
