"""A process's share of a rate limit that every dispatcher process shares ('telegram', 'email',
'webhook'), counted in memory against the calls as the channel counts them.

Telegram counts a call at the moment it takes it: after we start the call, before its answer
is back. So a call is counted here (`Window`) from the moment its token is granted, before the
call starts, until one window after its answer came back; a call whose outcome is unsure (a
timeout: it may still be taken later) one more window on top. Whatever the delays (the network,
a congested Telegram, a busy dispatcher), every call Telegram counts in any window of its clock
was still counted here at that window's end: a process never has more calls in Telegram's
window than its share. One clock only, the process's monotonic clock; nothing is guessed about
delays, so no margin is kept and a late message is still safe to send (it only sends later).

The shares (`Share`): each process holds a row of `rate_shares` that says how many calls it may
have in the window (`claim`), renewed every BEAT seconds (and at once when it starts needing
more) under one advisory lock per limit, so that the claims never add up to more than the limit.
The limit is split evenly between the processes with messages waiting (`demand`); a process with
none yields its share to them. A process that needs more grows only into what the others do not
claim; one that must give some up stops taking at once but keeps claiming what it still has in
the window until those calls have left it, so a newcomer gets a share only once it is free. A
process whose renewals fail stops taking VALID seconds after its last renewal was sent, long
before its row expires (TTL): a process that died or hangs keeps its claim until then.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections import deque

import asyncpg

from alerts.db.database import Database

log = logging.getLogger(__name__)

BEAT = 0.25  # seconds between renewals of a share
VALID = 1.5  # a process stops taking this long after its last renewal was sent
TTL = 5.0  # and its row lives this long after that renewal: calls in flight leave the window
DEMAND = 1.0  # a process has messages waiting while it asked for tokens this recently
LOOKAHEAD = 0.05  # tokens are granted at most this far ahead of their time
# A lane claims the messages for the room the window will have this far ahead: a claim takes a
# round trip or a few, so the messages wait for the room rather than the room for them (at
# 1,000/s with two processes: 0.92 of the rate at 0.05 or 0.1 s ahead, 0.97-0.99 at 0.2-0.3 s).
RESERVE_AHEAD = 0.25
MAX_HOLD = 30.0  # a token never reported is counted as answered after this long
# Calls start at most this many times the share's rate: even enough not to clump (a clump
# slows the channel's answers, and every millisecond to the answer is a token held longer),
# while the calls freed together by the window still leave soon after they are freed.
PACE = 2.0


class Window:
    """The calls of one process in the limit's window: those granted and not answered yet
    (`held`, by the time they were granted) and those answered (until they leave it)."""

    def __init__(self, span: float) -> None:
        self.span = span
        self.limit = 0  # how many calls it may have in the window (the share)
        self._held: deque[float] = deque()
        self._ends: deque[float] = deque()  # when each answered call leaves, in order
        self._next = 0.0  # the earliest start of the next call: at most `limit` a window

    def count(self, now: float) -> int:
        """The calls that may be in the channel's window now or later."""
        ends, held = self._ends, self._held
        while ends and ends[0] <= now:
            ends.popleft()
        while held and held[0] <= now - MAX_HOLD:  # never reported: taken as answered then
            bisect.insort(ends, held.popleft() + MAX_HOLD + self.span)
        return len(held) + len(ends)

    def grant(self, want: int, now: float) -> list[float]:
        """Up to `want` tokens, each with the time it may be used: none before its time, and
        calls spaced evenly over the window so that a share does not leave in a clump."""
        room = min(want, self.limit - self.count(now))
        starts: list[float] = []
        spacing = self.span / (max(1, self.limit) * PACE)
        while len(starts) < room:
            at = max(now, self._next)
            if at > now + LOOKAHEAD:
                break
            starts.append(at)
            self._next = at + spacing
        self._held.extend([now] * len(starts))
        return starts

    def free(self, now: float) -> bool:
        """Whether a call may start now (room in the window, and its turn in the spacing)."""
        return now >= self._next and self.count(now) < self.limit

    def hold(self, now: float) -> None:
        """One call starts now (after `free`)."""
        self._held.append(now)
        # Spaced evenly, but a call that started late lets the next ones catch up (a burst of
        # LOOKAHEAD at most): the spacing smooths, the window limits.
        self._next = max(now - LOOKAHEAD, self._next) + self.span / (max(1, self.limit) * PACE)

    def freed_by(self, at: float) -> int:
        """How many of the answered calls leave the window by `at`."""
        return bisect.bisect_right(self._ends, at)

    def answered(self, tokens: int, now: float, unsure: bool = False) -> None:
        """`tokens` calls came back (or failed) at `now`: they stay one window more (two when
        the channel may still take the call later)."""
        end = now + self.span * (2 if unsure else 1)
        for _ in range(min(tokens, len(self._held))):
            self._held.popleft()
            bisect.insort(self._ends, end)

    def returned(self, tokens: int) -> None:
        """`tokens` granted but never used: they leave the window now."""
        for _ in range(min(tokens, len(self._held))):
            self._held.pop()

    def empty_in(self, now: float) -> float | None:
        """Seconds until none of these calls can be in the window; None while some are out."""
        if self.count(now) and self._held:
            return None
        return max(self._ends, default=now) - now

    def retry_in(self, now: float, ahead: float = LOOKAHEAD) -> float:
        """Seconds until a call may start (less `ahead`), as far as the calls answered tell."""
        if self._next > now + ahead:
            return self._next - ahead - now
        room = self.limit - len(self._held)
        if room <= 0 or len(self._ends) < room:
            return BEAT  # only answers (or a larger share) will make room
        return max(0.001, self._ends[len(self._ends) - room] - ahead - now)


