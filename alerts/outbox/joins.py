"""Joining during an alert: a volunteer who signs up, confirms, comes back or moves an area
while a case near them is active gets that alert.

Triggers of migration 0028 write a `fanout_joins` row in the transaction of the change (every
way in: the bot, the e-mail sign-up, the data page) and wake the dispatchers. A dispatcher
takes one row at a time (`FOR UPDATE SKIP LOCKED`, deleted in the transaction that plans it, so
a crash loses nobody) and, for each active case whose last-seen point is within reach of one of
the volunteer's areas and which never sent them anything, plans a batch of one with the
channels the case's consent allows now and its level's quiet-hours rule, as the fan-out does
(`alerts.outbox.fanout.plan`). The expansion then makes the rows as for any batch: only while
the case is active at that revision, only to a volunteer still active and reachable there,
after their quiet hours, and never twice (the rows' idempotency key).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from alerts.cases import lifecycle as cases
from alerts.cases.consent import LEVEL_PUBLIC, allows, effective_level
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox.fanout import VOLUNTEER_CHANNELS, enabled_channels

log = logging.getLogger(__name__)
_SEQ_SPAN = 2_000_000_000


async def plan(db: Database, settings: Settings) -> int:
    """Plan the active alerts for the volunteers who joined, one transaction each, until none
    waits; how many joins were taken."""
    taken = 0
    while True:
        async with db.transaction() as tx:
            join = await tx.fetchrow("take_fanout_join")
            if join is None:
                return taken
            taken += 1
            planned = await _plan_one(tx, settings, join["id"], join["volunteer_id"])
        if planned:
            log.info("alert planned for a volunteer who joined",
                     extra={"action": "fanout.joined", "cases": planned})  # fmt: skip


async def _plan_one(tx: Database, settings: Settings, join_id: int, volunteer_id: int) -> int:
    now = datetime.now(UTC)
    enabled = enabled_channels(settings)
    planned = 0
    for row in await tx.fetch("cases_for_join", volunteer_id):
        case = await cases.get(tx, row["id"])
        consent = await cases.current_consent(tx, case.id)
        direct = [c for c in VOLUNTEER_CHANNELS if c in enabled and allows(consent, c, now)]
        if not direct:
            continue
        override_quiet = effective_level(consent, now) >= LEVEL_PUBLIC
        seq = -1 - join_id % _SEQ_SPAN
        await tx.execute("plan_join", case.id, case.revision, direct, volunteer_id,
                         row["distance"], seq, override_quiet)  # fmt: skip
        planned += 1
    return planned
