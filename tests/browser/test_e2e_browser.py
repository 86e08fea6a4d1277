"""The whole flow in a real browser (headless Chromium, driven by Playwright), through the pages
people use, on `python run.py demo` started as a new user starts it:

a case manager drafts a case with a photo, records the consent and submits it; a supervisor
approves it (password again); the sandbox page shows the alert for a volunteer in the area and
not for one far away; the public page shows the poster; a sighting goes in through its form and
the case manager sees it; closing the case turns the public page to 410 and the Telegram
messages disappear from the sandbox.

Each step leaves a screenshot in test-artifacts/e2e/. The system's Chromium is used (never a
downloaded one); without it the test is skipped, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.demo import Demo, running_demo
from tests.support.images import portrait
from tests.support.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
BRUSSELS = ZoneInfo("Europe/Brussels")
NEAR, FAR = "Ana", "Jonas"  # demo volunteers in Ghent and in Arlon (sandbox/demo_data.py)
WAIT_MS = 20_000


def _require_browser() -> None:
    missing = [
        what
        for what, there in (
            ("the playwright package", importlib.util.find_spec("playwright") is not None),
            (str(CHROMIUM), CHROMIUM.exists()),
        )
        if not there
    ]
    if missing:
        reason = f"the browser test needs {' and '.join(missing)} (see scripts/test)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def browser() -> Iterator[Browser]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo(pg_tmp_path: Path) -> Iterator[Demo]:
    with running_demo(pg_tmp_path / "data") as running:
        yield running


@pytest.fixture
def shot() -> Callable[[Page, str], None]:
    """Save a screenshot of `page` as step `name` (numbered in the order taken)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    taken: list[str] = []

    def take(page: Page, name: str) -> None:
        taken.append(name)
        page.screenshot(path=str(ARTIFACTS / f"{len(taken):02d}-{name}.png"), full_page=True)

    return take


def test_a_case_from_draft_to_withdrawal_in_the_browser(
    browser: Browser, demo: Demo, shot: Callable[[Page, str], None], tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(portrait())
    alice = _staff(browser, demo, "alice")
    shot(alice, "console-after-login")
    case_url = _draft(alice, demo, photo, shot)
    reference = re.search(r"\d{4}-\d{5}", alice.locator("h1").inner_text())
    assert reference is not None
    bob = _staff(browser, demo, "bob")
    _approve(bob, case_url, demo.accounts["bob"], shot)

    sandbox = browser.new_context().new_page()
    _alerted_near_not_far(sandbox, demo, reference.group(0), shot)

    alice.goto(case_url)
    public_url = alice.locator("#public-page-link").get_attribute("href")
    assert public_url
    visitor = browser.new_context(locale="nl-BE").new_page()
    sighting = _public_page_and_sighting(visitor, demo.base + public_url, shot)

    alice.goto(case_url + "/sightings")
    alice.get_by_text(sighting).first.wait_for(timeout=WAIT_MS)
    assert alice.get_by_text("rode regenjas").count() > 0
    shot(alice, "console-sees-the-sighting")

    _close(alice, case_url, demo.accounts["alice"], shot)
    gone = visitor.goto(demo.base + public_url)
    assert gone is not None and gone.status == 410
    shot(visitor, "public-page-410")
    _telegram_messages_deleted(sandbox, demo, reference.group(0), shot)


def _staff(browser: Browser, demo: Demo, username: str) -> Page:
    context: BrowserContext = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(demo.addresses["Console"])
    page.fill("#username", username)
    page.fill("#password", demo.accounts[username])
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/console$"))
    return page


def _draft(page: Page, demo: Demo, photo: Path, shot: Callable[[Page, str], None]) -> str:
    """Draft a case with a photo and a consent (level 2), submit it; the case page's URL."""
    page.goto(demo.base + "/console/cases/new")
    page.select_option("#case-kind", "lost_injured")
    fields = {
        "#case-police_reference": "PV GE.55.L3.004217/2025", "#case-first_name": "Lina",
        "#case-last_name": "Peeters", "#case-age": "12", "#case-height_cm": "148",
        "#case-clothing": "Red raincoat, blue backpack", "#case-hair": "Brown, shoulder length",
        "#case-last_seen_at": _local(datetime.now(BRUSSELS) - timedelta(minutes=40)),
        "#case-last_seen_place": "Gent", "#case-search_radius_km": "10",
    }  # fmt: skip
    for selector, value in fields.items():
        page.fill(selector, value)
    page.select_option("#case-sex", "female")
    shot(page, "draft-form")
    page.click("form.case-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/cases/\d+\?done=created"))
    case_url = page.url.split("?")[0]
    page.set_input_files("#photo-photo", str(photo))
    page.click("#photo-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=photo"))
    _consent(page)
    shot(page, "draft-with-photo-and-consent")
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=submitted"))
    shot(page, "submitted")
    return case_url


