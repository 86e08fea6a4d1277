"""A field-search call-out in Chromium (issue 21, "What must be shown"): the case manager
organises the search in the console; three volunteers get the call-out by e-mail and answer on
the phone page (two coming, one not); the two check in with their phone's position; the one
made team leader on the board takes a sector and marks it searched; the other reports a find
with a photo, which arrives among the case's sightings; the search ends; the board shows who
has not checked out; and everyone who answered coming gets the ending. The service runs as a
real process (`run.py serve`: its notifier sends the e-mails to the SMTP sink)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.searches.notices import SUBJECTS
from alerts.volunteers.pseudonyms import pseudonym
from sandbox.smtp_sink import SmtpSink
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of
from tests.support.dispatch import GENT, eventually, moved
from tests.support.factories import approved
from tests.support.images import jpeg
from tests.support.paths import ROOT
from tests.support.processes import serving
from tests.support.searches import searcher

SECRET = "search-browser-test-secret-key-0123456789"
LINK = re.compile(r"https?://\S+/volunteer/search/\S+")
PHONE = {"width": 390, "height": 844}
ARTIFACTS = ROOT / "test-artifacts" / "searches"


@pytest.fixture
async def served(database_url: str, tmp_path: Any, sink: SmtpSink) -> AsyncIterator[str]:
    env = {"DATABASE_URL": database_url, "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING",
           "GEOCODER": "offline", "DATA_DIR": str(tmp_path), "SMTP_URL": sink.url,
           "SECRET_KEY": SECRET, "DISPATCH_POLL_SECONDS": "0.2"}  # fmt: skip
    async with serving(env) as base:
        yield base


def mails_of(sink: SmtpSink, kind: str, langs: dict[str, str]) -> dict[str, str]:
    """The search e-mails of `kind` received so far: address → text."""
    return {
        m.rcpt_tos[0]: m.text or ""
        for m in sink.messages
        if m.rcpt_tos[0] in langs and m.subject == in_language(langs[m.rcpt_tos[0]], SUBJECTS[kind])
    }


async def test_a_call_out_from_the_console_to_the_phones_and_back(
    browser: Any,
    served: str,
    sink: SmtpSink,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    tmp_path: Path,
) -> None:
    langs = {"leader@example.org": "nl", "finder@example.org": "fr", "absent@example.org": "de"}
    ids = {a: await searcher(database, moved(GENT, 2), email=a, language=lang)
           for a, lang in langs.items()}  # fmt: skip
    case, manager = await approved(database, settings, make_staff)

    staff_context = await browser.new_context(viewport={"width": 1280, "height": 900})
    console = await staff_context.new_page()
    problems = errors_of(console)
    await console.goto(f"{served}/login?lang=en")
    await console.fill("#username", manager.username)
    await console.fill("#password", PASSWORD)
    await console.click("button[type=submit]")
    await console.wait_for_url(f"{served}/console**")
    await console.goto(f"{served}/console/cases/{case.id}")
    await console.click("#new-search")
    await console.fill("#police_liaison", "Inspector Peeters")
    await console.fill("#assembly_place", "Sint-Pietersplein")
    await console.fill("#bring", "Boots, a torch")
    await console.fill("#max_searchers", "2")
    await console.click("#search-form button[type=submit]")
    await console.wait_for_url(re.compile(r".*/console/searches/\d+$"))
    board_url = console.url

    await eventually(lambda: _count(mails_of(sink, "callout", langs), 3), within=20)
    links = {a: served + "/volunteer/" + LINK.search(t).group(0).split("/volunteer/", 1)[1]  # type: ignore[union-attr]
             for a, t in mails_of(sink, "callout", langs).items()}  # fmt: skip

    phones = {}
    for address in langs:
        context = await browser.new_context(
            viewport=PHONE, permissions=["geolocation"],
            geolocation={"latitude": 51.0431, "longitude": 3.7266, "accuracy": 15},
        )  # fmt: skip
        phones[address] = page = await context.new_page()
        await page.goto(links[address])
    leader, finder, absent = (phones[a] for a in langs)
    # Each reads the page in their own language.
    for page, words in ((leader, "Verzamelpunt"), (finder, "Point de rassemblement"),
                        (absent, "Treffpunkt")):  # fmt: skip
        assert words in await page.inner_text("main")
    for page in (leader, finder):
        await page.click("button[data-action=coming]")
        await page.wait_for_selector("#done")
    await absent.click("button[data-action=not_coming]")
    await absent.wait_for_selector("#done")
    for page in (leader, finder):
        await page.wait_for_function("document.getElementById('checkin-lat').value !== ''")
        await page.click("button[data-action=checkin]")
        await page.wait_for_selector("#find-form")

    await console.goto(board_url)
    assert await console.inner_text("#count-coming") == "2"
    assert await console.inner_text("#count-not-coming") == "1"
    assert await console.inner_text("#count-in") == "2"
    assert "51.0431, 3.7266" in await console.inner_text("#searchers")
    names = {a: pseudonym(dataclasses.replace(settings, secret_key=SECRET), f"volunteer/{i}")
             for a, i in ids.items()}  # fmt: skip
    await console.click(f"button[data-leader='{names['leader@example.org']}']")
    await console.wait_for_url(board_url)

    await leader.reload()
    await leader.click("#sector-A1 button[data-action=take]")
    await leader.wait_for_selector("#done")
    await leader.click("#sector-A1 button[data-action=searched]")
    await leader.wait_for_selector("#done")

    photo = tmp_path / "find.jpg"
    photo.write_bytes(jpeg(320, 240))
    await finder.wait_for_function("document.getElementById('find-lat').value !== ''")
    await finder.fill("#find-seen", "Un sac à dos bleu près du canal")
    await finder.set_input_files("#find-photo", str(photo))
    await finder.click("#find-form button[type=submit]")
    await finder.wait_for_selector("#done")
    sighting = await database.conn.fetchrow(
        "SELECT s.reference, s.lat, s.photo IS NOT NULL AS has_photo FROM sightings s "
        "JOIN search_finds f ON f.sighting_id = s.id"
    )
    assert sighting is not None and sighting["has_photo"] and sighting["lat"] == 51.0431

    await console.goto(board_url)
    assert "A1: searched" in await console.inner_text("#sectors")
    assert sighting["reference"] in await console.inner_text("#finds")
    await console.goto(f"{served}/console/cases/{case.id}/sightings")
    assert sighting["reference"] in await console.content()

    await leader.click("button[data-action=checkout]")
    await leader.wait_for_selector("#done")
    await console.goto(board_url)
    await console.click("#end-search")
    await console.wait_for_url(board_url)
    left = await console.inner_text("#not-checked-out")
    assert names["finder@example.org"] in left and names["leader@example.org"] not in left

    await eventually(lambda: _count(mails_of(sink, "ended", langs), 2), within=20)
    assert set(mails_of(sink, "ended", langs)) == {"leader@example.org", "finder@example.org"}
    await finder.reload()
    await finder.click("button[data-action=checkout]")
    await finder.wait_for_selector("#done")
    await console.goto(board_url)
    assert await console.locator("#not-checked-out").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await console.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)
    await finder.screenshot(path=str(ARTIFACTS / "phone-fr.png"), full_page=True)
    assert problems == []


async def _count(found: dict[str, str], wanted: int) -> bool:
    return len(found) >= wanted
