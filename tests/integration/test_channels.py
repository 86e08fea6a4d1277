"""The channels behind the dispatcher: Telegram (photo by file_id, protect_content, language,
opt-out, withdrawal, no token in logs), e-mail (no attachment, image link, List-Unsubscribe),
partner webhooks (signature, CAP 1.2, JSON, retries)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest
import telegram
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import LinkPreviewOptions

from alerts.cases import publicity
from alerts.cases.models import Case
from alerts.channels.base import Job, Published, TemporaryFailure
from alerts.channels.email import EmailChannel
from alerts.channels.telegram import FileIds, TelegramChannel, make_bot
from alerts.channels.tg_request import AiohttpRequest
from alerts.config import Settings
from alerts.db.database import Database
from alerts.logs import JsonFormatter
from alerts.partners import cap_store
from alerts.partners import registry as partners
from alerts.partners.cap import CAP_NS
from alerts.partners.webhooks import WebhookChannel, verify_signature, webhook_channel
from alerts.staff.models import Role
from alerts.volunteers import links
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.bot import callbacks
from tests.support.channels import all_sent, sending_to, users
from tests.support.dispatch import (
    GENT,
    TOKEN,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
    with_channels,
)
from tests.support.processes import free_port

os.environ.setdefault("PTB_TIMEDELTA", "true")
SECRET = "partner-secret-0123456789abcdef"


@pytest.fixture
def live(settings: Settings, sandbox: TelegramSandbox) -> Settings:
    """Settings that send Telegram messages to the sandbox, and no e-mail."""
    return sending_to(settings, sandbox)


async def job_for(
    db: Database, settings: Settings, case: Case, channel: str, address: str, **extra: Any
) -> Job:
    view = await publicity.view_for(db, settings, case, channel)
    return Job(
        publication_id=1, case_id=case.id, revision=case.revision, channel=channel,
        target="volunteer/1", address=address, language=extra.pop("language", "fr"), view=view,
        **extra,
    )  # fmt: skip


# -- Telegram ---------------------------------------------------------------------------------


async def test_the_photo_is_uploaded_once_and_then_sent_by_file_id(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    chats = await users(sandbox, db, range(1, 7), language="fr")
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(all_sent(db, case.id))
    messages = [m for chat in chats for m in sandbox.messages(chat)]
    assert len({m.photo_file_id for m in messages}) == 1
    uploads = {f.file_unique_id[:20] for f in sandbox.state.files.values()}
    assert len(uploads) == 1  # one upload, in its few sizes
    cached = await db.conn.fetch("SELECT * FROM telegram_files WHERE case_id = $1", case.id)
    assert [r["revision"] for r in cached] == [1]
    caption = messages[0].caption or ""
    # French for a French-speaking volunteer; discreet (level 2 without forwarding) and /stop.
    assert "DISPARU" in caption and "/stop" in caption
    assert all(m.protect_content for m in messages)


async def test_forwarding_is_allowed_only_when_the_consent_says_so(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    user = sandbox.create_user()
    case = await active_case(db, live, make_staff, consent={"forwarding": True}, photo=False)
    bot = make_bot(live)
    async with bot:
        channel = TelegramChannel(bot, FileIds(db), name="telegram_dm", rate=30, opt_out=True)
        job = await job_for(db, live, case, "telegram_dm", str(user.id), language="en")
        result = await channel.send(job)
    [message] = sandbox.messages(user.id)
    assert not message.protect_content and result.media == "text"
    assert message.text and "/stop" in message.text and result.body == message.text_markup


async def test_withdrawal_deletes_a_young_message_and_neutralises_an_old_one(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    young, old = sandbox.create_user(), sandbox.create_user()
    sandbox.configure(count_edits=False)  # the edit follows the send within Telegram's second
    case = await active_case(db, live, make_staff)
    async with make_bot(live) as bot:
        channel = TelegramChannel(bot, FileIds(db), name="telegram_dm", rate=30, opt_out=True)
        sent = {}
        for user in (young, old):
            job = await job_for(db, live, case, "telegram_dm", str(user.id))
            sent[user.id] = await channel.send(job)
        sandbox.age_messages(49 * 3600, chat_id=old.id)
        results = {}
        for user, age in ((young, timedelta(minutes=5)), (old, timedelta(hours=49))):
            published = Published(
                publication_id=1, channel="telegram_dm", address=str(user.id),
                external_id=sent[user.id].external_id, media="photo",
                sent_at=datetime.now(UTC) - age, language="nl",
            )  # fmt: skip
            results[user.id] = await channel.withdraw(published)
    assert results[young.id].state == "withdrawn"
    assert sandbox.messages(young.id)[0].deleted
    assert results[old.id].state == "neutralised"
    [neutral] = sandbox.messages(old.id)
    assert not neutral.deleted and "ingetrokken" in (neutral.caption or "")


async def test_a_network_error_leaves_no_token_in_the_log(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    down = with_channels(
        settings, telegram_api_url=f"{nowhere}/bot", telegram_file_url=f"{nowhere}/file/bot"
    )
    await add_volunteer(db, moved(GENT, 1), chat_id=424242)
    case = await active_case(db, down, make_staff)
    caplog.set_level(logging.DEBUG)
    async with dispatching(db, down):
        await eventually(lambda: _failed_once(db, case.id))
    [row] = await publications(db, case.id)
    assert row["state"] == "pending" and "NetworkError" in row["last_error"]
    secret = TOKEN.split(":", 1)[1]
    formatter = JsonFormatter()
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in logging.Formatter().format(record)  # message and traceback
        assert secret not in formatter.format(record)
    assert secret not in row["last_error"]
    assert any(getattr(r, "action", "") == "telegram.init_failed" for r in caplog.records)


async def _failed_once(db: Database, case_id: int) -> bool:
    rows = await publications(db, case_id)
    return bool(rows) and rows[0]["last_error"] is not None


# -- e-mail -----------------------------------------------------------------------------------


async def test_an_email_links_to_the_image_never_attaches_it_and_can_be_stopped(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    async with SmtpSink() as sink:
        mailing = with_channels(settings, smtp_url=sink.url, secret_key="k" * 32)
        case = await active_case(db, mailing, make_staff)
        job = await job_for(db, mailing, case, "email", "volunteer@example.org",
                            volunteer_public_id="vol123")  # fmt: skip
        result = await EmailChannel(mailing).send(job)
        [mail] = await sink.wait_for_messages(1)
    message = mail.message
    assert list(message.iter_attachments()) == []
    assert not any(p.get_content_maintype() == "image" for p in message.walk())
    image = f"https://alerts.example/alerts/{case.public_id}/square-fr.png"
    assert image in (mail.text or "") and f'src="{image}"' in (mail.html or "")
    stop = links.unsubscribe_url(mailing, "vol123", "fr")
    assert message["List-Unsubscribe"] == f"<{stop}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in (mail.text or "") and "DISPARU" in mail.subject
    assert result.external_id == message["Message-ID"] and result.body == mail.text


async def test_an_email_without_photo_consent_has_no_image_link(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    mailing = with_channels(settings, smtp_url="smtp://127.0.0.1:1")
    case = await active_case(db, mailing, make_staff, consent={"photo": False})
    job = await job_for(db, mailing, case, "email", "v@example.org", volunteer_public_id="v1")
    message, text = EmailChannel(mailing).compose(job)
    assert "square-" not in text and "square-" not in str(message)


# -- partner webhooks --------------------------------------------------------------------------


class Partner:
    """A partner's endpoint: answers each request with the next status of `statuses`."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, headers={"Retry-After": "1"})


