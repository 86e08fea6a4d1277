"""The public volunteer pages: sign-up with e-mail double opt-in, opt-out, export and deletion.

Real PostgreSQL, real SMTP (the sink) and the real application; no JavaScript anywhere.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.volunteers import email_signup, links
from alerts.volunteers import registry as volunteers
from alerts.volunteers.messages import ERRORS
from alerts.volunteers.registry import Volunteer
from alerts.web import keys
from alerts.web.public.volunteer import SUBJECTS
from sandbox.smtp_sink import ReceivedMail, SmtpSink

Client = TestClient[Any, Any]
SIGNUP = {
    "email": "  Ana.Peeters@Example.BE ", "language": "nl", "place": "9000", "radius": "10",
    "work_place": "Leuven", "work_radius": "5", "quiet_start": "22:00", "quiet_end": "07:00",
}  # fmt: skip


@pytest.fixture
def mail_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return dataclasses.replace(
        settings, smtp_url=sink.url, mail_from="alerts@hotline.example", secret_key="test-key"
    )


@pytest.fixture
async def client(sink: SmtpSink, mail_settings: Settings, aiohttp_client: Any) -> Client:
    result: Client = await aiohttp_client(create_app(mail_settings))
    return result


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


async def sign_up(client: Client, lang: str = "nl", **changes: str) -> ClientResponse:
    page = await (await client.get("/volunteer", params={"lang": lang})).text()
    form = {**SIGNUP, **changes, "csrf_token": csrf_of(page)}
    return await client.post(f"/volunteer?lang={lang}", data=form, allow_redirects=False)


def link_in(mail: ReceivedMail) -> str:
    """The path and query of the confirmation link in a mail's text part."""
    found = re.search(r"https?://\S+/volunteer/confirm/\S+", mail.text or "")
    assert found, mail.text
    url = urlsplit(found.group(0))
    return f"{url.path}?{url.query}"


async def confirmed(client: Client, sink: SmtpSink, **changes: str) -> tuple[Volunteer, str]:
    """A volunteer signed up and confirmed through the pages; the confirmation link."""
    before = len(sink.messages)
    assert (await sign_up(client, **changes)).status == 303
    [mail] = (await sink.wait_for_messages(before + 1))[-1:]
    link = link_in(mail)
    page = await (await client.get(link)).text()
    answer = await client.post(link, data={"csrf_token": csrf_of(page)})
    assert answer.status == 200, await answer.text()
    email = volunteers.normalise_email(changes.get("email", SIGNUP["email"]))
    return await _by_email(client, email), link


async def _by_email(client: Client, email: str) -> Volunteer:
    row = await client.app[keys.DB].conn.fetchrow(
        "SELECT * FROM volunteers WHERE email = $1", email
    )
    assert row is not None
    return Volunteer.from_row(row)


# -- sign-up and confirmation --------------------------------------------------------------------


