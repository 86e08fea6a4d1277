"""E-mail sign-up with double opt-in: the form's request kept until its link is followed.

The confirmation link's token is stored only as a hash. Whether an address is already a
volunteer changes nothing a visitor can see.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from alerts.db.database import Database
from alerts.volunteers import registry
from alerts.volunteers.registry import Area, QuietHours, Volunteer, VolunteerError

CONFIRMATION_HOURS = 48
# Confirmation e-mails one address may receive per hour, and sign-ups one client may send: the
# form must not become a way to flood someone's inbox.
EMAIL_SIGNUPS_PER_HOUR = 3
CLIENT_SIGNUPS_PER_HOUR = 10


@dataclass(frozen=True, kw_only=True)
class Signup:
    """What the web form asked for, kept until the e-mail link is followed."""

    email: str
    language: str
    areas: tuple[Area, ...]
    quiet: QuietHours | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_signup(db: Database, signup: Signup, client_key: str) -> str | None:
    """The confirmation token to e-mail; None when this address had enough e-mails this hour.

    Whether the address is already a volunteer makes no difference here, so the page shown
    afterwards cannot tell anyone.
    """
    await db.execute("forget_expired_signups")
    if await db.fetchval("count_recent_signups_for_client", client_key, 60) >= (
        CLIENT_SIGNUPS_PER_HOUR
    ):
        raise VolunteerError("too_many")
    if await db.fetchval("count_recent_signups_for_email", signup.email, 60) >= (
        EMAIL_SIGNUPS_PER_HOUR
    ):
        return None
    token = secrets.token_urlsafe(32)
    areas = json.dumps([asdict(a) for a in signup.areas])
    start, end = (signup.quiet.start, signup.quiet.end) if signup.quiet else (None, None)
    await db.execute(
        "insert_volunteer_signup", _token_hash(token), signup.email, signup.language, areas,
        start, end, client_key, CONFIRMATION_HOURS,
    )  # fmt: skip
    return token


async def check_signup_token(db: Database, token: str) -> str:
    """The language of a usable confirmation link; VolunteerError when it cannot be used."""
    row = await db.fetchrow("signup_by_token", _token_hash(token))
    _check_signup(row)
    assert row is not None
    return str(row["language"])


def _check_signup(row: Mapping[str, Any] | None) -> None:
    if row is None:
        raise VolunteerError("token_unknown")
    if row["used_at"] is not None:
        raise VolunteerError("token_used")
    if row["expired"]:
        raise VolunteerError("token_expired")


async def confirm_signup(db: Database, token: str) -> Volunteer:
    """Make the sign-up behind `token` a volunteer (or update the one with that address)."""
    async with db.transaction() as tx:
        row = await tx.fetchrow("lock_signup_by_token", _token_hash(token))
        _check_signup(row)
        assert row is not None
        saved = await tx.fetchrow(
            "upsert_email_volunteer", registry.new_public_id(), row["email"], row["language"],
            row["quiet_start"], row["quiet_end"],
        )  # fmt: skip
        assert saved is not None
        volunteer = Volunteer.from_row(saved)
        await tx.execute("delete_volunteer_areas", volunteer.id)
        for area in json.loads(row["areas"]):
            await registry.set_area(tx, volunteer.id, Area(**area))
        await tx.execute("mark_signup_used", row["id"])
    return volunteer