@pytest.fixture
async def partner() -> AsyncIterator[tuple[Partner, str]]:
    endpoint = Partner([503])
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield endpoint, str(server.make_url("/hook"))


async def test_a_webhook_is_signed_retried_and_carries_cap_1_2(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    partner: tuple[Partner, str],
) -> None:
    endpoint, url = partner
    on = with_channels(settings)
    await partners.add_partner_webhook(
        db, await make_staff(Role.SUPERVISOR), name="Screens", url=url, secret=SECRET, fmt="cap"
    )
    case = await active_case(db, on, make_staff, kind="third_party_abduction",
                             consent={"level": 3, "name_mode": "none"})  # fmt: skip
    async with dispatching(db, on):
        await eventually(all_sent(db, case.id), within=10)
    assert len(endpoint.requests) == 2  # a 503 with Retry-After, then delivered
    (first, _), (headers, body) = endpoint.requests
    assert first["X-Alerts-Delivery"] == headers["X-Alerts-Delivery"]
    stamp, signature = headers["X-Alerts-Timestamp"], headers["X-Alerts-Signature"]
    assert verify_signature(SECRET, stamp, body, signature)
    assert not verify_signature(SECRET, stamp, body + b" ", signature)
    assert not verify_signature(SECRET, str(int(stamp) - 3600), body, signature)
    ns = {"cap": CAP_NS}
    alert = ElementTree.fromstring(body)
    assert alert.tag == f"{{{CAP_NS}}}alert"
    assert alert.findtext("cap:msgType", namespaces=ns) == "Alert"
    infos = alert.findall("cap:info", ns)
    assert [i.findtext("cap:language", namespaces=ns) for i in infos] == [
        "nl-BE", "fr-BE", "de-BE", "en"
    ]  # fmt: skip
    assert infos[0].findtext("cap:area/cap:circle", namespaces=ns)
    # The consent allows no name: it is nowhere in what the partner got.
    assert b"Lotte" not in body and b"Vermeulen" not in body
    [row] = await publications(db, case.id)
    assert row["external_id"] == headers["X-Alerts-Delivery"]


