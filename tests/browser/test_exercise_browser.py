"""An exercise case in a real browser (issue 20, item 4): created as an exercise from the console's
form, and, once approved, EXERCISE on every artefact in the four languages: the public page (a
banner above everything, the title), each download it offers (page 1 of the posters, the square
and story images), the Atom feed's entry, the press room, and the console. Screenshots and page 1
of each poster go to test-artifacts/exercise/."""

from __future__ import annotations

import io
import re
import shutil
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader

from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.posters.exercise import BLUE
from alerts.staff.models import Role
from tests.support.app import PASSWORD, StaffFactory
from tests.support.browser import errors_of
from tests.support.factories import approved
from tests.support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "exercise"
LANGS = ("nl", "fr", "de", "en")
WORD = {"nl": "OEFENING", "fr": "EXERCICE", "de": "ÜBUNG", "en": "EXERCISE"}


def blue_share(png: bytes) -> float:
    """The share of an image's pixels in the exercise band's blue."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    target = tuple(round(c * 255) for c in BLUE)
    colours = image.getcolors(image.width * image.height) or []
    near = sum(
        n for n, c in colours if all(abs(a - b) <= 3 for a, b in zip(c, target, strict=True))
    )
    return near / (image.width * image.height)


async def test_an_exercise_shows_exercise_on_every_artefact(
    browser: Any, live: str, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    problems = errors_of(page)

    # The console: a new case, ticked as an exercise, is one; its page says so.
    manager = await make_staff(Role.CASE_MANAGER)
    await page.goto(f"{live}/login?lang=en")
    await page.fill("#username", manager.username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live}/console**")
    await page.goto(f"{live}/console/cases/new?lang=en")
    await page.select_option("#case-kind", "runaway")
    await page.fill("#case-first_name", "Oefen")
    await page.check("#case-exercise")
    await page.click("form.case-form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/console/cases/\d+\?done=created"))
    case_id = int(re.findall(r"/console/cases/(\d+)", page.url)[0])
    assert (await cases.get(database, case_id)).exercise is True
    banner = page.locator(".exercise-banner")
    assert (await banner.inner_text()).startswith("EXERCISE — ")
    await page.screenshot(path=str(ARTIFACTS / "console-draft.png"), full_page=True)

    # An approved exercise: the public page and what it offers, in every language.
    case, _ = await approved(database, settings, make_staff, level=3, photo=True,
                             languages=LANGS, exercise=True)  # fmt: skip
    for lang in LANGS:
        await page.goto(f"{live}/alerts/{case.public_id}?lang={lang}")
        await page.screenshot(path=str(ARTIFACTS / f"page-{lang}.png"), full_page=True)
        banner = page.locator(".exercise-banner")
        assert (await banner.inner_text()).startswith(f"{WORD[lang]} — "), lang
        # Above everything else of the alert: the first thing one reads.
        top = await banner.bounding_box()
        headline = await page.locator("h1.title").bounding_box()
        assert top and headline and top["y"] + top["height"] <= headline["y"], lang
        assert (await page.locator("h1.title .headline").inner_text()).startswith(WORD[lang])
        assert (await page.title()).startswith(f"{WORD[lang]} · ")
        downloads = await page.locator(".downloads a[download]").evaluate_all(
            "links => links.map(a => a.href)"
        )
        assert any(d.endswith(f"poster-{lang}.pdf") for d in downloads), downloads
        assert any(d.endswith(f"square-{lang}.png") for d in downloads), downloads
        for address in downloads:
            answer = await context.request.get(address)
            assert answer.status == 200, address
            body = await answer.body()
            name = address.rsplit("/", 1)[1]
            if name.endswith(".pdf"):
                words = " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
                shown = [WORD[code] for code in re.findall(r"poster-([a-z-]+)\.pdf", name)[0]
                         .split("-")]  # fmt: skip
                assert all(word in words for word in shown), (name, words[:80])
                document = pdfium.PdfDocument(io.BytesIO(body))
                document[0].render(scale=1).to_pil().save(ARTIFACTS / f"{name}.png")
                document.close()
            else:
                assert blue_share(body) > 0.04, name
                (ARTIFACTS / name).write_bytes(body)

    # The Atom feed's entry, the press room and the console's list.
    for lang in LANGS:
        atom = await (await context.request.get(f"{live}/feeds/alerts.atom?lang={lang}")).text()
        assert re.search(rf"<title>{WORD[lang]} · ", atom), lang
        await page.goto(f"{live}/press?lang={lang}")
        assert await page.get_by_role("heading", name=re.compile(f"^{WORD[lang]} · ")).count() == 1
    await page.goto(f"{live}/console?state=active&lang=de")
    await page.screenshot(path=str(ARTIFACTS / "console-list.png"), full_page=True)
    assert await page.locator(".case-card .badge.exercise").first.inner_text() == "ÜBUNG"
    assert problems == []
    await context.close()
