"""Test data: cases and consents as a case manager would record them, approved cases with their
materials, and cases and consents as the database returns them (for the renderers, without a
database)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from alerts.cases import lifecycle as cases
from alerts.cases.consent import Coarsener, CoarsePlace
from alerts.cases.models import Case, CaseState, Consent, NameMode, PlacePrecision
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import LANGUAGES
from alerts.outbox import pipeline
from alerts.publication import materials
from alerts.sightings.reports import Sighting
from alerts.staff.models import Role, Staff
from tests.support import images
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved

CASE_FIELDS: dict[str, Any] = {
    "kind": "runaway",
    "first_name": "Lotte",
    "last_name": "Vermeulen",
    "age": 14,
    "sex": "female",
    "height_cm": 162,
    "build": "slim",
    "hair": "long, dark blond",
    "eyes": "green",
    "clothing": "red rain jacket, black jeans, white trainers",
    "marks": "small scar above the left eyebrow",
    "description": "Left home after school with a blue backpack.",
    "last_seen_place": "Station Gent-Sint-Pieters",
    "last_seen_lat": 51.0357,
    "last_seen_lon": 3.7103,
    "search_radius_km": 15,
    "police_reference": "GE.12.L3.012345/26",
}

CONSENT: dict[str, Any] = {
    "given_by": "Mother",
    "relation": "parent",
    "level": 2,
    "photo": True,
    "name_mode": "first",
    "place_precision": "municipality",
    "forwarding": False,
}


def last_seen() -> str:
    return (datetime.now(UTC) - timedelta(hours=3)).isoformat()


async def draft(db: Database, staff: Staff, **overrides: Any) -> Case:
    return await cases.create_draft(
        db, staff, {**CASE_FIELDS, "last_seen_at": last_seen(), **overrides}
    )


async def pending(db: Database, staff: Staff, *, consent: bool = True, **overrides: Any) -> Case:
    case = await draft(db, staff, **overrides)
    if consent:
        # A draft's consent: no publication step runs, so no setting is read.
        await pipeline.change_consent(db, Settings.from_env({}), staff, case.id, CONSENT)
    return await cases.submit(db, staff, case.id)


async def approved(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    *,
    level: int = 3,
    languages: Sequence[str] = ("nl", "fr"),
    photo: bool = False,
    consent: dict[str, Any] | None = None,
    **fields: Any,
) -> tuple[Case, Staff]:
    """An approved case (its materials published) and its case manager."""
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await draft(db, manager, languages=list(languages), **fields)
    await pipeline.change_consent(
        db, settings, manager, case.id,
        {**CONSENT, "level": level, "photo": photo, **(consent or {})},
    )  # fmt: skip
    if photo:
        await pipeline.add_photo(db, settings, manager, case.id, images.jpeg(600, 800))
    await cases.submit(db, manager, case.id)
    approved = await pipeline.approve(db, settings, supervisor, case.id)
    await materials.drain()  # the images are rendered right after the commit
    return approved, manager


async def revise(
    db: Database, settings: Settings, manager: Staff, case: Case, **fields: Any
) -> Case:
    """The case revised with `fields`, its materials rendered again."""
    revised = await revise_approved(db, settings, manager, case.id, fields)
    await materials.drain()
    return revised


async def registry(db: Database, case_id: int) -> list[dict[str, Any]]:
    """The case's publications, as the registry lists them."""
    return [dict(row) for row in await db.fetch("list_publications", case_id)]


def path_of(address: str) -> str:
    """The path and query of `address`, to request it from a test client."""
    parts = urlsplit(address)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sighting_flood(now: datetime) -> tuple[Case, list[Sighting]]:
    """An active case and a thousand reports for it in fifty minutes, 11 m apart from 300
    senders: the worst case for the triage's grouping."""
    case = Case.from_row({
        "id": 1, "public_id": "p", "reference": "r", "state": "active", "kind": "runaway",
        "revision": 1, "first_name": "", "last_name": "", "age": None, "sex": None,
        "height_cm": None, "build": "", "hair": "", "eyes": "", "clothing": "", "marks": "",
        "description": "", "last_seen_at": now - timedelta(hours=5), "last_seen_place": "",
        "last_seen_lat": 51.05, "last_seen_lon": 3.72, "search_radius_km": 15.0,
        "languages": ["nl"], "police_reference": "", "created_by": 1, "submitted_by": None,
        "approved_by": None, "closed_by": None, "close_reason": None, "created_at": now,
        "updated_at": now, "submitted_at": None, "approved_at": now, "closed_at": None,
    })  # fmt: skip
    base = Sighting(
        id=0, case_id=1, reference="X", source="web", language="nl", seen_at=now, place="",
        lat=51.05, lon=3.72, point_source="map", point_precision="exact", seen="", direction="",
        companions="",
        has_photo=False, contact_name=None, contact_phone=None, contact_email=None,
        status="new", notes="", group_id=None, client_key="k", created_at=now,
        updated_at=None, updated_by=None,
    )  # fmt: skip
    flood = [
        dataclasses.replace(base, id=i, client_key=str(i % 300), lat=51.05 + i * 1e-4,
                            seen_at=now - timedelta(seconds=3 * i))
        for i in range(1, 1001)
    ]  # fmt: skip
    return case, flood


# -- records, without a database -----------------------------------------------------------------

NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
LAST_SEEN = datetime(2026, 3, 14, 15, 45, tzinfo=UTC)


def case_record(**fields: Any) -> Case:
    """A case as the database returns it: approved at NOW, the child last seen at LAST_SEEN;
    `fields` say who the child is and change the rest."""
    record: dict[str, Any] = {
        "state": CaseState.ACTIVE,
        "revision": 1,
        "last_seen_at": LAST_SEEN,
        "created_by": 1,
        "submitted_by": 1,
        "approved_by": 2,
        "closed_by": None,
        "close_reason": None,
        "created_at": NOW,
        "updated_at": NOW,
        "submitted_at": NOW,
        "approved_at": NOW,
        "closed_at": None,
    }
    return Case(**{**record, **fields})


def consent_record(**fields: Any) -> Consent:
    """A parent's consent as the database returns it, given at NOW without an end: level 3, the
    full name, the exact place, forwarding allowed; `fields` change it (and must say which case,
    who gave it and whether it covers the photo)."""
    record: dict[str, Any] = {
        "relation": "parent",
        "given_at": NOW,
        "recorded_by": 1,
        "valid_until": None,
        "level": 3,
        "name_mode": NameMode.FULL,
        "place_precision": PlacePrecision.EXACT,
        "forwarding": True,
        "revoked_at": None,
        "created_at": NOW,
    }
    return Consent(**{**record, **fields})


def coarsening(municipality: CoarsePlace, province: CoarsePlace) -> Coarsener:
    """A stand-in for the geocoder: the exact place as it is in every language, else
    `municipality` or `province`."""

    def coarsen(
        place: str, lat: float | None, lon: float | None, precision: PlacePrecision
    ) -> CoarsePlace:
        if precision is PlacePrecision.EXACT:
            return CoarsePlace(labels={lang: place for lang in LANGUAGES}, lat=lat, lon=lon)
        return municipality if precision is PlacePrecision.MUNICIPALITY else province

    return coarsen
