"""The public page offers what the consent allows and says the same (issue 19): the images made
for social media only when the consent allows social media, with words that agree; the hotline's
number never broken across lines (pages, posters, messages); the organisation's name in the
page's language (ORGANISATION_NAME_<LANG>, else ORGANISATION_NAME) on pages and posters."""

from __future__ import annotations

import html as markup
import io
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader

from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.posters.layout import BOLD
from alerts.posters.textfit import em_width, wrap
from alerts.publication.texts import render_text, sms_length
from alerts.web.public import sharing
from tests.support.app import StaffFactory
from tests.support.factories import approved

Client = TestClient[Any, Any]
LANGS = ("nl", "fr", "de", "en")
NAMES = {"nl": "Stichting Vermiste Kinderen", "fr": "Fondation Enfants Disparus"}
DEFAULT_NAME = "Missing Children Hotline"
# Every way the page could ask people not to post the appeal on social media.
NOT_ON_SOCIAL = (sharing.REGIONAL, sharing.DISCREET)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {}, database_url=database_url, data_dir=str(tmp_path), secure_cookies=False,
        geocoder="offline", organisation_name_nl=NAMES["nl"], organisation_name_fr=NAMES["fr"],
    )  # fmt: skip


async def page(client: Client, public_id: str, lang: str) -> str:
    response = await client.get(f"/alerts/{public_id}?lang={lang}")
    assert response.status == 200
    return markup.unescape(await response.text())


def social_links(html: str) -> list[str]:
    return re.findall(r'href="/alerts/[^/"]+/((?:square|story)-[a-z-]+\.png)"', html)


async def test_social_images_only_when_social_media_are_allowed_and_the_words_agree(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    for level in (2, 3):
        case, _ = await approved(database, settings, make_staff, level=level, photo=True,
                                 languages=LANGS)  # fmt: skip
        for lang in LANGS:
            html = await page(client, case.public_id, lang)
            forbids = [note for note in NOT_ON_SOCIAL if in_language(lang, note) in html]
            links = social_links(html)
            # The contradiction itself: "do not post on social media" next to images for it.
            assert not (forbids and links), (level, lang)
            assert f"poster-{lang}.pdf" in html
            if level == 2:
                assert links == [] and forbids == [sharing.REGIONAL], lang
                assert f'<h2 id="downloads-title">{in_language(lang, "Posters")}</h2>' in html
            else:
                assert {f"square-{lang}.png", f"story-{lang}.png"} <= set(links), lang
                assert in_language(lang, sharing.PUBLIC) in html
        # The images exist at level 2 (the Telegram channel and link previews use them).
        if level == 2:
            assert (await client.get(f"/alerts/{case.public_id}/square-nl.png")).status == 200


async def test_the_hotline_is_never_broken_across_lines(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, languages=LANGS)
    for lang in LANGS:
        html = await page(client, case.public_id, lang)
        text = re.sub(r"<[^>]+>", " ", html)
        assert "116 000" not in text and "116\u00a0000" in text, lang
        assert 'href="tel:116000"' in html
    view = await view_for(database, settings, case, "telegram_dm")
    for lang in LANGS:
        for kind in ("telegram_message", "telegram_caption", "email", "x"):
            rendered = render_text(view, lang, kind)
            shown = [rendered.text, rendered.html or "116\u00a0000"]
            assert all("116\u00a0000" in t and "116 000" not in t for t in shown), kind
        sms = render_text(view, lang, "sms").text
        assert "116 000" in sms and sms_length(sms)[0] == "gsm7"  # GSM-7 has no no-break space
    # A poster's text wraps at spaces, never inside the number ("Appelez le 116 000" in a box
    # that ends between 116 and 000).
    sentence = in_language("fr", "Call %(hotline)s", hotline=settings.hotline)
    width = (em_width(sentence.replace("\u00a0", " ").rsplit(" ", 1)[0], BOLD) + 0.2) * 20
    lines = wrap(sentence, BOLD, 20, width)
    assert lines[-1] == "116\u00a0000", lines
    poster = await client.get(f"/alerts/{case.public_id}/poster-fr.pdf")
    first = PdfReader(io.BytesIO(await poster.read())).pages[0].extract_text()
    assert re.search(r"116[\u00a0 ]000", first)


async def test_the_organisation_is_named_in_the_pages_language(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, languages=LANGS)
    expected = {**NAMES, "de": DEFAULT_NAME, "en": DEFAULT_NAME}
    for lang, name in expected.items():
        html = await page(client, case.public_id, lang)
        assert f'<span class="org">{name}</span>' in html, lang
        assert re.search(rf"<title>[^<]*· {re.escape(name)}</title>", html), lang
        official = in_language(lang, "Official appeal by %(organisation)s, issued on %(date)s.",
                               organisation=name, date="")  # fmt: skip
        assert official.split(name)[0] + name in html
        others = set(expected.values()) - {name}
        assert not any(other in html for other in others), lang
    posters = {"poster-nl.pdf": [NAMES["nl"]], "poster-de.pdf": [DEFAULT_NAME],
               "poster-nl-fr.pdf": [f"{NAMES['nl']} / {NAMES['fr']}"]}  # fmt: skip
    for file, names in posters.items():
        poster = await client.get(f"/alerts/{case.public_id}/{file}")
        reader = PdfReader(io.BytesIO(await poster.read()))
        text = " ".join(reader.pages[0].extract_text().split())
        assert all(name in text for name in names), (file, text)
        assert reader.metadata is not None and reader.metadata.author == names[0]


def test_each_language_falls_back_to_the_organisation_name() -> None:
    settings = Settings.from_env({"ORGANISATION_NAME": "Hotline", "ORGANISATION_NAME_FR": "Ligne"})
    assert [settings.organisation(lang) for lang in LANGS] == ["Hotline", "Ligne", "Hotline",
                                                               "Hotline"]  # fmt: skip
    assert settings.organisation(("nl", "fr")) == "Hotline / Ligne"
    assert settings.organisation(("de", "en")) == "Hotline"
