"""The rate limiter of the dispatchers: the shared limits of the lanes as shares, per-recipient
limits as token buckets in PostgreSQL.

A lane's limit ('telegram', 'email', 'webhook': `share()`) is split between the processes that
send on it, and each counts its calls against its share in memory (alerts.outbox.shares): no
database round trip per message, and no call is ever counted by the channel in a window where
the share says it was not. The dispatcher's lanes `reserve()` room for the messages they claim,
and each message `acquire()`s its token right before its call (`Call` reports it); other code
`take()`s tokens, granted with the time each may be used (`Grant.at`, `Grant.due`). Every token
must be reported: `answered()` after the call, whatever its outcome, or `give_back()` when it
was not made (one never reported counts as answered 30 s after it was taken).

The per-recipient limits (20 posts a minute in one channel: `take_one()`) are token buckets.
Each limit ("at most `count` messages in any `window` seconds": Telegram's ~30 a second overall,
20 a minute in one channel) is a row of `rate_buckets`. A process takes tokens in batches with a
single `UPDATE … RETURNING` that refills the bucket for the time elapsed (on the database's
clock, so the processes' clocks do not matter) and lends what it asks for. The row lock
serialises the processes, so together they follow one schedule.

The schedule: the bucket earns `count - margin` tokens per window and saves at most one, so
earned tokens are at least `window / rate` apart and any window holds at most `count - margin`
of them. The margin is what 40 ms of sending is worth (at least one token): messages that
leave a little late, or reach Telegram in a clump, still keep under `count`.
A process may borrow up to `lookahead` tokens ahead (a few hundredths of a second of sending);
the grant says when each borrowed token is earned (`Grant.due`), and the message waits until
then. Reserving ahead means a process that wakes a few milliseconds late loses nothing: a
plain bucket, full at its cap meanwhile, would drop what accrued (5-10% at 30 messages/s).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
import time
from dataclasses import dataclass

from alerts.db.database import Database
from alerts.outbox.shares import Share

log = logging.getLogger(__name__)

# Seconds of sending kept in reserve for jitter, and lent ahead of time.
JITTER_BUDGET = 0.04
LOOKAHEAD = 0.05
# A reserved message waits at most this long for its token (its share lapsed meanwhile).
ACQUIRE_TIMEOUT = 5.0


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Tokens taken, with the delay (seconds from now) at which each may be used; none taken:
    how long to wait before asking again."""

    tokens: int
    due: tuple[float, ...] = ()
    wait: float = 0.0
    # Of a share's tokens: when each may be used, on time.monotonic() (`due` is from the take).
    at: tuple[float, ...] = ()


def bucket_shape(count: float, window: float) -> tuple[float, float]:
    """(tokens earned per second, tokens lent ahead) for fewer than `count` in any `window`."""
    per_second = count / window
    margin = max(1.0, per_second * JITTER_BUDGET)
    rate = max(count - margin, count / 2) / window
    return rate, max(2.0, math.floor(per_second * LOOKAHEAD))


def share_shape(per_second: float) -> tuple[int, float]:
    """(calls, seconds) of the window a rate of `per_second` is kept as: at least one call."""
    if per_second >= 1.0:
        return math.floor(per_second), 1.0
    return 1, 1.0 / per_second


