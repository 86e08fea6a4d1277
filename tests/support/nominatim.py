"""A local HTTP server that answers as Nominatim does (`/search` and `/reverse`, format=json), for
the real geopy client to talk to: no mock of geopy, the answers parsed as in production.

The answers below are shaped as nominatim.openstreetmap.org gives them (Nominatim 4.x, format=json:
`class`, `type`, `place_rank`, `addresstype`, `boundingbox` as [south, north, west, east] in
strings); the coordinates are rounded, and the objects are the ones the issue names.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from alerts.geo.geocoding import GeocodingService

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


def answer(
    lat: float, lon: float, name: str, category: str, kind: str, addresstype: str, rank: int,
    box: tuple[float, float, float, float],
) -> dict[str, Any]:  # fmt: skip
    """One search result as Nominatim's format=json has it."""
    return {
        "place_id": abs(hash(name)) % 10**8, "licence": LICENCE, "osm_type": "way",
        "osm_id": abs(hash(name)) % 10**9, "lat": str(lat), "lon": str(lon), "class": category,
        "type": kind, "place_rank": rank, "importance": 0.3, "addresstype": addresstype,
        "name": name.split(",")[0], "display_name": name,
        "boundingbox": [str(value) for value in box],
    }  # fmt: skip


# A pedestrian street in Ghent's centre, its main station, the city, and a motorway.
KORENMARKT = answer(
    51.05456, 3.72152, "Korenmarkt, Binnenstad, Gent, Oost-Vlaanderen, 9000, België",
    "highway", "pedestrian", "road", 26, (51.0540, 51.0551, 3.7207, 3.7222),
)  # fmt: skip
STATION = answer(
    51.03596, 3.71066, "Gent-Sint-Pieters, Koningin Maria Hendrikaplein, Gent, 9000, België",
    "railway", "station", "railway", 30, (51.0350, 51.0369, 3.7093, 3.7120),
)  # fmt: skip
GENT = answer(
    51.05375, 3.72505, "Gent, Oost-Vlaanderen, Vlaanderen, België", "boundary",
    "administrative", "city", 16, (50.9797, 51.1885, 3.5797, 3.8490),
)  # fmt: skip
MOTORWAY = answer(
    51.0300, 3.7500, "E40, Gent, Oost-Vlaanderen, België", "highway", "motorway", "road", 26,
    (50.9500, 51.0700, 3.5900, 4.1000),
)  # fmt: skip
ANSWERS = {
    "Korenmarkt, Gent": KORENMARKT,
    "Gare de Gand-Saint-Pierre": STATION,
    "Gent": GENT,
    "E40 richting Brussel": MOTORWAY,
}


@dataclass
class FakeNominatim:
    port: int
    requests: list[web.Request] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # when each request arrived (monotonic)
    results: list[dict[str, Any]] = field(default_factory=list)  # for a query not in `answers`
    answers: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(ANSWERS))
    delay: float = 0.0

    def service(self, timeout: float = 2.0, min_delay_seconds: float = 0.0) -> GeocodingService:
        """The service's geocoder (the real geopy Nominatim client) pointed at this server."""
        return GeocodingService(
            provider="nominatim", nominatim_domain=f"127.0.0.1:{self.port}",
            nominatim_scheme="http", user_agent="alerts-test", timeout=timeout,
            min_delay_seconds=min_delay_seconds,
        )  # fmt: skip


@asynccontextmanager
async def fake_nominatim() -> AsyncIterator[FakeNominatim]:
    """The server, listening on a free port until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake = FakeNominatim(port=sock.getsockname()[1])

    async def search(request: web.Request) -> web.Response:
        fake.requests.append(request)
        fake.times.append(time.monotonic())
        await asyncio.sleep(fake.delay)
        found = fake.answers.get(request.query.get("q", ""))
        return web.json_response([found] if found is not None else fake.results)

    async def reverse(request: web.Request) -> web.Response:
        fake.requests.append(request)
        fake.times.append(time.monotonic())
        return web.json_response(
            {"lat": request.query["lat"], "lon": request.query["lon"], "display_name": "Korenmarkt"}
        )

    app = web.Application()
    app.router.add_get("/search", search)
    app.router.add_get("/reverse", reverse)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield fake
    finally:
        await runner.cleanup()
