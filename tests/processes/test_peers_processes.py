"""Two hotlines as two running services (`run.py serve`, each its own database and signing key),
each the other's trusted peer: one case from A to B and back to withdrawal, and the attacks B
refuses."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from lxml import etree

from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db import database as db
from alerts.outbox import pipeline
from alerts.partners import cap, cap_sign
from alerts.peers import registry
from alerts.staff.models import Role
from tests.support.approval import revise_approved, second_approver
from tests.support.database import admin, with_database
from tests.support.dispatch import eventually
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.peers import key_and_cert
from tests.support.processes import serving


@dataclasses.dataclass
class Hotline:
    host: str
    key: Path
    cert: Path
    db: db.Database
    settings: Settings
    env: dict[str, str]


@contextlib.asynccontextmanager
async def hotline(
    pg_server_dsn: str, template_db: str, folder: Path, host: str
) -> AsyncIterator[Hotline]:
    """A database of its own (cloned from the migrated template), a key, and the settings."""
    name = f"alerts_peer_{uuid.uuid4().hex[:8]}"
    await admin(pg_server_dsn, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    dsn = with_database(pg_server_dsn, name)
    key, cert = key_and_cert(folder, host)
    (folder / host).mkdir()
    env = {
        "DATABASE_URL": dsn, "PUBLIC_BASE_URL": f"https://{host}", "CAP_SIGNING_KEY": str(key),
        "CAP_SIGNING_CERT": str(cert), "SECURE_COOKIES": "false", "GEOCODER": "offline",
        "TELEGRAM_BOT_TOKEN": "", "SMTP_URL": "", "DISPATCH_POLL_SECONDS": "0.2",
        "DATA_DIR": str(folder / host), "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    pool = await db.create_pool(dsn, min_size=1, max_size=4)
    try:
        settings = Settings.from_env({}, database_url=dsn, data_dir=str(folder / host),
                                     public_base_url=f"https://{host}", geocoder="offline",
                                     cap_signing_key=str(key), cap_signing_cert=str(cert),
                                     telegram_bot_token="", smtp_url="")  # fmt: skip
        yield Hotline(host, key, cert, db.Database(pool), settings, env)
    finally:
        await pool.close()
        await admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def staff(line: Hotline, role: Role = Role.CASE_MANAGER) -> Any:
    return await second_approver(line.db) if role is Role.SUPERVISOR else await _manager(line)


async def _manager(line: Hotline) -> Any:
    from alerts.staff import auth
    from alerts.staff.models import Staff

    username = f"manager-{uuid.uuid4().hex[:6]}"
    staff_id = await auth.create_staff(
        line.db, username=username, display_name="Manager", role=Role.CASE_MANAGER,
        password=uuid.uuid4().hex,
    )  # fmt: skip
    row = await line.db.fetchrow("staff_by_id", staff_id)
    assert row is not None
    return Staff.from_row(row)


async def trust(line: Hotline, other: Hotline, name: str, base: str, our_name: str) -> Any:
    """`other` made a trusted peer of `line`, called `name` there; it sends to `base`."""
    supervisor = await staff(line, Role.SUPERVISOR)
    return await registry.add(line.db, supervisor, {
        "name": name, "display_name": f"Hotline {other.host}", "sender": other.host,
        "url": f"{base}/peers/{our_name}/cap", "certificate": other.cert.read_text(),
    })  # fmt: skip


def unsign(document: bytes) -> bytes:
    """`document` without its signature."""
    root = etree.fromstring(document)
    for signature in root.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        root.remove(signature)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


async def post(session: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "application/cap+xml", "Accept-Language": "en"}
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def peer_case(line: Hotline) -> Any:
    query = "SELECT c.* FROM cases c JOIN peer_cases pc ON pc.case_id = c.id"
    return await line.db.conn.fetchrow(query)


async def sent_to_peers(line: Hotline) -> list[Any]:
    """The peer rows of `line`'s outbox (what a failing wait shows)."""
    query = "SELECT revision, state, attempts, last_error FROM publications WHERE channel = 'peer'"
    return [dict(row) for row in await line.db.conn.fetch(query)]


