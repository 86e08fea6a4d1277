"""A peer's signed CAP message taken in: an Alert opens a draft, an Update revises the case it
came from (as proposals where it widens), a Cancel withdraws it at once.

The peer is named in the address (`/peers/<name>/cap`) and the message must be signed with
that peer's certificate (alerts/peers/messages.py): a message signed by another peer, even a
trusted one, is refused. Each identifier is taken once (table `peer_messages`): a replay is
refused with 409. An Update or a Cancel finds its case through the identifiers it references,
among the messages this same peer sent: one that references only another peer's case, or no
case at all, is refused (403 and 404). The changes go through the publication pipeline, acting
as the peer's account; the recorded message is written in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from alerts import errors
from alerts.cases import lifecycle
from alerts.cases.models import Case, CaseState, CloseReason
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import N_
from alerts.outbox import pipeline
from alerts.peers import mapping, messages, registry
from alerts.peers.messages import PeerMessage
from alerts.peers.registry import Peer

log = logging.getLogger(__name__)
MANY_CASES = N_("The message references more than one case.")


@dataclass(frozen=True, kw_only=True)
class Taken:
    """What a peer's message did here."""

    case_public_id: str
    state: str
    proposals: int = 0
    opened: bool = False  # a new draft


async def receive(db: Database, settings: Settings, peer_name: str, body: bytes) -> Taken:
    """What the peer's message did here; refused with a clear error when it is not a signed,
    valid CAP 1.2 message of that peer that this service can take."""
    peer = await registry.by_name(db, peer_name)
    if peer is None or not peer.active:
        raise errors.NotFound("No such peer.")
    message = messages.read(messages.verify(body, peer.certificate), peer.sender)
    if await db.fetchval("peer_message_taken", peer.id, message.identifier):
        raise errors.Conflict("This message was taken already.")
    if message.msg_type == "Alert":
        case = await _open(db, peer, message)
        taken = Taken(case_public_id=case.public_id, state=str(case.state), opened=True)
    else:
        case = await _case_of(db, peer, message)
        if message.msg_type == "Update":
            taken = await _update(db, settings, peer, message, case)
        else:
            taken = await _cancel(db, peer, message, case)
    log.info("peer message taken", extra={
        "action": "peers.taken", "peer": peer.name, "msg_type": message.msg_type,
        "case_id": case.id})  # fmt: skip
    return taken


def _recorder(peer: Peer, message: PeerMessage, *, first: bool = False) -> pipeline.PeerStep:
    async def record(tx: Database, case: Case) -> None:
        if first:
            await tx.execute("link_peer_case", case.id, peer.id, message.identifier)
        await _take(tx, peer, message, case)

    return record


async def _take(tx: Database, peer: Peer, message: PeerMessage, case: Case) -> None:
    taken = await tx.fetchval(
        "take_peer_message", peer.id, message.identifier, message.msg_type, case.id
    )
    if taken is None:  # another request took it between the check and now
        raise errors.Conflict("This message was taken already.")


async def _open(db: Database, peer: Peer, message: PeerMessage) -> Case:
    return await pipeline.open_from_peer(
        db, peer.account(), mapping.fields(message), mapping.consent(message, peer.display_name),
        _recorder(peer, message, first=True),
    )  # fmt: skip


async def _case_of(db: Database, peer: Peer, message: PeerMessage) -> Case:
    found = await db.fetch("peer_message_cases", peer.id, list(message.references))
    own = {row["case_id"] for row in found if row["own"]}
    if len(own) > 1:
        raise messages.MessageRefused(MANY_CASES)
    if not own:
        if found:
            raise errors.Forbidden("The message references a case this peer did not send.")
        raise errors.NotFound("The message references no case taken from this peer.")
    return await lifecycle.get(db, own.pop())


async def _update(
    db: Database, settings: Settings, peer: Peer, message: PeerMessage, case: Case
) -> Taken:
    if case.state is CaseState.CLOSED:
        raise errors.IllegalTransition("The case is closed here; the update was not taken.")
    fields = {k: v for k, v in mapping.fields(message).items() if k != "languages"}
    made = await pipeline.revise_from_peer(
        db, settings, peer.account(), case.id, fields,
        mapping.consent(message, peer.display_name), _recorder(peer, message),
    )  # fmt: skip
    after = await lifecycle.get(db, case.id)
    return Taken(case_public_id=case.public_id, state=str(after.state), proposals=len(made))


async def _cancel(db: Database, peer: Peer, message: PeerMessage, case: Case) -> Taken:
    """The case closed at once (no approval: withdrawing only narrows), what it published
    withdrawn by the close as for any case."""
    if case.state is not CaseState.CLOSED:
        case = await pipeline.close(db, peer.account(), case.id, CloseReason.AUTHORITY_ENDED.value)
    async with db.transaction() as tx:
        await _take(tx, peer, message, case)
    return Taken(case_public_id=case.public_id, state=str(case.state))
