"""Helpers of the field-search tests: volunteers who opted in, a search of a case, one under
way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.cases.models import Case
from alerts.db.database import Database
from alerts.searches import optin, service
from alerts.searches.models import Search, parse_plan
from alerts.sightings.reports import Receipt, Report
from alerts.staff.models import Staff
from tests.support.dispatch import GENT, add_volunteer, moved

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


async def search_under_way(
    db: Database,
    staff: Staff,
    case: Case,
    *,
    at: tuple[float, float],
    find_at: tuple[float, float],
    sectors: tuple[int, int] = (0, 1),
) -> tuple[Search, int, Receipt]:
    """A search of `case` whose team leader checked in at `at`, took the sector of index
    `sectors[0]` for their team, marked `sectors[1]` searched and reported a find at `find_at`:
    the search, the leader (a volunteer id) and the find."""
    leader = await searcher(db, moved(GENT, 2), email="leader@example.org")
    search = await field_search(db, staff, case)
    await service.check_in(db, search.id, leader, at)
    member = await service.member_of(db, search.id, leader)
    await service.set_leader(db, staff, search.id, member.id, True)
    grid = await service.sectors(db, search.id)
    await service.take_sector(db, search.id, leader, grid[sectors[0]].id)
    await service.sector_searched(db, search.id, leader, grid[sectors[1]].id)
    assert case.last_seen_at is not None
    find = Report(
        seen_at=case.last_seen_at, place="", lat=find_at[0], lon=find_at[1],
        point_source="device", seen="a red scarf by the water", direction="", companions="",
        contact_name=None, contact_phone=None, contact_email=None,
    )  # fmt: skip
    receipt = await service.report_find(db, search.id, leader, find, lang="nl", client="t")
    return search, leader, receipt
