"""The one rate limiter of the dispatchers: sliding windows in PostgreSQL, shared by every process.

Each limit is "at most `count` messages in any `window` seconds" (Telegram's 30 or, with paid
broadcast, 1,000 a second overall; 20 a minute in one channel), counted as Telegram counts
them: a sliding window over the moments its servers take the calls. A limit is a row of
`rate_buckets`, and what is counted in its window the rows of `rate_leases`:

- a process leases tokens (`take`, one `UPDATE … RETURNING` under the bucket's row lock, so the
  processes follow one count): granted only while fewer than `count` are in the window, the
  lease counted from that moment (on the database's clock, before any of its messages leaves);
- each message ends its token (`Lease.end`): not used (nothing reached the channel), it leaves
  the window; used, it stays in it until `window` seconds after its answer arrived. Telegram
  took the call between the send and the answer, so a token leaves the window only once the
  call it paid for has left Telegram's: the processes together never put more than `count`
  calls in any window, whatever the network's and the machines' delays (they only cost rate:
  a token is held from its lease to its answer, plus the window).

The ends are written in batches, a few milliseconds late (`_REPORT_SECONDS`), each with how long
ago its answers came (measured on the process's clock, so no clocks need to agree): a late
report costs nothing, since the token's place in the window is set by its answer.
When the window is full, a process waits until a block of tokens (`BLOCK_SHARE` of the window,
at least one) is free, the wait computed from the window's rows: messages leave in blocks and a
round trip serves many of them. A lease whose process died leaves the window `INFLIGHT_SECONDS`
after the window; a message is not sent more than `LATE_SECONDS` after its lease was taken.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from alerts.db.database import Database

log = logging.getLogger(__name__)

# A lease not ended this long past its window is over (its process died).
INFLIGHT_SECONDS = 30.0
# A message whose lease is older than this is not sent any more (the dispatcher retries it).
LATE_SECONDS = 10.0
# When the window is full, tokens are lent in blocks of this share of it.
BLOCK_SHARE = 0.02
# Ends are written this long after the first of a batch; grouped by answers this close.
_REPORT_SECONDS = 0.01
_GROUP_SECONDS = 0.002


def window_of(count: float, window: float) -> tuple[int, float, int]:
    """(tokens per window, window in seconds, block) for "at most `count` in `window` seconds"."""
    if count < 1:  # fewer than one a window: one per proportionally longer window
        return 1, window / count, 1
    tokens = math.floor(count)
    return tokens, window, max(1, math.floor(tokens * BLOCK_SHARE))


class Lease:
    """Tokens taken together; each is ended once, used or not."""

    __slots__ = ("_limiter", "id", "key")

    def __init__(self, limiter: RateLimiter, key: str, lease_id: UUID) -> None:
        self._limiter, self.key, self.id = limiter, key, lease_id

    def end(self, used: bool = True, tokens: int = 1) -> None:
        """`tokens` of the lease are done: `used` (a call reached the channel and was answered
        just now) or not."""
        self._limiter.ended(self, used, tokens)


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Tokens leased (each to be ended through `lease`); none: how long to wait first."""

    tokens: int
    lease: Lease | None = None
    wait: float = 0.0


class RateLimiter:
    """Shared windows by key: 'telegram', 'email', 'webhook', 'telegram_channel:<chat>'."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._configured: dict[str, tuple[float, float]] = {}
        # Ends not yet written: key -> (lease id, answer group or None) -> [tokens, latest answer]
        self._ends: dict[str, dict[tuple[UUID, int | None], list[float]]] = {}
        self._reporter: asyncio.Task[None] | None = None

    async def configure(self, key: str, count: float, window: float = 1.0) -> None:
        """Create bucket `key`, or change its limit (the last process to start sets it)."""
        await self._db.execute("rate_configure", key, *window_of(count, window))
        self._configured[key] = (count, window)

    async def take(self, key: str, want: int) -> Grant:
        """A lease of up to `want` tokens of bucket `key` (configured before)."""
        row = await self._db.fetchrow("rate_take", key, want, INFLIGHT_SECONDS)
        if row is None and key in self._configured:
            # The buckets are an UNLOGGED table: PostgreSQL empties it when it restarts after a
            # crash or an immediate stop. Make the bucket again rather than stop sending.
            await self.configure(key, *self._configured[key])
            row = await self._db.fetchrow("rate_take", key, want, INFLIGHT_SECONDS)
        if row is None:
            raise KeyError(f"rate bucket {key!r} is not configured")
        granted = row["granted"]
        if granted:
            return Grant(tokens=granted, lease=Lease(self, key, row["lease"]))
        if row["paused_for"] > 0:
            return Grant(tokens=0, wait=row["paused_for"])
        # Until a block leaves the window; when only leases in flight fill it, look again soon.
        wait = row["wait"]
        return Grant(tokens=0, wait=0.02 if wait is None else min(1.0, max(0.001, wait)))

    async def take_one(self, key: str, count: float, window: float) -> Grant:
        """One token of a per-recipient bucket, created on first use."""
        if key not in self._configured:
            await self.configure(key, count, window)
        return await self.take(key, 1)

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody takes from `key` for `seconds` (the channel answered 429 with retry_after)."""
        await self._db.execute("rate_pause", key, seconds)
        log.warning(
            "channel paused",
            extra={"action": "dispatch.paused", "bucket": key, "retry_after": seconds},
        )

    # -- ends ----------------------------------------------------------------------------------

    def ended(self, lease: Lease, used: bool, tokens: int) -> None:
        now = asyncio.get_running_loop().time()
        group = int(now / _GROUP_SECONDS) if used else None
        ends = self._ends.setdefault(lease.key, {})
        entry = ends.get((lease.id, group))
        if entry is None:
            ends[(lease.id, group)] = [tokens, now]
        else:
            entry[0] += tokens
            entry[1] = now
        if self._reporter is None or self._reporter.done():
            self._reporter = asyncio.create_task(self._report_soon())

    async def _report_soon(self) -> None:
        while self._ends:
            await asyncio.sleep(_REPORT_SECONDS)
            await asyncio.shield(self.flush())

    async def flush(self) -> None:
        """Write every end so far (a lease not written leaves the window by its deadline)."""
        ends, self._ends = self._ends, {}
        for key, entries in ends.items():
            now = asyncio.get_running_loop().time()
            ids, tokens, agos = [], [], []
            for (lease_id, group), (count, latest) in entries.items():
                ids.append(lease_id)
                tokens.append(int(count))
                agos.append(None if group is None else max(0.0, now - latest))
            try:
                await self._db.execute("rate_release", key, ids, tokens, agos)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                # Safe: the tokens stay counted until their lease's deadline.
                log.warning("rate tokens not returned", extra={
                    "action": "dispatch.release_failed", "error": type(err).__name__})  # fmt: skip
