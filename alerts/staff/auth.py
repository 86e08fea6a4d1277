"""Staff accounts: Argon2id passwords, logins within the limits of `attempts`, TOTP,
server-side sessions, re-authentication. API tokens are in `tokens`."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import argon2
import argon2.profiles
import pyotp

from alerts import errors
from alerts.config import Settings, setting_from_env
from alerts.db.database import Database, rows_affected
from alerts.i18n import N_
from alerts.staff import attempts, audit
from alerts.staff.models import Role, Staff

_PROFILES = {
    "standard": argon2.profiles.get_default_parameters(),  # the library's recommendation
    "fast-insecure-for-tests": argon2.profiles.CHEAPEST,
}
MIN_PASSWORD_LENGTH = 12


def hasher_for(profile: str) -> argon2.PasswordHasher:
    """The Argon2id hasher of a PASSWORD_HASH_PROFILE."""
    return argon2.PasswordHasher.from_parameters(_PROFILES[profile])


@functools.cache
def _hasher() -> argon2.PasswordHasher:
    # From the environment, not from a Settings: accounts are created by code that has none
    # (the command line, the demo), and a process must hash and verify with one cost.
    return hasher_for(setting_from_env("password_hash_profile"))


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so both paths cost the same time.
    return _hasher().hash("not a real password, only for timing")


def token_hash(token: str) -> str:
    """The hash under which a session or API token is stored (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.InvalidInput(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    return _hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def verify_totp(secret: str, code: str) -> bool:
    """True when `code` is the current (or adjacent) TOTP code for `secret`."""
    return pyotp.TOTP(secret).verify(code.replace(" ", ""), valid_window=1)


async def create_staff(
    db: Database,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    language: str | None = None,
    email: str | None = None,
) -> int:
    """Create a staff account; its id. `email`: where the case reminders go (optional)."""
    username = username.strip().lower()
    staff_id: int = await db.fetchval(
        "create_staff",
        username,
        display_name,
        role.value,
        hash_password(password),
        language,
        email.strip() if email else None,
    )
    return staff_id


# The one answer to a refused login, whether the username is unknown, the password wrong or the
# account locked: nobody learns from it which accounts exist or are locked.
LOGIN_REFUSED = N_(
    "Wrong username or password. After several failed attempts in a row, an account accepts no "
    "password for a few minutes."
)


async def authenticate(
    db: Database,
    settings: Settings,
    username: str,
    password: str,
    totp_code: str = "",
    *,
    client: str,
) -> Staff:
    """The staff member these credentials belong to; Unauthenticated (the same answer for an
    unknown username, a wrong password and a locked account, after the same work: one Argon2
    verification) or TooManyRequests (the client, `client` its keyed hash, failed too often)."""
    await attempts.claim_client(db, client)
    row = await db.fetchrow("staff_by_username", username.strip().lower())
    if row is None or not row["active"]:
        _verify(_dummy_hash(), password)
        raise errors.Unauthenticated(LOGIN_REFUSED)
    claim = await attempts.claim_account(db, settings, row["id"])
    if not claim.allowed:
        _verify(_dummy_hash(), password)
        raise errors.Unauthenticated(LOGIN_REFUSED)
    ok = _verify(row["password_hash"], password)
    if ok and row["totp_secret"]:
        ok = verify_totp(row["totp_secret"], totp_code)
    if not ok:
        await audit.record(db, row["id"], "login_failed")
        raise errors.Unauthenticated(LOGIN_REFUSED)
    if _hasher().check_needs_rehash(row["password_hash"]):
        await db.execute("set_password", row["id"], _hasher().hash(password))
    await attempts.succeeded(db, row["id"], client)
    return Staff.from_row(row)


@dataclass(frozen=True, kw_only=True)
class Session:
    token: str
    csrf_token: str
    staff: Staff
    reauth_at: datetime | None


async def open_session(db: Database, staff: Staff) -> Session:
    """A new session for `staff` (a fresh token: sessions are rotated at every login)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await db.execute("create_session", token_hash(token), staff.id, csrf)
    return Session(token=token, csrf_token=csrf, staff=staff, reauth_at=datetime.now(UTC))


async def load_session(db: Database, settings: Settings, token: str) -> Session | None:
    """The live session for `token`, or None when unknown, idle too long or too old."""
    row = await db.fetchrow(
        "session_with_staff",
        token_hash(token),
        settings.session_idle_minutes,
        settings.session_max_hours * 60,
    )
    if row is None:
        return None
    return Session(
        token=token,
        csrf_token=row["csrf_token"],
        staff=Staff.from_row(row),
        reauth_at=row["reauth_at"],
    )


async def end_session(db: Database, token: str) -> None:
    await db.execute("delete_session", token_hash(token))


async def prune_sessions(db: Database, settings: Settings) -> dict[str, int]:
    """How many expired sessions and day-old failed logins it deleted.

    `load_session` already refuses an expired session; this only keeps the tables from growing.
    """
    idle, absolute = settings.session_idle_minutes, settings.session_max_hours * 60
    sessions = await db.execute("delete_expired_sessions", idle, absolute)
    attempts = await db.execute("prune_login_attempts")
    return {"sessions": rows_affected(sessions), "login_attempts": rows_affected(attempts)}


def check_csrf(session: Session, submitted: str | None) -> None:
    """Raise Forbidden unless `submitted` is the session's CSRF token."""
    # Compared as bytes: compare_digest refuses non-ASCII text, which anyone can submit.
    if not submitted or not hmac.compare_digest(submitted.encode(), session.csrf_token.encode()):
        raise errors.Forbidden("The form has expired or was not sent from this site. Please retry.")


async def reauthenticate(
    db: Database, settings: Settings, session: Session, secret: str, *, client: str
) -> None:
    """Record a fresh confirmation of the password (or TOTP code); Unauthenticated when wrong,
    TooManyRequests when the account or the client (`client`, its keyed hash) failed too often.
    The attempt counts in the same limits as a login: a stolen session cannot guess here."""
    await attempts.claim_client(db, client)
    claim = await attempts.claim_account(db, settings, session.staff.id)
    if not claim.allowed:
        _verify(_dummy_hash(), secret)
        wait = (claim.locked_until or datetime.now(UTC)) - datetime.now(UTC)
        raise errors.TooManyRequests(
            "Too many failed logins: this account is locked for a while.",
            retry_after=max(int(wait.total_seconds()), 0) + 1,
        )
    row = await db.fetchrow("staff_by_id", session.staff.id)
    assert row is not None
    ok = _verify(row["password_hash"], secret)
    if not ok and row["totp_secret"]:
        ok = verify_totp(row["totp_secret"], secret)
    if not ok:
        await audit.record(db, session.staff.id, "reauth_failed")
        raise errors.Unauthenticated("That password or code is not right.")
    await attempts.succeeded(db, session.staff.id, client)
    await db.execute("mark_reauth", token_hash(session.token))


def require_recent_reauth(session: Session | None, settings: Settings) -> None:
    """Raise ReauthRequired unless the session confirmed its password recently.

    API tokens (no session) are exempt: only a token with the approve scope reaches approve and
    close (see `tokens`), and only an admin issues one.
    """
    if session is None:
        return
    limit = datetime.now(UTC) - timedelta(minutes=settings.reauth_minutes)
    if session.reauth_at is None or session.reauth_at < limit:
        raise errors.ReauthRequired()


async def set_totp(db: Database, username: str, *, issuer: str, enable: bool = True) -> str | None:
    """Turn TOTP on (a new secret; its otpauth:// URI for an authenticator app) or off."""
    row = await db.fetchrow("staff_by_username", username.strip().lower())
    if row is None:
        raise errors.NotFound(f"No staff account named {username!r}.")
    secret = pyotp.random_base32() if enable else None
    await db.execute("set_totp_secret", row["id"], secret)
    await audit.record(db, None, "totp_enabled" if enable else "totp_disabled", target=row["id"])
    if secret is None:
        return None
    return pyotp.TOTP(secret).provisioning_uri(name=row["username"], issuer_name=issuer)
