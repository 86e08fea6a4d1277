"""Nothing leaves after a close's commit (issue 16), even where the dispatcher's own view of the
case is stale: its CaseGate caches a case's state (0.1 s, and until the close's NOTIFY arrives),
so a message claimed after the commit would have been sent on the cached "active". The claim
reads the case's state itself, and a claim that reads it closed is never sent."""

from __future__ import annotations

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.outbox.claims import CaseGate, Claim, Ended, Recorder
from alerts.outbox.dispatcher import open_channels
from alerts.outbox.limits import RateLimiter
from alerts.outbox.sender import Sender
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import bot_messages, users_at
from tests.support.dispatch import GENT, active_case, moved, publications, with_channels


async def test_a_message_claimed_after_the_close_is_not_sent_on_a_stale_cached_active(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    [chat] = await users_at(sandbox, db, [moved(GENT, 1)])
    settings = with_channels(live)
    case = await active_case(db, settings, make_staff, photo=False, consent={"level": 1})
    # The dispatcher read the case a moment ago, and the close's NOTIFY has not reached it.
    gate = CaseGate(db, settings, ttl=3600)
    status = await gate.status(case.id)
    assert status is not None and status.state == "active"
    await pipeline.close(db, await make_staff(), case.id, "found_safe")
    # A send that was in flight at the close failed and went back to the queue (record_retry).
    await db.conn.execute(
        "UPDATE publications SET state = 'pending', end_reason = NULL, ended_at = NULL, "
        "next_attempt_at = now() WHERE case_id = $1 AND channel = 'telegram_dm'",
        case.id,
    )
    async with open_channels(settings, db) as channels:
        sender = Sender(db, settings, {c.name: c for c in channels}, RateLimiter(db), gate)
        rows = await db.fetch("claim_publications", "worker", ["telegram_dm"], 10)
        assert len(rows) == 1
        claim = Claim.from_row(rows[0])
        outcome = await sender.attempt(claim)
    assert isinstance(outcome, Ended)
    assert (outcome.state, outcome.reason) == ("cancelled", "case_closed")
    assert bot_messages(sandbox, chat) == []
    await Recorder(db, "worker").record(outcome)
    rows = await publications(db, case.id)
    assert [(r["state"], r["end_reason"]) for r in rows] == [("cancelled", "case_closed")]
