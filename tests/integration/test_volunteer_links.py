"""Volunteers' links as an attacker uses them (issue 17): a forwarded alert e-mail opens no
account, the data link goes only to the volunteer's own address and answers alike for everyone,
and an expired or used link is refused clearly.

Real PostgreSQL, the real SMTP sink, the real application and the real e-mail channel.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.cases import publicity
from alerts.channels.base import Job
from alerts.channels.email import EmailChannel
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language, language
from alerts.volunteers import manage_links, messages
from alerts.volunteers.messages import ERRORS
from alerts.web.public.volunteer import SUBJECTS
from sandbox.smtp_sink import ReceivedMail, SmtpSink
from tests.support.app import StaffFactory
from tests.support.dispatch import active_case

Client = TestClient[Any, Any]
BASE = "https://alerts.example"
ADDRESS = "ana.peeters@example.be"
SIGNUP = {
    "email": ADDRESS, "language": "nl", "place": "9000", "radius": "10", "work_place": "",
    "work_radius": "10", "quiet_start": "", "quiet_end": "",
}  # fmt: skip


@pytest.fixture
def mail_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return dataclasses.replace(
        settings, smtp_url=sink.url, mail_from="alerts@hotline.example", secret_key="test-key",
        public_base_url=BASE,
    )  # fmt: skip


@pytest.fixture
async def client(sink: SmtpSink, mail_settings: Settings, aiohttp_client: Any) -> Client:
    result: Client = await aiohttp_client(create_app(mail_settings))
    return result


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def local(url: str) -> str:
    parts = urlsplit(html.unescape(url))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def links_in(text: str) -> set[str]:
    """Every link of the service in a text, a page or a header, as a local path."""
    found = re.findall(r'https://alerts\.example/[^\s"<>]+', text)
    found += re.findall(r'href="(/[^"]*)"', text)
    return {local(u) for u in found}


async def signed_up(client: Client, sink: SmtpSink) -> None:
    """A volunteer signed up and confirmed through the pages (two e-mails in the sink)."""
    page = await (await client.get("/volunteer?lang=nl")).text()
    before = len(sink.messages)
    answer = await client.post("/volunteer?lang=nl", data={**SIGNUP, "csrf_token": csrf_of(page)},
                               allow_redirects=False)  # fmt: skip
    assert answer.status == 303
    [mail] = (await sink.wait_for_messages(before + 1))[-1:]
    [confirm] = [u for u in links_in(mail.text or "") if "/volunteer/confirm/" in u]
    page = await (await client.get(confirm)).text()
    assert (await client.post(confirm, data={"csrf_token": csrf_of(page)})).status == 200
    await sink.wait_for_messages(before + 2)


async def alert_mail(
    database: Database, settings: Settings, make_staff: StaffFactory, sink: SmtpSink
) -> ReceivedMail:
    """An alert e-mail to the volunteer, sent by the real channel."""
    row = await database.conn.fetchrow("SELECT id, public_id FROM volunteers")
    case = await active_case(database, settings, make_staff)
    view = await publicity.view_for(database, settings, case, "email")
    job = Job(
        publication_id=1, case_id=case.id, revision=case.revision, channel="email",
        target=f"volunteer/{row['id']}", address=ADDRESS, language="nl", view=view,
        volunteer_public_id=row["public_id"],
    )  # fmt: skip
    before = len(sink.messages)
    await EmailChannel(settings).send(job)
    return (await sink.wait_for_messages(before + 1))[-1]


async def ask_for_link(client: Client, email: str, lang: str = "en") -> Any:
    page = await (await client.get(f"/volunteer/manage?lang={lang}")).text()
    return await client.post(f"/volunteer/manage?lang={lang}",
                             data={"email": email, "csrf_token": csrf_of(page)},
                             allow_redirects=False)  # fmt: skip


async def data_link(client: Client, sink: SmtpSink, lang: str = "en") -> str:
    before = len(sink.messages)
    assert (await ask_for_link(client, ADDRESS, lang)).status == 303
    mail = (await sink.wait_for_messages(before + 1))[-1]
    assert mail.rcpt_tos == (ADDRESS,)
    [link] = [u for u in links_in(mail.text or "") if "/volunteer/data/" in u]
    return link


# -- a forwarded alert --------------------------------------------------------------------------


async def test_a_forwarded_alert_email_opens_no_account(
    client: Client, sink: SmtpSink, mail_settings: Settings, database: Database,
    make_staff: StaffFactory, aiohttp_client: Any,
) -> None:  # fmt: skip
    await signed_up(client, sink)
    mail = await alert_mail(database, mail_settings, make_staff, sink)
    # Whoever the e-mail was forwarded to: another browser, with the e-mail's links only.
    stranger: Client = await aiohttp_client(create_app(mail_settings))
    header = mail.message["List-Unsubscribe"]
    found = links_in(f"{mail.text} {mail.html} {header}")
    stops = {u for u in found if "/volunteer/stop/" in u}
    assert stops and local(header.strip("<>")) in stops
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    seen: dict[str, str] = {}
    to_visit = set(found)
    for stop in stops:  # RFC 8058's one-click POST, as a mail client sends it
        answer = await stranger.post(stop, data={"List-Unsubscribe": "One-Click"})
        assert answer.status == 200
        seen[f"POST {stop}"] = await answer.text()
        to_visit |= links_in(seen[f"POST {stop}"])
    for _ in range(3):  # follow every link of every page reached, three steps deep
        for path in sorted(to_visit - set(seen)):
            answer = await stranger.get(path)
            text = answer.content_type.startswith(("text/", "application/json"))
            seen[path] = await answer.text() if text else ""
        to_visit = {u for page in seen.values() for u in links_in(page)} - set(seen)

    everything = "\n".join(seen.values())
    with language("nl"):
        area = messages.area("Gent", 10)
    assert ADDRESS not in everything and area not in everything
    assert not any(p.startswith(("/volunteer/data/", "/volunteer/manage/")) for p in seen), seen
    assert in_language("nl", "Download all my data (JSON)") not in everything
    assert in_language("nl", "Delete all my data") not in everything
    # It unsubscribed, and that is all: the volunteer and their data are still there.
    row = await database.conn.fetchrow("SELECT active, email FROM volunteers")
    assert row is not None and (row["active"], row["email"]) == (False, ADDRESS)


async def test_the_stop_link_shows_a_button_and_the_same_page_to_everyone(
    client: Client, sink: SmtpSink, mail_settings: Settings, database: Database,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    await signed_up(client, sink)
    mail = await alert_mail(database, mail_settings, make_staff, sink)
    stop = local(mail.message["List-Unsubscribe"].strip("<>"))

    prefetched = await client.get(stop)  # a mail scanner opens the link: nothing happens
    assert prefetched.status == 200 and '<form method="post"' in await prefetched.text()
    assert await database.conn.fetchval("SELECT active FROM volunteers") is True
    first = await (await client.post(stop, data={})).text()
    again = await (await client.post(stop, data={})).text()

    assert await database.conn.fetchval("SELECT active FROM volunteers") is False
    assert first == again or csrf_free(first) == csrf_free(again)
    assert "/volunteer/data/" not in first and "/volunteer/manage" not in first


def csrf_free(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


# -- the data link -------------------------------------------------------------------------------


async def test_the_data_link_answers_alike_and_goes_only_to_the_registered_address(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    await signed_up(client, sink)
    before = len(sink.messages)

    known = await ask_for_link(client, ADDRESS)
    unknown = await ask_for_link(client, "nobody.here@example.be")

    assert (known.status, known.headers["Location"]) == (
        unknown.status,
        unknown.headers["Location"],
    )
    assert csrf_free(await (await client.get(known.headers["Location"])).text()) == csrf_free(
        await (await client.get(unknown.headers["Location"])).text()
    )
    mails = await sink.wait_for_messages(before + 1)
    assert [m.rcpt_tos for m in mails[before:]] == [(ADDRESS,)]
    assert mails[-1].subject == in_language("nl", SUBJECTS["manage"])  # the volunteer's language
    token = re.search(r"/volunteer/data/([^?\s]+)", mails[-1].text or "")
    assert token
    stored = await database.conn.fetch("SELECT token_hash FROM volunteer_manage_links")
    assert all(token.group(1) != r["token_hash"] for r in stored)  # only a hash is kept


async def test_the_data_link_opens_export_and_deletion(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    await signed_up(client, sink)
    link = await data_link(client, sink)

    page = await client.get(link)
    body = await page.text()
    assert page.status == 200 and ADDRESS in body and page.headers["Cache-Control"] == "no-store"
    with language("nl"):
        assert messages.area("Gent", 10) in body  # what the forwarded-alert test looks for
    export = re.search(r'href="(/volunteer/data/[^"]+/export[^"]*)"', body)
    assert export
    data = json.loads(await (await client.get(html.unescape(export.group(1)))).text())
    assert data["volunteer"]["email"] == ADDRESS
    deleted = await client.post(link.replace("?", "/delete?"), data={"csrf_token": csrf_of(body)})
    # The link is in the volunteer's language (nl), whatever the request's page was in.
    assert deleted.status == 200 and in_language("nl", "Your data has been deleted") in (
        await deleted.text()
    )
    assert await database.conn.fetchval("SELECT count(*) FROM volunteers") == 0

    used = await client.get(link)  # the same link again: refused, clearly
    assert used.status == 410
    assert html.escape(in_language("nl", ERRORS["manage_used"])) in await used.text()


@pytest.mark.parametrize("lang", ["fr", "de"])
async def test_an_expired_link_is_refused_in_the_visitors_language(
    client: Client, sink: SmtpSink, database: Database, lang: str
) -> None:
    await signed_up(client, sink)
    link = await data_link(client, sink, lang)
    await database.conn.execute(
        "UPDATE volunteer_manage_links SET expires_at = now() - interval '1 minute'"
    )

    expired = await client.get(link.replace("lang=nl", f"lang={lang}"))
    text = await expired.text()

    assert expired.status == 410 and f'<html lang="{lang}">' in text
    assert html.escape(in_language(lang, ERRORS["manage_expired"])) in text
    assert ADDRESS not in text
    refused = await client.post(link.replace("?", "/delete?"), data={})
    assert refused.status == 410
    assert await database.conn.fetchval("SELECT count(*) FROM volunteers") == 1


async def test_old_long_lived_links_no_longer_open_the_data(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    await signed_up(client, sink)
    public_id = await database.conn.fetchval("SELECT public_id FROM volunteers")

    for path in (f"/volunteer/manage/{public_id}?lang=en&sig=x",
                 f"/volunteer/manage/{public_id}/export?lang=en&sig=x"):  # fmt: skip
        answer = await client.get(path)
        assert answer.status == 410 and ADDRESS not in await answer.text()
    gone = await client.post(f"/volunteer/manage/{public_id}/delete?lang=en&sig=x", data={})
    assert gone.status == 410
    assert await database.conn.fetchval("SELECT count(*) FROM volunteers") == 1


async def test_requests_for_links_are_limited_alike_for_every_address(
    client: Client, sink: SmtpSink
) -> None:
    await signed_up(client, sink)
    before = len(sink.messages)
    answers = []
    for number in range(manage_links.REQUESTS_PER_CLIENT_PER_HOUR + 1):
        email = ADDRESS if number % 2 else f"someone{number}@example.be"
        answers.append((await ask_for_link(client, email)).status)

    assert answers[:-1] == [303] * manage_links.REQUESTS_PER_CLIENT_PER_HOUR
    assert answers[-1] == 429
    mails = await sink.wait_for_messages(before + manage_links.LINKS_PER_VOLUNTEER_PER_HOUR)
    assert len(mails) - before == manage_links.LINKS_PER_VOLUNTEER_PER_HOUR  # no mail bombing


async def test_a_wrong_address_or_a_form_from_elsewhere_gets_a_clear_answer(
    client: Client, sink: SmtpSink
) -> None:
    wrong = await ask_for_link(client, "not an address", lang="de")
    forged = await client.post("/volunteer/manage?lang=fr", data={"email": ADDRESS})

    assert wrong.status == 422
    assert html.escape(in_language("de", ERRORS["email_invalid"])) in await wrong.text()
    assert forged.status == 403
    assert html.escape(in_language("fr", ERRORS["form_expired"])) in await forged.text()
    assert sink.messages == []
