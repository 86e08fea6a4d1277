"""Retention: RETENTION_DAYS after a case closes, the child's personal data is purged.

Gone: the photos, the rendered posters and images, the Telegram file ids, the field searches
(check-ins, positions, sectors, messages), the sightings (what
tipsters wrote, their photos and contact details) and the bot's unfinished reports, the
revisions' snapshots, the volunteers' answers to the alert, the texts of the messages sent, the
volunteers' addresses and the addresses of posts made by hand in the registry, who gave the
consent, and the child's name, description and last-seen place on the case row. What stays is
a minimal record: the case's reference, kind and dates, the registry rows without texts or
addresses (what was published and how it ended), the audit log, and `purge_records` with the
counts of what was purged.

Each case is purged in one transaction; a case whose withdrawal has not finished waits (the
withdrawal needs the addresses), which the log says. `python run.py purge` runs it now; the
scheduler runs it daily. Running it again finds nothing more to do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import audit

log = logging.getLogger(__name__)

# What is purged, in order: (the count's name, the query that purges it and returns the count).
STEPS = (
    ("photos", "purge_photos"),
    ("proposals", "purge_proposals"),
    ("materials", "purge_materials"),
    ("telegram_files", "purge_telegram_files"),
    ("sightings", "purge_sightings"),
    ("sighting_drafts", "purge_sighting_drafts"),
    ("revision_snapshots", "purge_revisions"),
    ("message_texts_and_addresses", "purge_message_texts"),
    ("consent_details", "purge_consent_details"),
    ("cap_messages", "purge_cap_messages"),
    ("answers", "purge_answers"),
    ("searches", "purge_searches"),  # members, positions, sectors, finds, messages
    ("poster_rounds", "purge_poster_rounds"),  # members, places, messages
)


@dataclass(frozen=True, kw_only=True)
class Purged:
    """One case purged: its reference and how much of each kind of data went."""

    case_id: int
    reference: str
    counts: Mapping[str, int]


@dataclass(frozen=True, kw_only=True)
class PurgeReport:
    """What a purge run did: the cases purged, and those waiting for their withdrawal."""

    purged: tuple[Purged, ...]
    waiting: tuple[int, ...]

    def totals(self) -> dict[str, int]:
        """The counts over every case purged, and the number of cases."""
        totals = {"cases": len(self.purged)}
        for case in self.purged:
            for name, count in case.counts.items():
                totals[name] = totals.get(name, 0) + count
        return totals


async def purge(db: Database, settings: Settings) -> PurgeReport:
    """Purge every case closed more than RETENTION_DAYS ago and not purged yet."""
    due = await db.fetch("cases_due_for_purge", settings.retention_days)
    waiting = tuple(row["id"] for row in due if row["unfinished"])
    purged = []
    for row in due:
        if not row["unfinished"]:
            case = await purge_case(db, row["id"])
            if case is not None:
                purged.append(case)
    if waiting:
        log.warning("purge waits for withdrawals", extra={"action": "retention.waiting",
                                                          "cases": len(waiting)})  # fmt: skip
    report = PurgeReport(purged=tuple(purged), waiting=waiting)
    log.info("retention purge", extra={"action": "retention.purged", **report.totals()})
    return report


async def purge_case(db: Database, case_id: int) -> Purged | None:
    """Purge one closed case now (None when it is not closed or already purged)."""
    async with db.transaction() as tx:
        case = await tx.fetchrow("lock_case_for_purge", case_id)
        if case is None:
            return None
        counts = {name: int(await tx.fetchval(query, case_id)) for name, query in STEPS}
        await tx.execute("purge_case_fields", case_id)
        await tx.execute(
            "record_purge", case_id, case["reference"], case["kind"], case["close_reason"],
            case["approved_at"], case["closed_at"], json.dumps(counts),
        )  # fmt: skip
        await audit.record(tx, None, "case_purged", case_id, **counts)
    return Purged(case_id=case_id, reference=case["reference"], counts=counts)
