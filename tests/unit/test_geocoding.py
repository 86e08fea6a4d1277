"""The Belgian gazetteer, the offline geopy geocoder, and Nominatim with its fallback."""

from __future__ import annotations

import asyncio
import csv
import itertools
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any

import pytest
from geopy.location import Location
from hypothesis import given
from hypothesis import strategies as st

from alerts.geo.gazetteer import Place, default_gazetteer, fold, haversine_km, round_point
from alerts.geo.geocoding import GeocodingService, OfflineGeocoder
from alerts.geo.precision import at_a_municipality_centre, box_km, from_nominatim
from tests.support.nominatim import (
    GENT,
    KORENMARKT,
    MOTORWAY,
    STATION,
    FakeNominatim,
    fake_nominatim,
)
from tests.support.processes import free_port

PROVINCES = {"ANT", "LIM", "OVL", "WVL", "VBR", "BRU", "WBR", "HAI", "LIE", "LUX", "NAM"}
FLEMISH = {"ANT", "LIM", "OVL", "WVL", "VBR"}
ADDRESS = "Rue Neuve 1, 1000 Bruxelles"

# Town centres from independent sources, against which the gazetteer is checked (name_nl).
KNOWN = {
    "Brussel": (50.8466, 4.3528),
    "Antwerpen": (51.2194, 4.4025),
    "Gent": (51.0543, 3.7174),
    "Luik": (50.6326, 5.5797),
    "Namen": (50.4674, 4.8718),
    "Aarlen": (49.6833, 5.8167),
    "Brugge": (51.2093, 3.2247),
    "Leuven": (50.8798, 4.7005),
    "Bergen": (50.4542, 3.9523),
    "Eupen": (50.6280, 6.0360),
    "Hasselt": (50.9307, 5.3325),
    "Charleroi": (50.4108, 4.4446),
    "Mechelen": (51.0259, 4.4776),
    "Oostende": (51.2154, 2.9286),
    "Kortrijk": (50.8281, 3.2649),
    "Doornik": (50.6056, 3.3883),
    "Verviers": (50.5891, 5.8624),
    "Aalst": (50.9378, 4.0403),
    "Sint-Niklaas": (51.1650, 4.1437),
    "Genk": (50.9650, 5.5008),
    "Ieper": (50.8503, 2.8853),
    "Turnhout": (51.3227, 4.9447),
    "Waver": (50.7172, 4.6010),
    "Nijvel": (50.5982, 4.3285),
    "Bastenaken": (50.0009, 5.7156),
    "Dinant": (50.2609, 4.9120),
}


def read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("alerts.geo").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def region(province: str) -> str:
    if province == "BRU":
        return "brussels"
    return "flanders" if province in FLEMISH else "wallonia"


MUNICIPALITIES = read_csv("be_municipalities.csv")
POSTCODES = read_csv("be_postcodes.csv")


# --- the data ---------------------------------------------------------------------------------


def test_municipalities_are_the_565_in_force_since_2025() -> None:
    regions = Counter(region(r["province"]) for r in MUNICIPALITIES)
    assert regions == {"flanders": 285, "wallonia": 261, "brussels": 19}


def test_postcodes_are_unique_and_well_formed() -> None:
    codes = [r["postcode"] for r in MUNICIPALITIES]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 4 and c.isdigit() and c[0] != "0" for c in codes)


def test_every_province_is_present_and_described() -> None:
    assert {r["province"] for r in MUNICIPALITIES} == PROVINCES
    assert {r["code"] for r in read_csv("be_provinces.csv")} == PROVINCES


def test_every_row_has_a_name_in_every_language() -> None:
    for row in MUNICIPALITIES:
        assert all(row[f"name_{lang}"].strip() for lang in ("nl", "fr", "de", "en")), row


def test_every_point_lies_in_belgium() -> None:
    rows = MUNICIPALITIES + read_csv("be_provinces.csv")
    for row in rows:
        assert 49.49 <= float(row["lat"]) <= 51.51 and 2.54 <= float(row["lon"]) <= 6.41, row


