"""The console's publications and history in a real browser (issue 19), on a phone and a desktop
window, in the four languages: the case page of a case with thousands of publications (the
summary per channel and state, the history in sentences), the publications page (a page of
rows in words, filtered) and the audit log. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import shutil
from typing import Any

from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff.models import Role
from tests.integration.test_console_words import RAW, WORDS, many_publications, text_of
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of
from tests.support.factories import approved
from tests.support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "console"
LANGS = ("nl", "fr", "de", "en")
WINDOWS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


async def test_the_console_in_words_on_a_phone_and_a_desktop_in_every_language(
    browser: Any, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    case, _ = await approved(database, settings, make_staff, level=3, languages=("nl", "fr"))
    await many_publications(database, case, 500)
    supervisor = await make_staff(Role.SUPERVISOR)
    pages = {
        "case": f"/console/cases/{case.id}",
        "publications": f"/console/cases/{case.id}/publications",
        "publications-filtered": f"/console/cases/{case.id}/publications?channel=telegram_dm"
        "&state=pending",
        "audit": "/console/audit",
    }
    for window, size in WINDOWS.items():
        context = await browser.new_context(viewport=size, device_scale_factor=1)
        page = await context.new_page()
        problems = errors_of(page)
        await page.goto(f"{live}/login")
        await page.fill("#username", supervisor.username)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{live}/console**")
        for lang in LANGS:
            for name, path in pages.items():
                joiner = "&" if "?" in path else "?"
                await page.goto(f"{live}{path}{joiner}lang={lang}")
                await page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{window}.png"),
                                      full_page=True)  # fmt: skip
                shown = text_of(await page.content())
                for raw in RAW:
                    assert raw not in shown, (name, lang, raw)
                if name == "case":
                    assert all(word in shown for word in WORDS[lang]), (lang, window)
                    # The table fits the window: nothing scrolls sideways beyond it.
                    width = await page.evaluate("document.documentElement.scrollWidth")
                    assert width <= size["width"], (name, lang, window, width)
        assert problems == []
        await context.close()
