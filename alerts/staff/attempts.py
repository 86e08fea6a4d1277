"""The limits on password attempts that every password prompt shares (the login form, /reauth,
and approve and close with a password in the body, in the console and the API):

- per account: each attempt is counted *before* its password is checked, and the count and the
  lock change in one UPDATE, so concurrent attempts cannot slip past the limit (an attempt is
  checked only while its count is within LOGIN_MAX_FAILURES); a lock ends after
  LOGIN_LOCKOUT_MINUTES and the count starts again, as it does when the last attempt is older
  than that; a good password resets the count;
- per client (a keyed hash of the address, never the address): at most CLIENT_MAX_FAILURES
  failures within CLIENT_WINDOW_MINUTES, whatever accounts they aim at, so that one client
  cannot try a common password on every account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts import errors
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import audit

CLIENT_MAX_FAILURES = 20
CLIENT_WINDOW_MINUTES = 15


@dataclass(frozen=True, kw_only=True)
class Claim:
    """What counting one attempt on an account gave."""

    allowed: bool  # the password may be checked: the count is within the limit
    locked_until: datetime | None


async def claim_client(db: Database, client: str) -> None:
    """Count an attempt from `client` before its password is checked; TooManyRequests (and the
    attempt not counted) when the client already failed too often lately."""
    await db.execute("add_login_attempt", client)
    recent = await db.fetchval("count_recent_login_attempts", client, CLIENT_WINDOW_MINUTES)
    if recent > CLIENT_MAX_FAILURES:
        await db.execute("forget_login_attempt", client)
        raise errors.TooManyRequests(
            "Too many failed logins from this connection. Please wait and try again.",
            retry_after=CLIENT_WINDOW_MINUTES * 60,
        )


async def claim_account(db: Database, settings: Settings, staff_id: int) -> Claim:
    """Count an attempt on the account before its password is checked (one statement)."""
    row = await db.fetchrow(
        "claim_password_attempt",
        staff_id,
        settings.login_max_failures,
        settings.login_lockout_minutes,
    )
    assert row is not None
    if row["just_locked"]:
        await audit.record(db, staff_id, "account_locked", minutes=settings.login_lockout_minutes)
    return Claim(allowed=row["allowed"], locked_until=row["locked_until"])


async def succeeded(db: Database, staff_id: int, client: str) -> None:
    """A good password: the account's count starts again, and the client's attempt is forgotten."""
    await db.execute("record_login_success", staff_id)
    await db.execute("forget_login_attempt", client)
