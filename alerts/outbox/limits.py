"""The one rate limiter of the dispatchers: token buckets in PostgreSQL, shared by every process.

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

import logging
import math
from dataclasses import dataclass

from alerts.db.database import Database

log = logging.getLogger(__name__)

# Seconds of sending kept in reserve for jitter, and lent ahead of time.
JITTER_BUDGET = 0.04
LOOKAHEAD = 0.05


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Tokens taken, with the delay (seconds from now) at which each may be used; none taken:
    how long to wait before asking again."""

    tokens: int
    due: tuple[float, ...] = ()
    wait: float = 0.0


def bucket_shape(count: float, window: float) -> tuple[float, float]:
    """(tokens earned per second, tokens lent ahead) for fewer than `count` in any `window`."""
    per_second = count / window
    margin = max(1.0, per_second * JITTER_BUDGET)
    rate = max(count - margin, count / 2) / window
    return rate, max(2.0, math.floor(per_second * LOOKAHEAD))


class RateLimiter:
    """Shared token buckets by key: 'telegram', 'email', 'webhook', 'telegram_channel:<chat>'."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._configured: dict[str, tuple[float, float]] = {}

    async def configure(self, key: str, count: float, window: float = 1.0) -> None:
        """Create bucket `key`, or change its rate (the last process to start sets it)."""
        rate, lookahead = bucket_shape(count, window)
        await self._db.execute("rate_configure", key, rate, lookahead)
        self._configured[key] = (count, window)

    async def take(self, key: str, want: int) -> Grant:
        """Up to `want` tokens of bucket `key` (configured before)."""
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

    async def take_one(self, key: str, count: float, window: float) -> Grant:
        """One token of a per-recipient bucket, created on first use."""
        if key not in self._configured:
            await self.configure(key, count, window)
        return await self.take(key, 1)

    async def give_back(self, key: str, tokens: int) -> None:
        """Return tokens taken but not used (nothing was due after all)."""
        if tokens > 0:
            await self._db.execute("rate_give_back", key, float(tokens))

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody takes from `key` for `seconds` (the channel answered 429 with retry_after)."""
        await self._db.execute("rate_pause", key, seconds)
        log.warning(
            "channel paused",
            extra={"action": "dispatch.paused", "bucket": key, "retry_after": seconds},
        )
