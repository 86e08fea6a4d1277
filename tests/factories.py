"""Test data: cases and consents as a case manager would record them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts import cases
from alerts.db import Database
from alerts.models import Case, Staff

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
        await cases.record_consent(db, staff, case.id, CONSENT)
    return await cases.submit(db, staff, case.id)