class RateLimiter:
    """Shares by key ('telegram', 'email', 'webhook'), token buckets by key
    ('telegram_channel:<chat>'). Each instance holds its own shares: `close()` it."""

    def __init__(self, db: Database, holder: str = "") -> None:
        self._db = db
        self._configured: dict[str, tuple[float, float]] = {}
        self._shares: dict[str, Share] = {}
        self._starting = asyncio.Lock()
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    async def share(self, key: str, per_second: float) -> None:
        """Hold a share of limit `key` (`per_second`), renewed until `close()`."""
        async with self._starting:  # two lanes of one limit (send, withdraw) share it
            if key in self._shares:
                return
            await self.configure(key, per_second)  # the bucket's row carries the pauses
            count, span = share_shape(per_second)
            share = Share(self._db, key, count, span, self.holder)
            await share.start()
            self._shares[key] = share

    async def close(self) -> None:
        """Give up the shares (each row stays while this process's calls are in the window)."""
        shares, self._shares = list(self._shares.values()), {}
        for share in shares:
            await share.stop()

    def share_of(self, key: str) -> int:
        """How many calls of limit `key` this holder may have in the window now (0: none)."""
        share = self._shares.get(key)
        return 0 if share is None else share.window.limit

    def answered(self, key: str, tokens: int = 1, *, unsure: bool = False) -> None:
        """The calls of `tokens` tokens of share `key` are back (`unsure`: failed in a way that
        the channel may still take them later, as a timeout)."""
        share = self._shares.get(key)
        if share is not None:
            share.window.answered(tokens, time.monotonic(), unsure)

    def returned(self, key: str, tokens: int = 1) -> None:
        """Tokens of share `key` granted but not used: free again at once."""
        share = self._shares.get(key)
        if share is not None:
            share.returned(tokens)

    def reserve(self, key: str, want: int, *, demand: bool) -> Grant:
        """How many messages a lane may claim on share `key` (configured before), each to
        `acquire` its token right before its call or to be `unreserve`d; `demand`: messages
        are known to be waiting (a lane only looking whether there are says False)."""
        tokens, wait = self._shares[key].reserve(want, demand)
        return Grant(tokens=tokens, wait=wait)

    def unreserve(self, key: str, tokens: int = 1) -> None:
        """Reserved messages that will not acquire their token (not claimed, not sent)."""
        share = self._shares.get(key)
        if share is not None:
            share.unreserve(tokens)

    async def acquire(self, key: str) -> bool:
        """The token of one reserved message, right before its call (at once unless `key` is a
        share); False when none came within ACQUIRE_TIMEOUT seconds."""
        share = self._shares.get(key)
        if share is None:
            return True
        try:
            await share.acquire(ACQUIRE_TIMEOUT)
        except TimeoutError:
            return False
        return True

    async def configure(self, key: str, count: float, window: float = 1.0) -> None:
        """Create bucket `key`, or change its rate (the last process to start sets it)."""
        rate, lookahead = bucket_shape(count, window)
        await self._db.execute("rate_configure", key, rate, lookahead)
        self._configured[key] = (count, window)

    async def take(self, key: str, want: int, *, demand: bool = True) -> Grant:
        """Up to `want` tokens of share or bucket `key` (configured before); `demand`: there
        are messages waiting for them (a lane looking whether there are says False)."""
        share = self._shares.get(key)
        if share is not None:
            starts, wait = share.take(want, demand)
            now = time.monotonic()
            due = tuple(max(0.0, at - now) for at in starts)
            return Grant(tokens=len(starts), due=due, wait=wait, at=tuple(starts))
        if ":" not in key:  # a lane's limit, shared by every process: never its old bucket
            raise KeyError(f"rate limit {key!r} is shared: `await share({key!r}, rate)` first")
        row = await self._db.fetchrow("rate_take", key, want)
        if row is None and key in self._configured:
            # The buckets are an UNLOGGED table: PostgreSQL empties it when it restarts after a
            # crash or an immediate stop. Make the bucket again rather than stop sending.
            await self.configure(key, *self._configured[key])
            row = await self._db.fetchrow("rate_take", key, want)
        if row is None:
            raise KeyError(f"rate bucket {key!r} is not configured")
        granted, left, rate = row["granted"], row["left"], row["rate"]
        if granted:
            # Token j of k is earned when the balance is back to -(k - j).
            due = tuple(max(0.0, (-left - (granted - j)) / rate) for j in range(1, granted + 1))
            return Grant(tokens=granted, due=due)
        if row["paused_for"] > 0:
            return Grant(tokens=0, wait=row["paused_for"])
        # Nothing until a whole token can be lent: `left + lookahead` reaches one.
        return Grant(tokens=0, wait=max(0.001, (1.0 - left - row["lookahead"]) / rate))

    async def take_one(self, key: str, limit: tuple[float, float]) -> float | None:
        """One token of a per-recipient bucket (`limit`: count, window; created on first use),
        waited for when it is lent ahead (a few seconds at most: few posts per recipient): None
        once it is held, else the seconds until one is free (nothing taken)."""
        if key not in self._configured:
            await self.configure(key, *limit)
        grant = await self.take(key, 1)
        if not grant.tokens:
            return grant.wait
        await asyncio.sleep(grant.due[0])
        return None

    async def give_back(self, key: str, tokens: int) -> None:
        """Return tokens taken but not used (nothing was due after all)."""
        if key in self._shares:
            self.returned(key, tokens)
        elif tokens > 0:
            await self._db.execute("rate_give_back", key, float(tokens))

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody takes from `key` for `seconds` (the channel answered 429 with retry_after)."""
        await self._db.execute("rate_pause", key, seconds)
        share = self._shares.get(key)
        if share is not None:  # the other processes learn it at their next renewal
            share.paused_until = max(share.paused_until, time.monotonic() + seconds)
        log.warning(
            "channel paused",
            extra={"action": "dispatch.paused", "bucket": key, "retry_after": seconds},
        )


@dataclass
class Call:
    """One reserved message's token: acquired yet, the channel called, and whether the channel
    may still take the call later (it failed without an answer)."""

    acquired: bool = False
    made: bool = False
    unsure: bool = False

    def report(self, limiter: RateLimiter, bucket: str) -> None:
        """Report the token to `limiter`: answered now, given back, or never acquired."""
        if not self.acquired:
            limiter.unreserve(bucket)
        elif self.made:
            limiter.answered(bucket, unsure=self.unsure)
        else:
            limiter.returned(bucket)
