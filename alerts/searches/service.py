"""What staff and volunteers do with a search, each in one transaction that locks the search
row first: create and call out, answer (the maximum held under concurrency by that lock), check
in and out, take and finish sectors, report a find, change, cancel or end it.

A volunteer acts only on a search they were called out to and while they are still opted in
and confirmed adult (`search_member`), so a minor never joins. Check-ins, sectors and finds need
the search open and its case active; a check-out is always possible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from alerts import errors
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.searches.models import Member, Plan, Search, Sector, grid
from alerts.sightings import contacts
from alerts.sightings import reports as sightings
from alerts.sightings.reports import Report
from alerts.staff import audit
from alerts.staff.models import Staff
from alerts.volunteers.pseudonyms import VOLUNTEER_TARGET, pseudonym

log = logging.getLogger(__name__)
ANSWERS = ("coming", "not_coming")
NOTIFIED_KINDS = ("changed", "cancelled", "ended")


async def create(db: Database, staff: Staff, case_id: int, plan: Plan) -> tuple[Search, int]:
    """A new search of an active case, its sectors, and the call-out queued to the volunteers
    in reach who opted in; the search and how many were called out."""
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "search_insert", case_id, plan.police_liaison, plan.assembly_place,
            plan.assembly_lat, plan.assembly_lon, plan.assembly_at, plan.bring, plan.briefing,
            plan.coordinator, plan.max_searchers, staff.id,
        )  # fmt: skip
        if row is None:
            raise errors.Conflict("A search can only be organised for an active case.")
        search = Search.from_row(row)
        for label, box in grid(plan.assembly_lat, plan.assembly_lon, plan.radius_km, plan.grid):
            await tx.execute("search_sector_insert", search.id, label, *box)
        called: int = await tx.fetchval("search_call_out", search.id)
        await audit.record(tx, staff.id, "search_created", case_id, search=search.id,
                           called=called, max_searchers=plan.max_searchers)  # fmt: skip
    log.info("search created", extra={"action": "search_created", "search": search.id,
                                      "called": called})  # fmt: skip
    return search, called


async def get(db: Database, search_id: int) -> Search:
    row = await db.fetchrow("search_by_id", search_id)
    if row is None:
        raise errors.NotFound("No such search.")
    return Search.from_row(row)


async def of_case(db: Database, case_id: int) -> list[Search]:
    return [Search.from_row(r) for r in await db.fetch("searches_of_case", case_id)]


async def _locked(tx: Database, search_id: int) -> Search:
    row = await tx.fetchrow("search_lock", search_id)
    if row is None:
        raise errors.NotFound("No such search.")
    return Search.from_row(row)


async def _member(tx: Database, search_id: int, volunteer_id: int) -> Member:
    row = await tx.fetchrow("search_member", search_id, volunteer_id)
    if row is None:
        raise errors.Forbidden("You are not called out for this search.")
    return Member.from_row(row)


def _require_open(search: Search) -> None:
    if search.case_state != "active":
        raise errors.Gone("The appeal for this child has ended: the search is over.")
    if search.state != "open":
        raise errors.Gone("This search has ended or was cancelled.")


async def member_of(db: Database, search_id: int, volunteer_id: int) -> Member:
    """The volunteer's place in the search; Forbidden when they were not called out or are no
    longer opted in (a minor never is)."""
    return await _member(db, search_id, volunteer_id)


async def answer(db: Database, search_id: int, volunteer_id: int, choice: str) -> Member:
    """Record a volunteer's answer; Conflict when the search is full."""
    if choice not in ANSWERS:
        raise errors.InvalidInput("Choose coming or not coming.", field="answer")
    async with db.transaction() as tx:
        search = await _locked(tx, search_id)
        _require_open(search)
        member = await _member(tx, search_id, volunteer_id)
        await _answer_in(tx, search, member, choice)
        return await _member(tx, search_id, volunteer_id)


async def _answer_in(tx: Database, search: Search, member: Member, choice: str) -> None:
    if choice == member.answer:
        return
    if choice == "coming" and search.coming >= search.max_searchers:
        raise errors.Conflict("The search is full: thank you, no more searchers are needed.")
    delta = 1 if choice == "coming" else (-1 if member.answer == "coming" else 0)
    if delta:
        await tx.execute("search_set_coming", search.id, delta)
    await tx.execute("search_member_answer", member.id, choice)


async def check_in(
    db: Database, search_id: int, volunteer_id: int, point: tuple[float, float] | None
) -> None:
    """Check in at the assembly point (answering coming if not yet, within the maximum), with
    the searcher's position when given; Gone when the search or the case has ended."""
    lat, lon = point if point else (None, None)
    async with db.transaction() as tx:
        search = await _locked(tx, search_id)
        _require_open(search)
        member = await _member(tx, search_id, volunteer_id)
        await _answer_in(tx, search, member, "coming")
        await tx.execute("search_member_check_in", member.id, lat, lon)


async def check_out(db: Database, search_id: int, volunteer_id: int) -> None:
    """Check out (also after the end) and forget the position."""
    async with db.transaction() as tx:
        await _locked(tx, search_id)
        member = await _member(tx, search_id, volunteer_id)
        if not member.checked_in:
            raise errors.Conflict("You are not checked in.")
        await tx.execute("search_member_check_out", member.id)


async def _checked_in(tx: Database, search_id: int, volunteer_id: int) -> tuple[Search, Member]:
    search = await _locked(tx, search_id)
    _require_open(search)
    member = await _member(tx, search_id, volunteer_id)
    if not member.checked_in:
        raise errors.Conflict("Check in at the assembly point first.")
    return search, member


