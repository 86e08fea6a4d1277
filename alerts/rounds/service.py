"""What staff and volunteers do with a poster round, each in one transaction that locks the
round row first: start and invite, accept (the zone: the lowest number nobody holds, taken under
that lock) or decline, record a place, confirm a replacement or a removal, mark a place for
manual action; and the sweep and the reminders that move rounds on.

A volunteer acts only on a round they were asked to and while they are active. Posters go up
only while the round is open and its case active; a removal is always possible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from alerts import errors
from alerts.cases import lifecycle
from alerts.cases.models import Case, CaseState
from alerts.cases.publicity import view_for
from alerts.cases.widening import fingerprint
from alerts.channels import mailer
from alerts.channels.staff_mail import console_link, mail_case_staff
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import gettext
from alerts.rounds.models import Member, Place, Round, Zone, zone
from alerts.sightings import contacts
from alerts.staff import audit
from alerts.staff.models import Staff
from alerts.volunteers.pseudonyms import VOLUNTEER_TARGET, pseudonym

log = logging.getLogger(__name__)
ANSWERS = ("accepted", "declined")
MAX_REASON = 500


async def poster_fingerprint(db: Database, settings: Settings, case: Case) -> str:
    """The fingerprint of what the case's poster shows; NotPublishable when the consent does not
    allow posters (below level 2, revoked, ended)."""
    return fingerprint({"poster": await view_for(db, settings, case, "poster")})


async def start(
    db: Database, settings: Settings, staff: Staff, case_id: int, radius_km: float
) -> tuple[Round, int]:
    """A new round around the case's last-seen place and the invitations queued to the
    volunteers in reach who opted in; the round and how many were asked."""
    async with db.transaction() as tx:
        case = await lifecycle.get(tx, case_id, for_update=True)
        if not contacts.may_read(staff, case):
            raise errors.Forbidden("Only the staff of this case organise its poster rounds.")
        if case.state is not CaseState.ACTIVE:
            raise errors.Conflict("A poster round can only be started for an active case.")
        if case.last_seen_lat is None or case.last_seen_lon is None:
            raise errors.Conflict("The case has no place on the map to put posters up around.")
        try:
            printed = await poster_fingerprint(tx, settings, case)
        except errors.NotPublishable:
            raise errors.Conflict(
                "The consent of this case does not allow posters (level 2 or more)."
            ) from None
        row = await tx.fetchrow("round_insert", case.id, case.last_seen_lat, case.last_seen_lon,
                                radius_km, printed, case.revision, staff.id)  # fmt: skip
        assert row is not None  # an INSERT … RETURNING
        started = Round.from_row(row)
        asked: int = await tx.fetchval("round_invite", started.id)
        await audit.record(tx, staff.id, "poster_round_started", case.id, round=started.id,
                           asked=asked)  # fmt: skip
    log.info("poster round started", extra={"action": "poster_round_started",
                                            "round": started.id, "asked": asked})  # fmt: skip
    return await get(db, started.id), asked


async def get(db: Database, round_id: int) -> Round:
    row = await db.fetchrow("round_by_id", round_id)
    if row is None:
        raise errors.NotFound("No such poster round.")
    return Round.from_row(row)


async def of_case(db: Database, case_id: int) -> list[Round]:
    return [Round.from_row(r) for r in await db.fetch("rounds_of_case", case_id)]


async def _locked(tx: Database, round_id: int) -> Round:
    row = await tx.fetchrow("round_lock", round_id)
    if row is None:
        raise errors.NotFound("No such poster round.")
    return Round.from_row(row)


async def member_of(db: Database, round_id: int, volunteer_id: int) -> Member:
    """The volunteer's place in the round; Forbidden when they were not asked."""
    row = await db.fetchrow("round_member", round_id, volunteer_id)
    if row is None:
        raise errors.Forbidden("You were not asked for this poster round.")
    return Member.from_row(row)


def _require_open(found: Round) -> None:
    if found.case_state != "active" or found.state != "open":
        raise errors.Gone("The appeal for this child has ended: please put no posters up.")


