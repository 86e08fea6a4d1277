"""API tokens for integrations: issued by an admin (the command line or the console) for one
staff account, with scopes and an end date; listed without their secret; revoked at once.

A token is shown once and stored only as its SHA-256 (it is 32 random bytes: no slow hash is
needed). Its scopes say what it may do over the API: `read` (GET), `write` (every other change)
and `approve` (approve and close a case, which a session may do only after confirming its
password). Each use records when the token was last used, at most once a minute.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alerts import errors
from alerts.db.database import Database
from alerts.staff import audit
from alerts.staff.auth import token_hash
from alerts.staff.models import Staff

PREFIX = "alrt_"  # noqa: S105 - a prefix, not a secret: it makes a leaked token easy to find
DEFAULT_DAYS = 90
MAX_DAYS = 365
NAME_LIMIT = 100
TOUCH_SECONDS = 60  # the last use is recorded at most this often per token


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    APPROVE = "approve"


DEFAULT_SCOPES = (Scope.READ, Scope.WRITE)


@dataclass(frozen=True, kw_only=True)
class ApiToken:
    """A token as the lists show it: never its secret, nor its hash."""

    id: int
    name: str
    username: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_by: str | None

    @classmethod
    def from_row(cls, row: Any) -> ApiToken:
        return cls(
            id=row["id"], name=row["name"], username=row["username"],
            scopes=parse_scopes(row["scopes"]), created_at=row["created_at"],
            expires_at=row["expires_at"], last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"], created_by=row["created_by_username"],
        )  # fmt: skip

    @property
    def state(self) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= datetime.now(UTC) else "active"


@dataclass(frozen=True, kw_only=True)
class Issued:
    """A new token and its secret: the one time the secret is seen."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, kw_only=True)
class TokenUse:
    """The staff member a valid token acts for, and what it may do."""

    token_id: int
    staff: Staff
    scopes: frozenset[Scope]


def parse_scopes(values: Iterable[str]) -> tuple[Scope, ...]:
    """The scopes named in `values`, in their order read, write, approve; InvalidInput when one is
    unknown or none is given."""
    wanted = {v.strip().lower() for v in values if v.strip()}
    if not wanted or wanted - {s.value for s in Scope}:
        raise errors.InvalidInput(
            "Choose at least one scope among read, write and approve.", field="scopes"
        )
    return tuple(s for s in Scope if s.value in wanted)


async def create(
    db: Database,
    *,
    username: str,
    name: str,
    scopes: Iterable[str] = DEFAULT_SCOPES,
    days: int = DEFAULT_DAYS,
    created_by: int | None = None,
) -> Issued:
    """A new token acting for `username`, valid `days` days with `scopes`."""
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        raise errors.InvalidInput("Give the token a name (at most 100 characters).", field="name")
    if not 1 <= days <= MAX_DAYS:
        raise errors.InvalidInput("A token lasts from 1 to 365 days.", field="days")
    chosen = parse_scopes(scopes)
    staff = await db.fetchrow("staff_by_username", username.strip().lower())
    if staff is None or not staff["active"]:
        raise errors.NotFound(f"No staff account named {username!r}.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token_id: int = await db.fetchval(
        "create_api_token", name, token_hash(secret), staff["id"], [s.value for s in chosen],
        days, created_by,
    )  # fmt: skip
    await audit.record(
        db, created_by, "api_token_created", token=token_id, target=staff["id"],
        scopes=[s.value for s in chosen], days=days,
    )  # fmt: skip
    return Issued(token=await get(db, token_id), secret=secret)


async def get(db: Database, token_id: int) -> ApiToken:
    row = await db.fetchrow("api_token_by_id", token_id)
    if row is None:
        raise errors.NotFound("No such API token.")
    return ApiToken.from_row(row)


async def list_tokens(db: Database) -> list[ApiToken]:
    """Every token, newest first, without secrets."""
    return [ApiToken.from_row(r) for r in await db.fetch("list_api_tokens")]


async def revoke(db: Database, token_id: int, *, by: int | None = None) -> ApiToken:
    """Revoke a token: it stops working at once. Revoking it again changes nothing."""
    if await db.fetchval("revoke_api_token", token_id) is None:
        raise errors.NotFound("No such API token.")
    await audit.record(db, by, "api_token_revoked", token=token_id)
    return await get(db, token_id)


async def for_use(db: Database, secret: str) -> TokenUse | None:
    """The staff member and scopes of a token that is known, unrevoked and unexpired (its owner
    still active), or None; records the use (at most once a minute)."""
    row = await db.fetchrow("api_token_for_use", token_hash(secret), TOUCH_SECONDS)
    if row is None:
        return None
    return TokenUse(
        token_id=row["token_id"],
        staff=Staff.from_row(row),
        scopes=frozenset(parse_scopes(row["token_scopes"])),
    )


def check_scope(use: TokenUse, needed: Scope) -> None:
    """Forbidden, with what the token lacks, unless it has `needed`."""
    if needed in use.scopes:
        return
    if needed is Scope.APPROVE:
        raise errors.Forbidden(
            "This API token may not approve or close a case: that needs a token with the "
            "approve scope."
        )
    if needed is Scope.WRITE:
        raise errors.Forbidden("This API token may only read: that needs the write scope.")
    raise errors.Forbidden("This API token may not read: that needs the read scope.")
