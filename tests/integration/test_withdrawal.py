"""Withdrawal after the close, through the dispatcher's withdrawal lanes against the Telegram
sandbox, the SMTP sink and a partner endpoint: deleted, neutralised, asked to delete, cancelled,
handed to a person; invariants 4 and 5; the report in the API and the console."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from alerts.channels.tg_texts import ending_notice, neutral_jpeg
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout
from alerts.outbox import report as withdrawal_report
from alerts.partners import press
from alerts.partners import registry as partners
from alerts.partners.cap import CAP_NS
from alerts.partners.webhooks import verify_signature
from alerts.publication import materials
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import Bearer, StaffFactory
from tests.support.approval import revise_approved
from tests.support.channels import (
    TERMINAL,
    before_each,
    bot_messages,
    close,
    ended,
    messaged,
    published,
    reaching,
    states_are,
    users,
)
from tests.support.console import logged_in
from tests.support.dispatch import (
    GENT,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
    with_channels,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")
# Edits count against the per-chat second, and the withdrawal follows the send at once here.
pytestmark = pytest.mark.sandbox(count_edits=False)
SECRET = "partner-secret-0123456789abcdef"


class Partner:
    """A partner's endpoint that records what it gets; at /hook/flaky it accepts alerts and
    fails on cancels."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((request.match_info["name"], dict(request.headers), body))
        failing = request.match_info["name"] == "flaky" and b"cancel" in body
        return web.Response(status=500 if failing else 200)


