"""Sighting times in a real browser (issue 19): a phone whose clock is on UK time reports on a
Belgian case. "Just now" shows the Brussels time and says what that is on the phone's clock;
the stored time is the right instant in UTC, and the triage page does not say that the child
was seen before they went missing. A time in the future, or long before the disappearance, is
pointed out before anything is sent."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.sightings.reports import TOO_EARLY
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of, sighting_rows
from tests.support.factories import approved
from tests.support.paths import ROOT

BRUSSELS = ZoneInfo("Europe/Brussels")
LONDON = ZoneInfo("Europe/London")
SHOTS = ROOT / "test-artifacts" / "sighting-time"


async def test_just_now_on_a_phone_on_uk_time_is_stored_as_the_right_instant(
    browser: Any, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    # The child went missing 30 minutes ago: a report one hour off would be "before".
    last_seen = datetime.now(UTC) - timedelta(minutes=30)
    case, manager = await approved(database, settings, make_staff, languages=("nl",),
                                   last_seen_at=last_seen.isoformat())  # fmt: skip
    context = await browser.new_context(locale="nl-BE", timezone_id="Europe/London")
    page = await context.new_page()
    problems = errors_of(page)
    await page.goto(f"{live}/alerts/{case.public_id}?lang=nl")
    t = functools.partial(in_language, "nl")
    field = page.get_by_label(t("When did you see the child?"))
    await page.get_by_label(t("Where did you see the child?")).fill("Korenmarkt, Gent")
    await page.get_by_label(t("What did you see?")).fill("Meisje met rode jas")

    # An hour ahead: pointed out, nothing sent.
    ahead = (datetime.now(UTC) + timedelta(hours=1)).astimezone(BRUSSELS)
    await field.fill(ahead.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name=t("Send the report")).click()
    future = t("This time is in the future. Enter when you saw the child.")
    await page.get_by_text(future).wait_for()
    # Long before the disappearance: asked to check, with a box to confirm.
    early = (last_seen - timedelta(hours=5)).astimezone(BRUSSELS)
    await field.fill(early.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name=t("Send the report")).click()
    await page.get_by_text(t(TOO_EARLY)).wait_for()
    assert await page.get_by_label(t("The time is right")).is_visible()
    assert await sighting_rows(database) == []

    before = datetime.now(UTC).replace(second=0, microsecond=0)
    await page.get_by_role("button", name=t("Just now")).click()
    after = datetime.now(UTC)
    shown = await field.input_value()
    assert shown in {m.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M") for m in (before, after)}
    # The phone's own clock is an hour behind Brussels: said under the field.
    on_phone = before.astimezone(LONDON).strftime("%H:%M")
    assert not await page.get_by_label(t("The time is right")).is_visible()  # nothing to confirm
    device = page.locator("[data-device-time]")
    assert await device.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "just-now-on-uk-time.png"))
    assert on_phone in await device.inner_text() or (
        after.astimezone(LONDON).strftime("%H:%M") in await device.inner_text()
    )
    await page.get_by_role("button", name=t("Send the report")).click()
    await page.wait_for_url(re.compile(r"/sightings/received\?ref="))
    [row] = await sighting_rows(database)
    assert before <= row["seen_at"] <= after
    assert problems == []
    await context.close()

    # Triage: seen after the child went missing, not "before".
    context = await browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = await context.new_page()
    await page.goto(f"{live}/login")
    await page.get_by_label("Username").fill(manager.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.goto(f"{live}/console/cases/{case.id}/sightings")
    text = await page.locator("article.sighting").inner_text()
    assert "before the child went missing" not in text
    await context.close()
