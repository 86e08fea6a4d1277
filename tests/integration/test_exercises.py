"""Exercises (issue 20, item 4): a case created as an exercise is one for ever and says so on
every artefact, in every language; a real case never becomes one; exercises count apart.

The attacks first: the API, the console and a proposal try to turn an exercise into a real case
and a real case into an exercise, and the database refuses what gets past them. Then what each
artefact shows: the page, the posters (the PDF's text), the images (what the layout draws, and
the pixels of the band), the channel texts, the Atom title, the press room, the console.
"""

from __future__ import annotations

import html as markup
import io
import re
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from pypdf import PdfReader

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import webhooks
from alerts.posters import images
from alerts.posters.exercise import BLUE
from alerts.posters.layout import Fill, Line
from alerts.publication.texts import render_text
from alerts.staff.models import Role
from tests.support.app import Bearer, StaffFactory
from tests.support.console import logged_in
from tests.support.factories import CASE_FIELDS, approved, last_seen, pending

Client = TestClient[Any, Any]
LANGS = ("nl", "fr", "de", "en")
WORD = {"nl": "OEFENING", "fr": "EXERCICE", "de": "ÜBUNG", "en": "EXERCISE"}
FIXED = "A case is an exercise or a real case from its creation; that cannot be changed."


async def test_attack_an_exercise_never_becomes_a_real_case_nor_a_real_case_an_exercise(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory,
    bearer: Bearer,
) -> None:  # fmt: skip
    manager = await make_staff()
    headers = await bearer(manager)
    fields = {**CASE_FIELDS, "last_seen_at": last_seen()}
    made = await client.post("/api/cases", json={**fields, "exercise": True}, headers=headers)
    assert made.status == 201
    exercise = await made.json()
    real = await (await client.post("/api/cases", json=fields, headers=headers)).json()
    assert exercise["exercise"] is True and real["exercise"] is False
    # The API: a PATCH of a draft, either way, is refused with the reason.
    for case, flipped in ((exercise, False), (real, True)):
        url = f"/api/cases/{case['id']}"
        answer = await client.patch(url, json={"exercise": flipped}, headers=headers)
        refused = await answer.json()
        assert answer.status == 422 and refused["field"] == "exercise"
        assert refused["error"] == f"exercise: {FIXED}"
    wrong = await client.post("/api/cases", json={**fields, "exercise": "yes"}, headers=headers)
    assert wrong.status == 422
    # Active, through the pipeline: an edit (a proposal for a widening one) is refused too.
    active, owner = await approved(database, settings, make_staff, exercise=True)
    with pytest.raises(errors.InvalidInput, match="from its creation"):
        await pipeline.revise(database, settings, owner, active.id, {"exercise": False})
    live_real, owner = await approved(database, settings, make_staff)
    with pytest.raises(errors.InvalidInput, match="from its creation"):
        await pipeline.revise(
            database, settings, owner, live_real.id, {"exercise": True, "hair": "short"}
        )
    # The console's edit form has no such field: a forged one changes nothing.
    csrf = await logged_in(client, manager)
    form = {"csrf_token": csrf, "exercise": "off", "kind": "runaway", "languages": "nl",
            "first_name": "Lotte", "last_seen_place": "Gent"}  # fmt: skip
    await client.post(f"/console/cases/{exercise['id']}/edit", data=form, allow_redirects=False)
    assert (await cases.get(database, exercise["id"])).exercise is True
    # Whatever code gets past these, the database refuses the change.
    for case_id in (exercise["id"], real["id"], active.id):
        with pytest.raises(asyncpg.CheckViolationError):
            await database.conn.execute(
                "UPDATE cases SET exercise = NOT exercise WHERE id = $1", case_id
            )
    assert [(await cases.get(database, i)).exercise for i in (exercise["id"], real["id"])] == [
        True, False]  # fmt: skip


