"""Answers by e-mail and the ending (issue 21): each alert e-mail carries three answer links,
signed for its volunteer and case; opening one shows a page and records nothing (mail scanners
open links), only its form records; a forged or borrowed link is refused; once the case closes
the links say the appeal has ended, and every volunteer who got the alert gets the ending in
their language, by Telegram and by e-mail, without the outcome."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.channels.tg_texts import ending_notice
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.volunteers import answer_links
from alerts.volunteers.answers import ANSWERS, CLOSED, THANKS
from sandbox.smtp_sink import ReceivedMail, SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import bot_messages, close, ended, states_are, users_at
from tests.support.dispatch import GENT, active_case, add_volunteer, dispatching, eventually, moved

Client = TestClient[Any, Any]
LINK = re.compile(r"https?://\S+/volunteer/answer/\S+")
# What the case's ending must never say: how it ended, in any language.
OUTCOME = ("found", "safe", "gevonden", "veilig", "retrouv", "sain", "gefunden", "wohlbehalten",
           "Lotte", "Vermeulen")  # fmt: skip


def path_of(url: str) -> str:
    parts = urlsplit(html.unescape(url))
    return f"{parts.path}?{parts.query}"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def mails_to(sink: SmtpSink, address: str) -> list[ReceivedMail]:
    return [m for m in sink.messages if m.rcpt_tos == (address,)]


async def answers(db: Database) -> list[tuple[int, str, str]]:
    rows = await db.conn.fetch("SELECT volunteer_id, answer, channel FROM case_answers")
    return [(r["volunteer_id"], r["answer"], r["channel"]) for r in rows]


async def test_an_email_answer_is_shown_first_and_recorded_only_by_its_form(
    db: Database, live: Settings, sink: SmtpSink, make_staff: StaffFactory, aiohttp_client: Any
) -> None:
    settings = dataclasses.replace(live, secret_key="answer-test-key")
    ana = await add_volunteer(db, moved(GENT, 3), email="ana@example.org", language="de")
    await add_volunteer(db, moved(GENT, 4), email="bo@example.org", language="de")
    case = await active_case(db, settings, make_staff, photo=False)
    async with dispatching(db, settings):
        await eventually(lambda: _mailed(sink, 2))
    [alert] = mails_to(sink, "ana@example.org")
    offered = LINK.findall(alert.text or "")
    assert [parse_qs(urlsplit(u).query)["answer"] for u in offered] == [[a] for a in ANSWERS]
    assert all(html.escape(u) in (alert.html or "") for u in offered)
    assert in_language("de", "I am nearby now") in (alert.text or "")
    web_only = dataclasses.replace(settings, telegram_bot_token="")  # the pages, not the bot
    client: Client = await aiohttp_client(create_app(web_only))

    # Opening the link (a person, or a mail scanner) records nothing.
    page = await client.get(path_of(offered[0]))
    assert page.status == 200
    body = await page.text()
    assert in_language("de", "I can help") in body and "Lotte" not in body
    assert await answers(db) == []
    refused = await client.post(path_of(offered[0]), data={"answer": "help"})
    assert refused.status == 400 and await answers(db) == []  # no CSRF token: a forged form

    # The form records; the volunteer may pick another answer than the link's, and change it.
    done = await client.post(path_of(offered[0]), data={"answer": "nearby",
                                                        "csrf_token": csrf_of(body)})  # fmt: skip
    assert done.status == 200 and in_language("de", THANKS["nearby"]) in await done.text()
    again = await client.get(path_of(offered[2]))
    text = await again.text()
    assert in_language(
        "de", "Your answer now: %(answer)s", answer=in_language("de", "I am nearby now")
    ) in html.unescape(text)  # noqa: E501
    await client.post(path_of(offered[2]), data={"answer": "unavailable",
                                                 "csrf_token": csrf_of(text)})  # fmt: skip
    assert await answers(db) == [(ana, "unavailable", "email")]
    bad = await client.post(path_of(offered[2]), data={"answer": "maybe",
                                                       "csrf_token": csrf_of(text)})  # fmt: skip
    assert bad.status == 400 and in_language("de", "Choose one of the answers.") in await bad.text()

    # Ana's signature does not answer for Bo, nor for another case; a bad one for nobody.
    bo = await db.conn.fetchval("SELECT public_id FROM volunteers WHERE email = 'bo@example.org'")
    ana_id = await db.conn.fetchval("SELECT public_id FROM volunteers WHERE id = $1", ana)
    borrowed = path_of(offered[0]).replace(f"/{ana_id}?", f"/{bo}?")
    for link in (borrowed, path_of(offered[0]).replace("sig=", "sig=x")):
        forged = await client.post(link, data={"answer": "help", "csrf_token": csrf_of(text)})
        assert forged.status == 403
    assert answer_links.signature(settings, case.public_id, bo) not in borrowed
    assert await answers(db) == [(ana, "unavailable", "email")]

    # Closed: the links say the appeal has ended, and nothing more is recorded.
    async with dispatching(db, settings):
        await close(db, await make_staff(), case.id)
        await eventually(ended(db, case.id))
    after = await client.get(path_of(offered[0]))
    assert after.status == 410 and in_language("de", CLOSED) in await after.text()
    late = await client.post(path_of(offered[0]), data={"answer": "help",
                                                        "csrf_token": csrf_of(text)})  # fmt: skip
    assert late.status == 410 and await answers(db) == [(ana, "unavailable", "email")]


def _mailed(sink: SmtpSink, count: int) -> Any:
    async def check() -> bool:
        return len(sink.messages) >= count

    return check()


async def test_every_volunteer_gets_the_ending_in_their_language_without_the_outcome(
    db: Database, live: Settings, sandbox: TelegramSandbox, sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    languages = ("nl", "fr", "de", "en")
    chats = {lang: (await users_at(sandbox, db, [moved(GENT, 1)], language=lang))[0]
             for lang in languages}  # fmt: skip
    for lang in languages:
        await add_volunteer(db, moved(GENT, 2), email=f"{lang}@example.org", language=lang)
    far = await users_at(sandbox, db, [moved(GENT, 80)])  # out of reach: never alerted
    case = await active_case(db, live, make_staff, photo=False)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        await close(db, await make_staff(), case.id)
        await eventually(ended(db, case.id))
    subjects = {
        "nl": "De oproep is beëindigd: dank u",
        "fr": "L'appel est terminé\u00a0: merci",
        "de": "Der Aufruf ist beendet: danke",
        "en": "The appeal has ended: thank you",
    }
    for lang in languages:
        alert, ending = bot_messages(sandbox, chats[lang])
        assert alert.deleted and ending.text == ending_notice(lang) and not ending.reply_markup
        _, notice = mails_to(sink, f"{lang}@example.org")
        assert notice.subject == subjects[lang]
        for said in (ending.text or "", notice.text or "", notice.subject):
            assert not any(word.lower() in said.lower() for word in OUTCOME), (lang, said)
    assert "affiches" in (mails_to(sink, "fr@example.org")[1].text or "")
    assert bot_messages(sandbox, far[0]) == []
