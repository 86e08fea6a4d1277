"""Helpers of the field-search tests: volunteers who opted in, a search of a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.cases.models import Case
from alerts.db.database import Database
from alerts.searches import optin, service
from alerts.searches.models import Search, parse_plan
from alerts.staff.models import Staff
from tests.support.dispatch import add_volunteer

BRIEFING = "Walk in a line; do not touch anything you find: report it."


async def searcher(
    db: Database, point: tuple[float, float], *, adult: bool = True, **options: Any
) -> int:
    """A volunteer at `point` who opted in to field searches (unless not `adult`)."""
    volunteer_id = await add_volunteer(db, point, **options)
    if adult:
        await optin.set_field_searches(db, volunteer_id, True, True)
    return volunteer_id


def plan_form(case: Case, **changes: Any) -> dict[str, Any]:
    """A search form for `case`: its last-seen point, in two hours, a 3×3 grid."""
    return {
        "police_liaison": "Inspector Peeters", "assembly_place": "Sint-Pietersplein",
        "assembly_lat": str(case.last_seen_lat), "assembly_lon": str(case.last_seen_lon),
        "assembly_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        "bring": "Boots, a torch", "briefing": BRIEFING, "coordinator": "An",
        "max_searchers": "10", "radius_km": "1", "grid": "3", **changes,
    }  # fmt: skip


async def field_search(db: Database, staff: Staff, case: Case, **changes: Any) -> Search:
    search, _ = await service.create(db, staff, case.id, parse_plan(plan_form(case, **changes)))
    return search
