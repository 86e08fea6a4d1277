"""Levels that end unless renewed (alerts.cases.levels): renew a level, and drop the levels
that reached their end without renewal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alerts import errors
from alerts.cases import levels, lifecycle, proposals
from alerts.cases.models import Case
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
from alerts.db.retry import retried
from alerts.outbox.pipeline import steps
from alerts.staff.models import Staff


@retried
async def renew(db: Database, settings: Settings, staff: Staff, case_id: int) -> Case | Proposal:
    """The case with the level in force renewed for another LEVEL_MAX_HOURS; for a level of
    LEVEL_RENEWAL_APPROVAL, a proposal that another staff member approves instead."""
    async with db.transaction() as tx:
        case = await lifecycle.get(tx, case_id, for_update=True)
        levels.check_renewable(case, staff, datetime.now(UTC))
        consent = await lifecycle.current_consent(tx, case.id)
        assert consent is not None  # an active case's level ends only with a consent in force
        if levels.renewal_needs_approval(settings, consent.level):
            return await proposals.propose_renewal_in(tx, staff, case, consent.level)
        return await apply_renewal(tx, settings, staff, case_id, level=consent.level)


async def apply_renewal(
    tx: Database, settings: Settings, staff: Staff, case_id: int, *, level: Any
) -> Case:
    """Renew the case's `level` (checked again: an approved renewal may have waited, and the
    level may have ended or changed meanwhile)."""
    case = await lifecycle.get(tx, case_id, for_update=True)
    now = datetime.now(UTC)
    levels.check_renewable(case, None, now)
    consent = await lifecycle.current_consent(tx, case.id)
    assert consent is not None
    if consent.level != level:
        raise errors.Conflict("The level changed since this renewal was asked for.")
    return await levels.renew_in(tx, settings, staff, case, consent, now)


async def expire_levels(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Every active case whose level reached its end without renewal, dropped to the lower
    level (a transaction per case); the cases dropped."""
    now = now or datetime.now(UTC)
    dropped = 0
    for row in await db.fetch("levels_ended", now):
        dropped += await _expire_level(db, settings, row["id"], now)
    return dropped


@retried
async def _expire_level(db: Database, settings: Settings, case_id: int, now: datetime) -> int:
    async with db.transaction() as tx:
        ended = await levels.drop_level_in(tx, settings, case_id, now)
        if ended is None:
            return 0
        case, previous, consent = ended
        await steps.narrow(tx, case, previous, consent)
        revised = await lifecycle.revise_for_consent_in(tx, None, case, previous, consent)
        images = revised is not None and await steps.republish(tx, settings, revised)
    steps.after_commit(db, settings, revised, images)
    return 1