class Share:
    """This process's share of limit `key` (`count` calls in any `span` seconds)."""

    def __init__(self, db: Database, key: str, count: int, span: float, holder: str) -> None:
        self.db, self.key, self.count, self.holder = db, key, count, holder
        self.window = Window(span)
        self.valid_until = 0.0
        self.paused_until = 0.0
        self.claim = 0
        self._wanted_at = -DEMAND
        self._poke = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._reserved = 0  # messages claimed for tokens not taken yet (`reserve`)
        self._waiters: deque[asyncio.Future[None]] = deque()  # `acquire`, first come first
        self._timer: asyncio.TimerHandle | None = None

    @property
    def demand(self) -> bool:
        return time.monotonic() - self._wanted_at < DEMAND

    async def start(self) -> None:
        """The first renewal, then one every BEAT seconds until `stop()`."""
        await self.beat()
        self._task = asyncio.create_task(self._beats())

    def take(self, want: int, demand: bool) -> tuple[list[float], float]:
        """(start times of the tokens granted, seconds to wait when none)."""
        now = time.monotonic()
        blocked = self._blocked(now, demand)
        if blocked:
            return [], blocked
        starts = self.window.grant(want, now)
        return starts, 0.0 if starts else self.window.retry_in(now)

    def reserve(self, want: int, demand: bool) -> tuple[int, float]:
        """(how many messages a lane may claim now, each to `acquire` its token right before
        its call; seconds to wait when none): the room in the window now or RESERVE_AHEAD on,
        less the messages claimed before that have not started yet."""
        now = time.monotonic()
        blocked = self._blocked(now, demand)
        if blocked:
            return 0, blocked
        window = self.window
        soon = window.limit - window.count(now) + window.freed_by(now + RESERVE_AHEAD)
        room = min(want, soon - self._reserved - len(self._waiters))
        if room <= 0:
            return 0, window.retry_in(now, ahead=RESERVE_AHEAD)
        self._reserved += room
        return room, 0.0

    def unreserve(self, tokens: int = 1) -> None:
        """Messages reserved for that will not `acquire` (not claimed, or not sent)."""
        self._reserved = max(0, self._reserved - tokens)

    async def acquire(self, patience: float) -> None:
        """The token of one reserved message, held from now: at once when there is room and
        nobody waits, else in turn (TimeoutError after `patience` seconds)."""
        self.unreserve()
        if not self._waiters and self._usable(time.monotonic()):
            self.window.hold(time.monotonic())
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._serve()
        try:
            async with asyncio.timeout(patience):
                await waiter
        except (asyncio.CancelledError, TimeoutError):
            if waiter.done() and not waiter.cancelled():
                self.window.returned(1)  # its token came as it was cancelled
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def returned(self, tokens: int) -> None:
        """Tokens held but not used: free now, for whoever waits."""
        self.window.returned(tokens)
        self._serve()

    def _blocked(self, now: float, demand: bool) -> float:
        """Seconds to wait before any token (paused, lapsed, no share yet); 0: none."""
        if demand:
            if now - self._wanted_at >= DEMAND:
                self._poke.set()  # the others should know at once
            self._wanted_at = now
        if now < self.paused_until:
            return self.paused_until - now
        if now >= self.valid_until or (demand and self.window.limit == 0):
            self._poke.set()
            return BEAT
        return 0.0

    def _usable(self, now: float) -> bool:
        return self.paused_until <= now < self.valid_until and self.window.free(now)

    def _serve(self) -> None:
        """Give the waiters their tokens while there is room; then wake when there may be."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = time.monotonic()
        while self._waiters and self._usable(now):
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.window.hold(now)
                waiter.set_result(None)
        if self._waiters:
            if now < self.paused_until:
                delay = self.paused_until - now
            elif now >= self.valid_until:
                delay = BEAT
            else:
                delay = self.window.retry_in(now, ahead=0.0)
            self._timer = asyncio.get_running_loop().call_later(max(0.0005, delay), self._serve)

    async def beat(self) -> None:
        """Renew the row: how many calls this process may have in the window from now on."""
        sent = time.monotonic()
        # Until the answer, tokens are granted within the current limit: claim at least that
        # (none are granted once the share has lapsed).
        taking = self.window.limit if sent < self.valid_until else 0
        floor = max(self.window.count(sent), taking)
        async with self.db.transaction() as tx:
            await tx.execute("rate_share_lock", self.key)
            row = await tx.fetchrow(
                "rate_share_beat", self.key, self.holder, self.count, self.demand, floor, TTL
            )
        assert row is not None
        self.claim = row["claim"]
        self.window.limit = min(row["usable"], row["claim"])
        self.valid_until = sent + VALID
        if row["paused_for"] > 0:
            self.paused_until = max(self.paused_until, time.monotonic() + row["paused_for"])
        self._serve()

    async def _beats(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), BEAT)
            self._poke.clear()
            try:
                await self.beat()
            except Exception as err:  # the database away, mostly: never stop renewing
                # No renewal: the share lapses after VALID seconds, and the row after TTL.
                log.warning("rate share not renewed", extra={
                    "action": "dispatch.share_failed", "bucket": self.key,
                    "error": type(err).__name__})  # fmt: skip
                await asyncio.sleep(BEAT)

    async def stop(self) -> None:
        """Stop renewing; the row lives as long as this process's calls stay in the window."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._timer is not None:
            self._timer.cancel()
        now = time.monotonic()
        self.window.limit, self.valid_until = 0, now
        empty_in = self.window.empty_in(now)
        stays = TTL if empty_in is None else empty_in + 0.1
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await self.db.execute("rate_share_leave", self.key, self.holder, stays)
