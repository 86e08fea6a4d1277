"""The dispatcher: sends the outbox (the publication registry) through the channels.

One lane per rate bucket (Telegram, e-mail, webhooks) runs this loop:

1. reserve free slots of the concurrency semaphore, and as many tokens of this process's share
   of the lane's limit (alerts.outbox.limits, alerts.outbox.shares) - together every process
   keeps the channel's limit;
2. claim that many due rows, nearest first, `FOR UPDATE SKIP LOCKED`, whose case is still
   active (state `sending`, `claimed_by` this process); give back tokens left unused;
3. send each in its own task (alerts.outbox.sender): the case is checked again right before
   the send (closed, superseded by a revision, volunteer opted out, consent changed), then the
   channel is called;
4. record the outcome (inside `asyncio.shield`): `sent` with the external id and the text, or
   `withdrawing` when the case closed while the message was in flight; a retry with
   exponential backoff and jitter, up to DISPATCH_MAX_ATTEMPTS, then `failed`; a 429 pauses
   the whole bucket for `retry_after`; a recipient who blocked the bot is deactivated.

Lanes sleep until a NOTIFY on `alerts_dispatch` (sent at commit by the planning) or at most
DISPATCH_POLL_SECONDS (quiet hours ending, retries coming due). Claims older than
DISPATCH_STALL_SECONDS (a dispatcher died) go back to the queue: at least once, and a crash
repeats only the messages that were in flight.

Beside each send lane runs a withdrawal lane on the same bucket: the same loop claims rows in
`withdrawing` instead and hands them to alerts.outbox.withdrawal's `Withdrawer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from alerts.channels.base import Channel
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout, joins, withdrawal
from alerts.outbox.claims import CaseGate, Claim, Ended, Outcome, Recorder, Retry
from alerts.outbox.fanout import NOTIFY_CHANNEL, enabled_channels
from alerts.outbox.limits import RateLimiter
from alerts.outbox.sender import Sender, backoff

log = logging.getLogger(__name__)

_MAX_BATCH = 100
# The expander analyses the publications after making this many rows, at most this often.
_ANALYZE_ROWS, _ANALYZE_EVERY = 10_000, 60.0
_STOP_GRACE = 15.0


@dataclass(kw_only=True)
class Lane:
    """The channels that share one rate bucket."""

    bucket: str
    per_second: float
    channels: list[str]
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    configured: bool = False
    withdraws: bool = False  # a withdrawal lane: takes back instead of sending
    backlog: bool = False  # its last claim took all it had tokens for: more are waiting


def lanes_of(channels: Iterable[Channel], *, withdraws: bool = False) -> list[Lane]:
    lanes: dict[str, Lane] = {}
    for channel in channels:
        limits = channel.limits
        lane = lanes.setdefault(limits.bucket, Lane(
            bucket=limits.bucket, per_second=limits.per_second, channels=[], withdraws=withdraws,
        ))  # fmt: skip
        lane.channels.append(channel.name)
    return list(lanes.values())


class Dispatcher:
    """One dispatcher process's worker; run several against one database."""

    def __init__(
        self, db: Database, settings: Settings, channels: Iterable[Channel], *, name: str = ""
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels = {channel.name: channel for channel in channels}
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.limiter = RateLimiter(db, holder=self.name)
        self.withdrawer = withdrawal.Withdrawer(
            db, settings, self.channels, self.limiter, self.name, backoff
        )
        self.lanes = lanes_of(self.channels.values()) + lanes_of(
            self.withdrawer.channels.values(), withdraws=True
        )
        self.recorder = Recorder(db, self.name)
        self.gate = CaseGate(db, settings)
        self.sender = Sender(db, settings, self.channels, self.limiter, self.gate)
        self._slots = asyncio.Semaphore(settings.dispatch_concurrency)
        self._stopping = asyncio.Event()
        self._sends: set[asyncio.Task[None]] = set()
        self._batches = asyncio.Event()  # set: look for fan-out batches to turn into rows
        self._batches.set()
        self._closures = asyncio.Event()  # set: a case closed, end its rows
        self._closures.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set, then finish what is in flight and record it."""
        log.info("dispatcher started", extra={"action": "dispatch.started", "worker": self.name,
                                              "channels": sorted(self.channels)})  # fmt: skip
        loops = [asyncio.create_task(self._lane_loop(lane)) for lane in self.lanes]
        helpers = [
            asyncio.create_task(h())
            for h in (self._listen, self._reaper, self._expander, self._closer)
        ]
        try:
            await stop.wait()
        finally:
            self._stopping.set()
            await asyncio.wait(loops, timeout=_STOP_GRACE)
            if self._sends:
                await asyncio.wait(self._sends, timeout=_STOP_GRACE)
            for task in [*loops, *helpers]:
                task.cancel()
            await asyncio.gather(*loops, *helpers, return_exceptions=True)
            await asyncio.shield(self.recorder.flush())
            await asyncio.shield(self.limiter.close())
            log.info("dispatcher stopped", extra={"action": "dispatch.stopped"})

    # -- the lane loop -------------------------------------------------------------------------

    async def _lane_loop(self, lane: Lane) -> None:
        while not self._stopping.is_set():
            try:
                await self._lane_round(lane)
            except Exception as err:
                # The database or a bug: the lane goes on after a pause (polling), never dies.
                log.warning("dispatch round failed", exc_info=True, extra={
                    "action": "dispatch.round_failed", "error": type(err).__name__})  # fmt: skip
                await self._sleep(self.settings.dispatch_poll_seconds)

    async def _lane_round(self, lane: Lane) -> None:
        if not lane.configured:  # here, so that a database still starting is waited for
            await self.limiter.share(lane.bucket, lane.per_second)
            lane.configured = True
        slots = await self._reserve_slots()
        try:
            waiting = lane.backlog or lane.wakeup.is_set()
            grant = self.limiter.reserve(lane.bucket, slots, demand=waiting)
        except BaseException:
            self._release_slots(slots)
            raise
        self._release_slots(slots - grant.tokens)
        if not grant.tokens:
            await self._sleep(grant.wait)
            return
        lane.wakeup.clear()
        try:
            if lane.withdraws:
                rows = await self.withdrawer.claim(lane.channels, grant.tokens)
            else:
                rows = await self.db.fetch(
                    "claim_publications", self.name, lane.channels, grant.tokens
                )
        except BaseException:
            self._release_slots(grant.tokens)
            self.limiter.unreserve(lane.bucket, grant.tokens)
            raise
        unused = grant.tokens - len(rows)
        lane.backlog = not unused
        if unused:
            self._release_slots(unused)
            self.limiter.unreserve(lane.bucket, unused)
        # Nearest first: the earliest tokens go to the nearest volunteers.
        for row in rows:
            if lane.withdraws:
                self._spawn(self._withdraw(lane, row))
            else:
                self._spawn(self._deliver(lane, Claim.from_row(row)))
        if not rows:
            await self._wait_for(lane.wakeup)

    async def _reserve_slots(self) -> int:
        """At least one free slot (waiting for it), and as many more as are free now."""
        await self._slots.acquire()
        taken = 1
        while taken < _MAX_BATCH and not self._slots.locked():
            await self._slots.acquire()
            taken += 1
        return taken

    def _release_slots(self, count: int) -> None:
        for _ in range(count):
            self._slots.release()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _wait_for(self, event: asyncio.Event) -> None:
        """Until `event` is set, the dispatcher stops, or DISPATCH_POLL_SECONDS pass."""
        waits = [asyncio.ensure_future(e.wait()) for e in (event, self._stopping)]
        await asyncio.wait(waits, timeout=self.settings.dispatch_poll_seconds,
                           return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        for waiter in waits:
            waiter.cancel()

    # -- one message ---------------------------------------------------------------------------

    async def _deliver(self, lane: Lane, claim: Claim) -> None:
        """Send `claim` (reserved on the lane's share), and record the outcome."""
        try:
            outcome = await self.sender.attempt(claim)
        except Exception:
            log.exception("send crashed", extra={"action": "dispatch.crashed",
                                                 "publication": claim.id})  # fmt: skip
            outcome = Retry(claim=claim, delay=backoff(claim.attempts), error="internal error")
        finally:
            self._slots.release()
        await asyncio.shield(self._settle(lane, outcome))

    async def _withdraw(self, lane: Lane, row: Any) -> None:
        """Take back a claimed row (reserved on the lane's share), and record the outcome."""
        try:
            outcome = await self.withdrawer.attempt(row)
        finally:
            self._slots.release()
        await asyncio.shield(self.withdrawer.settle(lane.bucket, outcome))

    async def _settle(self, lane: Lane, outcome: Outcome) -> None:
        """Record the outcome and act on what it says about the channel and the recipient."""
        try:
            await self.recorder.record(outcome)
            if isinstance(outcome, Ended) and outcome.reason == "recipient_gone":
                await self.sender.recipient_gone(outcome.claim, outcome.error)
        except Exception as err:
            # The row stays `sending`; the stalled-claim takeover retries it.
            log.error("outcome not recorded", exc_info=True, extra={
                "action": "dispatch.record_failed", "error": type(err).__name__})  # fmt: skip

    # -- wake-ups and takeovers ----------------------------------------------------------------

    async def _listen(self) -> None:
        """Wake the lanes on NOTIFY; reconnect when the connection drops (polling meanwhile)."""
        pool = self.db.conn
        assert isinstance(pool, asyncpg.Pool), "the dispatcher needs a pool"
        while not self._stopping.is_set():
            try:
                async with pool.acquire() as conn:
                    await conn.add_listener(NOTIFY_CHANNEL, self._notified)
                    try:
                        while not conn.is_closed() and not self._stopping.is_set():
                            await self._sleep(5.0)
                    finally:
                        if not conn.is_closed():
                            await conn.remove_listener(NOTIFY_CHANNEL, self._notified)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("listen failed", extra={"action": "dispatch.listen_failed",
                                                    "error": type(err).__name__})  # fmt: skip
                await self._sleep(self.settings.dispatch_poll_seconds)

    def _notified(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if payload.startswith("closed "):
            self.gate.closed(int(payload.removeprefix("closed ")))
            self._closures.set()
        else:
            self._batches.set()
        for lane in self.lanes:
            lane.wakeup.set()

    async def _expander(self) -> None:
        """Turn the batches of large fan-outs into rows, nearest first, a batch per transaction,
        until none waits; then wait for a notification (or poll).

        Thousands of new pending rows leave the table's statistics behind until autovacuum
        catches up (a minute or more); meanwhile the planner takes the pending rows for a few
        and sorts them all on every claim instead of reading the first of the pending index
        (10 ms at 15,000 rows, and growing). So the expander analyses the table itself once
        it has made _ANALYZE_ROWS rows, at most once in _ANALYZE_EVERY seconds."""
        made, analysed = 0, -_ANALYZE_EVERY
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            self._batches.clear()
            try:
                while not self._stopping.is_set():
                    # Volunteers who joined during an alert: a batch of one each, made first.
                    joined = await joins.plan(self.db, self.settings)
                    queued = await fanout.expand(self.db)
                    if queued is None and not joined:
                        break
                    queued = queued or 0
                    for lane in self.lanes:
                        lane.wakeup.set()
                    made += queued
                    if made >= _ANALYZE_ROWS and loop.time() - analysed >= _ANALYZE_EVERY:
                        await self.db.execute("analyze_publications")
                        made, analysed = 0, loop.time()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("fan-out batch not expanded", extra={
                    "action": "dispatch.expand_failed", "error": type(err).__name__})  # fmt: skip
            await self._wait_for(self._batches)

    async def _closer(self) -> None:
        """End the rows of closed cases (alerts.outbox.fanout.end_closed) on a close's NOTIFY,
        and at every poll: the sweep reads the cases' state, so a close whose process died
        right after its commit is finished all the same."""
        while not self._stopping.is_set():
            self._closures.clear()
            try:
                ended = await fanout.end_closed(self.db)
                if ended.withdrawing:
                    for lane in self.lanes:
                        lane.wakeup.set()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("closed cases not swept", extra={
                    "action": "dispatch.sweep_failed", "error": type(err).__name__})  # fmt: skip
            await self._wait_for(self._closures)

    async def _reaper(self) -> None:
        stall = self.settings.dispatch_stall_seconds
        while not self._stopping.is_set():
            await self._sleep(min(10.0, max(0.2, stall / 4)))
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self.withdrawer.sweep(stall)  # first: a closed case's stalled sends end
                released = await self.db.fetchval("release_stalled_claims", stall)
                if released:
                    log.warning("stalled claims released", extra={
                        "action": "dispatch.stalled", "rows": released})  # fmt: skip
                    for lane in self.lanes:
                        lane.wakeup.set()


@contextlib.asynccontextmanager
async def open_channels(settings: Settings, db: Database) -> AsyncIterator[list[Channel]]:
    """Every configured channel, open until exit."""
    from alerts.channels.email import EmailChannel
    from alerts.channels.telegram import telegram_channels
    from alerts.partners.peer_channel import peer_channel
    from alerts.partners.webhooks import webhook_channel

    enabled = enabled_channels(settings)
    async with contextlib.AsyncExitStack() as stack:
        opened: list[Channel] = [await stack.enter_async_context(webhook_channel(settings, db))]
        opened.append(await stack.enter_async_context(peer_channel(settings, db)))
        if "telegram_dm" in enabled:
            opened += await stack.enter_async_context(telegram_channels(settings, db))
        if "email" in enabled:
            opened.append(EmailChannel(settings))
        yield opened
