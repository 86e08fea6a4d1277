"""Free text written by staff carries no street address and no withheld name to the public: the
case page, the feeds, the poster, the volunteers' e-mail and Telegram messages (issue 17, 2)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader

from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import all_sent, bot_messages, users_at
from tests.support.console import logged_in
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
)
from tests.support.factories import approved, pending

# The attack in each language: a level-1 runaway at municipality precision whose
# description names the street and the house number.
ATTACKS = {
    "nl": (
        "Laatst gezien aan Veldstraat 45 met een blauwe rugzak.",
        "Veldstraat 45",
        "[plaats weggelaten]",
    ),
    "fr": (
        "Vue pour la dernière fois rue de la Loi 16 avec un sac bleu.",
        "rue de la Loi 16",
        "[lieu masqué]",
    ),
    "de": (
        "Zuletzt gesehen in der Hauptstraße 5 mit einem blauen Rucksack.",
        "Hauptstraße 5",
        "[Ort ausgelassen]",
    ),
    "en": (
        "Last seen at Veldstraat 45 with a blue backpack.",
        "Veldstraat 45",
        "[place withheld]",
    ),
}
DISCREET = {"level": 1, "name_mode": "first", "place_precision": "municipality", "photo": False}


def street(address: str) -> str:
    """The street of `address` without its number: absent too, not just the pair."""
    return " ".join(word for word in address.split() if not word[0].isdigit())


@pytest.mark.parametrize("lang", sorted(ATTACKS))
async def test_a_street_and_number_in_the_description_reaches_no_page_e_mail_or_telegram(
    lang: str,
    client: TestClient[Any, Any],
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:
    description, address, marker = ATTACKS[lang]
    [chat] = await users_at(sandbox, db, [moved(GENT, 2)], language=lang)
    await add_volunteer(db, moved(GENT, 3), email="volunteer@example.org", language=lang)
    case = await active_case(
        db, live, make_staff, photo=False, consent=DISCREET, description=description,
        languages=[lang],
    )  # fmt: skip
    async with dispatching(db, live):
        await eventually(all_sent(db, case.id))

    page = await client.get(f"/alerts/{case.public_id}?lang={lang}")
    html = await page.text()
    assert page.status == 200
    [mail] = sink.messages
    [message] = bot_messages(sandbox, chat)
    sent = {
        "page": html,
        "e-mail text": mail.text or "",
        "e-mail html": mail.html or "",
        "telegram": message.text or message.caption or "",
        "recorded": " ".join(row["body"] or "" for row in await publications(db, case.id)),
    }
    for where, text in sent.items():
        assert address not in text, where
        assert street(address) not in text, where
    assert marker in sent["page"] and marker in sent["e-mail text"] and marker in sent["telegram"]


async def poster_text(client: TestClient[Any, Any], public_id: str, lang: str) -> str:
    response = await client.get(f"/alerts/{public_id}/poster-{lang}.pdf")
    assert response.status == 200
    pdf = PdfReader(io.BytesIO(await response.read()))
    return " ".join(page.extract_text() for page in pdf.pages)


async def test_an_address_and_a_withheld_surname_reach_neither_the_feeds_nor_the_poster(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(
        database, settings, make_staff, level=3, languages=("nl", "fr"),
        consent={"name_mode": "first", "place_precision": "municipality"},
        description="Lotte VERMEULEN is gezien aan de Kerkstraat 12 bus 3, daarna richting "
        "16, rue de la Loi. De fiets van Vermeulens broer staat er nog.",
        clothing="Jas met 'Vermeulen' op de rug",
        marks="Woont Tervuursesteenweg 300",
    )  # fmt: skip
    texts = {
        "atom": await (await client.get("/feeds/alerts.atom")).text(),
        "cap": await (await client.get("/feeds/cap.xml")).text(),
        "page": await (await client.get(f"/alerts/{case.public_id}?lang=nl")).text(),
        "poster nl": await poster_text(client, case.public_id, "nl"),
        "poster fr": await poster_text(client, case.public_id, "fr"),
    }
    for where, text in texts.items():
        assert "Lotte" in text, where
        for withheld in (
            "Vermeulen",
            "VERMEULEN",
            "Kerkstraat",
            "rue de la Loi",
            "Tervuursesteenweg",
        ):
            assert withheld not in text, where
    assert "[naam weggelaten]" in texts["atom"] and "[plaats weggelaten]" in texts["page"]


async def test_at_exact_place_and_full_name_the_free_text_is_published_as_written(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    description = "Lotte Vermeulen is gezien aan de Kerkstraat 12 bus 3."
    case, _ = await approved(
        database, settings, make_staff, level=3, languages=("nl",),
        consent={"name_mode": "full", "place_precision": "exact"}, description=description,
    )  # fmt: skip
    html = await (await client.get(f"/alerts/{case.public_id}?lang=nl")).text()
    assert description in html


@pytest.mark.parametrize(
    ("lang", "reason", "reads"),
    [
        (
            "nl",
            "Straat en huisnummer: de toestemming toont alleen de gemeente",
            "Het publiek leest",
        ),
        ("fr", "Rue et numéro\u00a0: le consentement ne montre que la commune", "Le public lit"),
    ],
)
async def test_the_approver_sees_what_is_masked_highlighted_with_the_reason(
    lang: str,
    reason: str,
    reads: str,
    client: TestClient[Any, Any],
    database: Database,
    make_staff: StaffFactory,
) -> None:
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    description = "Lotte Vermeulen werd laatst gezien aan Veldstraat 45 <b>met</b> haar fiets."
    case = await pending(database, manager, description=description)
    await logged_in(client, approver)
    # On the case page and on the approval page, where the approver approves from.
    for path in (f"/console/cases/{case.id}", f"/console/cases/{case.id}/approval"):
        html = await (await client.get(f"{path}?lang={lang}")).text()
        section = html[html.index('id="free-text"') :]
        found = re.search(
            rf'<mark class="withheld" title="{reason}[^"]*">Veldstraat 45</mark>', section
        )
        assert found, path
        assert re.search(r'<mark class="withheld" title="[^"]+">Vermeulen</mark>', section)
        assert "&lt;b&gt;met&lt;/b&gt;" in section and "<b>met" not in section
        published = "Lotte [naam weggelaten] werd laatst gezien aan [plaats weggelaten] &lt;b&gt;"
        assert reads in section and published in section
    html = await (await client.get(f"/console/cases/{case.id}?lang={lang}")).text()
    assert f'href="/console/cases/{case.id}/edit"' in html  # the approver can still edit