async def test_sign_up_sends_a_link_that_makes_a_confirmed_volunteer(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    answer = await sign_up(client)

    assert answer.status == 303 and answer.headers["Location"] == "/volunteer/sent?lang=nl"
    sent = await (await client.get(answer.headers["Location"])).text()
    assert in_language("nl", "Check your inbox") in sent
    [mail] = await sink.wait_for_messages(1)
    assert mail.rcpt_tos == ("ana.peeters@example.be",)
    assert mail.subject == in_language("nl", SUBJECTS["confirm"])
    assert mail.html is not None and in_language("nl", "Confirm my sign-up") in mail.html
    assert await database.conn.fetchval("SELECT count(*) FROM volunteers") == 0  # not before
    link = link_in(mail)
    token = link.split("/")[-1].split("?")[0]
    stored = await database.conn.fetchval("SELECT token_hash FROM volunteer_signups")
    assert token not in stored  # only a hash of the token is kept

    page = await (await client.get(link)).text()
    body = "Press the button to start receiving alerts about missing children near you."
    assert in_language("nl", body) in page  # a button: mail scanners open links too
    done = await client.post(link, data={"csrf_token": csrf_of(page)})

    assert done.status == 200 and in_language("nl", "You are signed up") in await done.text()
    volunteer = await _by_email(client, "ana.peeters@example.be")
    assert volunteer.active and volunteer.email_confirmed_at is not None
    assert volunteer.language == "nl" and (volunteer.quiet_start, volunteer.quiet_end) == (
        time(22), time(7),
    )  # fmt: skip
    areas = {a.label: a for a in await volunteers.areas_of(database, volunteer.id)}
    assert (areas["home"].lat, areas["home"].lon, areas["home"].radius_km) == (51.05, 3.72, 10)
    assert (areas["work"].lat, areas["work"].lon, areas["work"].radius_km) == (50.88, 4.7, 5)
    welcome = (await sink.wait_for_messages(2))[1]
    assert welcome.subject == in_language("nl", SUBJECTS["welcome"])
    assert welcome.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/volunteer/stop/" in welcome.message["List-Unsubscribe"]


async def test_a_reused_confirmation_link_is_refused_clearly(
    client: Client, sink: SmtpSink
) -> None:
    _, link = await confirmed(client, sink)

    again = await client.post(link, data={})
    shown = await client.get(link)

    assert again.status == 410 and in_language("nl", ERRORS["token_used"]) in await again.text()
    assert shown.status == 410 and in_language("nl", ERRORS["token_used"]) in await shown.text()


async def test_an_expired_or_unknown_link_is_refused_clearly(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    await sign_up(client, lang="fr", language="fr")
    link = link_in((await sink.wait_for_messages(1))[0])
    await database.conn.execute("UPDATE volunteer_signups SET created_at = now() - interval '49h',"
                                " expires_at = now() - interval '1h'")  # fmt: skip

    expired = await client.get(link)
    refused = await client.post(link, data={})
    unknown = await client.get("/volunteer/confirm/not-a-token?lang=fr")

    assert (
        expired.status == 410
        and html.escape(in_language("fr", ERRORS["token_expired"])) in await expired.text()
    )
    assert refused.status == 410
    assert (
        unknown.status == 404
        and html.escape(in_language("fr", ERRORS["token_unknown"])) in await unknown.text()
    )
    assert await database.conn.fetchval("SELECT count(*) FROM volunteers") == 0


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
async def test_validation_messages_stand_next_to_their_fields(client: Client, lang: str) -> None:
    answer = await sign_up(client, lang=lang, email="not an address", place="Atlantis",
                           quiet_start="22:00", quiet_end="", radius="7")  # fmt: skip

    page = await answer.text()
    assert answer.status == 422 and f'<html lang="{lang}">' in page
    wrong = [("email", "email_invalid"), ("place", "place_unknown"), ("radius", "radius_invalid"),
             ("quiet_end", "quiet_incomplete")]  # fmt: skip
    for field, key in wrong:
        message = html.escape(in_language(lang, ERRORS[key]))
        error = re.search(rf'<p class="field-error" id="v-{field}-error">(.*?)</p>', page, re.S)
        assert error and message in error.group(1), (lang, field)
        tag = re.search(rf'<(?:input|select) id="v-{field}"[^>]*>', page)
        assert tag and f"v-{field}-error" in tag.group(0) and 'aria-invalid="true"' in tag.group(0)
    assert 'value="Atlantis"' in page  # what was typed stays
    assert "<script" not in page


async def test_a_form_without_its_csrf_token_is_refused(client: Client, sink: SmtpSink) -> None:
    answer = await client.post("/volunteer?lang=en", data=SIGNUP)

    assert answer.status == 403 and in_language("en", ERRORS["form_expired"]) in await answer.text()
    assert sink.messages == []


async def test_the_answer_does_not_reveal_whether_an_address_is_registered(
    client: Client, sink: SmtpSink
) -> None:
    await confirmed(client, sink)
    new = await sign_up(client, email="someone.else@example.be")
    known = await sign_up(client)

    assert (new.status, new.headers["Location"]) == (known.status, known.headers["Location"])
    mails = await sink.wait_for_messages(4)
    assert mails[-1].subject == mails[-2].subject == in_language("nl", SUBJECTS["confirm"])


async def test_an_address_gets_few_confirmation_mails_however_often_it_is_entered(
    client: Client, sink: SmtpSink
) -> None:
    for _ in range(email_signup.EMAIL_SIGNUPS_PER_HOUR + 2):
        assert (await sign_up(client)).status == 303
    await sink.wait_for_messages(email_signup.EMAIL_SIGNUPS_PER_HOUR)
    assert len(sink.messages) == email_signup.EMAIL_SIGNUPS_PER_HOUR


# -- opt-out, export, deletion -------------------------------------------------------------------


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_the_opt_out_link_works_in_one_step(
    client: Client, sink: SmtpSink, mail_settings: Settings
) -> None:
    volunteer, _ = await confirmed(client, sink)
    link = path_of(links.unsubscribe_url(mail_settings, volunteer.public_id, "de"))

    page = await client.get(link)
    assert page.status == 200 and in_language("de", "Stop the alerts") in await page.text()
    # RFC 8058: the mail client posts this, with no cookie and no form token.
    answer = await client.post(link, data={"List-Unsubscribe": "One-Click"})

    assert (
        answer.status == 200
        and in_language("de", "You will receive no more alerts") in await answer.text()
    )
    stopped = await _by_email(client, volunteer.email or "")
    assert not stopped.active and stopped.deactivated_reason == "opt_out"


@pytest.mark.parametrize("forge", ["other", "purpose", "garbage", "missing"])
async def test_a_forged_opt_out_link_is_refused(
    client: Client, sink: SmtpSink, mail_settings: Settings, forge: str
) -> None:
    volunteer, _ = await confirmed(client, sink)
    signatures = {
        "other": links.link_signature(mail_settings, "stop", "someone-else"),
        "purpose": links.link_signature(mail_settings, "manage", volunteer.public_id),
        "garbage": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "missing": "",
    }
    link = f"/volunteer/stop/{volunteer.public_id}?lang=en&sig={signatures[forge]}"

    answer = await client.post(link, data={"List-Unsubscribe": "One-Click"})

    assert answer.status == 403 and in_language("en", ERRORS["link_invalid"]) in await answer.text()
    assert (await _by_email(client, volunteer.email or "")).active


async def data_link(client: Client, sink: SmtpSink, email: str) -> str:
    """The short-lived link to a volunteer's data, asked for on the page and read from the
    e-mail sent to `email`, in English."""
    page = await (await client.get("/volunteer/manage?lang=en")).text()
    before = len(sink.messages)
    await client.post("/volunteer/manage?lang=en", data={"email": email,
                                                         "csrf_token": csrf_of(page)})  # fmt: skip
    mail = (await sink.wait_for_messages(before + 1))[-1]
    found = re.search(r"https?://\S+/volunteer/data/\S+", mail.text or "")
    assert found, mail.text
    return path_of(found.group(0)).replace("lang=nl", "lang=en")


async def test_export_returns_everything_held_and_deletion_removes_it(
    client: Client, sink: SmtpSink, database: Database
) -> None:
    volunteer, _ = await confirmed(client, sink)
    manage = await data_link(client, sink, volunteer.email or "")
    page = await client.get(manage)
    body = await page.text()
    assert page.status == 200 and "ana.peeters@example.be" in body
    assert page.headers["Cache-Control"] == "no-store"
    assert "near Ghent, within 10 km" in body and "22:00–07:00" in body

    export_link = re.search(r'href="(/volunteer/data/[^"]+/export[^"]+)"', body)
    assert export_link
    download = await client.get(html.unescape(export_link.group(1)))
    data = json.loads(await download.text())
    assert "attachment" in download.headers["Content-Disposition"]
    assert data["volunteer"]["email"] == "ana.peeters@example.be"
    assert data["volunteer"]["public_id"] == volunteer.public_id
    assert data["volunteer"]["quiet_start"] == "22:00:00" and data["volunteer"]["active"] is True
    assert sorted((a["label"], a["lat"], a["lon"], a["radius_km"]) for a in data["areas"]) == [
        ("home", 51.05, 3.72, 10.0), ("work", 50.88, 4.7, 5.0),
    ]  # fmt: skip
    assert data["alerts_received"] == [] and data["unconfirmed_signups"] == []

    deleted = await client.post(f"{manage.replace('?', '/delete?')}",
                                data={"csrf_token": csrf_of(body)})  # fmt: skip

    assert (
        deleted.status == 200
        and in_language("en", "Your data has been deleted") in await deleted.text()
    )
    for table in ("volunteers", "volunteer_areas"):
        assert await database.conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    # The used link's row stays (it explains a second click), with nothing about the person.
    left = await database.conn.fetch("SELECT email, areas, client_key FROM volunteer_signups")
    assert [tuple(row) for row in left] == [(None, None, None)]
    gone = await client.get(manage)
    assert gone.status == 410 and html.escape(in_language("en", ERRORS["manage_used"])) in (
        await gone.text()
    )


async def test_deletion_needs_the_forms_csrf_token(client: Client, sink: SmtpSink) -> None:
    volunteer, _ = await confirmed(client, sink)
    manage = await data_link(client, sink, volunteer.email or "")

    answer = await client.post(manage.replace("?", "/delete?"), data={})

    assert answer.status == 403
    assert (await _by_email(client, volunteer.email or "")).active


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
async def test_the_sign_up_page_speaks_the_visitors_language(client: Client, lang: str) -> None:
    accept = {"nl": "nl-BE,nl;q=0.9", "fr": "fr-BE", "de": "de-DE", "en": "en-GB"}[lang]
    page = await client.get("/volunteer", headers={"Accept-Language": accept})
    body = await page.text()
    assert page.status == 200 and f'<html lang="{lang}">' in body
    assert html.escape(in_language(lang, "Alerts about missing children near you")) in body
    assert '<label for="v-email">' in body and 'id="v-email"' in body
    assert "<script" not in body and 'name="viewport"' in body
