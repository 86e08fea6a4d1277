"""Alerts that end unless renewed: how long each publication level runs, and its periods.

A level runs for at most LEVEL_MAX_HOURS from the moment it came into force (the approval, a
consent that changed the level, a renewal); a level not listed runs until the case closes. The
case's `level_expires_at` says when the level in force ends, `level_period` counts the periods
(each renewal starts the next one, and CAP identifiers carry it, so a renewal is an Update with
the new `expires`). LEVEL_REMINDER_HOURS before the end, the case's staff are reminded
(alerts.outbox.expiry). At the end without renewal, the level drops to its LEVEL_EXPIRES_TO and
what the lower level does not allow is withdrawn, as for any narrowing consent
(alerts.outbox.pipeline.expire_level). Renewing a level of LEVEL_RENEWAL_APPROVAL (the public
level by default) is a proposal that a second staff member approves; a lower level is renewed by
the case's staff alone, since it publishes nothing new to the wider public.

The functions ending in `_in` change a case inside the caller's transaction; only the pipeline
calls them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from alerts import errors
from alerts.cases import lifecycle
from alerts.cases.consent import LEVEL_INTERNAL
from alerts.cases.models import Case, CaseState, Consent
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import audit
from alerts.staff.models import Staff


def max_hours(settings: Settings, level: int) -> int | None:
    """How many hours `level` runs before it ends unless renewed; None: until the case closes."""
    hours = dict(settings.level_max_hours).get(level)
    return hours or None


def ends_at(settings: Settings, level: int, start: datetime) -> datetime | None:
    """When a period of `level` begun at `start` ends; None when the level does not end."""
    hours = max_hours(settings, level)
    return None if hours is None else start + timedelta(hours=hours)


def drops_to(settings: Settings, level: int) -> int:
    """The level `level` drops to at its end without renewal (one lower when not configured)."""
    lower = dict(settings.level_expires_to).get(level, level - 1)
    return max(LEVEL_INTERNAL, min(lower, level - 1))


def renewal_needs_approval(settings: Settings, level: int) -> bool:
    return level in settings.level_renewal_approval


def check_renewable(case: Case, staff: Staff | None, now: datetime) -> None:
    """Conflict or Forbidden when `staff` cannot renew the level of `case` now (without
    `staff`: when nobody can)."""
    if case.state is not CaseState.ACTIVE:
        raise errors.Conflict("Only an active case's level can be renewed.")
    if case.level_expires_at is None:
        raise errors.Conflict("The level in force does not end: there is nothing to renew.")
    if case.level_expires_at <= now:
        raise errors.Conflict("The level already ended; record the consent again instead.")
    if staff is None:
        return
    mine = staff.id in (case.created_by, case.submitted_by, case.approved_by)
    if not mine and not staff.is_supervisor:
        raise errors.Forbidden("Only the case's staff or a supervisor can renew its level.")


# -- the state changes (only alerts.outbox.pipeline calls them) ----------------------------------


async def start_period_in(
    tx: Database, settings: Settings, case: Case, level: int, now: datetime, *, renewal: bool
) -> Case:
    """`case` with a new period of `level` begun at `now` (a renewal counts the next period)."""
    row = await tx.fetchrow("start_level_period", case.id, ends_at(settings, level, now), renewal)
    assert row is not None
    return Case.from_row(row)


async def renew_in(
    tx: Database, settings: Settings, staff: Staff | None, case: Case, consent: Consent,
    now: datetime,
) -> Case:  # fmt: skip
    """The case with its level renewed from `now` (the checks are the caller's)."""
    renewed = await start_period_in(tx, settings, case, consent.level, now, renewal=True)
    await audit.record(
        tx, staff.id if staff else None, "level_renewed", case.id, level=consent.level,
        until=renewed.level_expires_at.isoformat() if renewed.level_expires_at else None,
    )  # fmt: skip
    return renewed


async def drop_level_in(
    tx: Database, settings: Settings, case_id: int, now: datetime
) -> tuple[Case, Consent, Consent] | None:
    """The case, its consent before and the consent recorded now at the lower level, when the
    level in force reached its end; None when it did not (renewed meanwhile, or closed)."""
    case = await lifecycle.get(tx, case_id, for_update=True)
    if case.state is not CaseState.ACTIVE or case.level_expires_at is None:
        return None
    if case.level_expires_at > now:
        return None
    previous = await lifecycle.current_consent(tx, case.id)
    if previous is None or not previous.in_force(now):
        # Nothing is published at a level any more: the consent's own end withdrew it.
        await start_period_in(tx, settings, case, LEVEL_INTERNAL, now, renewal=False)
        return None
    level = drops_to(settings, previous.level)
    row = await tx.fetchrow("copy_consent_at_level", previous.id, level)
    assert row is not None
    consent = Consent.from_row(row)
    await audit.record(tx, None, "level_expired", case.id, level=previous.level, to=level)
    case = await start_period_in(tx, settings, case, level, now, renewal=False)
    return case, previous, dataclasses.replace(consent)
