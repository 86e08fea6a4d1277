"""What a dispatcher reads and writes around each send: the claimed row, the case's state and
view (cached briefly), and the outcome recorded back in the registry.

Deliveries are recorded in batches (one UPDATE for up to a hundred rows, at most a few tens of
milliseconds after the send) so that 1,000 messages a second do not cost 1,000 commits. A batch
not yet written when the process dies leaves its rows in `sending`; they count among the
messages in flight, and the stalled-claim takeover sends them again (at least once).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from alerts.cases import lifecycle as cases
from alerts.cases import publicity
from alerts.cases.consent import PublicView
from alerts.channels.base import Job, SendResult
from alerts.config import Settings
from alerts.db.database import Database

log = logging.getLogger(__name__)

_FLUSH_ROWS = 100
_FLUSH_SECONDS = 0.02
# Why an earlier Telegram message is taken back when forwarding is withdrawn (the registry's
# end_reason; the withdrawal then adds how: deleted, or neutral notice).
REPLACED = "forwarding withdrawn, replaced by a protected message"
UNREPLACED = "forwarding withdrawn, no protected message could replace it"


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A publication row claimed for sending, with what sending it needs."""

    id: int
    case_id: int
    revision: int
    channel: str
    target: str
    language: str
    address: str
    volunteer_id: int | None
    attempts: int
    edits_id: int | None
    previous_external_id: str | None
    previous_media: str | None
    previous_state: str | None
    previous_protected: bool | None
    volunteer_public_id: str | None
    volunteer_active: bool
    webhook_secret: str | None = field(repr=False)
    webhook_format: str | None
    case_state: str  # as the claim read it: a claim that read the case closed is never sent

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(**{name: row[name] for name in _CLAIM_FIELDS})

    def job(self, view: PublicView) -> Job:
        """The channel's job; an earlier message is edited only if it really went out."""
        previous = self.previous_external_id if self.previous_state == "sent" else None
        return Job(
            publication_id=self.id, case_id=self.case_id, revision=self.revision,
            channel=self.channel, target=self.target, address=self.address,
            language=self.language, view=view, previous_external_id=previous,
            previous_media=self.previous_media if previous else None,
            previous_protected=self.previous_protected if previous else None,
            volunteer_public_id=self.volunteer_public_id, webhook_secret=self.webhook_secret,
            webhook_format=self.webhook_format,
        )  # fmt: skip


# Read once: a claim is made for every message.
_CLAIM_FIELDS = tuple(f.name for f in dataclasses.fields(Claim))


