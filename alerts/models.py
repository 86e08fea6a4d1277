"""Rows and values of the domain: frozen keyword-only dataclasses built with `from_row()`."""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self


class CaseKind(enum.StrEnum):
    RUNAWAY = "runaway"
    PARENTAL_ABDUCTION = "parental_abduction"
    THIRD_PARTY_ABDUCTION = "third_party_abduction"
    LOST_INJURED = "lost_injured"
    UNACCOMPANIED_MINOR = "unaccompanied_minor"


class CaseState(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    CLOSED = "closed"


class Role(enum.StrEnum):
    CASE_MANAGER = "case_manager"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class NameMode(enum.StrEnum):
    FULL = "full"
    FIRST = "first"
    NONE = "none"


class PlacePrecision(enum.StrEnum):
    EXACT = "exact"
    MUNICIPALITY = "municipality"
    PROVINCE = "province"


class CloseReason(enum.StrEnum):
    FOUND_SAFE = "found_safe"
    FOUND_OTHER = "found_other"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    AUTHORITY_ENDED = "authority_ended"
    UNFOUNDED = "unfounded"


LANGUAGES = ("nl", "fr", "de", "en")


class _Row:
    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in dict(row).items() if k in names}
        # The database returns enum columns as text; the fields hold the enum members.
        for name, kind in _enum_fields(typing.cast(type, cls)).items():
            if values.get(name) is not None:
                values[name] = kind(values[name])
        return cls(**values)


@functools.cache
def _enum_fields(cls: type) -> dict[str, type[enum.Enum]]:
    hints = typing.get_type_hints(cls)
    return {n: t for n, t in hints.items() if isinstance(t, type) and issubclass(t, enum.Enum)}


@dataclass(frozen=True, kw_only=True)
class Case(_Row):
    id: int
    public_id: str
    reference: str
    state: CaseState
    kind: CaseKind
    revision: int
    first_name: str
    last_name: str
    age: int | None
    sex: str | None
    height_cm: int | None
    build: str
    hair: str
    eyes: str
    clothing: str
    marks: str
    description: str
    last_seen_at: datetime | None
    last_seen_place: str
    last_seen_lat: float | None
    last_seen_lon: float | None
    search_radius_km: float
    languages: list[str]
    police_reference: str
    created_by: int
    submitted_by: int | None
    approved_by: int | None
    closed_by: int | None
    close_reason: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Consent(_Row):
    id: int
    case_id: int
    given_by: str
    relation: str
    given_at: datetime
    recorded_by: int
    valid_until: datetime | None
    level: int
    photo: bool
    name_mode: NameMode
    place_precision: PlacePrecision
    forwarding: bool
    revoked_at: datetime | None
    created_at: datetime

    def in_force(self, now: datetime) -> bool:
        """True while the consent is neither revoked nor past its end date."""
        if self.revoked_at is not None:
            return False
        return self.valid_until is None or self.valid_until > now


@dataclass(frozen=True, kw_only=True)
class Photo(_Row):
    id: int
    public_id: str
    case_id: int
    width: int
    height: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Staff(_Row):
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
