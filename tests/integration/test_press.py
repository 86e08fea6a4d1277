"""The press room: double opt-in registration by e-mail, downloads only for confirmed journalists
and logged per outlet, removal requests to every outlet that took material and only to those."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import press
from sandbox.smtp_sink import SmtpSink
from tests.support.app import StaffFactory
from tests.support.factories import approved

Client = TestClient[Any, Any]


@pytest.fixture
def mail_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return dataclasses.replace(settings, smtp_url=sink.url, secret_key="press-test-key")


@pytest.fixture
async def press_client(
    aiohttp_client: Callable[..., Awaitable[Client]], mail_settings: Settings
) -> Client:
    return await aiohttp_client(create_app(mail_settings))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def register(client: Client, email: str, outlet: str, lang: str = "en") -> Any:
    room = await client.get(f"/press?lang={lang}")
    form = {"csrf_token": csrf_of(await room.text()), "outlet": outlet, "name": "Sam Reporter",
            "email": email}  # fmt: skip
    return await client.post(f"/press/register?lang={lang}", data=form, allow_redirects=False)


def link_in(mail: Any) -> str:
    found = re.search(r"https?://\S+/press/confirm\?token=\S+", mail.text)
    assert found is not None
    return found.group(0).split("/press/", 1)[1]


async def confirmed(
    client: Client, sink: SmtpSink, email: str, outlet: str, lang: str = "en"
) -> str:
    """Register and confirm `email`; the press session cookie's value (the jar is cleared)."""
    before = len(sink.messages)
    assert (await register(client, email, outlet, lang)).status == 303
    mail = (await sink.wait_for_messages(before + 1))[-1]
    assert mail.rcpt_tos == (email,)
    page = await client.get(f"/press/{link_in(mail)}")
    assert page.status == 200
    form = {
        "csrf_token": csrf_of(await page.text()),
        "token": re.findall(r'name="token" value="([^"]+)"', await page.text())[0],
    }
    done = await client.post(f"/press/confirm?lang={lang}", data=form, allow_redirects=False)
    assert done.status == 303
    value = done.cookies["press"].value
    client.session.cookie_jar.clear()
    return value


