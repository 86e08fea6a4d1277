"""Honest places (issue 19): every sighting carries how precise its point is, from every intake
path; triage measures distance and speed, and groups duplicates, only from points precise
enough; a place only known to its municipality says so in words, in the staff member's
language; the pages with a map allow the configured tile server and send it the referrer its
policy needs, and every other page sends none."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.config_values import _tile_url, tile_origin
from alerts.db.database import Database
from alerts.geo.geocoding import GeocodingService
from alerts.i18n import in_language
from alerts.sightings import reports as sightings
from alerts.sightings import triage
from alerts.sightings.reports import Report, Sighting
from alerts.staff.models import Staff
from tests.integration.test_sightings import minutes_ago, report_form, send, token
from tests.support import images
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import moved
from tests.support.factories import approved
from tests.support.nominatim import fake_nominatim

Client = TestClient[Any, Any]
TYPED = ("Korenmarkt, Gent", "Gare de Gand-Saint-Pierre")
MUNICIPALITY_ONLY = (
    "Place known to the municipality only: no distance, speed or duplicates are worked out "
    "from it. Compare the place text yourself."
)
OSM = "https://tile.openstreetmap.org"


@pytest.fixture
async def manager_case(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> tuple[Case, Staff]:
    return await approved(database, settings, make_staff, languages=("nl",))


def typed(case: Case, place: str, minutes_after: float) -> Report:
    """A report that names its place in words only, as most tipsters do."""
    assert case.last_seen_at is not None
    return Report(
        seen_at=case.last_seen_at + timedelta(minutes=minutes_after), place=place, lat=None,
        lon=None, point_source=None, seen="a girl in a red jacket", direction="",
        companions="", contact_name=None, contact_phone=None, contact_email=None,
    )  # fmt: skip


def pinned(case: Case, km: float, minutes_after: float) -> Report:
    """A report with a point picked on the map, `km` east of the last-seen point."""
    assert case.last_seen_lat is not None and case.last_seen_lon is not None
    lat, lon = moved((case.last_seen_lat, case.last_seen_lon), km)
    return dataclasses.replace(typed(case, "", minutes_after), lat=lat, lon=lon, point_source="map")


async def store(db: Database, case: Case, report: Report, client: str) -> Sighting:
    receipt = await sightings.store(db, case.public_id, report, source="web", language="nl",
                                    client=client)  # fmt: skip
    return await sightings.get(db, receipt.id)


async def ranked(
    db: Database, case: Case, geocoder: GeocodingService | None = None
) -> dict[str, tuple[int, triage.Ranked]]:
    """Each sighting's group and assessment after the triage page's refresh, by place text
    (or reference)."""
    found = await triage.refresh(db, geocoder or GeocodingService(), case)
    groups = triage.rank(case, found, datetime.now(UTC))
    return {item.sighting.place or item.sighting.reference: (group.id, item)
            for group in groups for item in group.members}  # fmt: skip


# -- the attack: two places typed in words ------------------------------------------------------


async def test_places_typed_in_words_are_not_0_km_apart_nor_on_foot_nor_duplicates(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    # Two tipsters, ten minutes apart, name two places 2 km apart in Ghent. The offline
    # gazetteer finds both to Ghent's centre: the same point, 1.6 km from the last-seen one.
    for i, place in enumerate(TYPED):
        await store(database, case, typed(case, place, 30 + 10 * i), client=f"tipster-{i}")
    found = await ranked(database, case)
    (g1, first), (g2, second) = found[TYPED[0]], found[TYPED[1]]
    assert (first.sighting.lat, first.sighting.lon) == (second.sighting.lat, second.sighting.lon)
    assert g1 != g2  # not grouped as duplicates by their (identical) point
    for item in (first, second):
        assert item.sighting.point_precision == "municipality"
        a = item.assessment
        assert (a.reason, a.distance_km, a.speed_kmh) == ("municipality_only", None, None)
    # The page says so in words, and nothing about kilometres or walking.
    await logged_in(client, manager)
    for lang in ("en", "nl", "fr", "de"):
        page = await (await client.get(f"/console/cases/{case.id}/sightings?lang={lang}")).text()
        words = re.sub(r"[ \t\r\n]+", " ", page)
        assert words.count(in_language(lang, MUNICIPALITY_ONLY)) == 2, lang
        assert words.count(in_language(lang, "place known to the municipality only")) >= 2
        assert in_language(lang, "Possible on foot.") not in words
        assert "group-head" not in page  # no "2 similar reports"
    # The API and the police export say the same.
    data = await (await client.get(f"/api/cases/{case.id}/sightings")).json()
    assert {
        (s["reason"], s["distance_km"], s["speed_kmh"], s["point_precision"])
        for s in data["sightings"]
    } == {("municipality_only", None, None, "municipality")}
    raw = await (await client.get(f"/console/cases/{case.id}/sightings.csv?lang=fr")).read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    precision, distance, speed = (rows[0].index(h) for h in (
        "Précision du lieu", in_language("fr", "Distance from the last-seen place (km)"),
        in_language("fr", "Implied speed (km/h)")))  # fmt: skip
    assert [(r[precision], r[distance], r[speed]) for r in rows[1:]] == [
        ("lieu connu seulement à la commune près", "", "")] * 2  # fmt: skip


async def test_map_pins_are_measured_and_grouped(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    first = await store(database, case, pinned(case, 1.0, 30), client="a")
    echo = await store(database, case, pinned(case, 1.2, 40), client="b")  # 200 m, 10 min
    found = await ranked(database, case)
    (g1, a1), (g2, _) = found[first.reference], found[echo.reference]
    assert g1 == g2 == first.id
    assert a1.sighting.point_precision == "exact"
    assert a1.assessment.reason == "on_foot"
    assert a1.assessment.distance_km == pytest.approx(1.0, abs=0.01)
    await logged_in(client, manager)
    page = await (await client.get(f"/console/cases/{case.id}/sightings?lang=en")).text()
    assert "Possible on foot." in page and "exact point" in page
    assert "similar reports" in page


async def test_a_last_seen_place_typed_in_words_is_not_measured_from(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    # The last-seen place was typed; the offline gazetteer put it at Ghent's centre. A pin
    # 1.2 km from that centre is not "1.2 km from the last-seen place, possible on foot".
    gent = GeocodingService().gazetteer.lookup("Gent")
    assert gent is not None
    case, manager = await approved(database, settings, make_staff, languages=("nl",),
                                   last_seen_place="Sint-Baafsplein, Gent",
                                   last_seen_lat=gent.lat, last_seen_lon=gent.lon)  # fmt: skip
    pin = await store(database, case, pinned(case, 1.2, 30), client="a")
    [(_, item)] = (await ranked(database, case)).values()
    assert item.sighting.id == pin.id and item.sighting.point_precision == "exact"
    assert (item.assessment.reason, item.assessment.distance_km) == (
        "last_seen_municipality_only", None)  # fmt: skip
    await logged_in(client, manager)
    page = await (await client.get(f"/console/cases/{case.id}/sightings?lang=de")).text()
    assert in_language("de", "The last-seen place is only known to its municipality: no "
                       "distance or speed is worked out from it. Compare the places "
                       "yourself.") in re.sub(r"[ \t\r\n]+", " ", page)  # fmt: skip
    assert in_language("de", "Possible on foot.") not in page


async def test_a_street_found_by_nominatim_is_measured_and_a_town_is_not(
    database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case
    for i, place in enumerate((*TYPED, "Gent")):
        await store(database, case, typed(case, place, 30 + 10 * i), client=f"tipster-{i}")
    async with fake_nominatim() as nominatim:
        geocoder = nominatim.service()
        found = await ranked(database, case, geocoder)
        await geocoder.close()
    (g1, street), (g2, station), (g3, town) = (found[p] for p in (*TYPED, "Gent"))
    assert [x.sighting.point_precision for x in (street, station, town)] == [
        "street", "street", "municipality"]  # fmt: skip
    # The station is the last-seen place (about 100 m off); the Korenmarkt is 2 km north.
    assert station.assessment.distance_km == pytest.approx(0.03, abs=0.1)
    assert street.assessment.distance_km == pytest.approx(2.1, abs=0.2)
    assert street.assessment.reason == "on_foot"
    assert town.assessment.reason == "municipality_only"
    assert len({g1, g2, g3}) == 3


# -- precision stored by every intake path --------------------------------------------------------


async def test_every_intake_path_stores_how_precise_its_point_is(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case

    async def last() -> dict[str, Any]:
        row = await database.conn.fetchrow(
            "SELECT point_source, point_precision FROM sightings ORDER BY id DESC LIMIT 1"
        )
        return dict(row or {})

    csrf = await token(client, case)
    sent = [
        # the web form: a point picked on the map, the device's position, a place in words
        report_form(csrf, lat="51.0546", lon="3.7215", seen="map"),
        report_form(csrf, lat="51.0546", lon="3.7215", point_source="device", seen="gps"),
        report_form(csrf, place="Korenmarkt, Gent", seen="words"),
    ]
    expected = [("map", "exact"), ("device", "exact"), (None, "unknown")]
    for form, wanted in zip(sent, expected, strict=True):
        status, body, _ = await send(client, case, form)
        assert status == 303, body
        assert tuple((await last()).values()) == wanted
    # An upload with a photo (multipart), and the JSON an app sends.
    upload = FormData()
    for name, value in {"csrf_token": csrf, "seen_at": minutes_ago(5), "lat": "51.05",
                        "lon": "3.72", "seen": "upload"}.items():  # fmt: skip
        upload.add_field(name, value)
    upload.add_field("photo", _jpeg(), filename="p.jpg", content_type="image/jpeg")
    assert (await send(client, case, upload))[0] == 303
    assert tuple((await last()).values()) == ("map", "exact")
    body = {"seen_at": datetime.now(UTC).isoformat(), "place": "Gare de Gand-Saint-Pierre",
            "seen": "json"}  # fmt: skip
    answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body)
    assert answer.status == 201
    assert tuple((await last()).values()) == (None, "unknown")
    # The place texts are looked up at triage, with the precision the geocoder gives.
    await triage.refresh(database, GeocodingService(), case)
    rows = await database.conn.fetch(
        "SELECT seen, point_source, point_precision FROM sightings ORDER BY id"
    )
    assert {r["seen"]: (r["point_source"], r["point_precision"]) for r in rows} == {
        "map": ("map", "exact"), "gps": ("device", "exact"), "upload": ("map", "exact"),
        "words": ("geocoded", "municipality"), "json": ("geocoded", "municipality"),
    }  # fmt: skip


def _jpeg() -> bytes:
    return images.jpeg(320, 240)


async def test_a_place_no_geocoder_knows_stays_unknown_and_unplaced(
    database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case
    await store(database, case, typed(case, "achter de kerk", 30), client="a")
    [(_, item)] = (await ranked(database, case)).values()
    assert (item.sighting.point_precision, item.sighting.lat) == ("unknown", None)
    assert item.assessment.reason == "no_point"


async def test_the_database_refuses_a_point_without_its_precision(
    database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case
    with pytest.raises(Exception, match="sightings_precision_point"):
        await database.conn.execute(
            "INSERT INTO sightings (case_id, reference, source, language, seen_at, place, lat, "
            "lon, seen, client_key) VALUES ($1, 'AAAA-AAAA', 'web', 'nl', now(), '', 51, 3, "
            "'x', 'k')", case.id,
        )  # fmt: skip


# -- the map's tiles: the policy and the referrer ----------------------------------------------


def header_set(response: Any) -> tuple[str, str]:
    return response.headers["Referrer-Policy"], response.headers["Content-Security-Policy"]


def img_src(policy: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("img-src"))


async def test_pages_with_a_map_send_the_tiles_their_origin_and_others_no_referrer(
    client: Client, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    for _ in range(2):  # built, then from the page cache: the same headers
        referrer, policy = header_set(await client.get(f"/alerts/{case.public_id}"))
        assert referrer == "strict-origin-when-cross-origin"
        assert img_src(policy) == f"img-src 'self' data: {OSM}"
    await logged_in(client, manager)
    triage_page = await client.get(f"/console/cases/{case.id}/sightings")
    referrer, policy = header_set(triage_page)
    assert referrer == "strict-origin-when-cross-origin"
    assert img_src(policy) == f"img-src 'self' data: {OSM}"
    assert f'data-tiles="{OSM}/{{z}}/{{x}}/{{y}}.png"' in await triage_page.text()
    # Pages without a map give away nothing, not even the origin.
    for path in (f"/console/cases/{case.id}", "/console", "/press", "/volunteer"):
        answer = await client.get(path, allow_redirects=False)
        assert answer.headers["Referrer-Policy"] == "no-referrer", path


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tiles.example.org/osm/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("https://{s}.tile.example.net/{z}/{x}/{y}.png", "https://*.tile.example.net"),
        ("", ""),
    ],
)
async def test_the_tile_server_is_a_setting_and_the_policy_follows_it(
    aiohttp_client: Any, settings: Settings, database: Database, make_staff: StaffFactory,
    url: str, source: str,
) -> None:  # fmt: skip
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    custom = Settings.from_env({}, **{**settings.__dict__, "map_tile_url": url,
                                      "map_tile_attribution": "© Example tiles"})  # fmt: skip
    client = await aiohttp_client(create_app(custom))
    await logged_in(client, manager)
    page = await client.get(f"/console/cases/{case.id}/sightings")
    _, policy = header_set(page)
    assert img_src(policy) == f"img-src 'self' data: {source}".strip()
    assert "openstreetmap" not in policy
    html = await page.text()
    assert f'data-tiles="{url}"' in html and "© Example tiles" in html


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)//{z}/{x}/{y}",
        "ftp://tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org/{z}/{x}.png",  # no {y}
        "https://tiles.example.org/{z}/{x}/{y}.png; script-src *",  # a policy smuggled in
        "https://evil@tiles.example.org/{z}/{x}/{y}.png",
    ],
)
def test_a_tile_url_that_is_not_a_tile_template_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        Settings.from_env({"MAP_TILE_URL": bad})
    with pytest.raises(ValueError):
        _tile_url(bad)
    assert tile_origin(_tile_url(f"{OSM}/{{z}}/{{x}}/{{y}}.png")) == OSM
