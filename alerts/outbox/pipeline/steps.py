"""The steps of the pipeline's transitions (alerts.outbox.pipeline), each run inside the
transition's transaction in the order the transition writes, or after its commit."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.cases import levels
from alerts.cases.models import Case, CaseState, Consent
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout, withdrawal
from alerts.publication import materials


async def publish(tx: Database, settings: Settings, case: Case, consent: Consent) -> bool:
    """The steps of revision 1: the fan-out, then the materials; True when images wait for the
    commit."""
    await fanout.plan(tx, settings, case, consent)
    return await materials.publish_revision(tx, settings, case)


async def republish(tx: Database, settings: Settings, case: Case) -> bool:
    """The steps of revision N+1: the fan-out (edits and newly in reach), then the materials."""
    await fanout.plan_revision(tx, settings, case)
    return await materials.publish_revision(tx, settings, case)


async def narrow(tx: Database, case: Case, previous: Consent | None, consent: Consent) -> None:
    """Withdraw what `consent` no longer allows (only an active case has published anything)."""
    if case.state is CaseState.ACTIVE:
        await withdrawal.narrow(tx, case.id, previous, consent, datetime.now(UTC))


async def new_level(
    tx: Database, settings: Settings, case: Case, previous: Consent | None, consent: Consent
) -> Case:
    """`case` with a period of the consent's level begun, when an active case's level changed
    (alerts.cases.levels: each level runs for its LEVEL_MAX_HOURS)."""
    if case.state is not CaseState.ACTIVE or (previous and previous.level == consent.level):
        return case
    return await levels.start_period_in(
        tx, settings, case, consent.level, datetime.now(UTC), renewal=False
    )


def after_commit(db: Database, settings: Settings, case: Case | None, images: bool) -> None:
    if case is not None and images:
        materials.render_images_later(db, settings, case)
