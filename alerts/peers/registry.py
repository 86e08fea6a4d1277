"""Trusted peers: other hotlines' instances this one takes alerts from and offers alerts to.

A supervisor or admin adds a peer with the certificate its CAP messages are signed with (PEM,
checked here), the CAP `sender` it writes (the host name of its public address), and the
address of its inbound endpoint (`https://<its host>/peers/<our name there>/cap`). Each peer
gets an account of its own, inactive (nobody logs in with it), that its messages act as: the
draft it opens, the changes it proposes and the close its Cancel makes are audited as the
peer's, and four eyes hold (a local staff member submits, another approves).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from alerts import errors
from alerts.db.database import Database
from alerts.db.rows import Row
from alerts.staff import audit
from alerts.staff.models import Role, Staff

NAME = re.compile(r"^[a-z0-9-]{2,40}$")
HOST = re.compile(r"^[A-Za-z0-9.-]{1,255}$")


@dataclass(frozen=True, kw_only=True)
class Peer(Row):
    id: int
    name: str
    display_name: str
    sender: str
    url: str
    certificate: str
    staff_id: int
    active: bool
    created_at: datetime

    def account(self) -> Staff:
        """The inactive account the peer's messages act as here."""
        return Staff(id=self.staff_id, username=f"peer.{self.name}",
                     display_name=self.display_name, role=Role.CASE_MANAGER, language=None,
                     totp_secret=None, active=False)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class PeerSummary(Peer):
    received: int
    offered: int


def _check_staff(staff: Staff) -> None:
    if not staff.is_supervisor:
        raise errors.Forbidden("Only a supervisor or an admin can change the trusted peers.")


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise errors.InvalidInput("Required, and not too long.", field=name)
    return value.strip()


def parse(data: Mapping[str, Any]) -> dict[str, str]:
    """The validated peer in `data`; InvalidInput naming the first wrong field."""
    name = _text(data, "name", 40).lower()
    if not NAME.match(name):
        raise errors.InvalidInput(
            "Use 2 to 40 lower-case letters, digits or hyphens.", field="name"
        )
    sender = _text(data, "sender", 255)
    if not HOST.match(sender):
        raise errors.InvalidInput("Give the host name the peer's CAP messages name as sender.",
                                  field="sender")  # fmt: skip
    url = _text(data, "url", 2000)
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise errors.InvalidInput("Give the address of the peer's endpoint (https://…).",
                                  field="url")  # fmt: skip
    certificate = _text(data, "certificate", 20_000)
    try:
        x509.load_pem_x509_certificate(certificate.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise errors.InvalidInput("This is not a certificate in PEM format.",
                                  field="certificate") from None  # fmt: skip
    display = _text(data, "display_name", 200)
    return {"name": name, "display_name": display, "sender": sender, "url": url,
            "certificate": certificate}  # fmt: skip


async def add(db: Database, staff: Staff, data: Mapping[str, Any]) -> Peer:
    """The peer, now trusted, with its account."""
    _check_staff(staff)
    values = parse(data)
    async with db.transaction() as tx:
        if await tx.fetchrow("peer_by_name", values["name"]) is not None:
            raise errors.Conflict("A peer with this name exists already.")
        account = await tx.fetchval("add_peer_account", f"peer.{values['name']}",
                                    values["display_name"])  # fmt: skip
        row = await tx.fetchrow(
            "add_peer", values["name"], values["display_name"], values["sender"],
            values["url"], values["certificate"], account, staff.id,
        )  # fmt: skip
        assert row is not None
        await audit.record(tx, staff.id, "peer_added", None, peer=values["name"])
    return Peer.from_row(row)


async def set_active(db: Database, staff: Staff, peer_id: int, active: bool) -> Peer:
    """The peer, deactivated (nothing taken from it, nothing new sent to it) or active again."""
    _check_staff(staff)
    async with db.transaction() as tx:
        row = await tx.fetchrow("set_peer_active", peer_id, active)
        if row is None:
            raise errors.NotFound("No such peer.")
        await audit.record(tx, staff.id, "peer_reactivated" if active else "peer_deactivated",
                           None, peer=row["name"])  # fmt: skip
    return Peer.from_row(row)


async def list_all(db: Database) -> list[PeerSummary]:
    return [PeerSummary.from_row(row) for row in await db.fetch("list_peers")]


async def by_name(db: Database, name: str) -> Peer | None:
    """The peer called `name`, active or not (None: no such peer)."""
    row = await db.fetchrow("peer_by_name", name)
    return None if row is None else Peer.from_row(row)


@dataclass(frozen=True, kw_only=True)
class Origin(Row):
    """The peer a case came from."""

    id: int
    name: str
    display_name: str
    remote_identifier: str


@dataclass(frozen=True, kw_only=True)
class Offer(Row):
    id: int
    name: str
    display_name: str
    offered_at: datetime


async def origin(db: Database, case_id: int) -> Origin | None:
    """The peer the case came from; None for a case of this hotline."""
    row = await db.fetchrow("case_peer", case_id)
    return None if row is None else Origin.from_row(row)


async def offers(db: Database, case_id: int) -> list[Offer]:
    """The peers the case was offered to."""
    return [Offer.from_row(row) for row in await db.fetch("case_offers", case_id)]
