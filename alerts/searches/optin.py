"""A volunteer's opt-in to field searches: only with the confirmation that they are 18 or older
(a minor cannot join; the database refuses an opt-in without it too)."""

from __future__ import annotations

from alerts import errors
from alerts.db.database import Database
from alerts.i18n import N_

ADULTS_ONLY = N_("Field searches are for adults only: confirm that you are 18 or older.")


async def set_field_searches(db: Database, volunteer_id: int, on: bool, adult: bool) -> None:
    """Opt in (`on`, with `adult` confirmed) or out; InvalidInput for an opt-in without it."""
    if on and not adult:
        raise errors.InvalidInput(ADULTS_ONLY, field="adult")
    await db.execute("volunteer_set_field_searches", volunteer_id, on)


async def opted_in(db: Database, volunteer_id: int) -> bool:
    return bool(await db.fetchval("volunteer_field_searches", volunteer_id))
