"""Staff accounts and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from alerts.db.rows import Row


class Role(enum.StrEnum):
    CASE_MANAGER = "case_manager"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True, kw_only=True)
class Staff(Row):
    id: int
    username: str
    display_name: str
    role: Role
    language: str | None
    totp_secret: str | None
    active: bool

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
