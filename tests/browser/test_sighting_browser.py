"""The sighting form in a real browser (headless Chromium through Playwright) against `run.py
serve`: sent without JavaScript, and with it (just now, the device's position, the map without
its tiles, a photo); the triage page's map and its polling for new sightings.

The browser and the service's process are tests/support/browser.py's fixtures.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from tests.support import images
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of, sighting_rows
from tests.support.factories import approved

if TYPE_CHECKING:
    from playwright.async_api import Browser

BRUSSELS = ZoneInfo("Europe/Brussels")


async def test_the_form_is_sent_without_javascript(
    browser: Browser, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, languages=("nl",))
    context = await browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = await context.new_page()
    await page.goto(f"{live}/alerts/{case.public_id}?lang=nl")
    t = functools.partial(in_language, "nl")
    await page.get_by_role("button", name=t("Send the report")).click()
    assert await page.locator(".sf-summary").is_visible()
    # Without a script the page opens at the problems (the form's address ends in #sf-summary).
    assert page.url.endswith("#sf-summary")
    top = await page.evaluate("document.getElementById('sf-summary').getBoundingClientRect().top")
    assert 0 <= top < 300
    seen_at = (datetime.now(UTC) - timedelta(minutes=40)).astimezone(BRUSSELS)
    await page.get_by_label(t("When did you see the child?")).fill(
        seen_at.strftime("%Y-%m-%dT%H:%M")
    )
    await page.get_by_label(t("Where did you see the child?")).fill("Korenmarkt, 9000 Gent")
    await page.get_by_label(t("What did you see?")).fill("Meisje met rode jas, liep snel")
    await page.get_by_label(t("Phone")).fill("0470 12 34 56")
    await page.get_by_role("button", name=t("Send the report")).click()
    await page.wait_for_url(re.compile(r"/sightings/received\?ref="))
    [row] = await sighting_rows(database)
    assert row["reference"] in await page.locator(".sf-reference").inner_text()
    assert (row["place"], row["contact_phone"], row["lat"]) == (
        "Korenmarkt, 9000 Gent", "0470 12 34 56", None)  # fmt: skip
    assert row["seen_at"] == seen_at.replace(second=0, microsecond=0)
    await context.close()


async def test_the_form_with_javascript_and_the_triage_page(
    browser: Browser, live: str, database: Database, settings: Settings,
    make_staff: StaffFactory, tmp_path: Any,
) -> None:  # fmt: skip
    case, manager = await approved(database, settings, make_staff, languages=("nl",))
    context = await browser.new_context(
        locale="fr-BE", permissions=["geolocation"],
        geolocation={"latitude": 51.0544, "longitude": 3.7256, "accuracy": 20},
    )  # fmt: skip
    page = await context.new_page()
    problems = errors_of(page)
    await page.goto(f"{live}/alerts/{case.public_id}?lang=fr")
    t = functools.partial(in_language, "fr")
    await page.get_by_role("button", name=t("Just now")).click()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d",
        await page.get_by_label(t("When did you see the child?")).input_value(),
    )
    await page.get_by_role("button", name=t("Use my current location")).click()
    await page.get_by_text(t("Your current location was added.")).wait_for()
    assert await page.get_by_label(t("Latitude")).input_value() == "51.05440"
    # The map loads (its library is ours); its tiles cannot, and the point is still picked.
    await page.get_by_role("button", name=t("Pick the point on a map")).click()
    box = page.get_by_role("application", name=t("Map: tap where you saw the child"))
    await box.wait_for()
    # No tiles here: the box turns into a plain grid and says so, never a blank box.
    await page.get_by_text(t("The map background could not be loaded: the points are shown on "
                             "a plain grid.")).wait_for()  # fmt: skip
    assert "no-tiles" in (await box.get_attribute("class") or "")
    await box.click(position={"x": 200, "y": 150})
    await page.get_by_text(t("The point you picked was added.")).wait_for()
    assert await page.get_by_label(t("Latitude")).input_value() != "51.05440"
    await page.get_by_role("button", name=t("Use my current location")).click()
    await page.get_by_text(t("Your current location was added.")).wait_for()
    await page.get_by_label(t("What did you see?")).fill("Une fille avec un sac bleu")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(images.jpeg(800, 600, gps=True))
    await page.get_by_label(re.compile(t("A photo"))).set_input_files(str(photo))
    await page.get_by_role("button", name=t("Send the report")).click()
    await page.wait_for_url(re.compile(r"/sightings/received\?ref="))
    [row] = await sighting_rows(database)
    assert (row["lat"], row["lon"], row["point_source"]) == (51.0544, 3.7256, "device")
    assert row["photo"] is not None and row["language"] == "fr"
    assert problems == []
    await triage_page(browser, live, case, manager.username, database)
    await context.close()


async def triage_page(
    browser: Browser, live: str, case: Case, username: str, database: Database
) -> None:
    """The list, the map (its points without tiles), and a new sighting picked up by polling."""
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    problems = errors_of(page)
    await page.goto(f"{live}/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.goto(f"{live}/console/cases/{case.id}/sightings")
    await page.locator(".leaflet-interactive").first.wait_for()
    assert await page.locator("article.sighting").count() == 1
    await new_report(browser, live, case)
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await page.locator("article.sighting.fresh").wait_for()
    assert await page.locator(".leaflet-interactive").count() >= 2
    assert problems == []
    await context.close()


async def new_report(browser: Browser, live: str, case: Case) -> None:
    """One more report from another visitor (JSON, as an app would send it)."""
    context = await browser.new_context()
    answer = await context.request.post(
        f"{live}/alerts/{case.public_id}/sightings",
        data={"seen_at": datetime.now(UTC).isoformat(), "lat": 51.04, "lon": 3.73,
              "seen": "A second report"},
    )  # fmt: skip
    assert answer.status == 201
    await context.close()
