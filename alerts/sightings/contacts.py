"""Who reads a tipster's contact details: the staff assigned to the case and supervisors.

The data model has no assignment table: the staff member who created the case, the one who
submitted it and the one who approved it count as assigned. Supervisors and admins read every
case's contacts. Everyone else sees that a sighting came with a contact, not what it is. Every
read that shows a contact is in the audit log: who, when, which sightings, through what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from alerts.cases.models import Case
from alerts.db.database import Database
from alerts.sightings.reports import Sighting
from alerts.staff import audit
from alerts.staff.models import Staff


def assigned(case: Case) -> frozenset[int]:
    """The staff assigned to a case: its creator, submitter and approver."""
    return frozenset(i for i in (case.created_by, case.submitted_by, case.approved_by) if i)


def may_read(staff: Staff, case: Case) -> bool:
    """Whether `staff` may read the tipsters' contact details of `case`."""
    return staff.is_supervisor or staff.id in assigned(case)


@dataclass(frozen=True, kw_only=True)
class Shown:
    """Sightings as one staff member may read them, and which carry a contact withheld."""

    sightings: list[Sighting]
    withheld: frozenset[int]


async def for_staff(
    db: Database, staff: Staff, case: Case, found: Sequence[Sighting], via: str
) -> Shown:
    """`found` (sightings of `case`) as `staff` may read them. Shown contacts are audited
    (`via`: the page, its poll, the API, an export, a triage answer)."""
    with_contact = [s for s in found if not s.anonymous]
    if may_read(staff, case):
        if with_contact:
            await audit.record(
                db, staff.id, "tipster_contact_read", case.id, via=via,
                sightings=[s.reference for s in with_contact],
            )  # fmt: skip
        return Shown(sightings=list(found), withheld=frozenset())
    hidden = [
        replace(s, contact_name=None, contact_phone=None, contact_email=None)
        if not s.anonymous else s
        for s in found
    ]  # fmt: skip
    return Shown(sightings=hidden, withheld=frozenset(s.id for s in with_contact))