@dataclass(frozen=True, kw_only=True)
class Delivered:
    claim: Claim
    result: SendResult
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    returns_token = False


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Try again in `delay` seconds; `attempted` False when nothing reached the channel (the
    attempt does not count); `late` when the slot of its rate token went by unused."""

    delay: float
    error: str | None
    attempted: bool = True
    late: bool = False

    @property
    def returns_token(self) -> bool:
        # A token given back after its slot has passed would let two calls share a slot.
        return not self.attempted and not self.late


@dataclass(frozen=True, kw_only=True)
class Retry(Backoff):
    """A message back to the queue (see Backoff)."""

    claim: Claim


@dataclass(frozen=True, kw_only=True)
class Ended:
    """No message: `failed` (with the error) or `cancelled` (with the reason).
    `withdraw_previous`: the earlier message it was to replace is taken back all the same."""

    claim: Claim
    state: str
    reason: str
    error: str | None = None
    attempted: bool = False
    withdraw_previous: bool = False

    @property
    def returns_token(self) -> bool:
        return not self.attempted


Outcome = Delivered | Retry | Ended


class Recorder:
    """Writes outcomes back to the registry; deliveries in batches."""

    def __init__(self, db: Database, worker: str) -> None:
        self._db = db
        self._worker = worker
        self._batch: list[Delivered] = []
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, outcome: Outcome) -> None:
        if isinstance(outcome, Delivered):
            self._batch.append(outcome)
            if len(self._batch) >= _FLUSH_ROWS:
                await self.flush()
            elif self._flusher is None or self._flusher.done():
                self._flusher = asyncio.create_task(self._flush_soon())
        elif isinstance(outcome, Retry):
            await self._db.execute(
                "record_retry", outcome.claim.id, self._worker, outcome.delay, outcome.error,
                outcome.attempted,
            )  # fmt: skip
        elif outcome.withdraw_previous and outcome.claim.edits_id is not None:
            async with self._db.transaction() as tx:
                await self._end(tx, outcome)
                await tx.execute("withdraw_replaced_publications", [outcome.claim.edits_id],
                                 UNREPLACED)  # fmt: skip
                await tx.execute("notify_dispatchers", "")
        else:
            await self._end(self._db, outcome)

    async def _end(self, db: Database, outcome: Ended) -> None:
        await db.execute(
            "record_ended", outcome.claim.id, self._worker, outcome.state, outcome.error,
            outcome.reason,
        )  # fmt: skip

    async def _flush_soon(self) -> None:
        # Deliveries recorded while a batch is being written wait for the next round.
        while self._batch:
            await asyncio.sleep(_FLUSH_SECONDS)
            await asyncio.shield(self.flush())

    async def flush(self) -> None:
        """Write every delivery recorded so far."""
        async with self._lock:
            batch, self._batch = self._batch, []
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[Delivered]) -> None:
        ids = [d.claim.id for d in batch]
        if not any(d.result.replaced_previous or d.result.withdraw_previous for d in batch):
            # One statement, atomic on its own: no transaction's BEGIN and COMMIT round trips.
            rows = await self._db.fetch(
                "record_sent", self._worker, ids, [d.result.external_id for d in batch],
                [d.result.body for d in batch], [d.result.media for d in batch],
                sorted({d.claim.case_id for d in batch}), [d.at for d in batch],
                [d.result.protected for d in batch],
            )  # fmt: skip
            self._log_batch(len(batch), {r["id"]: r["state"] for r in rows})
            return
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                "record_sent", self._worker, ids, [d.result.external_id for d in batch],
                [d.result.body for d in batch], [d.result.media for d in batch],
                sorted({d.claim.case_id for d in batch}), [d.at for d in batch],
                [d.result.protected for d in batch],
            )  # fmt: skip
            states = {r["id"]: r["state"] for r in rows}
            replaced = [
                d.claim.edits_id for d in batch
                if d.result.replaced_previous and d.claim.edits_id is not None
                and states.get(d.claim.id) == "sent"
            ]  # fmt: skip
            if replaced:
                await tx.execute("supersede_publications", replaced)
            # Sent anew (protected) beside the earlier message: that one is taken back now.
            resent = [
                d.claim.edits_id for d in batch
                if d.result.withdraw_previous and d.claim.edits_id is not None
                and d.claim.id in states
            ]  # fmt: skip
            if resent:
                await tx.execute("withdraw_replaced_publications", resent, REPLACED)
                await tx.execute("notify_dispatchers", "")
        self._log_batch(len(batch), states)

    def _log_batch(self, recorded: int, states: dict[int, str]) -> None:
        lost = recorded - len(states)
        if lost:
            # Taken over by another process after DISPATCH_STALL_SECONDS: raise that setting.
            log.error("deliveries not recorded", extra={"action": "dispatch.record_lost",
                                                        "rows": lost})  # fmt: skip
        late = sum(1 for state in states.values() if state == "withdrawing")
        if late:
            log.info("sent while the case closed", extra={"action": "dispatch.sent_after_close",
                                                          "rows": late})  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class CaseStatus:
    state: str
    revision: int
    consent_id: int | None


class CaseGate:
    """Whether a case is still active, read again at most every `ttl` seconds and marked closed
    at once when a close notification arrives; and the view each channel may show of it."""

    def __init__(self, db: Database, settings: Settings, ttl: float = 0.1) -> None:
        self._db = db
        self._settings = settings
        self._ttl = ttl
        self._states: dict[int, tuple[float, asyncio.Future[CaseStatus | None]]] = {}
        self._views: dict[tuple[Any, ...], tuple[float, asyncio.Future[PublicView]]] = {}

    def closed(self, case_id: int) -> None:
        future: asyncio.Future[CaseStatus | None] = asyncio.get_running_loop().create_future()
        future.set_result(CaseStatus(state="closed", revision=0, consent_id=None))
        self._states[case_id] = (float("inf"), future)

    async def status(self, case_id: int, *, fresh: bool = False) -> CaseStatus | None:
        """The case's state, read at most `ttl` seconds ago (now, when `fresh`)."""
        now = time.monotonic()
        cached = self._states.get(case_id)
        if cached is None or fresh or now - cached[0] > self._ttl:
            cached = (now, asyncio.ensure_future(self._read(case_id)))
            self._states[case_id] = cached
        return await asyncio.shield(cached[1])

    async def _read(self, case_id: int) -> CaseStatus | None:
        row = await self._db.fetchrow("case_dispatch_state", case_id)
        if row is None:
            return None
        return CaseStatus(
            state=row["state"], revision=row["revision"], consent_id=row["consent_id"]
        )

    async def view(self, case_id: int, status: CaseStatus, channel: str) -> PublicView:
        """The channel's view of the case at this revision and consent (NotPublishable)."""
        key = (case_id, status.revision, status.consent_id, channel)
        now = time.monotonic()
        cached = self._views.get(key)
        # Re-read now and then anyway: a consent can reach its end date without a new record.
        if cached is None or now - cached[0] > 60:
            if len(self._views) > 512:
                self._views.clear()
            cached = (now, asyncio.ensure_future(self._load(case_id, channel)))
            self._views[key] = cached
        return await asyncio.shield(cached[1])

    async def _load(self, case_id: int, channel: str) -> PublicView:
        case = await cases.get(self._db, case_id)
        return await publicity.view_for(self._db, self._settings, case, channel)
