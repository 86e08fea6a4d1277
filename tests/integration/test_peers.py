"""Peer hotlines (alerts/peers) inside one process: a hotline that trusts itself as a peer sends
its own case round, which shows the whole path (offer, signed CAP through the dispatcher,
draft, update as a proposal, cancel) with this process's endpoint; the console's pages; who may
change the peers. The two-instance test is tests/processes/test_peers_processes.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts import errors
from alerts.app import create_app
from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.peers import registry
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.console import logged_in
from tests.support.dispatch import dispatching, eventually, with_channels
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.peers import key_and_cert

HOST = "alerts.example"
ClientMaker = Callable[..., Awaitable[TestClient[Any, Any]]]


async def self_peer(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: ClientMaker,
) -> tuple[Settings, registry.Peer, TestClient[Any, Any]]:  # fmt: skip
    """Settings with a signing key, the app serving them, and the app trusted as its own peer."""
    key, cert = key_and_cert(tmp_path, HOST)
    on = with_channels(settings, telegram_bot_token="", cap_signing_key=str(key),
                       cap_signing_cert=str(cert), public_base_url=f"https://{HOST}")  # fmt: skip
    client = await aiohttp_client(create_app(on))
    url = str(client.make_url("/peers/ourselves/cap"))
    peer = await registry.add(db, await make_staff(Role.SUPERVISOR), {
        "name": "ourselves", "display_name": "Ourselves", "sender": HOST, "url": url,
        "certificate": cert.read_text()})  # fmt: skip
    return on, peer, client


async def active_case(db: Database, settings: Settings, make_staff: StaffFactory,
                      level: int = 2) -> tuple[Any, Any]:  # fmt: skip
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await cases.create_draft(db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()})
    await pipeline.change_consent(db, settings, manager, case.id, {**CONSENT, "level": level})
    await cases.submit(db, manager, case.id)
    return await pipeline.approve(db, settings, approver, case.id), manager


async def copy_of(db: Database) -> Any:
    return await db.conn.fetchrow("SELECT c.* FROM cases c JOIN peer_cases pc ON pc.case_id = c.id")


async def test_an_offered_case_comes_back_as_a_draft_its_update_revises_it_its_cancel_closes_it(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: ClientMaker,
) -> None:  # fmt: skip
    on, peer, _ = await self_peer(db, settings, make_staff, tmp_path, aiohttp_client)
    case, manager = await active_case(db, on, make_staff)
    assert await pipeline.offer_to_peers(db, manager, case.id, [peer.id]) == 1
    assert await pipeline.offer_to_peers(db, manager, case.id, [peer.id]) == 0  # once

    async def peer_rows(*states: str) -> bool:
        rows = await db.conn.fetch("SELECT state FROM publications WHERE channel = 'peer'")
        return bool(rows) and all(row["state"] in states for row in rows)

    async with dispatching(db, on):
        await eventually(lambda: peer_rows("sent"), within=10)
        copy = await copy_of(db)
        assert copy["state"] == "draft" and copy["created_by"] == peer.staff_id
        assert (await cases.current_consent(db, copy["id"])).level == 2  # type: ignore[union-attr]
        await revise_approved(db, on, manager, case.id, {"clothing": "a yellow raincoat"})

        async def updated() -> bool:
            return (await cases.get(db, copy["id"])).clothing == "" and "yellow raincoat" in (
                await cases.get(db, copy["id"])
            ).description  # a draft takes the update at once

        await eventually(updated, within=10)
        await pipeline.close(db, manager, case.id, "found_safe")
        await eventually(lambda: peer_rows("withdrawn", "superseded"), within=10)
    assert (await cases.get(db, copy["id"])).state.value == "closed"
    taken = await db.conn.fetch("SELECT msg_type FROM peer_messages ORDER BY received_at")
    assert [row["msg_type"] for row in taken] == ["Alert", "Update", "Cancel"]


async def test_a_case_whose_consent_is_discreet_cannot_be_offered(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: ClientMaker,
) -> None:  # fmt: skip
    on, peer, _ = await self_peer(db, settings, make_staff, tmp_path, aiohttp_client)
    case, manager = await active_case(db, on, make_staff, level=1)
    with pytest.raises(errors.NotPublishable):
        await pipeline.offer_to_peers(db, manager, case.id, [peer.id])
    assert await db.conn.fetchval("SELECT count(*) FROM publications WHERE channel = 'peer'") == 0


async def test_only_supervisors_add_peers_and_a_certificate_must_be_one(
    db: Database, make_staff: StaffFactory, tmp_path: Path
) -> None:
    _, cert = key_and_cert(tmp_path, "peer.example")
    data = {"name": "neighbour", "display_name": "Neighbour", "sender": "peer.example",
            "url": "https://peer.example/peers/us/cap"}  # fmt: skip
    data["certificate"] = cert.read_text()
    with pytest.raises(errors.Forbidden):
        await registry.add(db, await make_staff(), data)
    supervisor = await make_staff(Role.SUPERVISOR)
    for field, value in (("certificate", "-----BEGIN CERTIFICATE-----\nnope\n"),
                         ("name", "Not A Name"), ("url", "ftp://peer.example"),
                         ("sender", "peer example")):  # fmt: skip
        with pytest.raises(errors.InvalidInput) as refused:
            await registry.add(db, supervisor, {**data, field: value})
        assert refused.value.field == field
    peer = await registry.add(db, supervisor, data)
    account = await db.fetchrow("staff_by_id", peer.staff_id)
    assert account is not None and not account["active"]  # nobody logs in as the peer
    with pytest.raises(errors.Conflict):
        await registry.add(db, supervisor, data)


async def test_the_console_adds_a_peer_shows_where_a_case_came_from_and_offers_a_case(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: ClientMaker,
) -> None:  # fmt: skip
    on, peer, client = await self_peer(db, settings, make_staff, tmp_path, aiohttp_client)
    supervisor = await make_staff(Role.SUPERVISOR)
    csrf = await logged_in(client, supervisor)
    _, other = key_and_cert(tmp_path, "other.example")
    form = {"csrf_token": csrf, "name": "other", "display_name": "Other hotline",
            "sender": "other.example", "url": "https://other.example/peers/us/cap",
            "certificate": "not a certificate"}  # fmt: skip
    refused = await client.post("/console/peers", data=form)
    assert refused.status == 422 and "PEM" in await refused.text()
    added = await client.post("/console/peers", data={**form, "certificate": other.read_text()})
    assert added.status == 200 and "Other hotline" in await added.text()
    case, manager = await active_case(db, on, make_staff)
    page = await (await client.get(f"/console/cases/{case.id}")).text()
    assert 'id="peers-form"' in page and "Other hotline" in page
    offered = await client.post(f"/console/cases/{case.id}/peers",
                                data={"csrf_token": csrf, "peer": str(peer.id)})  # fmt: skip
    assert offered.status == 200 and 'id="peer-offers"' in await offered.text()
    nothing = await client.post(f"/console/cases/{case.id}/peers", data={"csrf_token": csrf})
    assert nothing.status == 422
    async with dispatching(db, on):
        await eventually(lambda: copy_of(db), within=10)
    copy = await copy_of(db)
    page = await (await client.get(f"/console/cases/{copy['id']}?lang=fr")).text()
    assert 'id="peer-origin"' in page and "Ourselves" in page


async def test_the_endpoint_refuses_a_large_body_and_answers_in_the_peers_language(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: ClientMaker,
) -> None:  # fmt: skip
    _, _, client = await self_peer(db, settings, make_staff, tmp_path, aiohttp_client)
    large = b'<?xml version="1.0"?><alert>' + b"x" * (300 * 1024) + b"</alert>"
    answer = await client.post("/peers/ourselves/cap", data=large,
                               headers={"Accept-Language": "fr-BE"})  # fmt: skip
    assert answer.status == 400
    assert (await answer.json())["error"] == "Le message est trop volumineux."
    answer = await client.post("/peers/nobody/cap", data=b"<alert/>")
    assert answer.status == 404 and (await answer.json())["error"] == "No such peer."
    assert await db.conn.fetchval("SELECT count(*) FROM cases") == 0