@pytest.fixture
async def partner() -> AsyncIterator[tuple[Partner, str]]:
    endpoint = Partner()
    app = web.Application()
    app.router.add_post("/hook/{name}", endpoint.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield endpoint, str(server.make_url("/hook"))


# -- Telegram and e-mail ---------------------------------------------------------------------------


@pytest.mark.parametrize("photo", [True, False], ids=["photo", "text"])
async def test_after_the_close_young_messages_are_deleted_old_ones_neutral_and_mails_ask_to_delete(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
    photo: bool,
) -> None:
    young = await users(sandbox, db, [1, 2, 3])
    old = await users(sandbox, db, [4, 5], language="fr")
    await add_volunteer(db, moved(GENT, 6), email="v6@example.org", language="de")
    channel = sandbox.create_group("Oost-Vlaanderen", chat_type="channel")
    await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id=str(channel.id),
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip
    case = await published(db, live, make_staff, photo=photo)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        for chat in old:
            sandbox.age_messages(49 * 3600, chat_id=chat)  # Telegram no longer deletes these
        await close(db, await make_staff(), case.id)
        await eventually(ended(db, case.id))
    # The sandbox holds no message of the case younger than 48 hours; after the deletion each
    # volunteer is told the appeal has ended (issue 21), without buttons.
    assert [m.deleted for m in bot_messages(sandbox, channel.id)] == [True]
    for chat in young:
        alert, ending = bot_messages(sandbox, chat)
        assert alert.deleted and not ending.deleted and ending.text == ending_notice("nl")
        assert not ending.reply_markup
    for chat in old:  # the older ones carry only the ending notice and the neutral image
        [message] = bot_messages(sandbox, chat)
        assert not message.deleted and len(message.history) == 2 and not message.reply_markup
        if photo:
            assert message.caption == ending_notice("fr") and not message.text
            assert sandbox.file_bytes(message.photo_file_id) == neutral_jpeg()
        else:
            assert message.text == ending_notice("fr") and not message.photo_file_id
    alert, notice = [m for m in sink.messages if m.rcpt_tos == ("v6@example.org",)]
    assert notice.subject == "Der Aufruf ist beendet: danke"
    assert notice.message["In-Reply-To"] == alert.message["Message-ID"]
    assert "löschen" in (notice.text or "") and not notice.message.is_multipart()
    for secret in ("Lotte", "Vermeulen", "Gent", case.reference, "found", "gefunden"):
        assert secret not in str(notice.message), secret
    rows = {r["address"]: r for r in await publications(db, case.id, hosted=True)}
    assert {rows[str(chat)]["state"] for chat in [*young, channel.id]} == {"withdrawn"}
    assert {rows[str(chat)]["state"] for chat in old} == {"neutralised"}
    # (already gone: the deletion went through, the ending was refused for now and retried)
    assert rows[str(young[0])]["end_reason"] in (
        "case closed: deleted, ending notice sent",
        "case closed: already gone, ending notice sent",
    )
    assert rows["v6@example.org"]["end_reason"] == "case closed: deletion requested by e-mail"


async def test_invariant_5_every_publication_ends_in_a_terminal_state(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
    partner: tuple[Partner, str],
) -> None:
    """Every kind of publication, two revisions of it, and a partner that fails for good."""
    endpoint, url = partner
    supervisor = await make_staff(Role.SUPERVISOR)
    for name, fmt in (("json", "json"), ("cap", "cap"), ("flaky", "json")):
        await partners.add_partner_webhook(db, supervisor, name=name, url=f"{url}/{name}",
                                         secret=SECRET, fmt=fmt)  # fmt: skip
    chats = await users(sandbox, db, [1, 2])
    await add_volunteer(db, moved(GENT, 3), email="v3@example.org")
    settings = with_channels(live, dispatch_max_attempts=1)  # the flaky partner: manual at once
    case = await published(db, settings, make_staff, languages=["nl"], consent={"level": 3})
    manager = await make_staff()
    contact = press.PressContact.from_row(await db.conn.fetchrow(
        "INSERT INTO press_contacts (outlet, email, language, confirmed_at) "
        "VALUES ('De Krant', 'desk@krant.example', 'nl', now()) RETURNING *"))  # fmt: skip
    await press.record_download(
        db, contact, case, materials.MaterialFile(kind="poster", language="nl")
    )
    await withdrawal_report.record_manual_post(db, manager, case.id, "https://social.example/p/1")
    async with dispatching(db, settings):
        await eventually(_dispatched(db, case.id, 1))
        case = await revise_approved(db, settings, manager, case.id, {"clothing": "blue coat"})
        await eventually(_dispatched(db, case.id, 2))
        await close(db, manager, case.id)
        await eventually(ended(db, case.id), within=20)
    rows = await publications(db, case.id, hosted=True)
    assert {r["state"] for r in rows} <= TERMINAL
    assert all(r["end_reason"] for r in rows if r["state"] != "cancelled")
    # The messages edited by revision 2 were withdrawn with it, not left "superseded".
    first = [r for r in rows if r["channel"] == "telegram_dm" and r["revision"] == 1]
    assert len(first) == 2 and {r["state"] for r in first} == {"withdrawn"}
    assert all("with the revision that edited it" in r["end_reason"] for r in first)
    manual = {r["channel"]: r["end_reason"] for r in rows if r["state"] == "manual"}
    assert set(manual) == {"social", "webhook"} and "remove the post" in manual["social"]
    summary = withdrawal_report.summarise(rows)
    # The post, and both revisions' rows of the partner that refused the Cancel.
    assert summary.fully_withdrawn and summary.manual_actions == 3
    assert all(m.deleted for chat in chats for m in _alerts(sandbox, chat))
    # One ending per address, one removal request per outlet, one Cancel per partner.
    notices = [m for m in sink.messages if m.subject.startswith("De oproep is beëindigd")]
    assert [m.rcpt_tos for m in notices] == [("v3@example.org",)]
    assert [m.rcpt_tos for m in sink.messages if "desk@krant.example" in m.rcpt_tos]
    cancels = [(h, b) for name, h, b in endpoint.requests if name != "flaky" and b"ancel" in b]
    assert len(cancels) == 2
    for headers, body in cancels:
        stamp, signature = headers["X-Alerts-Timestamp"], headers["X-Alerts-Signature"]
        assert verify_signature(SECRET, stamp, body, signature)
        assert b"Lotte" not in body and b"found" not in body
    refs = [f"{case.public_id}.1", f"{case.public_id}.2"]
    [as_json] = [json.loads(b) for _, b in cancels if b.startswith(b"{")]
    assert as_json["event"] == "cancel" and as_json["references"] == refs
    [as_cap] = [ElementTree.fromstring(b) for _, b in cancels if b.startswith(b"<?xml")]
    ns = {"cap": CAP_NS}
    assert as_cap.findtext("cap:msgType", namespaces=ns) == "Cancel"
    # Since issue 20: one neutral info per language, without area or description.
    assert all(i.find("cap:area", ns) is None and i.find("cap:description", ns) is None
               for i in as_cap.findall("cap:info", ns))  # fmt: skip
    assert all(ref in (as_cap.findtext("cap:references", namespaces=ns) or "") for ref in refs)
    social = next(r for r in rows if r["channel"] == "social")
    await withdrawal_report.confirm_removal(db, manager, case.id, social["id"])
    summary = withdrawal_report.summarise(await publications(db, case.id, hosted=True))
    assert summary.manual_actions == 2 and summary.counts["withdrawn"] > 1


def _alerts(sandbox: TelegramSandbox, chat: int) -> list[Any]:
    """The bot's messages in the chat but the ending notice that follows a deleted alert."""
    return [m for m in bot_messages(sandbox, chat) if m.text != ending_notice("nl")]


def _dispatched(db: Database, case_id: int, revision: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        rows = await publications(db, case_id)
        wanted = [r for r in rows if r["channel"] in fanout.DISPATCH_CHANNELS
                  and r["revision"] == revision]  # fmt: skip
        return bool(wanted) and all(r["state"] in ("sent", "failed") for r in wanted)

    return check


# -- invariant 4: nothing after the close, and what was in flight is withdrawn ------------------


async def test_invariant_4_a_close_during_the_fan_out_withdraws_what_was_in_flight(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users(sandbox, db, [km / 10 for km in range(1, 41)])
    arrivals: list[float] = []

    async def slow(params: Any) -> None:  # every send takes 0.3 s at "Telegram"
        arrivals.append(time.monotonic())
        await asyncio.sleep(0.3)

    before_each(sandbox, "send_photo", slow)
    settings = with_channels(live, telegram_rate=20.0, dispatch_concurrency=8)
    case = await published(db, settings, make_staff)
    async with dispatching(db, settings):
        await eventually(reaching(sandbox, chats, 8))
        await close(db, await make_staff(), case.id)
        closed_at = time.monotonic()
        await eventually(ended(db, case.id), within=20)
    late = [at - closed_at for at in arrivals if at > closed_at]
    # After the close commit only what had passed the last check was sent: at most the sends in
    # flight (the concurrency).
    assert len(late) <= 8
    reached = messaged(sandbox, chats)
    assert 8 <= len(reached) < len(chats)
    assert all(m.deleted for chat in reached for m in _alerts(sandbox, chat))
    rows = {r["address"]: r["state"] for r in await publications(db, case.id)}
    assert {rows[str(chat)] for chat in reached} == {"withdrawn"}
    assert {state for address, state in rows.items() if int(address) not in reached} == {
        "cancelled"
    }


# -- the report, the manual actions and the public addresses, through HTTP ---------------------


async def test_the_report_in_the_api_and_the_console_and_410_everywhere_at_once(
    client: TestClient[Any, Any],
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    manager = await make_staff()
    auth = await bearer(manager)
    case = await published(database, settings, make_staff, languages=["nl", "fr"],
                           consent={"level": 3, "name_mode": "full"})  # fmt: skip
    api = f"/api/cases/{case.id}"
    bad = await client.post(f"{api}/social-posts", json={"url": "javascript:alert(1)"},
                            headers=auth)  # fmt: skip
    assert bad.status == 422 and (await bad.json())["field"] == "url"
    csrf = await logged_in(client, manager)  # the console's form takes a session, not a token
    form = await client.post(f"/console/cases/{case.id}/social-posts",
                             data={"url": "ftp://x", "csrf_token": csrf})  # fmt: skip
    assert form.status == 422 and 'id="social-url-error"' in await form.text()
    client.session.cookie_jar.clear()
    post = await client.post(f"{api}/social-posts", json={"url": "https://social.example/p/9"},
                             headers=auth)  # fmt: skip
    assert post.status == 201
    addresses = [f"/alerts/{case.public_id}{path}" for path in (
        "", "/photo.jpg", "/poster-nl.pdf", "/poster-nl-fr.pdf", "/square-fr.png",
        "/story-nl.png", "/poster-fr.pdf?rev=1")]  # fmt: skip

    async def all_served() -> bool:  # the images are rendered just after the approval's commit
        return {(await client.get(a)).status for a in addresses} == {200}

    await eventually(all_served)
    # The CAP feed issues the Alert when it is read; its Cancel then follows the close.
    assert "<msgType>Alert</msgType>" in await (await client.get("/feeds/cap.xml")).text()
    closed = await client.post(f"{api}/close", json={"reason": "found_safe"}, headers=auth)
    assert closed.status == 200
    for address in addresses:
        response = await client.get(address, allow_redirects=False)
        body = await response.text()
        assert response.status == 410, address
        for secret in ("Lotte", "Vermeulen", "<img", case.reference, "found", "gevonden"):
            assert secret not in body, (address, secret)
    cap_feed = await (await client.get("/feeds/cap.xml")).text()
    assert "<msgType>Cancel</msgType>" in cap_feed or "Cancel</cap:msgType>" in cap_feed
    assert "Lotte" not in cap_feed and "Lotte" not in await (await client.get(
        "/feeds/alerts.atom")).text()  # fmt: skip
    summary = (await (await client.get(f"{api}/publications", headers=auth)).json())["summary"]
    assert summary["fully_withdrawn"] is False and summary["counts"]["withdrawing"] == 1
    async with dispatching(database, settings):  # the withdrawal lanes hand the post to a person
        await eventually(ended(database, case.id))
    answer = await (await client.get(f"{api}/publications", headers=auth)).json()
    assert answer["summary"]["fully_withdrawn"] is True
    assert answer["summary"]["manual_actions"] == 1
    csrf = await logged_in(client, manager)
    page = await (await client.get(f"/console/cases/{case.id}")).text()
    assert 'id="fully-withdrawn"' in page and "https://social.example/p/9" in page
    [social] = [p for p in answer["publications"] if p["channel"] == "social"]
    confirm = f"/console/cases/{case.id}/publications/{social['id']}/confirm-removal"
    form = {"csrf_token": csrf}
    done = await client.post(confirm, data=form, allow_redirects=False)
    assert done.status == 303 and "done=removal_confirmed" in done.headers["Location"]
    again = await client.post(confirm, data=form, allow_redirects=False)
    assert again.status == 409  # only a manual action can be confirmed, once
    client.session.cookie_jar.clear()
    answer = await (await client.get(f"{api}/publications", headers=auth)).json()
    assert answer["summary"]["manual_actions"] == 0
    late = await client.post(f"{api}/social-posts", json={"url": "https://social.example/p/10"},
                             headers=auth)  # fmt: skip
    assert late.status == 409
