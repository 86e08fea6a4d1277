"""The triage page's map where its tiles cannot load (issue 19), in headless Chromium against
`run.py serve`: the tile server is a port nothing listens on, as in the demo and on a machine
without a network. The page must still show the points: drawn on a plain grid, and listed under
it with their precision, never a blank box. On a phone and a desktop window, in the four
languages, with axe-core's WCAG 2.2 AA rules; screenshots go to test-artifacts/places/. And with
a local tile server that answers: the background shows, the fallback does not, and the tiles
are asked with the site's origin as Referer, never the page's path.
"""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.sightings import reports as sightings
from alerts.sightings.reports import Report
from tests.support.app import StaffFactory
from tests.support.browser import (
    AXE_OPTIONS,
    LANGS,
    NOTICE,
    WINDOWS,
    log_in,
    map_env,
)
from tests.support.factories import approved
from tests.support.paths import ROOT
from tests.support.processes import free_port, serving

ARTIFACTS = ROOT / "test-artifacts" / "places"


def _keep(found: list[str], exc: object) -> None:
    found.append(str(exc))


def _keep_url(found: list[str], request: Any) -> None:
    found.append(request.url)


@pytest.fixture
def tiles() -> str:
    """A tile server that refuses every connection."""
    return f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"


@pytest.fixture
async def live(database_url: str, tmp_path: Any, tiles: str) -> AsyncIterator[str]:
    async with serving(map_env(database_url, tmp_path, tiles)) as base:
        yield base


async def three_sightings(database: Database, case: Case) -> None:
    """A map pin, a place in words (found to Ghent's centre) and one no one can place."""
    assert case.last_seen_at is not None
    base = Report(
        seen_at=case.last_seen_at + timedelta(minutes=40), place="", lat=None, lon=None,
        point_source=None, seen="a girl in a red jacket", direction="", companions="",
        contact_name=None, contact_phone=None, contact_email=None,
    )  # fmt: skip
    reports = [
        Report(**{**base.__dict__, "lat": 51.0546, "lon": 3.7215, "point_source": "map"}),
        Report(**{**base.__dict__, "place": "Gare de Gand-Saint-Pierre"}),
        Report(**{**base.__dict__, "place": "achter de kerk"}),
    ]
    for i, report in enumerate(reports):
        await sightings.store(database, case.public_id, report, source="web", language="nl",
                              client=f"tipster-{i}")  # fmt: skip


async def test_without_tiles_the_points_stay_on_a_plain_grid_and_in_a_list(
    browser: Any, live: str, tiles: str, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    await three_sightings(database, case)
    tile_host = tiles.split("/{z}")[0]
    for window, size in WINDOWS.items():
        context = await browser.new_context(viewport=size, device_scale_factor=1)
        page = await context.new_page()
        problems: list[str] = []
        asked: list[str] = []
        page.on("pageerror", functools.partial(_keep, problems))
        page.on("request", functools.partial(_keep_url, asked))
        await log_in(page, live, manager)
        for lang in LANGS:
            await page.goto(f"{live}/console/cases/{case.id}/sightings?lang={lang}")
            box = page.locator("[data-map]")
            await page.locator("[data-map].no-tiles").wait_for()
            # The grid is there, and so are the points: the pin as a dot, the place in words
            # as a dashed circle round the town centre, the last-seen place and its radius.
            assert await box.is_visible()
            image = await box.evaluate("e => getComputedStyle(e).backgroundImage")
            assert "linear-gradient" in image
            assert await page.locator("[data-map] path.leaflet-interactive").count() == 3
            assert await page.locator("[data-map] path[stroke-dasharray]").count() == 1
            assert await page.locator(".leaflet-control-scale").is_visible()
            notice = page.get_by_text(in_language(lang, NOTICE))
            assert await notice.is_visible()
            points = page.locator("[data-map-points] li")
            assert await points.count() == 2  # the unplaced one is only in the list below
            listed = " ".join(await points.all_inner_texts())
            for words in ("exact point", "place known to the municipality only"):
                assert in_language(lang, words) in listed, (lang, words)
            assert re.search(r"51\.0546, 3\.7215", listed)
            # Each sighting still says how precise it is, in the page's language.
            badges = await page.locator(".precision-badge").all_inner_texts()
            assert sorted(badges) == sorted(in_language(lang, w) for w in (
                "exact point", "place known to the municipality only", "not placed"))  # fmt: skip
            await page.screenshot(path=str(ARTIFACTS / f"triage-{lang}-{window}.png"),
                                  full_page=True)  # fmt: skip
            # No WCAG 2.2 AA violation (axe-core), the plain map and its list included.
            checked = await Axe().run(page, options=AXE_OPTIONS)
            assert checked.violations_count == 0, checked.generate_report()
            # Nothing sideways on a phone.
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], (lang, window, width)
        # The tiles were asked for (and refused): the page did try the configured server.
        assert any(url.startswith(tile_host) for url in asked)
        assert problems == []
        await context.close()


async def test_with_tiles_the_map_has_its_background_and_the_tiles_get_the_origin_only(
    browser: Any, database_url: str, tmp_path: Any, tile_server: tuple[str, list[str]],
    database: Database, settings: Settings, make_staff: StaffFactory,
) -> None:  # fmt: skip
    url, referers = tile_server
    env = map_env(database_url, tmp_path, url)
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    await three_sightings(database, case)
    async with serving(env) as live:
        context = await browser.new_context()
        page = await context.new_page()
        await log_in(page, live, manager)
        await page.goto(f"{live}/console/cases/{case.id}/sightings")
        await page.locator("[data-map] img.leaflet-tile-loaded").first.wait_for()
        assert await page.locator("[data-map] path.leaflet-interactive").count() == 3
        assert not await page.locator("[data-map].no-tiles").count()
        assert await page.locator("[data-map-fallback]").is_hidden()
        await context.close()
    # OpenStreetMap's policy wants a Referer; the case's address stays on this site.
    assert referers and set(referers) == {f"{live}/"}