async def take_sector(db: Database, search_id: int, volunteer_id: int, sector_id: int) -> None:
    """A team leader gives a sector to their team."""
    async with db.transaction() as tx:
        _, member = await _checked_in(tx, search_id, volunteer_id)
        if not member.team_leader:
            raise errors.Forbidden("Only a team leader assigns sectors.")
        if await tx.fetchval("search_sector_assign", search_id, sector_id, member.id) is None:
            raise errors.NotFound("No such sector.")


async def sector_searched(db: Database, search_id: int, volunteer_id: int, sector_id: int) -> None:
    """A searcher marks a sector searched."""
    async with db.transaction() as tx:
        _, member = await _checked_in(tx, search_id, volunteer_id)
        if await tx.fetchval("search_sector_searched", search_id, sector_id, member.id) is None:
            raise errors.NotFound("No such sector.")


async def report_find(
    db: Database, search_id: int, volunteer_id: int, report: Report, *, lang: str, client: str
) -> sightings.Receipt:
    """A find (what, where, a photo) stored as a sighting of the case, linked to the search."""
    async with db.transaction() as tx:
        search, member = await _checked_in(tx, search_id, volunteer_id)
        receipt = await sightings.store(tx, search.case_public_id, report, source="web",
                                        language=lang, client=client)  # fmt: skip
        await tx.execute("search_find_insert", receipt.id, search_id, member.id)
    log.info("search find reported", extra={"action": "search_find", "search": search_id})
    return receipt


async def set_leader(db: Database, staff: Staff, search_id: int, member_id: int, on: bool) -> None:
    """Staff make a member a team leader (or not)."""
    async with db.transaction() as tx:
        search = await _locked(tx, search_id)
        if await tx.fetchval("search_member_leader", search_id, member_id, on) is None:
            raise errors.NotFound("No such searcher.")
        await audit.record(tx, staff.id, "search_leader_set", search.case_id,
                           search=search_id, member=member_id, leader=on)  # fmt: skip


async def change(
    db: Database,
    staff: Staff | None,
    search_id: int,
    *,
    when: datetime | None = None,
    place: tuple[str, float, float] | None = None,
    state: str | None = None,
) -> int:
    """A new time, a new place, a cancellation or the end; those who answered coming (and, at
    the end, those still checked in) are told. How many messages were queued."""
    async with db.transaction() as tx:
        search = await _locked(tx, search_id)
        if search.state != "open":
            raise errors.Conflict("This search has ended or was cancelled.")
        name, lat, lon = place or (search.assembly_place, search.assembly_lat,
                                   search.assembly_lon)  # fmt: skip
        new_state = state or "open"
        await tx.execute("search_change", search_id, when or search.assembly_at, name, lat, lon,
                         new_state)  # fmt: skip
        kind = {"open": "changed", "cancelled": "cancelled", "ended": "ended"}[new_state]
        queued: int = await tx.fetchval("search_notify", search_id, kind, kind == "ended")
        action = (
            "search_changed" if kind == "changed"
            else "search_cancelled" if kind == "cancelled" else "search_ended"
        )  # fmt: skip
        await audit.record(tx, staff.id if staff else None, action, search.case_id,
                           search=search_id, told=queued)  # fmt: skip
    return queued


async def end_for_case(db: Database, case_id: int) -> int:
    """The hook for a case's close: end its open searches and ask whoever answered or checked in
    to check out. How many messages were queued."""
    queued = 0
    for row in await db.fetch("searches_open_of_case", case_id):
        try:
            queued += await change(db, None, row["id"], state="ended")
        except errors.Conflict:
            continue  # ended meanwhile
    return queued


# -- the board ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Searcher:
    """A member as staff see them: a pseudonym, never an address."""

    id: int
    name: str
    answer: str | None
    team_leader: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    lat: float | None
    lon: float | None

    @property
    def out(self) -> bool:
        """Checked in and not out."""
        return self.checked_in_at is not None and self.checked_out_at is None


@dataclass(frozen=True, kw_only=True)
class Board:
    search: Search
    searchers: list[Searcher]
    sectors: list[Sector]
    finds: list[dict[str, object]]

    def count(self, answer: str) -> int:
        return sum(1 for s in self.searchers if s.answer == answer)

    @property
    def not_checked_out(self) -> list[Searcher]:
        return [s for s in self.searchers if s.out] if self.search.state != "open" else []


async def board(
    db: Database, settings: Settings, staff: Staff, case: Case, search: Search
) -> Board:
    """The live board of a search for the case's staff only (positions are personal data)."""
    if search.case_id != case.id or not contacts.may_read(staff, case):
        raise errors.Forbidden("Only the staff of this case see its searchers.")
    members = await db.fetch("search_members", search.id)
    searchers = [
        Searcher(
            id=m["id"],
            name=pseudonym(settings, f"{VOLUNTEER_TARGET}{m['volunteer_id']}"),
            answer=m["answer"],
            team_leader=m["team_leader"],
            checked_in_at=m["checked_in_at"],
            checked_out_at=m["checked_out_at"],
            lat=m["lat"],
            lon=m["lon"],
        )  # fmt: skip
        for m in members
    ]
    sectors = [Sector.from_row(r) for r in await db.fetch("search_sectors", search.id)]
    finds = [dict(r) for r in await db.fetch("search_finds", search.id)]
    return Board(search=search, searchers=searchers, sectors=sectors, finds=finds)


async def sectors(db: Database, search_id: int) -> list[Sector]:
    return [Sector.from_row(r) for r in await db.fetch("search_sectors", search_id)]