async def test_one_case_from_a_to_b_approved_there_updated_and_withdrawn_and_the_attacks(
    pg_server_dsn: str, template_db: str, tmp_path: Path
) -> None:
    async with (
        hotline(pg_server_dsn, template_db, tmp_path, "alerts.hotline-a.example") as a,
        hotline(pg_server_dsn, template_db, tmp_path, "alerts.hotline-b.example") as b,
        serving(a.env) as base_a,
        serving(b.env) as base_b,
        aiohttp.ClientSession() as session,
    ):
        peer_b = await trust(a, b, "hotline-b", base_b, "hotline-a")
        await trust(b, a, "hotline-a", base_a, "hotline-b")
        # A's case, approved at A (public), offered to B.
        manager_a, approver_a = await staff(a), await staff(a, Role.SUPERVISOR)
        fields = {**CASE_FIELDS, "last_seen_at": last_seen()}
        case_a = await cases.create_draft(a.db, manager_a, fields)
        await pipeline.change_consent(a.db, a.settings, manager_a, case_a.id,
                                      {**CONSENT, "level": 3})  # fmt: skip
        await cases.submit(a.db, manager_a, case_a.id)
        await pipeline.approve(a.db, a.settings, approver_a, case_a.id)
        assert await pipeline.offer_to_peers(a.db, manager_a, case_a.id, [peer_b.id]) == 1

        # B: a draft marked as coming from A, with A's consent, nothing published.
        async def arrived() -> bool:
            return await peer_case(b) is not None

        try:
            await eventually(arrived, within=20)
        except AssertionError:
            raise AssertionError(await sent_to_peers(a)) from None
        draft = await peer_case(b)
        assert draft["state"] == "draft" and draft["first_name"] == "Lotte"
        origin = await registry.origin(b.db, draft["id"])
        assert origin is not None and origin.name == "hotline-a"
        consent = await cases.current_consent(b.db, draft["id"])
        assert consent is not None
        assert (consent.level, consent.photo, consent.forwarding) == (3, False, False)
        assert str(consent.name_mode) == "first" and str(consent.place_precision) == "municipality"
        page_b = f"{base_b}/alerts/{draft['public_id']}"
        async with session.get(page_b) as response:
            assert response.status == 404
        [alert_a] = await a.db.conn.fetch("SELECT xml FROM cap_messages WHERE msg_type = 'Alert'")
        alert = bytes(alert_a["xml"])

        # Four eyes at B: a local manager submits, a local supervisor approves; published.
        manager_b, approver_b = await staff(b), await staff(b, Role.SUPERVISOR)
        await pipeline.revise(b.db, b.settings, manager_b, draft["id"],
                              {"police_reference": "BE/PEER/1"})  # fmt: skip
        await cases.submit(b.db, manager_b, draft["id"])
        await pipeline.approve(b.db, b.settings, approver_b, draft["id"])
        async with session.get(page_b) as response:
            assert response.status == 200
            assert "Lotte" in await response.text()

        # A's Update: a proposal at B, nothing published changes until a local approver says so.
        await revise_approved(a.db, a.settings, manager_a, case_a.id,
                              {"clothing": "green raincoat, black jeans"})  # fmt: skip

        async def proposed() -> bool:
            return bool(await b.db.conn.fetchval(
                "SELECT count(*) FROM case_proposals WHERE case_id = $1 AND state = 'pending'",
                draft["id"]))  # fmt: skip

        await eventually(proposed, within=20)
        assert (await cases.get(b.db, draft["id"])).clothing == ""  # not applied

        # The attacks, refused with a clear error, and the case at B untouched.
        inbound = f"{base_b}/peers/hotline-a/cap"
        status, answer = await post(session, inbound, alert)
        assert status == 409 and "taken already" in answer["error"]
        unsigned = unsign(alert)
        status, answer = await post(session, inbound, unsigned)
        assert status == 403 and "signature" in answer["error"]
        forger_key, forger_cert = key_and_cert(tmp_path, "forger.example")
        unsigned_doc = unsigned
        forged = cap_sign.sign(unsigned_doc.replace(b".1</identifier>", b".9</identifier>"),
                               forger_key.read_bytes(), forger_cert.read_bytes())  # fmt: skip
        status, answer = await post(session, inbound, forged)
        assert status == 403 and "signature" in answer["error"]
        # Another trusted peer, C, can neither pass as A nor cancel A's case.
        c_key, c_cert = key_and_cert(tmp_path, "alerts.hotline-c.example")
        await registry.add(b.db, await staff(b, Role.SUPERVISOR), {
            "name": "hotline-c", "display_name": "C", "sender": "alerts.hotline-c.example",
            "url": "https://alerts.hotline-c.example/peers/b/cap",
            "certificate": c_cert.read_text()})  # fmt: skip
        resigned = cap_sign.sign(unsigned_doc, c_key.read_bytes(), c_cert.read_bytes())
        status, answer = await post(session, inbound, resigned)  # C's key, sent as A
        assert status == 403
        status, answer = await post(session, f"{base_b}/peers/hotline-c/cap", resigned)
        assert status == 403 and "sender" in answer["error"]  # C's key, A's sender
        identifier = cap.message_id(case_a.public_id, 1)
        cancel = cap.cap_cancel(
            "forged", [cap.CapRef(sender="alerts.hotline-a.example", identifier=identifier,
                                  sent=datetime.now(UTC))],
            datetime.now(UTC), sender="alerts.hotline-c.example", languages=["en"],
            expires=datetime.now(UTC) + timedelta(days=1), sender_name="C",
            web="https://alerts.hotline-c.example/", contact="116000", exercise=False,
        )  # fmt: skip
        signed_cancel = cap_sign.sign(cap.to_xml(cancel), c_key.read_bytes(), c_cert.read_bytes())
        status, answer = await post(session, f"{base_b}/peers/hotline-c/cap", signed_cancel)
        assert status == 403 and "did not send" in answer["error"]
        for bad in (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>',
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<a>&b;</a>",
            b"<alert>not closed",
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><sender>x</sender></alert>',
        ):
            status, answer = await post(session, inbound, bad)
            assert status == 400, answer
        status, answer = await post(session, f"{base_b}/peers/nobody/cap", alert)
        assert status == 404
        assert (await cases.get(b.db, draft["id"])).state.value == "active"

        # A closes: B withdraws at once, without an approval; its page answers 410.
        await pipeline.close(a.db, manager_a, case_a.id, "found_safe")

        async def withdrawn() -> bool:
            # The close commits first, then B records the Cancel it took (and answers A).
            cancels = "SELECT count(*) FROM peer_messages WHERE msg_type = 'Cancel'"
            closed = (await cases.get(b.db, draft["id"])).state.value == "closed"
            return closed and bool(await b.db.conn.fetchval(cancels))

        await eventually(withdrawn, within=20)
        async with session.get(page_b) as response:
            assert response.status == 410
        taken = await b.db.conn.fetch("SELECT msg_type FROM peer_messages ORDER BY received_at")
        assert [row["msg_type"] for row in taken] == ["Alert", "Update", "Cancel"]
