"""Planning the fan-out: who hears of a case, on which channel, in which order.

Planning writes the outbox (publication rows, and for large fan-outs batches of matched
volunteers) inside the transaction that approves, revises or closes the case (steps of
alerts.outbox.pipeline), then wakes the dispatchers with a NOTIFY that PostgreSQL delivers at
commit. Each row's idempotency key (case, revision, channel, target) is under a unique
constraint and every insert is `ON CONFLICT DO NOTHING`, so planning the same revision twice
adds nothing.

- The approval matches only the nearest volunteers (`plan_nearest_volunteers`), read straight
  from a nearest-neighbour (KNN) index on the areas' points, a bounded number of areas whatever
  the fan-out's size: within both the area's radius and the case's search radius, each
  volunteer once (their nearest area), the nearest FIRST_BATCH of them, which become
  publication rows, one per volunteer and channel with the distance as `sort_key`, in the
  same transaction. The rest of the matching is left to the dispatchers (a `fanout_matches`
  row holding the key, distance and id, of the last volunteer matched): after the commit one
  of them matches every volunteer beyond that key (`plan_volunteers`: a bounding box on the
  (lat, lon) index first, the exact great-circle distance after) and writes them nearest first
  in batches of FANOUT_BATCH_SIZE (`fanout_batches`), deleting the row in the same transaction,
  so that a process dying mid-matching loses nobody (`match_rest`); then the dispatchers turn
  the batches into rows, a batch per transaction, nearest first (`expand`). The first message
  does not wait for the millionth volunteer to be matched, and the rows are made far faster
  than any channel sends them. A volunteer who opts out before their batch is turned into rows
  gets nothing. A volunteer in quiet hours gets the message when they end, unless the case is
  public (level 3: an abduction overrides them).
- Regional Telegram channels whose circle holds the last-seen point get a post (level 2 and up);
  partner webhooks get every public case (level 3).
- A revision (update or photo of an active case) queues revision N+1 for everyone in reach and,
  linked to it, for everyone who already holds a message of an earlier revision: the dispatcher
  edits that message in place. Unsent rows of earlier revisions are cancelled.
- Closing only changes the case's state (O(1): `stop` wakes the dispatchers); from its commit
  no claim sends the case (the claim reads its state), and the dispatchers' sweep (`end_closed`,
  read from the case's state, so it survives a crash) drops the batches, cancels every unsent
  row and marks every sent one for withdrawal, a chunk per transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.consent import LEVEL_PUBLIC, allows, effective_level
from alerts.cases.models import Case, CaseState, Consent
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import audit
from alerts.staff.models import Staff

log = logging.getLogger(__name__)

VOLUNTEER_CHANNELS = ("telegram_dm", "email")
# What the dispatcher sends; the other rows of the registry (pages, posters, feeds, press) are
# published by their own code.
DISPATCH_CHANNELS = ("telegram_dm", "telegram_channel", "email", "webhook", "peer")
NOTIFY_CHANNEL = "alerts_dispatch"
# The approval reads this many areas per volunteer of the first batch from the KNN index: enough
# for the nearest batch where volunteers have a few areas each; where it is not, the approval
# queues fewer and the dispatchers match the others (plan_nearest_volunteers proves its cut).
NEAREST_AREAS_PER_VOLUNTEER = 4
# The approval queues at most this many of the nearest (and FANOUT_BATCH_SIZE if smaller): the
# same work for 100 volunteers in reach as for a million, and seconds of sending at any rate.
FIRST_BATCH = 100
# A matching left by an approval starts this many seconds after the approval wrote it (most of
# them pass in the approval's own transaction): the first messages are claimed and sent first,
# without a large matching beside them (at 30 messages/s the first 100 last three seconds; at
# the paid 1,000/s the rest of a large fan-out follows after the matching, seconds for a million).
MATCH_AFTER = 0.5


def enabled_channels(settings: Settings) -> frozenset[str]:
    """The channels this service is configured to send on."""
    enabled = {"webhook", "peer"}
    if settings.telegram_bot_token:
        enabled |= {"telegram_dm", "telegram_channel"}
    if settings.smtp_url:
        enabled.add("email")
    return frozenset(enabled)


async def stop(db: Database, case: Case) -> None:
    """Inside the close's transaction, in O(1) whatever the fan-out's size: wake the dispatchers
    (at the commit) so that they stop sending the case and end its rows (`end_closed`). The
    rows are not touched here: the closed state, committed, is what every send checks and what
    the sweep reads, so nothing is lost if the process dies right after the commit."""
    await db.execute("notify_dispatchers", f"closed {case.id}")
    log.info("fan-out stopped", extra={"action": "fanout.closed", "case_id": case.id})


async def end_closed(
    db: Database,
    case_id: int | None = None,
    *,
    chunk: int = 5_000,
    rounds: int | None = None,
    batches: int | None = None,
) -> Ended:
    """The sweep after a close (every dispatcher's, on the close's NOTIFY and at each poll, and
    the close's own first round): for `case_id`, else every case closed in the last day, its
    batches forgotten (up to `batches`), then up to `chunk` rows a round ended - unsent rows
    cancelled, sent rows marked `withdrawing` - a transaction per round, until none is left or
    after `rounds`. Rows another transaction holds are skipped (a send being recorded: the
    next sweep finds it). What was ended."""
    if case_id is None:
        ids = [r["id"] for r in await db.fetch("closed_cases_to_sweep")]
    else:
        ids = [case_id]
    dropped = cancelled = withdrawing = 0
    for case in ids:
        dropped += int(await db.fetchval("drop_closed_fanout_batches", case, batches))
        done = 0
        while rounds is None or done < rounds:
            done += 1
            row = await db.fetchrow("end_closed_outbox", case, chunk)
            assert row is not None
            cancelled += row["cancelled"]
            withdrawing += row["withdrawing"]
            if row["cancelled"] + row["withdrawing"] < chunk:
                break
    ended = Ended(batches=dropped, cancelled=cancelled, withdrawing=withdrawing)
    if withdrawing:
        await db.execute("notify_dispatchers", "")
    if dropped or cancelled or withdrawing:
        log.info("outbox of closed cases ended", extra={
            "action": "fanout.closed_swept", "case_id": case_id, **dataclasses.asdict(ended),
        })  # fmt: skip
    return ended


@dataclass(frozen=True, kw_only=True)
class Ended:
    """What a sweep ended: batches forgotten, unsent rows cancelled, sent rows to withdraw."""

    batches: int
    cancelled: int
    withdrawing: int


async def plan(
    db: Database,
    settings: Settings,
    case: Case,
    consent: Consent | None,
    *,
    now: datetime | None = None,
    notify: bool = True,
) -> int:
    """Queue the case's current revision for every target in reach; the messages added (rows,
    and those planned in batches the dispatchers turn into rows after the commit)."""
    now = now or datetime.now(UTC)
    enabled = enabled_channels(settings)
    point = (case.last_seen_lat, case.last_seen_lon)
    queued = 0
    direct = [c for c in VOLUNTEER_CHANNELS if c in enabled and allows(consent, c, now)]
    if direct and point[0] is not None and point[1] is not None:
        override_quiet = effective_level(consent, now) >= LEVEL_PUBLIC
        size = min(settings.fanout_batch_size, FIRST_BATCH)
        await db.fetchval(
            "plan_nearest_volunteers", case.id, case.revision, *point, case.search_radius_km,
            direct, override_quiet, size, size * NEAREST_AREAS_PER_VOLUNTEER,
            settings.fanout_batch_size,
        )  # fmt: skip
        # The nearest volunteers' rows are ready for the dispatchers at the commit; the others
        # are matched by the dispatchers after it (match_rest).
        queued += await db.fetchval("expand_fanout_batch", case.id, case.revision) or 0
    if _on("telegram_channel", enabled, consent, now) and point[0] is not None:
        queued += _count(await db.execute("plan_regional_channels", case.id, case.revision, *point))
    if _on("webhook", enabled, consent, now):
        queued += _count(await db.execute("plan_partner_webhooks", case.id, case.revision))
    if _on("peer", enabled, consent, now):  # the peers staff offered the case to (alerts/peers)
        queued += _count(await db.execute("plan_peer_offers", case.id, case.revision))
    if queued and notify:
        await db.execute("notify_dispatchers", "")
    log.info(
        "fan-out planned",
        extra={"action": "fanout.planned", "case_id": case.id, "revision": case.revision,
               "queued": queued},
    )  # fmt: skip
    return queued


async def plan_revision(
    db: Database, settings: Settings, case: Case, *, now: datetime | None = None
) -> int:
    """Queue revision N+1: edits of the messages already out, new messages for the newly in
    reach; the rows added. Unsent rows of earlier revisions are cancelled."""
    channels = list(DISPATCH_CHANNELS)
    await db.execute("drop_fanout_batches", case.id, case.revision)
    await db.execute("cancel_superseded_publications", case.id, case.revision, channels)
    queued = _count(await db.execute("plan_followups", case.id, case.revision, channels))
    consent = await cases.current_consent(db, case.id)
    queued += await plan(db, settings, case, consent, now=now, notify=False)
    if queued:
        await db.execute("notify_dispatchers", "")
    return queued


async def expand(db: Database) -> int | None:
    """The dispatchers' work after an approval: a matching left by an approval done first
    (`match_rest`), then the nearest waiting batch of any case turned into publication rows,
    and the dispatchers woken; the rows queued, or None when nothing waited."""
    matched = await match_rest(db)
    async with db.transaction() as tx:
        queued: int | None = await tx.fetchval("expand_fanout_batch", None, None)
        if queued:
            await tx.execute("notify_dispatchers", "")
    if queued is None and matched is not None:
        return 0
    return queued


async def match_rest(db: Database) -> int | None:
    """Match the volunteers an approval left to the dispatchers (beyond the nearest it queued)
    and write them in batches, nearest first, in one transaction that also deletes the
    `fanout_matches` row: a process dying mid-matching leaves the row for the next one, and
    nobody is lost or matched twice. A matching another dispatcher is doing is skipped; one
    whose case closed or has a newer revision is dropped; one younger than MATCH_AFTER is
    waited for. The messages planned, or None when no matching waited."""
    while True:
        async with db.transaction() as tx:
            job = await tx.fetchrow("take_fanout_match", MATCH_AFTER)
            if job is None:
                return None
            if not job["wait"]:
                return await _match(tx, job)
        await asyncio.sleep(job["wait"])


async def _match(tx: Database, job: asyncpg.Record) -> int:
    """One matching, inside the transaction that took its row."""
    planned = 0
    if job["live"]:
        await tx.execute("fanout_session")
        planned = await tx.fetchval(
            "plan_volunteers", job["case_id"], job["revision"], job["lat"], job["lon"],
            job["radius_km"], job["channels"], job["override_quiet"], job["batch_size"],
            job["after_distance"], job["after_volunteer"],
        )  # fmt: skip
    await tx.execute("delete_fanout_match", job["case_id"], job["revision"])
    log.info("fan-out matched", extra={
        "action": "fanout.matched", "case_id": job["case_id"], "revision": job["revision"],
        "planned": planned})  # fmt: skip
    return planned


async def narrow(db: Database, case_id: int, disallowed: list[str]) -> None:
    """Inside a narrowing consent's transaction: the matching and the batches of case `case_id`
    not yet turned into rows leave the `disallowed` channels out. Two statements, in this
    order: the first waits for a matching under way, whose batches the second then sees."""
    await db.execute("narrow_fanout_matches", case_id, disallowed)
    await db.execute("narrow_fanout_batches", case_id, disallowed)


async def waiting(db: Database, case_id: int) -> int:
    """The messages of the case's current revision still waiting in batches."""
    count: int = await db.fetchval("fanout_batches_waiting", case_id)
    return count