async def test_exercise_on_the_page_posters_images_and_texts_in_every_language(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, photo=True,
                             languages=LANGS, exercise=True)  # fmt: skip
    real, _ = await approved(database, settings, make_staff, level=3, photo=True, languages=LANGS)
    for lang in LANGS:
        page = markup.unescape(
            await (await client.get(f"/alerts/{case.public_id}?lang={lang}")).text()
        )
        assert f'<p class="exercise-banner" role="note">{WORD[lang]} — ' in page, lang
        assert re.search(rf"<title>{WORD[lang]} · ", page), lang
        poster = await client.get(f"/alerts/{case.public_id}/poster-{lang}.pdf")
        reader = PdfReader(io.BytesIO(await poster.read()))
        first = reader.pages[0].extract_text()
        assert WORD[lang] in first, lang
        assert reader.metadata is not None and WORD[lang] in str(reader.metadata.title)
        for kind in ("square", "story"):
            png = await (await client.get(f"/alerts/{case.public_id}/{kind}-{lang}.png")).read()
            assert _blue_share(png) > 0.04, (kind, lang)  # the band is drawn, large
    poster = await client.get(f"/alerts/{case.public_id}/poster-nl-fr.pdf")
    first = PdfReader(io.BytesIO(await poster.read())).pages[0].extract_text()
    assert "OEFENING · EXERCICE" in " ".join(first.split())
    # A real case: none of it.
    page = await (await client.get(f"/alerts/{real.public_id}?lang=nl")).text()
    assert "OEFENING" not in page and "exercise-banner" not in page
    png = await (await client.get(f"/alerts/{real.public_id}/square-nl.png")).read()
    assert _blue_share(png) < 0.001
    poster = await client.get(f"/alerts/{real.public_id}/poster-nl.pdf")
    assert "OEFENING" not in PdfReader(io.BytesIO(await poster.read())).pages[0].extract_text()

    # The images as the layout draws them: the band, its word large.
    view = await view_for(database, settings, case, "image")
    for sheet in (images.square_sheet(view, "nl"), images.story_sheet(view, "nl")):
        [word] = [i for i in sheet.items if isinstance(i, Line) and i.text == "OEFENING"]
        assert word.size >= 60
        assert any(isinstance(i, Fill) and i.color == BLUE for i in sheet.items)

    # The channel texts, each kind, each language.
    message_view = await view_for(database, settings, case, "telegram_dm")
    for lang in LANGS:
        for kind in ("telegram_message", "telegram_caption", "email", "sms", "x", "facebook"):
            rendered = render_text(message_view, lang, kind)
            first_word = rendered.text.removeprefix("<b>")  # Telegram's texts start in bold
            assert first_word.startswith(WORD[lang]), (kind, lang, rendered.text[:40])
        mail = render_text(message_view, lang, "email")
        assert mail.subject and mail.subject.startswith(f"{WORD[lang]} · ")
        assert mail.html and f"{WORD[lang]} — " in mail.html

    # A JSON partner is told too (a CAP one by the status: test_exercise_reach.py).
    webhook_view = await view_for(database, settings, case, "webhook")
    assert webhooks.json_payload(settings, webhook_view)["exercise"] is True
    real_view = await view_for(database, settings, real, "webhook")
    assert webhooks.json_payload(settings, real_view)["exercise"] is False

    # The Atom entry's title and the press room.
    for lang in LANGS:
        atom = await (await client.get(f"/feeds/alerts.atom?lang={lang}")).text()
        titles = re.findall(r"<title>([^<]*)</title>", atom)
        assert sum(t.startswith(f"{WORD[lang]} · ") for t in titles) == 1, (lang, titles)
        room = markup.unescape(await (await client.get(f"/press?lang={lang}")).text())
        assert f"<h2>{WORD[lang]} · " in room, lang


def _blue_share(png: bytes) -> float:
    """The share of the image's pixels in the exercise band's blue."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    target = tuple(round(c * 255) for c in BLUE)
    colours = image.getcolors(image.width * image.height) or []
    near = sum(
        n for n, c in colours if all(abs(a - b) <= 3 for a, b in zip(c, target, strict=True))
    )
    return near / (image.width * image.height)


async def test_exercises_count_apart_in_the_metrics_and_the_console(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    await approved(database, settings, make_staff, exercise=True)
    await approved(database, settings, make_staff, exercise=True)
    await approved(database, settings, make_staff)
    text = await (await client.get("/metrics")).text()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("alerts_cases", (("state", "active"),))] == 1
    assert samples[("alerts_exercise_cases", (("state", "active"),))] == 2
    hosted = ("channel", "case_page"), ("state", "sent")
    assert samples[("alerts_publications", hosted)] == 1
    assert samples[("alerts_exercise_publications", hosted)] == 2

    await logged_in(client, await make_staff(Role.SUPERVISOR))
    listing = await (await client.get("/console?state=active&lang=nl")).text()
    counts = '<span class="count">1</span> <span class="count exercise">oefeningen: 2</span>'
    assert counts in listing
    assert listing.count('<span class="badge exercise">OEFENING</span>') == 2
    # The approver sees it before approving: on the approval page and in its preview of the page.
    waiting = await pending(database, await make_staff(), exercise=True)
    approval = await (await client.get(f"/console/cases/{waiting.id}/approval?lang=fr")).text()
    assert '<p class="exercise-banner">EXERCICE — ' in approval
    preview = await client.get(f"/console/cases/{waiting.id}/preview/page")
    assert 'class="exercise-banner" role="note">OEFENING — ' in await preview.text()