async def answer(db: Database, round_id: int, volunteer_id: int, choice: str) -> Member:
    """Accept (and get a zone nobody else holds) or decline."""
    if choice not in ANSWERS:
        raise errors.InvalidInput("Choose whether you put posters up.", field="answer")
    async with db.transaction() as tx:
        found = await _locked(tx, round_id)
        _require_open(found)
        member = await member_of(tx, round_id, volunteer_id)
        if choice == "accepted":
            await tx.execute("round_member_accept", member.id, round_id)
        else:
            await tx.execute("round_member_decline", member.id)
        return await member_of(tx, round_id, volunteer_id)


def zone_of(found: Round, member: Member) -> Zone | None:
    return None if member.zone is None else zone(member.zone, found.lat, found.lon,
                                                 found.radius_km)  # fmt: skip


async def put_up(
    db: Database, round_id: int, volunteer_id: int, point: tuple[float, float], count: int
) -> int:
    """Record `count` posters put up at `point` by a volunteer who accepted; the place's id."""
    async with db.transaction() as tx:
        found = await _locked(tx, round_id)
        _require_open(found)
        member = await member_of(tx, round_id, volunteer_id)
        if member.answer != "accepted":
            raise errors.Conflict("Accept the poster round first.")
        place_id: int = await tx.fetchval("poster_place_insert", round_id, member.id, *point, count)
    log.info("posters put up", extra={"action": "posters_put_up", "round": round_id})
    return place_id


async def set_count(
    db: Database, round_id: int, volunteer_id: int, place_id: int, count: int
) -> None:
    member = await member_of(db, round_id, volunteer_id)
    if await db.fetchval("poster_place_count", place_id, member.id, count) is None:
        raise errors.NotFound("No such place of yours.")


async def replaced(db: Database, round_id: int, volunteer_id: int) -> None:
    """The volunteer confirms their posters show the new version."""
    member = await member_of(db, round_id, volunteer_id)
    if await db.fetchval("round_member_replaced", member.id) is None:
        raise errors.Conflict("There is nothing to replace.")


async def removed(db: Database, round_id: int, volunteer_id: int, place_id: int) -> None:
    """The volunteer confirms the posters of one of their places are down (at any time)."""
    async with db.transaction() as tx:
        await _locked(tx, round_id)
        member = await member_of(tx, round_id, volunteer_id)
        if await tx.fetchval("poster_place_removed", place_id, member.id) is None:
            raise errors.NotFound("No such place of yours.")
        await tx.fetchval("round_finish", round_id)


async def places_of(db: Database, member: Member) -> list[Place]:
    return [Place.from_row(r) for r in await db.fetch("poster_places_of_member", member.id)]


async def mark_manual(
    db: Database, staff: Staff, case: Case, round_id: int, place_id: int, reason: object
) -> None:
    """Staff hand a place still up to a person, with the reason (audited)."""
    if not contacts.may_read(staff, case):
        raise errors.Forbidden("Only the staff of this case see its poster places.")
    why = reason.strip() if isinstance(reason, str) else ""
    if not why or len(why) > MAX_REASON:
        raise errors.InvalidInput("Say why this place needs a person (at most 500 characters).",
                                  field="reason")  # fmt: skip
    async with db.transaction() as tx:
        found = await _locked(tx, round_id)
        if found.case_id != case.id:
            raise errors.NotFound("No such poster round.")
        if await tx.fetchval("poster_place_manual", place_id, round_id, staff.id, why) is None:
            raise errors.Conflict("Only a place whose posters are still up can be marked.")
        await tx.fetchval("round_finish", round_id)
        await audit.record(tx, staff.id, "poster_place_manual", case.id, round=round_id,
                           place=place_id, reason=why)  # fmt: skip


# -- what moves rounds on -------------------------------------------------------------------------


async def sweep(db: Database, settings: Settings) -> dict[str, int]:
    """Rounds whose case closed or whose consent no longer allows posters come down (a takedown
    task to each who has posters up); a revision that changes the poster asks each to replace
    theirs; rounds whose places are all down are done. What was queued."""
    out = {"takedown": 0, "replace": 0}
    for row in await db.fetch("rounds_to_check"):
        found = Round.from_row(row)
        if found.state == "open":
            printed = None
            if found.case_state == "active":
                try:
                    case = await lifecycle.get(db, found.case_id)
                    printed = await poster_fingerprint(db, settings, case)
                except errors.NotPublishable:
                    printed = None
            if printed is None:
                out["takedown"] += await db.fetchval("round_take_down", found.id)
            elif printed != found.fingerprint:
                out["replace"] += await db.fetchval("round_ask_replace", found.id, printed,
                                                    row["case_revision"])  # fmt: skip
        await db.fetchval("round_finish", found.id)
    return out


