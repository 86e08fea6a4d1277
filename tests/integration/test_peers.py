"""Peer hotlines (alerts/peers) inside one process: a hotline that trusts itself as a peer sends
its own case round, which shows the whole path (offer, signed CAP, draft, update, cancel) with
the dispatcher and the endpoint of this process; and the consent a peer's message maps to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.peers import registry
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.dispatch import dispatching, eventually, with_channels
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.peers import key_and_cert

HOST = "alerts.example"


async def self_peer(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> tuple[Settings, registry.Peer]:  # fmt: skip
    key, cert = key_and_cert(tmp_path, HOST)
    on = with_channels(settings, telegram_bot_token="", cap_signing_key=str(key),
                       cap_signing_cert=str(cert), public_base_url=f"https://{HOST}")  # fmt: skip
    client = await aiohttp_client(create_app(on))
    url = str(client.make_url("/peers/ourselves/cap"))
    peer = await registry.add(db, await make_staff(Role.SUPERVISOR), {
        "name": "ourselves", "display_name": "Ourselves", "sender": HOST, "url": url,
        "certificate": cert.read_text()})  # fmt: skip
    return on, peer


async def test_a_case_offered_to_a_peer_arrives_as_a_draft_its_update_as_a_proposal_and_its_cancel_closes_it(
    db: Database, settings: Settings, make_staff: StaffFactory, tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:  # fmt: skip
    on, peer = await self_peer(db, settings, make_staff, tmp_path, aiohttp_client)
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await cases.create_draft(db, manager, {**CASE_FIELDS, "last_seen_at": last_seen()})
    await pipeline.change_consent(db, on, manager, case.id, {**CONSENT, "level": 2})
    await cases.submit(db, manager, case.id)
    await pipeline.approve(db, on, approver, case.id)
    assert await pipeline.offer_to_peers(db, manager, case.id, [peer.id]) == 1

    async def copy() -> Any:
        return await db.conn.fetchrow("SELECT case_id FROM peer_cases")

    async with dispatching(db, on):
        await eventually(copy, within=10)
        [row] = await db.conn.fetch("SELECT state, last_error FROM publications WHERE channel = 'peer'")
        assert row["state"] == "sent", row