def _consent(page: Page) -> None:
    page.fill("#consent-given_by", "Marie Peeters")
    page.fill("#consent-relation", "mother")
    for choice in ("level-2", "photo-true", "name_mode-first", "place_precision-municipality"):
        page.check(f"#consent-{choice}")
    page.click("#consent-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=consent"))


def _approve(page: Page, case_url: str, password: str, shot: Callable[[Page, str], None]) -> None:
    """Approve from the approval page, after seeing what will be published, rendered."""
    page.goto(case_url)
    page.click("#open-approval")
    page.wait_for_url(re.compile(r"/approval"))
    # The preview: the case page framed, page 1 of the poster, the Telegram message, the e-mail.
    frame = page.frame_locator("iframe.page-preview")
    frame.get_by_text("Lina").first.wait_for(timeout=WAIT_MS)
    poster = page.locator("img.poster-preview")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=poster.element_handle()
    )
    assert "Lina" in page.locator(".telegram-preview").inner_text()
    assert page.locator(".email-preview").count() == 1
    page.click(".preview-tabs a[lang=fr]")
    page.wait_for_url(re.compile(r"show=fr"))
    assert "Lina" in page.locator(".telegram-preview").inner_text()
    shot(page, "approval-page-with-the-preview")
    page.fill("#approve-password", password)
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=approved"))
    shot(page, "approved-by-the-supervisor")


def _alerted_near_not_far(
    page: Page, demo: Demo, reference: str, shot: Callable[[Page, str], None]
) -> None:
    near = _person_items(page, demo, reference, NEAR)
    _reload_until(page, lambda: near.count() > 0)
    assert "Lina" in near.first.inner_text()
    shot(page, "sandbox-volunteer-near-is-alerted")
    page.goto(f"{demo.base}/sandbox?case={reference}&who={FAR}")
    row = page.locator(f'tr[data-name="{FAR}"]')
    assert row.count() >= 1 and "nothing" in row.first.inner_text()
    assert page.locator(f'article.person[data-name="{FAR}"]').count() == 0
    shot(page, "sandbox-volunteer-far-is-not")


def _public_page_and_sighting(page: Page, url: str, shot: Callable[[Page, str], None]) -> str:
    """Check the public page and its poster, report a sighting; the sighting's reference."""
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert page.locator("img.photo").is_visible()
    poster = page.locator('a[href*="/poster-"]').first
    href = poster.get_attribute("href")
    assert href
    pdf = page.request.get(href if href.startswith("http") else url.split("/alerts/")[0] + href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    shot(page, "public-page-with-poster")
    page.fill("#sf-seen_at", _local(datetime.now(BRUSSELS) - timedelta(minutes=5)))
    page.fill("#sf-place", "Gent Sint-Pieters")
    page.fill("#sf-seen", "Een meisje in een rode regenjas stapte op tram 2 richting centrum.")
    page.click("form.sighting-form button[type=submit]")
    page.wait_for_url(re.compile(r"/sightings/received\?ref="))
    reference = page.url.split("ref=")[1].split("&")[0]
    assert reference in page.inner_text("body")
    shot(page, "sighting-sent")
    return reference


def _close(page: Page, case_url: str, password: str, shot: Callable[[Page, str], None]) -> None:
    page.goto(case_url)
    page.click("details.danger-zone > summary")
    page.select_option("#close-reason", "found_safe")
    page.fill("#close-password", password)
    page.click("#close-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=closed"))
    shot(page, "closed")


def _telegram_messages_deleted(
    page: Page, demo: Demo, reference: str, shot: Callable[[Page, str], None]
) -> None:
    """Every Telegram message of the case (all volunteers reached) ends deleted."""
    page.goto(f"{demo.base}/sandbox?case={reference}")
    _reload_until(page, lambda: _all_deleted(page))
    near = page.locator(f'article.person[data-name="{NEAR}"] li.item.telegram')
    assert near.count() == 1 and "deleted" in (near.first.get_attribute("class") or "")
    shot(page, "sandbox-telegram-messages-deleted")


def _all_deleted(page: Page) -> bool:
    telegram = page.locator("li.item.telegram")
    return telegram.count() > 1 and telegram.count() == (
        page.locator("li.item.telegram.state-deleted").count()
    )


def _person_items(page: Page, demo: Demo, reference: str, name: str) -> Any:
    page.goto(f"{demo.base}/sandbox?case={reference}&who={name}")
    return page.locator(f'article.person[data-name="{name}"] li.item.telegram')


def _reload_until(page: Page, condition: Callable[[], bool]) -> None:
    """Reload `page` until `condition` holds (the dispatcher works in the background)."""
    for _ in range(WAIT_MS // 500):
        if condition():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"{page.url} never showed what was expected")


def _local(moment: datetime) -> str:
    """A time as a `datetime-local` field takes it."""
    return moment.strftime("%Y-%m-%dT%H:%M")
