"""The short-lived link to a volunteer's data page (see, export, delete), sent on request.

Nobody reaches the data page from an alert or its opt-out link: a volunteer asks for a link with
their e-mail address, and the service sends it to that address only. The answer to the request
is the same whether or not the address is registered; the limit per client counts every request
alike. The link works for `LINK_MINUTES`; only a hash of its token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from alerts.db.database import Database
from alerts.volunteers.registry import Volunteer, VolunteerError

LINK_MINUTES = 30
# Links one address may receive per hour, and requests one client may make (any address).
LINKS_PER_VOLUNTEER_PER_HOUR = 3
REQUESTS_PER_CLIENT_PER_HOUR = 10


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Granted:
    """A link to send: its token, to this volunteer."""

    token: str
    volunteer: Volunteer


async def request_link(db: Database, email: str, client_key: str) -> Granted | None:
    """The link to send for a request naming `email` (normalised), or None: unknown address, or
    enough links this hour. VolunteerError("too_many") when this client asked too often, for
    any address. Nothing here differs to the visitor between a known and an unknown address."""
    await db.execute("forget_old_manage_links")
    if await db.fetchval("count_recent_manage_requests_for_client", client_key, 60) >= (
        REQUESTS_PER_CLIENT_PER_HOUR
    ):
        raise VolunteerError("too_many_requests")
    row = await db.fetchrow("volunteer_by_email", email)
    volunteer = Volunteer.from_row(row) if row is not None else None
    if volunteer is not None and (
        await db.fetchval("count_recent_manage_links_for_volunteer", volunteer.id, 60)
        >= LINKS_PER_VOLUNTEER_PER_HOUR
    ):
        volunteer = None
    if volunteer is None:
        await db.execute("insert_manage_link", None, None, client_key, 0)
        return None
    token = secrets.token_urlsafe(32)
    await db.execute(
        "insert_manage_link", _token_hash(token), volunteer.id, client_key, LINK_MINUTES
    )
    return Granted(token=token, volunteer=volunteer)


@dataclass(frozen=True, kw_only=True)
class Opened:
    """A usable link: its row and its volunteer."""

    link_id: int
    volunteer: Volunteer


async def open_link(db: Database, token: str) -> Opened:
    """The volunteer of a usable link; VolunteerError naming why it cannot be used
    (manage_unknown, manage_used, manage_expired)."""
    row = await db.fetchrow("manage_link_by_token", _token_hash(token)) if token else None
    if row is None:
        raise VolunteerError("manage_unknown")
    if row["used_at"] is not None or row["volunteer_id"] is None:
        raise VolunteerError("manage_used")
    if row["expired"]:
        raise VolunteerError("manage_expired")
    found = await db.fetchrow("volunteer_by_id", row["volunteer_id"])
    if found is None:
        raise VolunteerError("manage_used")
    return Opened(link_id=row["id"], volunteer=Volunteer.from_row(found))