def _on(channel: str, enabled: frozenset[str], consent: Consent | None, now: datetime) -> bool:
    return channel in enabled and allows(consent, channel, now)


def _count(status: str) -> int:
    """The row count of a command status such as 'INSERT 0 42' or 'UPDATE 7'."""
    return int(status.rsplit(" ", 1)[-1])


async def offer_to_peers(db: Database, staff: Staff, case: Case, peer_ids: list[int]) -> int:
    """Inside the offer's transaction (the case locked): the peers recorded as offered the case
    and its current revision queued for them; the peers newly offered. Refused unless the case
    is active and its consent allows the `peer` channel."""
    if case.state is not CaseState.ACTIVE:
        raise errors.Conflict("Only an active case can be offered to peers.")
    if not allows(await cases.current_consent(db, case.id), "peer", datetime.now(UTC)):
        raise errors.NotPublishable("The consent does not allow offering this case to peers.")
    offered = 0
    for peer_id in peer_ids:
        if await db.fetchval("offer_case_to_peer", case.id, peer_id, staff.id) is not None:
            offered += 1
            await audit.record(db, staff.id, "case_offered_to_peer", case.id, peer=peer_id)
    if _count(await db.execute("plan_peer_offers", case.id, case.revision)):
        await db.execute("notify_dispatchers", "")
    return offered