@pytest.mark.parametrize(("name", "point"), KNOWN.items())
def test_well_known_places_are_within_3_km(name: str, point: tuple[float, float]) -> None:
    row = next(r for r in MUNICIPALITIES if r["name_nl"] == name)
    assert haversine_km(*point, float(row["lat"]), float(row["lon"])) < 3.0


def test_no_two_municipalities_share_a_centre() -> None:
    gazetteer = default_gazetteer()
    for place in gazetteer.places:
        assert gazetteer.nearest(place.lat, place.lon) == place


def test_extra_postcodes_point_at_municipalities_consistently() -> None:
    mains = {r["postcode"] for r in MUNICIPALITIES}
    target: dict[str, str] = {}
    for row in POSTCODES:
        assert row["municipality_postcode"] in mains, row
        first = target.setdefault(row["postcode"], row["municipality_postcode"])
        assert first == row["municipality_postcode"], row
        assert row["postcode"] not in mains or row["postcode"] == row["municipality_postcode"]


# --- look-ups ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "postcode"),
    [
        ("liege", "4000"),
        ("Luik", "4000"),
        ("LIÈGE", "4000"),
        ("Lüttich", "4000"),
        ("sint-genesius-rode", "1640"),
        ("Rhode-Saint-Genèse", "1640"),
        ("St Genesius Rode", "1640"),
        ("  brussel  ", "1000"),
        ("Brussels", "1000"),
        ("1000 Brussel", "1000"),
        ("Brussel 1000", "1000"),
        ("B-1000 Bruxelles", "1000"),
        (ADDRESS, "1000"),
        ("Chaussée de Waterloo 1500, 1180 Uccle", "1180"),
        ("Avenue de la Hulpe 5 Uccle", "1180"),
        ("1050", "1050"),
        ("Elsene", "1050"),
        ("9030", "9000"),
        ("9050 Gentbrugge", "9000"),
        ("Ghent", "9000"),
        ("2100 Deurne", "2000"),
        ("2660", "2000"),
        ("Antwerp", "2000"),
        ("Borsbeek", "2000"),
        ("Kortessem", "3500"),
        ("Bruges", "8000"),
        ("8380 Zeebrugge", "8000"),
        ("Louvain-la-Neuve", "1340"),
        ("Saint-Nicolas", "4420"),
        ("Sint-Niklaas", "9100"),
        ("Braine l'Alleud", "1420"),
        ("Sankt Vith", "4780"),
        ("St. Vith", "4780"),
        ("La Calamine", "4720"),
        ("Bergen", "7000"),
        ("Galmaarden", "1540"),
        ("3271", "3270"),
    ],
)
def test_lookup_finds_the_municipality(query: str, postcode: str) -> None:
    place = default_gazetteer().lookup(query)
    assert place is not None and place.postcode == postcode


@pytest.mark.parametrize("query", ["", "   ", "Atlantis", "Paris", "0123"])
def test_lookup_answers_none_for_unknown_places(query: str) -> None:
    assert default_gazetteer().lookup(query) is None


def test_every_name_finds_its_municipality_unless_another_uses_it_officially() -> None:
    gazetteer = default_gazetteer()
    for place in gazetteer.places:
        for name in place.labels().values():
            found = gazetteer.lookup(name)
            assert found == place or (
                found is not None and fold(name) in map(fold, found.official_names)
            ), name


def test_every_listed_postcode_finds_its_municipality() -> None:
    gazetteer = default_gazetteer()
    for row in POSTCODES:
        found = gazetteer.lookup(row["postcode"])
        assert found is not None and found.postcode == row["municipality_postcode"], row


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_place_names_per_language() -> None:
    brussels = default_gazetteer().lookup("1000")
    liege = default_gazetteer().lookup("4000")
    assert brussels is not None and liege is not None
    assert [brussels.name(lang) for lang in ("nl", "fr", "de", "en")] == [
        "Brussel",
        "Bruxelles",
        "Brüssel",
        "Brussels",
    ]
    assert liege.name("en") == "Liège" and liege.name("nl") == "Luik"
    assert brussels.address == "1000 Brussel / Bruxelles"