async def remind(db: Database, settings: Settings) -> dict[str, int]:
    """The scheduler's job: remind who has posters up POSTER_REMINDER_HOURS after the takedown
    task, and report to the case's staff what is still up POSTER_REPORT_HOURS after the
    reminder (an e-mail to each with an address; the case's page shows it too)."""
    reminded = await db.fetchval("takedowns_remind", settings.poster_reminder_hours)
    reported = 0
    for case in await db.fetch("takedowns_report", settings.poster_report_hours):
        reported += case["places"]
        log.warning("posters still up reported", extra={"action": "posters_reported",
                                                        "places": case["places"]})  # fmt: skip

        def compose(to: str, case: Any = case) -> EmailMessage:
            return still_up(settings, case["id"], case["reference"], case["places"], to)

        await mail_case_staff(db, settings, case, compose, "posters.report_failed")
    return {"reminded": reminded, "reported": reported}


def still_up(
    settings: Settings, case_id: int, reference: str, places: int, to: str
) -> EmailMessage:
    """The report to one staff member, in the current language: how many places of the case's
    poster rounds nobody confirmed taken down, and where to hand them to a person."""
    subject = gettext("Case %(reference)s: poster places not confirmed taken down: %(count)s",
                      reference=reference, count=places)  # fmt: skip
    text = "\n\n".join([
        gettext("The volunteers were asked to take these posters down and reminded; nobody "
                "confirmed the removal. Until each place is removed or marked for a person "
                "with the reason, the case is not fully withdrawn."),
        gettext("The places, on the case's poster page:"),
        console_link(settings, case_id, "posters"),
    ])  # fmt: skip
    return mailer.build_message(settings, to, subject, text + "\n")


# -- for staff ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PosterCounts:
    """Physical posters of a case, as the withdrawal report counts them."""

    up: int
    removed: int
    manual: int
    outstanding: int
    reported: int

    @property
    def withdrawn(self) -> bool:
        return self.outstanding == 0


async def counts(db: Database, case_id: int) -> PosterCounts:
    row = await db.fetchrow("poster_counts_of_case", case_id)
    assert row is not None  # an aggregate: always one row
    return PosterCounts(**dict(row))


@dataclass(frozen=True, kw_only=True)
class ShownPlace:
    """A place as staff see it: where, how many, who by pseudonym (never an address)."""

    place: Place
    volunteer: str
    zone: str


@dataclass(frozen=True, kw_only=True)
class Overview:
    round: Round
    asked: int
    accepted: int
    declined: int
    must_replace: int
    places: list[ShownPlace]
    zones: list[int]  # the zones volunteers hold, for the map

    @property
    def posters_up(self) -> int:
        return sum(p.place.count for p in self.places if p.place.up)


async def overview(
    db: Database, settings: Settings, staff: Staff, case: Case, found: Round
) -> Overview:
    """A round with its places, for the case's staff only (the places are where volunteers went)."""
    if found.case_id != case.id or not contacts.may_read(staff, case):
        raise errors.Forbidden("Only the staff of this case see its poster places.")
    members = [Member.from_row(r) for r in await db.fetch("round_members", found.id)]
    places = []
    for row in await db.fetch("poster_places_of_round", found.id):
        who = row["volunteer_id"]
        name = pseudonym(settings, f"{VOLUNTEER_TARGET}{who}") if who is not None else "–"
        label = zone(row["zone"], found.lat, found.lon, found.radius_km).label \
            if row["zone"] is not None else "–"  # fmt: skip
        places.append(ShownPlace(place=Place.from_row(row), volunteer=name, zone=label))
    return Overview(
        round=found, asked=len(members),
        accepted=sum(1 for m in members if m.answer == "accepted"),
        declined=sum(1 for m in members if m.answer == "declined"),
        must_replace=sum(1 for m in members if m.must_replace), places=places,
        zones=sorted(m.zone for m in members if m.zone is not None),
    )  # fmt: skip