async def test_a_json_webhook_and_a_failing_partner(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = with_channels(settings)
    case = await active_case(db, on, make_staff, kind="third_party_abduction",
                             consent={"level": 3})  # fmt: skip
    job = await job_for(db, on, case, "webhook", "http://127.0.0.1:1/hook",
                        webhook_secret=SECRET, webhook_format="json")  # fmt: skip
    async with webhook_channel(on, db) as channel:
        body, headers = await channel.request(job, now=time.time())
        with pytest.raises(TemporaryFailure):
            await channel.send(job)
    payload = json.loads(body)
    assert payload["id"] == case.public_id and payload["event"] == "alert"
    assert payload["name"] == "Lotte" and "jpeg" not in payload
    assert payload["images"]["nl"].endswith(f"/alerts/{case.public_id}/square-nl.png")
    assert headers["Content-Type"].startswith("application/json")
    assert verify_signature(SECRET, headers["X-Alerts-Timestamp"], body,
                            headers["X-Alerts-Signature"])  # fmt: skip
    assert isinstance(channel, WebhookChannel)
    # A revision is a CAP Update that references the earlier (stored) message.
    await cap_store.alert_message(db, on, case.id, job.view)
    later = dataclasses.replace(job.view, revision=2)
    update = ElementTree.fromstring(await cap_store.alert_message(db, on, case.id, later))
    ns = {"cap": CAP_NS}
    assert update.findtext("cap:msgType", namespaces=ns) == "Update"
    assert f"{case.public_id}.1" in (update.findtext("cap:references", namespaces=ns) or "")


class _Recording(AiohttpRequest):
    """The transport, keeping each call's method and form fields."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=4)
        self.forms: list[tuple[str, dict[str, list[str]]]] = []

    async def do_request(self, url: str, method: str, request_data: Any = None, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        if request_data is not None and not request_data.contains_files:
            fields = parse_qs(request_data.url_encoded_parameters(), keep_blank_values=True)
            self.forms.append((url.rsplit("/", 1)[1], fields))
        return await super().do_request(url, method, request_data, *args, **kwargs)


@pytest.mark.parametrize("forwarding", [True, False])
async def test_the_lean_send_path_sends_what_python_telegram_bot_would(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory,
    forwarding: bool,
) -> None:  # fmt: skip
    """The dispatcher builds a message's form itself (once per revision and language) and reads
    only the message id from the answer: the fields must be python-telegram-bot's own."""
    first, second, third = (sandbox.create_user() for _ in range(3))
    sandbox.configure(limits_enabled=False)  # the same chats twice within a second
    request = _Recording()
    bot = telegram.Bot(TOKEN, base_url=live.telegram_api_url, request=request)
    for photo in (False, True):
        case = await active_case(db, live, make_staff, consent={"forwarding": forwarding},
                                 photo=photo)  # fmt: skip
        async with bot:
            channel = TelegramChannel(bot, FileIds(db), name="telegram_dm", rate=1000, paid=True,
                                      opt_out=True)  # fmt: skip
            for user in (first, second):  # with a photo: the upload, then by its file_id
                job = await job_for(db, live, case, "telegram_dm", str(user.id), language="nl")
                result = await channel.send(job)
            lean = request.forms[-1]
            options = channel._options(job.view, job.language)
            if photo:
                file_id = lean[1]["photo"][0]
                await bot.send_photo(third.id, file_id, caption=result.body, **options)
            else:
                await bot.send_message(
                    third.id,
                    result.body,
                    **options,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        ptb = request.forms[-1]
        assert lean[0] == ptb[0] == ("sendPhoto" if photo else "sendMessage")
        assert {**lean[1], "chat_id": []} == {**ptb[1], "chat_id": []}
        assert lean[1]["chat_id"] == [str(second.id)]
        [message] = sandbox.messages(second.id)[-1:]
        assert result.external_id == str(message.message_id)
        assert message.protect_content is not forwarding
        # The answer buttons (issue 21) are in the form, in the volunteer's language.
        assert callbacks(message) == ["ans:help", "ans:nearby", "ans:unavailable"]
        assert message.reply_markup["inline_keyboard"][0][0]["text"] == "Ik kan helpen"
