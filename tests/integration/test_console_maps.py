"""The console's maps of a poster round and of a search's board (issue 21): what their data
holds (the zones with the one a volunteer holds, each place with its state, the count of
posters up; the sectors by state, the finds, the searchers checked in with a position and only
while they are), that only the case's staff fetch it (never another case's staff, nor the
public), and that the pages with a map send tile servers their origin only."""

from __future__ import annotations

from typing import Any

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.rounds import service as rounds
from alerts.rounds.models import zone_outline
from alerts.searches import service as searches
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import GENT, moved
from tests.support.factories import approved
from tests.support.rounds import poster_volunteer
from tests.support.searches import field_search, search_under_way

NEAR = moved(GENT, 2)
MAP_REFERRER = "strict-origin-when-cross-origin"


async def test_the_round_map_shows_zones_places_by_state_and_posters_up_to_the_case_staff_only(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await poster_volunteer(database, NEAR, email="z@example.org")
    case, manager = await approved(database, settings, make_staff)
    started, _ = await rounds.start(database, settings, manager, case.id, 1.0)
    await rounds.answer(database, started.id, volunteer, "accepted")
    kept = await rounds.put_up(database, started.id, volunteer, (51.0612345, 3.7298765), 3)
    gone = await rounds.put_up(database, started.id, volunteer, (51.0655, 3.7311), 2)
    await rounds.removed(database, started.id, volunteer, gone)
    url = f"/console/cases/{case.id}/posters/map"

    anonymous = await client.get(url, allow_redirects=False)
    assert anonymous.status in (302, 303, 401) and "51.0612" not in await anonymous.text()
    _, other_manager = await approved(database, settings, make_staff)
    await logged_in(client, other_manager)
    refused = await client.get(url)
    assert refused.status == 403 and "51.0612" not in await refused.text()

    await logged_in(client, manager)
    page = await client.get(f"/console/cases/{case.id}/posters")
    assert page.headers["Referrer-Policy"] == MAP_REFERRER
    answer = await client.get(url)
    assert answer.status == 200 and answer.headers["Referrer-Policy"] == "no-referrer"
    data = await answer.json()
    assert (data["place"]["lat"], data["place"]["lon"]) == (case.last_seen_lat, case.last_seen_lon)
    # The first ring's six sectors; the volunteer holds the first (zone 0, A1).
    held = [(z["label"], z["held"]) for z in data["zones"]]
    assert held == [("A1", True), *((f"A{n}", False) for n in range(2, 7))]
    assert data["zones"][0]["outline"] == [
        list(p) for p in zone_outline(0, started.lat, started.lon, 1.0)]  # fmt: skip
    states = {(p["lat"], p["state"], p["count"]) for p in data["places"]}
    assert states == {(51.0612345, "up", 3), (51.0655, "removed", 2)}
    assert data["up"] == 3
    assert kept and all("z@example.org" not in p["text"] for p in data["places"])


async def test_the_board_map_shows_sectors_finds_and_positions_only_while_checked_in(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff)
    search, leader, found = await search_under_way(
        database, manager, case, at=(51.0612, 3.7299), find_at=(51.0601, 3.7288)
    )
    url = f"/console/searches/{search.id}/map"

    _, other_manager = await approved(database, settings, make_staff)
    await logged_in(client, other_manager)
    refused = await client.get(url)
    assert refused.status == 403 and "51.0612" not in await refused.text()

    await logged_in(client, manager)
    page = await client.get(f"/console/searches/{search.id}")
    assert page.headers["Referrer-Policy"] == MAP_REFERRER
    data = await (await client.get(url)).json()
    assert (data["assembly"]["lat"], data["assembly"]["lon"]) == (
        search.assembly_lat, search.assembly_lon)  # fmt: skip
    assert [s["state"] for s in data["sectors"]][:3] == ["assigned", "searched", "free"]
    assert len(data["sectors"]) == 9
    assert [(f["lat"], f["lon"], f["text"]) for f in data["finds"]] == [
        (51.0601, 3.7288, found.reference)]  # fmt: skip
    assert [(s["lat"], s["lon"]) for s in data["searchers"]] == [(51.0612, 3.7299)]
    assert all("leader@example.org" not in s["text"] for s in data["searchers"])

    await searches.check_out(database, search.id, leader)
    data = await (await client.get(url)).json()
    assert data["searchers"] == []
    await logged_in(client, await make_staff(Role.SUPERVISOR))
    assert (await client.get(url)).status == 200


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
async def test_the_map_words_are_in_the_viewer_s_language(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory, lang: str
) -> None:
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    await logged_in(client, manager)
    data = await (await client.get(f"/console/searches/{search.id}/map?lang={lang}")).json()
    words = {"nl": "Verzamelpunt", "fr": "Point de rassemblement", "de": "Treffpunkt",
             "en": "Assembly point"}  # fmt: skip
    assert data["assembly"]["text"].startswith(words[lang])
