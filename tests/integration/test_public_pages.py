"""The public case page: consent-filtered, in the visitor's language, indexed only at level 3,
with preview tags and downloads; 410 with a neutral notice from the close on; 404 when unknown."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from tests.support.app import StaffFactory
from tests.support.factories import CONSENT, approved, path_of, pending, registry


async def page(client: TestClient[Any, Any], public_id: str, **headers: str) -> tuple[int, str]:
    response = await client.get(f"/alerts/{public_id}", headers=headers)
    return response.status, await response.text()


async def test_the_page_shows_only_what_the_consent_allows(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(
        database, settings, make_staff, level=2, languages=("nl",),
        consent={"name_mode": "first", "place_precision": "municipality"},
        description="Vermeulen was last seen near Station Gent-Sint-Pieters.",
    )  # fmt: skip
    status, html = await page(client, case.public_id)
    assert status == 200
    assert "Lotte" in html and "Gent" in html and "small scar" in html
    assert "Vermeulen" not in html  # the last name, even where staff typed it in the description
    assert "Sint-Pieters" not in html  # the exact place, at municipality precision
    assert "GE.12.L3" not in html  # the police reference is never public

    case, _ = await approved(
        database,
        settings,
        make_staff,
        level=1,
        languages=("nl",),
        consent={"name_mode": "none", "place_precision": "province"},
    )
    status, html = await page(client, case.public_id)
    assert status == 200 and "Lotte" not in html and "Gent" not in html
    assert "Oost-Vlaanderen" in html


async def test_the_page_speaks_the_visitors_language(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=2, languages=("nl", "fr"))
    cases_by_header = {
        "fr-BE,fr;q=0.9,en;q=0.5": ("fr", "DISPARU·E"),
        "de-DE": ("de", "VERMISST"),
        "en-GB,en;q=0.8": ("en", "MISSING"),
        "es": ("nl", "VERMIST"),  # no match: the case's first language
    }
    for accept, (lang, headline) in cases_by_header.items():
        response = await client.get(f"/alerts/{case.public_id}",
                                    headers={"Accept-Language": accept})  # fmt: skip
        html = await response.text()
        assert f'<html lang="{lang}">' in html and headline in html, accept
        assert response.headers["Content-Language"] == lang
    response = await client.get(
        f"/alerts/{case.public_id}?lang=de", headers={"Accept-Language": "fr"}
    )
    assert "VERMISST" in await response.text()
    assert 'href="/alerts/' in await response.text()  # the switch and the downloads


async def test_noindex_below_level_3_only(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    for level, indexed in ((1, False), (2, False), (3, True)):
        case, _ = await approved(database, settings, make_staff, level=level, languages=("en",))
        response = await client.get(f"/alerts/{case.public_id}")
        html = await response.text()
        assert ('<meta name="robots" content="noindex">' in html) is not indexed, level
        assert ("X-Robots-Tag" in response.headers) is not indexed, level
        assert response.headers["Cache-Control"] == "private, no-cache"  # asked again each time


async def test_preview_tags_downloads_and_the_sighting_section(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, photo=True,
                             languages=("nl", "fr", "de", "en"))  # fmt: skip
    status, html = await page(client, case.public_id, **{"Accept-Language": "fr"})
    assert status == 200
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert image is not None
    assert image.group(1) == f"{settings.public_base_url}/alerts/{case.public_id}/square-fr.png"
    for lang in ("nl", "fr", "de", "en", "nl-fr"):
        assert f'href="/alerts/{case.public_id}/poster-{lang}.pdf"' in html
    assert 'id="sighting"' in html and "116\u00a0000" in html and 'href="tel:116000"' in html
    assert f'src="/alerts/{case.public_id}/photo.jpg"' in html
    photo = await client.get(f"/alerts/{case.public_id}/photo.jpg")
    assert photo.status == 200 and (await photo.read()).startswith(b"\xff\xd8")
    # The page keeps to the Content-Security-Policy: no inline script or style (the sighting
    # form's script is a file of this site's).
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html) and "style=" not in html


async def test_a_discreet_page_has_no_preview_and_asks_not_to_share(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=1, languages=("en",))
    status, html = await page(client, case.public_id)
    assert status == 200 and "og:" not in html and "do not share this page" in html
    assert ".pdf" not in html


async def test_user_text_is_escaped(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=2, languages=("en",),
                             clothing='<script>alert(1)</script> "jacket"')  # fmt: skip
    _, html = await page(client, case.public_id)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


async def test_invariant_4_closed_case_answers_410(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, photo=True,
                                   languages=("nl", "fr"))  # fmt: skip
    addresses = [path_of(r["address"]) for r in await registry(database, case.id)
                 if r["channel"] in ("case_page", "poster", "image")]  # fmt: skip
    addresses += [
        f"/alerts/{case.public_id}/{name}"
        for name in ("poster-nl.pdf", "square-fr.png", "story-nl.png", "photo.jpg")
    ]
    assert all([(await client.get(a)).status == 200 for a in addresses])
    await pipeline.close(database, manager, case.id, "found_safe")
    for address in addresses:
        response = await client.get(address, allow_redirects=False)
        assert response.status == 410, address
        body = await response.text()
        for secret in ("Lotte", "Vermeulen", "photo", "<img", case.reference, "found",
                       "gevonden", "retrouvé", "gefunden", "safe"):  # fmt: skip
            assert secret not in body, (address, secret)
        assert "withdrawn" in body or "ingetrokken" in body or "retiré" in body


async def test_a_case_withdrawn_by_its_consent_answers_410(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=2, languages=("nl",))
    await pipeline.change_consent(database, settings, manager, case.id, {**CONSENT, "level": 0})
    for path in ("", "/poster-nl.pdf", "/square-nl.png"):
        assert (await client.get(f"/alerts/{case.public_id}{path}")).status == 410, path


async def test_unknown_and_never_approved_cases_answer_404(
    client: TestClient[Any, Any], database: Database, make_staff: StaffFactory
) -> None:
    waiting = await pending(database, await make_staff())
    for public_id in (waiting.public_id, "NoSuchAlertAtAll123"):
        for path in ("", "/poster-nl.pdf", "/photo.jpg"):
            response = await client.get(f"/alerts/{public_id}{path}")
            assert response.status == 404, (public_id, path)
            assert "Lotte" not in await response.text()
