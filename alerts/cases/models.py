"""Rows and values of the domain: frozen keyword-only dataclasses built with `from_row()`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from alerts.db.rows import Row


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


@dataclass(frozen=True, kw_only=True)
class Appearance:
    """How to recognise the child, as the case records it and as a public view shows it."""

    age: int | None
    sex: str | None
    height_cm: int | None
    build: str
    hair: str
    eyes: str
    clothing: str
    marks: str
    description: str


@dataclass(frozen=True, kw_only=True)
class Case(Row, Appearance):
    id: int
    public_id: str
    reference: str
    state: CaseState
    kind: CaseKind
    revision: int
    first_name: str
    last_name: str
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
    # An exercise from its creation, for ever (migration 0026's trigger refuses any change).
    exercise: bool = False
    # When the publication level in force ends unless renewed (alerts.cases.levels).
    level_expires_at: datetime | None = None
    level_reminded_at: datetime | None = None
    level_period: int = 1


@dataclass(frozen=True, kw_only=True)
class Consent(Row):
    id: int
    case_id: int
    given_by: str
    relation: str
    given_at: datetime
    recorded_by: int | None  # None: recorded by the service (a level's end)
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
class Photo(Row):
    id: int
    public_id: str
    case_id: int
    width: int
    height: int
    sha256: str
    created_at: datetime
