"""The console's publications in words, in the staff member's language (issue 19): the case page
of a case with thousands of publications shows them counted per channel and state, not one row
each; the single rows are on their own page, fifty at a time, filtered by channel, state and a
volunteer's pseudonym; what a person reads never shows the registry's identifiers.

Real PostgreSQL and the real application, through a logged-in session.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff.models import Role
from alerts.volunteers.pseudonyms import pseudonym
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.factories import CONSENT, approved, draft

Client = TestClient[Any, Any]
MANY = 3000
RAW = ("telegram_dm", "case_page", "telegram_channel", "volunteer/", "superseded", "True",
       "first_name", "withdrawing")  # fmt: skip
WORDS = {
    "en": ("Volunteers · Telegram", "Volunteers · E-mail", "Case page", "Posters",
           "Regional channels · Telegram"),
    "nl": ("Vrijwilligers · Telegram", "Vrijwilligers · e-mail", "Dossierpagina", "Affiches",
           "Regionale kanalen · Telegram"),
    "fr": ("Bénévoles · Telegram", "Bénévoles · e-mail", "Page du dossier", "Affiches",
           "Canaux régionaux · Telegram"),
    "de": ("Freiwillige · Telegram", "Freiwillige · E-Mail", "Fallseite", "Plakate",
           "Regionale Kanäle · Telegram"),
}  # fmt: skip
ROW_WORDS = {
    "en": ("Volunteer V-", "waiting for quiet hours to end", "Poster (nl)", "12 km"),
    "nl": ("Vrijwilliger V-", "wacht tot de stille uren voorbij zijn", "Affiche (nl)", "12 km"),
    "fr": ("Bénévole V-", "attend la fin des heures de silence", "Affiche (nl)", "12 km"),
    "de": ("Freiwillige Person V-", "wartet auf das Ende der Ruhezeit", "Plakat (nl)", "12 km"),
}  # fmt: skip


class Text(HTMLParser):
    """What a person reads on a page: its text, without tags, attributes, styles or scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


async def many_publications(database: Database, case: Case, n: int = MANY) -> None:
    """`n` messages to volunteers (Telegram and e-mail, 12 km away), one held by quiet hours,
    and a regional channel, in one statement."""
    await database.conn.execute(
        """
        INSERT INTO publications (case_id, revision, channel, target, language, address, state,
                                  sort_key, next_attempt_at, sent_at)
        SELECT $1, $2, CASE WHEN i % 2 = 0 THEN 'telegram_dm' ELSE 'email' END,
               'volunteer/' || (i / 2), 'nl', 'secret-address-' || i,
               CASE WHEN i % 3 = 0 THEN 'sent' ELSE 'pending' END, 12.2,
               CASE WHEN i = 1 THEN now() + interval '3 hours' ELSE now() END,
               CASE WHEN i % 3 = 0 THEN now() END
        FROM generate_series(1, $3) AS i
        """,
        case.id, case.revision, n,
    )  # fmt: skip
    await database.conn.execute(
        "INSERT INTO publications (case_id, revision, channel, target, language, address, state)"
        " VALUES ($1, $2, 'telegram_channel', 'channel/1', 'nl', '-100123', 'sent')",
        case.id, case.revision,
    )  # fmt: skip


@pytest.fixture
async def busy(database: Database, settings: Settings, make_staff: StaffFactory) -> Case:
    case, _ = await approved(database, settings, make_staff, level=3, languages=("nl", "fr"))
    await many_publications(database, case)
    return case