# --- positions and precision ------------------------------------------------------------------


def test_nearest_finds_the_municipality_around_a_point() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer.nearest(50.8467, 4.3525).postcode == "1000"  # Grand-Place
    assert gazetteer.nearest(51.0536, 3.7253).postcode == "9000"  # Gent, Korenmarkt
    assert gazetteer.municipality_of(50.6266, 6.0382).postcode == "4700"  # Eupen


def test_coarsen_exact_keeps_the_point() -> None:
    coarse = default_gazetteer().coarsen(50.8467, 4.3525, "exact")
    assert (coarse.lat, coarse.lon) == (50.8467, 4.3525)
    assert coarse.labels["fr"] == "Bruxelles"


def test_coarsen_to_municipality_shows_its_centre_and_name() -> None:
    coarse = default_gazetteer().coarsen(51.1050, 3.9920, "municipality")
    lokeren = default_gazetteer().lookup("Lokeren")
    assert lokeren is not None
    assert (coarse.lat, coarse.lon) == (lokeren.lat, lokeren.lon)
    assert coarse.labels["nl"] == "Lokeren"


def test_coarsen_to_province_shows_its_centroid_and_name() -> None:
    gazetteer = default_gazetteer()
    coarse = gazetteer.coarsen(50.6326, 5.5797, "province")
    liege = gazetteer.province("LIE")
    assert (coarse.lat, coarse.lon) == (liege.lat, liege.lon)
    assert dict(coarse.labels) == {"nl": "Luik", "fr": "Liège", "de": "Lüttich", "en": "Liège"}


def test_coarsen_rejects_an_unknown_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        default_gazetteer().coarsen(50.85, 4.35, "street")


def test_round_point_keeps_about_a_kilometre() -> None:
    lat, lon = round_point(50.84673, 4.35247)
    assert (lat, lon) == (50.85, 4.35)
    assert haversine_km(50.84673, 4.35247, lat, lon) < 1.0


def test_haversine_brussels_antwerp() -> None:
    assert haversine_km(50.8466, 4.3528, 51.2194, 4.4025) == pytest.approx(41.6, abs=0.5)
    assert haversine_km(50.0, 5.0, 50.0, 5.0) == 0.0


# --- geopy interface --------------------------------------------------------------------------


def test_offline_geocoder_returns_geopy_locations() -> None:
    geocoder = OfflineGeocoder()
    location = geocoder.geocode(ADDRESS)
    assert isinstance(location, Location)
    assert location.address == "1000 Brussel / Bruxelles"
    assert location.raw["postcode"] == "1000" and location.raw["province"] == "BRU"
    assert location.raw["names"]["en"] == "Brussels"
    assert geocoder.geocode("Gent", exactly_one=False) == [geocoder.geocode("9000")]
    assert geocoder.geocode("Atlantis") is None


def test_offline_geocoder_reverse_names_the_nearest_municipality() -> None:
    location = OfflineGeocoder().reverse("50.6326, 5.5797")
    assert isinstance(location, Location)
    assert location.raw["postcode"] == "4000"
    assert location.raw["distance_km"] < 3


async def test_offline_service_geocodes_from_the_gazetteer() -> None:
    service = GeocodingService(provider="offline")
    result = await service.geocode("1050 Ixelles")
    assert result is not None
    assert result.source == "offline" and result.municipality.postcode == "1050"
    assert (result.lat, result.lon) == (result.municipality.lat, result.municipality.lon)
    assert await service.geocode("Atlantis") is None
    reverse = await service.reverse(51.0543, 3.7174)
    assert (reverse.lat, reverse.lon) == (51.0543, 3.7174)
    assert reverse.label == "9000 Gent" and reverse.source == "offline"
    assert service.coarsen(51.0543, 3.7174, "municipality").labels["en"] == "Ghent"
    await service.close()


def test_service_rejects_an_unknown_provider() -> None:
    with pytest.raises(ValueError, match="provider"):
        GeocodingService(provider="google")


