"""A poster round in Chromium (issue 21): the case manager starts it from the console; a
volunteer gets the invitation by e-mail, opens the phone page, accepts (their zone and the print
link), records a place with the phone's position and a count; the console counts the posters
up; the case closes, the takedown e-mail comes, the volunteer confirms the removal on the phone
page, and the console's round is done. The service runs as a real process (`run.py serve`: its
poster notifier sends the e-mails to the SMTP sink and sweeps the rounds)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.rounds.notices import SUBJECTS
from sandbox.smtp_sink import SmtpSink
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of
from tests.support.channels import close
from tests.support.dispatch import GENT, eventually, moved
from tests.support.factories import approved
from tests.support.processes import serving
from tests.support.rounds import poster_volunteer

LINK = re.compile(r"https?://\S+/volunteer/posters/\S+")
PHONE = {"width": 390, "height": 844}
ADDRESS = "affiche@example.org"


@pytest.fixture
async def served(database_url: str, tmp_path: Any, sink: SmtpSink) -> AsyncIterator[str]:
    env = {"DATABASE_URL": database_url, "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING",
           "GEOCODER": "offline", "DATA_DIR": str(tmp_path), "SMTP_URL": sink.url,
           "SECRET_KEY": "poster-browser-test-secret-key-0123456789",
           "DISPATCH_POLL_SECONDS": "0.2"}  # fmt: skip
    async with serving(env) as base:
        yield base


async def mailed(sink: SmtpSink, kind: str) -> bool:
    return mail_of(sink, kind) is not None


def mail_of(sink: SmtpSink, kind: str) -> str | None:
    subject = in_language("fr", SUBJECTS[kind])
    found = [m.text or "" for m in sink.messages if m.subject == subject]
    return found[-1] if found else None


async def test_a_poster_round_from_the_console_to_a_phone_and_back(
    browser: Any,
    served: str,
    sink: SmtpSink,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    await poster_volunteer(database, moved(GENT, 2), email=ADDRESS, language="fr")
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
    await console.click("#poster-rounds")
    await console.click("#poster-round-form button[type=submit]")
    await console.wait_for_selector("section[id^=round-]")
    rounds_url = console.url

    await eventually(lambda: mailed(sink, "invite"), within=20)
    found = LINK.search(mail_of(sink, "invite") or "")
    assert found is not None
    link = served + "/volunteer/" + found.group(0).split("/volunteer/", 1)[1]
    context = await browser.new_context(
        viewport=PHONE, permissions=["geolocation"],
        geolocation={"latitude": 51.0431, "longitude": 3.7266, "accuracy": 15},
    )  # fmt: skip
    phone = await context.new_page()
    phone_problems = errors_of(phone)
    await phone.goto(link)
    assert "Tournée d’affichage" in await phone.inner_text("main")  # in French
    await phone.click("button[data-action=accepted]")
    await phone.wait_for_selector("#zone")
    assert "A1" in await phone.inner_text("#zone")
    assert f"/alerts/{case.public_id}/poster-" in (
        await phone.get_attribute("#print", "href") or ""
    )
    await phone.wait_for_function("document.getElementById('poster-lat').value !== ''")
    await phone.fill("#poster-count", "3")
    await phone.click("#put-up-form button[type=submit]")
    await phone.wait_for_selector("#places")

    await console.goto(rounds_url)
    assert await console.inner_text("#posters-up-now") == "3"
    assert "51.04310, 3.72660" in await console.inner_text("table.places")

    await close(database, manager, case.id)
    await eventually(lambda: mailed(sink, "takedown"), within=20)
    assert "51.04310" in (mail_of(sink, "takedown") or "")
    await phone.reload()
    assert await phone.is_visible("#takedown")
    await phone.click("button[data-action=removed]")
    await phone.wait_for_selector("#done")

    await console.goto(rounds_url)
    heading = await console.inner_text("section[id^=round-] h2")
    assert "Done" in heading
    assert problems == [] and phone_problems == []