async def test_a_case_with_thousands_of_publications_shows_counts_not_rows(
    client: Client, database: Database, make_staff: StaffFactory, busy: Case
) -> None:
    await logged_in(client, await make_staff())

    html = await (await client.get(f"/console/cases/{busy.id}?lang=en")).text()

    section = html[html.index('id="publications"') : html.index('id="withdrawal"')]
    text = text_of(section)
    assert "Volunteers · Telegram" in text and "Volunteers · E-mail" in text
    assert str(MANY // 2) in text  # each of the two channels counted once
    assert "V-" not in html and "secret-address" not in html  # no single rows, no address
    assert len(re.findall(r"<tr", html)) < 40  # one small table, whatever the fan-out's size
    assert f'href="/console/cases/{busy.id}/publications"' in section


async def test_the_single_rows_are_paged_and_filtered(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory, busy: Case
) -> None:
    await logged_in(client, await make_staff())
    base = f"/console/cases/{busy.id}/publications"

    first = await (await client.get(f"{base}?lang=en")).text()
    ids = [int(i) for i in re.findall(r'id="publication-(\d+)"', first)]
    assert len(ids) == 50 and ids == sorted(ids)
    found = re.search(r'id="next-page" href="([^"]+)"', first)
    assert found
    second = await (await client.get(found.group(1).replace("&amp;", "&"))).text()
    more = [int(i) for i in re.findall(r'id="publication-(\d+)"', second)]
    assert len(more) == 50 and more[0] > ids[-1]

    pending = await (await client.get(f"{base}?state=pending&channel=email")).text()
    rows = re.findall(r'<tr id="publication-\d+">(.*?)</tr>', pending, re.S)
    assert len(rows) == 50
    assert all("E-mail" in r and "waiting" in text_of(r).lower() for r in rows)

    who = pseudonym(settings, "volunteer/7")
    one = await (await client.get(f"{base}?who={who.lower()}")).text()
    rows = re.findall(r'<tr id="publication-\d+">(.*?)</tr>', one, re.S)
    assert len(rows) == 2 and all(who in r for r in rows)  # Telegram and e-mail
    assert 'id="next-page"' not in one
    nobody = await (await client.get(f"{base}?who=V-00000000")).text()
    assert 'id="no-publications"' in nobody

    for bad in ("channel=nope", "state=drop%20table", "after=-1", "after=99999999999999999999"):
        answer = await client.get(f"{base}?{bad}")
        assert answer.status == 422, bad


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
async def test_the_publications_read_in_words_in_each_language(
    client: Client, database: Database, make_staff: StaffFactory, busy: Case, lang: str
) -> None:
    await logged_in(client, await make_staff(Role.SUPERVISOR))
    case_page = text_of(await (await client.get(f"/console/cases/{busy.id}?lang={lang}")).text())
    rows_page = f"/console/cases/{busy.id}/publications?lang={lang}"
    first = text_of(await (await client.get(rows_page)).text())
    posters = text_of(await (await client.get(f"{rows_page}&channel=poster")).text())

    for word in WORDS[lang]:
        assert word in case_page, (lang, word)
    quiet, poster = ROW_WORDS[lang][1], ROW_WORDS[lang][2]
    for word in (ROW_WORDS[lang][0], ROW_WORDS[lang][3], quiet.capitalize()):
        assert word in first, (lang, word)
    assert poster in posters, (lang, poster)
    for page in (case_page, first, posters):
        for raw in RAW:
            assert raw not in page, (lang, raw)


HISTORY = {
    "en": ("First name changed", "Consent changed: level 2 → 3, photo allowed", "Consent: level 2"),
    "nl": ("Voornaam gewijzigd", "Toestemming gewijzigd: niveau 2 → 3, foto toegestaan",
           "Toestemming: niveau 2"),
    "fr": ("Prénom : modifié", "Consentement modifié : niveau 2 → 3, photo autorisée",
           "Consentement : niveau 2"),
    "de": ("Vorname geändert", "Einwilligung geändert: Stufe 2 → 3, Foto erlaubt",
           "Einwilligung: Stufe 2"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
async def test_the_history_reads_as_sentences(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory, lang: str
) -> None:
    manager = await make_staff(Role.SUPERVISOR)
    case = await draft(database, manager)
    await pipeline.revise(database, settings, manager, case.id, {"first_name": "Lien"})
    await pipeline.change_consent(database, settings, manager, case.id,
                                  {**CONSENT, "level": 2, "photo": False})  # fmt: skip
    await pipeline.change_consent(database, settings, manager, case.id,
                                  {**CONSENT, "level": 3, "photo": True})  # fmt: skip
    await logged_in(client, manager)

    for path in (f"/console/cases/{case.id}", "/console/audit"):
        html = await (await client.get(f"{path}?lang={lang}")).text()
        history = text_of(html[html.index('class="audit"') :])
        for sentence in HISTORY[lang]:
            assert sentence in history, (lang, path, sentence)
        for raw in ("first_name", "True", "False", "name_mode", "place_precision", "photo:"):
            assert raw not in history, (lang, path, raw)