# --- Nominatim, against a local server ---------------------------------------------------------


@pytest.fixture
async def nominatim() -> AsyncIterator[FakeNominatim]:
    async with fake_nominatim() as fake:
        yield fake


def nominatim_service(port: int, timeout: float = 2.0) -> GeocodingService:
    return GeocodingService(
        provider="nominatim",
        nominatim_domain=f"127.0.0.1:{port}",
        nominatim_scheme="http",
        user_agent="alerts-test",
        timeout=timeout,
    )


async def test_nominatim_is_asked_within_belgium_and_its_answer_used(
    nominatim: FakeNominatim,
) -> None:
    nominatim.results = [
        {"lat": "50.8489", "lon": "4.3553", "display_name": "Rue Neuve 1, Bruxelles", "osm_id": 1}
    ]
    service = nominatim_service(nominatim.port)
    result = await service.geocode(ADDRESS)
    await service.close()
    assert result is not None and result.source == "nominatim"
    assert (result.lat, result.lon) == (50.8489, 4.3553)
    assert result.label == "Rue Neuve 1, Bruxelles"
    assert result.municipality.postcode == "1000"
    (request,) = nominatim.requests
    assert request.query["countrycodes"] == "be"
    assert request.query["format"] == "json"
    assert request.query["q"] == ADDRESS
    assert request.headers["User-Agent"] == "alerts-test"


async def test_nominatim_reverse_labels_the_point(nominatim: FakeNominatim) -> None:
    service = nominatim_service(nominatim.port)
    result = await service.reverse(51.0543, 3.7174)
    await service.close()
    assert result.source == "nominatim" and result.label == "Korenmarkt"
    assert result.municipality.postcode == "9000"


async def test_nominatim_without_an_answer_falls_back_to_the_gazetteer(
    nominatim: FakeNominatim,
) -> None:
    service = nominatim_service(nominatim.port)
    result = await service.geocode("9000 Gent")
    await service.close()
    assert result is not None and result.source == "offline"
    assert result.municipality.postcode == "9000"


def assert_query_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    fallbacks = [r for r in caplog.records if getattr(r, "action", None) == "geocode_fallback"]
    assert fallbacks
    for record in caplog.records:
        logged = record.getMessage() + repr(vars(record))
        assert "Neuve" not in logged and "Korenmarkt" not in logged


