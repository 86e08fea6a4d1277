"""The console's maps of a poster round and of a search board (issue 21), in headless Chromium
against `run.py serve`, on a phone and a desktop window in the four languages: without tiles
(the tile server is a port nothing listens on) the zones, places, sectors, finds and searchers
stay on a plain grid with a scale and are listed under it; with a local tile server the
background shows and the fallback does not. The legend says each kind in words, the tables
stay under the map, nothing goes sideways on a phone, and axe-core finds no WCAG 2.2 AA
violation. Screenshots go to test-artifacts/maps/ (and to MAPS_SHOTS when it is set)."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.rounds import service as rounds
from alerts.searches import service as searches
from alerts.searches.models import Search
from alerts.staff.models import Staff
from tests.support.app import StaffFactory
from tests.support.browser import AXE_OPTIONS, LANGS, NOTICE, WINDOWS, log_in, map_env
from tests.support.dispatch import GENT, moved
from tests.support.factories import approved
from tests.support.paths import ROOT
from tests.support.processes import free_port, serving
from tests.support.rounds import poster_volunteer
from tests.support.searches import search_under_way, searcher

ARTIFACTS = ROOT / "test-artifacts" / "maps"
NEAR = moved(GENT, 2)
ZONES = 6  # the first ring's sectors
SECTORS = 9  # the 3×3 grid
SEARCHER_AT = (51.0420, 3.7150)  # the case's last-seen place is 51.0357, 3.7103
FIND_AT = (51.0300, 3.7050)
REFRESH = 1  # BOARD_REFRESH_SECONDS of the board that updates itself


def _keep(found: list[str], exc: object) -> None:
    found.append(str(exc))


async def a_round(database: Database, settings: Settings, manager: Staff, case: Case) -> None:
    """A round with one place up (3 posters), one removed and one marked for manual action."""
    volunteer = await poster_volunteer(database, NEAR, email="posters@example.org")
    started, _ = await rounds.start(database, settings, manager, case.id, 1.0)
    await rounds.answer(database, started.id, volunteer, "accepted")
    place = (started.lat, started.lon)
    await rounds.put_up(database, started.id, volunteer, moved(place, 0.5, 20), 3)
    gone = await rounds.put_up(database, started.id, volunteer, moved(place, 0.8, 45), 2)
    await rounds.removed(database, started.id, volunteer, gone)
    manual = await rounds.put_up(database, started.id, volunteer, moved(place, 0.3, 50), 1)
    await rounds.mark_manual(database, manager, case, started.id, manual, "On a private fence")


async def a_search(database: Database, manager: Staff, case: Case) -> Search:
    """A search with a searcher checked in with a position, a sector taken (A1) and another
    searched (B2) by their team, and a find with a point."""
    search, _, _ = await search_under_way(database, manager, case, at=SEARCHER_AT,
                                          find_at=FIND_AT, sectors=(0, 4))  # fmt: skip
    return search


def shots() -> list[Path]:
    folders = [ARTIFACTS]
    if os.environ.get("MAPS_SHOTS"):
        folders.append(Path(os.environ["MAPS_SHOTS"]))
    return folders


async def check_page(page: Any, lang: str, window: str, name: str, width: int) -> None:
    """What every map page shows without tiles: the grid, the scale, the notice, the legend;
    then a screenshot, axe-core, and nothing sideways."""
    box = page.locator("[data-map]")
    await page.locator("[data-map].no-tiles").wait_for()
    assert "linear-gradient" in await box.evaluate("e => getComputedStyle(e).backgroundImage")
    assert await page.locator(".leaflet-control-scale").is_visible()
    assert await page.get_by_text(in_language(lang, NOTICE)).is_visible()
    assert await page.locator(".map-legend").is_visible()
    for folder in shots():
        await page.screenshot(path=str(folder / f"{name}-{lang}-{window}.png"), full_page=True)
    checked = await Axe().run(page, options=AXE_OPTIONS)
    assert checked.violations_count == 0, checked.generate_report()
    assert await page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
async def live(database_url: str, tmp_path: Any) -> AsyncIterator[str]:
    tiles = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    async with serving(map_env(database_url, tmp_path, tiles)) as base:
        yield base


async def test_without_tiles_the_round_and_board_maps_keep_their_shapes_on_a_plain_grid(
    browser: Any, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    for folder in shots():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    await a_round(database, settings, manager, case)
    search = await a_search(database, manager, case)
    for window, size in WINDOWS.items():
        context = await browser.new_context(viewport=size, device_scale_factor=1)
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", functools.partial(_keep, problems))
        await log_in(page, live, manager)
        for lang in LANGS:
            await page.goto(f"{live}/console/cases/{case.id}/posters?lang={lang}")
            await page.locator("[data-map] .map-mark").first.wait_for()
            # The six zones (one held), the place, and a badge per place by state.
            assert await page.locator("[data-map] path.leaflet-interactive").count() == ZONES
            for state, glyph in (("up", "3"), ("removed", "✕"), ("manual", "!")):
                mark = page.locator(f"[data-map] .map-mark.mark-{state}")
                assert await mark.count() == 1 and await mark.inner_text() == glyph, state
            listed = await page.locator("[data-map-points] li").all_inner_texts()
            assert len(listed) == 4  # the last-seen place and the three places
            assert any(in_language(lang, "up") in line for line in listed)
            assert any(in_language(lang, "removed") in line for line in listed)
            assert await page.locator("table.places tbody tr").count() == 3  # the table stays
            await check_page(page, lang, window, "round", size["width"])

            await page.goto(f"{live}/console/searches/{search.id}?lang={lang}")
            await page.locator("[data-map] .mark-searcher").wait_for()
            assert await page.locator("[data-map] path.leaflet-interactive").count() == SECTORS
            labels = await page.locator("[data-map] .map-label").all_inner_texts()
            assert "⚑ A1" in labels and "✓ B2" in labels and "A2" in labels
            assert await page.locator("[data-map] .mark-find").count() == 1
            listed = await page.locator("[data-map-points] li").all_inner_texts()
            assert any("51.0420, 3.7150" in line for line in listed)  # the searcher
            assert await page.locator("#searchers tbody tr").count() == 1  # the table stays
            await check_page(page, lang, window, "board", size["width"])
        assert problems == []
        await context.close()


async def test_with_tiles_the_maps_have_their_background_and_no_fallback(
    browser: Any, database_url: str, tmp_path: Any, tile_server: tuple[str, list[str]],
    database: Database, settings: Settings, make_staff: StaffFactory,
) -> None:  # fmt: skip
    url, referers = tile_server
    env = map_env(database_url, tmp_path, url)
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    await a_round(database, settings, manager, case)
    search = await a_search(database, manager, case)
    async with serving(env) as live:
        for window, size in WINDOWS.items():
            context = await browser.new_context(viewport=size, device_scale_factor=1)
            page = await context.new_page()
            await log_in(page, live, manager)
            for name, path in (("round", f"/console/cases/{case.id}/posters"),
                               ("board", f"/console/searches/{search.id}")):  # fmt: skip
                await page.goto(f"{live}{path}?lang=en")
                await page.locator("[data-map] img.leaflet-tile-loaded").first.wait_for()
                await page.locator("[data-map] .map-mark").first.wait_for()
                assert not await page.locator("[data-map].no-tiles").count()
                assert await page.locator("[data-map-fallback]").is_hidden()
                for folder in shots():
                    await page.screenshot(path=str(folder / f"{name}-tiles-{window}.png"),
                                          full_page=True)  # fmt: skip
            await context.close()
    assert referers and set(referers) == {f"{live}/"}


async def test_the_open_board_brings_its_map_and_tables_up_to_date_without_reloading(
    browser: Any, database_url: str, tmp_path: Any, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    other = await searcher(database, NEAR, email="late@example.org")
    search = await a_search(database, manager, case)
    tiles = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    env = {**map_env(database_url, tmp_path, tiles), "BOARD_REFRESH_SECONDS": str(REFRESH)}
    async with serving(env) as live:
        await _follow_the_board(browser, live, database, manager, search, other)


async def _follow_the_board(
    browser: Any, live: str, database: Database, manager: Staff, search: Search, other: int
) -> None:
    context = await browser.new_context(viewport=WINDOWS["desktop"])
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", functools.partial(_keep, problems))
    await log_in(page, live, manager)
    await page.goto(f"{live}/console/searches/{search.id}?lang=en")
    await page.locator("[data-map] .mark-searcher").wait_for()
    await page.evaluate("window.sameDocument = true")
    assert await page.locator("#sector-C3").inner_text() == "C3: open"
    # Meanwhile, a searcher checks in with a position and the team marks C3 searched.
    await searches.check_in(database, search.id, other, (51.0330, 3.7150))
    leader = await database.conn.fetchval(
        "SELECT volunteer_id FROM search_members WHERE search_id = $1 AND team_leader", search.id
    )
    sectors = await searches.sectors(database, search.id)
    await searches.sector_searched(database, search.id, leader, sectors[8].id)
    await page.locator("[data-map] .map-label", has_text="✓ C3").wait_for(timeout=30_000)
    assert await page.locator("[data-map] .mark-searcher").count() == 2
    assert await page.locator("#sector-C3").inner_text() == "C3: searched"
    assert await page.locator("#searchers tbody tr").count() == 2
    assert await page.locator("#count-in").inner_text() == "2"
    assert await page.evaluate("window.sameDocument") is True  # updated, not reloaded
    # Paused: what changes now waits for the switch.
    await page.locator("[data-live-toggle]").uncheck()
    await searches.check_out(database, search.id, other)
    await page.wait_for_timeout(3 * REFRESH * 1000)  # three updates' time
    assert await page.locator("[data-map] .mark-searcher").count() == 2
    await page.locator("[data-live-toggle]").check()
    await expect(page.locator("[data-map] .mark-searcher")).to_have_count(1, timeout=30_000)
    assert problems == []
    await context.close()