async def test_register_confirm_download_and_the_download_is_logged(
    press_client: Client, sink: SmtpSink, database: Database, mail_settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    case, _ = await approved(database, mail_settings, make_staff, level=3, languages=("nl",))
    room = await (await press_client.get("/press")).text()
    assert "Lotte" in room and f"/press/alerts/{case.public_id}/" not in room  # no links yet
    path = f"/press/alerts/{case.public_id}/poster-nl.pdf"
    assert (await press_client.get(path)).status == 403  # nobody registered
    assert (await register(press_client, "Desk@Example.org", "De Krant")).status == 303
    assert (await press_client.get(path)).status == 403  # registered, not yet confirmed
    press_client.session.cookie_jar.clear()
    cookie = await confirmed(press_client, sink, "desk@example.org", "De Krant")
    room = await (await press_client.get("/press", cookies={"press": cookie})).text()
    assert f"/press/alerts/{case.public_id}/poster-nl.pdf" in room and "De Krant" in room
    response = await press_client.get(path, cookies={"press": cookie})
    assert response.status == 200 and (await response.read()).startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")
    [outlet] = await press.outlets_to_notify(database, case.id)
    assert (outlet.outlet, outlet.email, outlet.files) == ("De Krant", "desk@example.org",
                                                           ("poster-nl.pdf",))  # fmt: skip
    rows = await database.fetch("list_publications", case.id)
    assert [r["target"] for r in rows if r["channel"] == "press"] == [
        "press-room",
        f"outlet:{outlet.contact_id}",
    ]


async def test_registration_never_tells_whether_an_address_is_known(
    press_client: Client, sink: SmtpSink, database: Database
) -> None:
    await confirmed(press_client, sink, "known@example.org", "Radio Een")
    known = await register(press_client, "known@example.org", "Radio Een")
    unknown = await register(press_client, "new@example.org", "TV Twee")
    assert known.status == unknown.status == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    page = await (await press_client.get(known.headers["Location"])).text()
    assert "If this address can be used" in page
    stored = await database.conn.fetch("SELECT token_hash FROM press_confirmations")
    mails = await sink.wait_for_messages(3)
    tokens = [link_in(m).split("token=")[1].split("&")[0] for m in mails]
    assert not {r["token_hash"] for r in stored} & set(tokens)  # only hashes are kept


async def test_expired_used_and_forged_credentials_are_refused(
    press_client: Client, sink: SmtpSink, database: Database, mail_settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    case, _ = await approved(database, mail_settings, make_staff, level=3, languages=("en",))
    await register(press_client, "late@example.org", "Late News")
    [mail] = await sink.wait_for_messages(1)
    await database.conn.execute("UPDATE press_confirmations SET expires_at = now()")
    assert (await press_client.get(f"/press/{link_in(mail)}")).status == 410
    cookie = await confirmed(press_client, sink, "ok@example.org", "OK News")
    used = link_in(sink.messages[-1])
    assert (await press_client.get(f"/press/{used}")).status == 410  # a link works once
    contact_id = cookie.split(".")[0]
    for forged in (f"{int(contact_id) + 1}.{cookie.split('.', 1)[1]}", "1.9999999999.abc", "x"):
        response = await press_client.get(f"/press/alerts/{case.public_id}/square-en.png",
                                          cookies={"press": forged})  # fmt: skip
        assert response.status == 403, forged


async def test_removal_requests_reach_every_outlet_that_took_material_and_only_those(
    press_client: Client, sink: SmtpSink, database: Database, mail_settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    closing, manager = await approved(database, mail_settings, make_staff, level=3,
                                      languages=("nl", "fr"))  # fmt: skip
    staying, _ = await approved(database, mail_settings, make_staff, level=3, languages=("nl",))
    took = {
        "a@example.org": (await confirmed(press_client, sink, "a@example.org", "Le Soir", "fr")),
        "b@example.org": (await confirmed(press_client, sink, "b@example.org", "Het Blad", "nl")),
        "c@example.org": (await confirmed(press_client, sink, "c@example.org", "Idle Times")),
    }
    base = "/press/alerts"
    for who, path in (("a@example.org", f"{closing.public_id}/poster-fr.pdf"),
                      ("a@example.org", f"{closing.public_id}/square-fr.png"),
                      ("b@example.org", f"{staying.public_id}/poster-nl.pdf")):  # fmt: skip
        response = await press_client.get(f"{base}/{path}", cookies={"press": took[who]})
        assert response.status == 200
    closed = await pipeline.close(database, manager, closing.id, "found_safe")
    sink.clear()
    report = await press.send_removal_requests(database, mail_settings, closed)
    [mail] = await sink.wait_for_messages(1)
    assert mail.rcpt_tos == ("a@example.org",) and len(report.sent) == 1 and not report.failed
    assert closing.reference in mail.subject and "retiré" in mail.subject  # her language: fr
    body = mail.text or ""
    assert "poster-fr.pdf" in body and "square-fr.png" in body
    for secret in ("Lotte", "Vermeulen", "found", "retrouvé"):
        assert secret not in body and secret not in mail.subject
    again = await press.send_removal_requests(database, mail_settings, closed)
    assert again.sent == () and again.already == report.sent and len(sink.messages) == 1
    rows = await database.fetch("list_publications", closing.id)
    assert {r["state"] for r in rows if r["target"].startswith("outlet:")} == {"withdrawn"}


async def test_registrations_are_rate_limited(press_client: Client, sink: SmtpSink) -> None:
    for _ in range(press.EMAIL_LIMIT + 1):
        assert (await register(press_client, "victim@example.org", "Spam")).status == 303
    assert len(await sink.wait_for_messages(press.EMAIL_LIMIT)) == press.EMAIL_LIMIT
    assert len(sink.messages) == press.EMAIL_LIMIT  # no mail bombing of one address
    for n in range(press.CLIENT_LIMIT - press.EMAIL_LIMIT - 1):
        assert (await register(press_client, f"r{n}@example.org", "Flood")).status == 303
    refused = await register(press_client, "one-more@example.org", "Flood")
    assert refused.status == 429
