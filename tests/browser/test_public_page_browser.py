"""The public case page in a real browser (issue 19), on a phone and a desktop window, in the
four languages: the hotline's number is set on one line (never "116" at a line's end and "000"
on the next), the organisation is named in the page's language, and the images for social media
are offered only when the consent allows social media. Screenshots of every page, and page 1
of each poster, go to test-artifacts/public-page/."""

from __future__ import annotations

import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.web.public import sharing
from tests.support.app import StaffFactory
from tests.support.browser import errors_of
from tests.support.factories import approved
from tests.support.paths import ROOT
from tests.support.processes import serving

ARTIFACTS = ROOT / "test-artifacts" / "public-page"
LANGS = ("nl", "fr", "de", "en")
NAMES = {"nl": "Stichting Vermiste Kinderen", "fr": "Fondation Enfants Disparus"}
# The narrowest phones in use, and a desktop window.
WINDOWS = {"phone": {"width": 320, "height": 740}, "desktop": {"width": 1280, "height": 900}}
# The text nodes holding the number, and on how many lines each is set.
LINES_OF_NUMBER = """number => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(number);
    if (at < 0 || !node.parentElement.getClientRects().length) { continue; }
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + number.length);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    found.push(tops.size);
  }
  return found;
}"""


@pytest.fixture
async def live(database_url: str, tmp_path: Any) -> AsyncIterator[str]:
    env = {"DATABASE_URL": database_url, "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING",
           "GEOCODER": "offline", "DATA_DIR": str(tmp_path),
           "ORGANISATION_NAME_NL": NAMES["nl"], "ORGANISATION_NAME_FR": NAMES["fr"]}  # fmt: skip
    async with serving(env) as base:
        yield base


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {}, database_url=database_url, data_dir=str(tmp_path), secure_cookies=False,
        geocoder="offline", organisation_name_nl=NAMES["nl"], organisation_name_fr=NAMES["fr"],
    )  # fmt: skip


async def test_the_public_page_on_a_phone_and_a_desktop_in_every_language(
    browser: Any, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    cases = {}
    for level in (3, 2):
        cases[level], _ = await approved(database, settings, make_staff, level=level,
                                         photo=True, languages=LANGS)  # fmt: skip
    for window, size in WINDOWS.items():
        context = await browser.new_context(viewport=size, device_scale_factor=1)
        page = await context.new_page()
        problems = errors_of(page)
        for level, case in cases.items():
            for lang in LANGS:
                await page.goto(f"{live}/alerts/{case.public_id}?lang={lang}")
                name = f"level{level}-{lang}-{window}"
                await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                lines = await page.evaluate(LINES_OF_NUMBER, "116\u00a0000")
                assert lines and set(lines) == {1}, name  # the call button, the footer
                organisation = NAMES.get(lang, settings.organisation_name)
                assert await page.locator(".org").inner_text() == organisation
                social = page.locator("a[href$='.png'][download]")
                if level == 3:
                    assert await social.count() >= 2, name
                    await page.get_by_text(in_language(lang, sharing.PUBLIC)).wait_for()
                else:
                    assert await social.count() == 0, name
                    await page.get_by_text(in_language(lang, sharing.REGIONAL)).wait_for()
        assert problems == []
        await context.close()
    # Page 1 of each poster, to look at the number and the name.
    context = await browser.new_context()
    for lang in (*LANGS, "nl-fr"):
        answer = await context.request.get(f"{live}/alerts/{cases[3].public_id}/poster-{lang}.pdf")
        assert answer.status == 200
        document = pdfium.PdfDocument(io.BytesIO(await answer.body()))
        document[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"poster-{lang}.png")
        document.close()
    await context.close()