@pytest.mark.parametrize(
    "call",
    [
        lambda service: service.geocode(ADDRESS),
        lambda service: service.reverse(50.8489, 4.3553),
    ],
)
async def test_unreachable_nominatim_falls_back_without_logging_the_query(
    caplog: pytest.LogCaptureFixture, call: Callable[[GeocodingService], Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    service = nominatim_service(free_port())
    result = await call(service)
    await service.close()
    assert result is not None and result.source == "offline"
    assert result.municipality.postcode == "1000"
    assert_query_not_logged(caplog)


async def test_slow_nominatim_falls_back_without_logging_the_query(
    nominatim: FakeNominatim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nominatim.delay = 0.5
    service = nominatim_service(nominatim.port, timeout=0.1)
    result = await service.geocode(ADDRESS)
    await service.close()
    assert result is not None and result.source == "offline"
    assert result.municipality.postcode == "1000"
    assert_query_not_logged(caplog)


def test_place_is_a_frozen_value() -> None:
    place = default_gazetteer().lookup("Gent")
    assert isinstance(place, Place)
    with pytest.raises(AttributeError):
        place.lat = 0.0  # type: ignore[misc]


# --- how precise Nominatim's answers are (the real geopy client, a local server) ----------------


@pytest.mark.parametrize(
    ("query", "precision", "point"),
    [
        ("Korenmarkt, Gent", "street", (51.05456, 3.72152)),  # a pedestrian street
        ("Gare de Gand-Saint-Pierre", "street", (51.03596, 3.71066)),  # a station
        ("Gent", "municipality", (51.05375, 3.72505)),  # the city itself
        ("E40 richting Brussel", "municipality", (51.03, 3.75)),  # a road 35 km long
    ],
)
async def test_nominatims_answer_type_and_size_tell_the_precision(
    nominatim: FakeNominatim, query: str, precision: str, point: tuple[float, float]
) -> None:
    service = nominatim.service()
    result = await service.geocode(query)
    await service.close()
    assert result is not None and result.source == "nominatim"
    assert (result.precision, (result.lat, result.lon)) == (precision, point)
    assert result.municipality.postcode == "9000"


async def test_an_answer_that_says_nothing_of_its_type_is_the_municipality_at_best(
    nominatim: FakeNominatim,
) -> None:
    # An older Nominatim, or a proxy that strips the fields: never taken for a street.
    nominatim.results = [{"lat": "51.0546", "lon": "3.7215", "display_name": "Korenmarkt"}]
    service = nominatim.service()
    result = await service.geocode("Korenmarkt 1, Gent (zonder type)")
    await service.close()
    assert result is not None and result.precision == "municipality"


async def test_the_offline_gazetteer_knows_municipalities_only() -> None:
    service = GeocodingService()
    found = [await service.geocode(q) for q in ("Korenmarkt, Gent", "Gare de Gand-Saint-Pierre")]
    assert [(f.precision, f.lat, f.lon) for f in found if f] == [
        ("municipality", 51.05, 3.7167)
    ] * 2
    assert (await service.reverse(51.0546, 3.7215)).precision == "exact"  # the point itself


async def test_nominatim_is_asked_at_most_once_a_second_by_default(
    nominatim: FakeNominatim,
) -> None:
    service = nominatim.service(min_delay_seconds=0.4)  # the policy's 1 s, shortened
    await asyncio.gather(service.geocode("Gent"), service.geocode("Korenmarkt, Gent"),
                         service.reverse(51.05, 3.72))  # fmt: skip
    await service.close()
    gaps = [b - a for a, b in itertools.pairwise(nominatim.times)]
    # Measured where the requests arrive, so give the network its jitter: without the limiter
    # the three arrive within milliseconds.
    assert len(gaps) == 2 and min(gaps) >= 0.3
    assert {r.headers["User-Agent"] for r in nominatim.requests} == {"alerts-test"}
    assert GeocodingService.__init__.__kwdefaults__["min_delay_seconds"] == 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({**KORENMARKT, "addresstype": None}, "street"),  # before Nominatim 4.3: class and rank
        ({**STATION, "place_rank": None}, "street"),
        ({**KORENMARKT, "boundingbox": None}, "municipality"),  # no size: no street
        ({**KORENMARKT, "boundingbox": ["a", "b", "c", "d"]}, "municipality"),
        ({**GENT, "class": "place", "type": "city"}, "municipality"),
        ({**MOTORWAY}, "municipality"),
        (
            {"class": "place", "type": "suburb", "boundingbox": STATION["boundingbox"]},
            "municipality",
        ),  # a district, however small, is not a street
    ],
)
def test_precision_from_nominatims_fields(raw: dict[str, Any], expected: str) -> None:
    assert from_nominatim(raw) == expected


def test_box_km_measures_the_diagonal() -> None:
    size = box_km(["51.0", "51.009", "3.7", "3.7"])  # 1 km north-south
    assert size is not None and 0.99 < size < 1.01
    assert box_km(None) is None and box_km([1, 2, 3]) is None


async def test_a_last_seen_town_is_its_municipality_centre_and_a_street_its_own_point(
    nominatim: FakeNominatim,
) -> None:
    """Nominatim places a town at its own node, not where the gazetteer has the municipality's
    centre: the case's point is moved to the centre, so that triage does not measure from a town
    as if it were the place the child was seen; a street keeps its point."""
    service = nominatim_service(nominatim.port)
    town = await service.last_seen_point("Gent")
    street = await service.last_seen_point("Korenmarkt, Gent")
    await service.close()
    assert town is not None and street is not None
    assert at_a_municipality_centre(town.lat, town.lon)
    assert (street.lat, street.lon) == (51.05456, 3.72152)
    assert not at_a_municipality_centre(street.lat, street.lon)
