"""Shares of one rate limit between processes (alerts.outbox.shares, table rate_shares): the
claims never add up to more than the limit; a process that starts needing tokens gets its part
only as the others' calls leave the window; one that stopped renewing (dead or hung) keeps its
claim until its row expires."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from alerts.db.database import Database
from alerts.outbox.limits import RateLimiter
from tests.support.dispatch import eventually

LIMIT = 30


async def claimed(db: Database) -> int:
    return await db.conn.fetchval(
        "SELECT coalesce(sum(claim), 0) FROM rate_shares"
        " WHERE key = 'telegram' AND expires_at > clock_timestamp()"
    )


def watching(db: Database, check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    """`check`, while the claims in the database never pass the limit."""

    async def watched() -> bool:
        assert await claimed(db) <= LIMIT
        return check()

    return watched


async def taking(limiter: RateLimiter, tokens: int) -> None:
    """Take `tokens` tokens (spaced out: a few at a time)."""
    while tokens:
        grant = await limiter.take("telegram", tokens)
        tokens -= grant.tokens
        await asyncio.sleep(max(grant.due, default=grant.wait))


async def test_a_newcomer_gets_its_half_only_as_the_others_calls_leave_the_window(
    db: Database,
) -> None:
    first, second = RateLimiter(db, holder="first"), RateLimiter(db, holder="second")
    try:
        await first.share("telegram", LIMIT)
        assert first.share_of("telegram") == LIMIT  # alone: the whole limit
        await taking(first, LIMIT)  # thirty calls in the window

        await second.share("telegram", LIMIT)
        assert (await second.take("telegram", 1)).tokens == 0  # nothing free: it asks
        # The first gives up half at its next renewal, but keeps claiming its 30 calls.
        await eventually(watching(db, lambda: first.share_of("telegram") == LIMIT // 2))
        assert second.share_of("telegram") == 0 and await claimed(db) == LIMIT
        await eventually(watching(db, lambda: second.share_of("telegram") == 0), within=0.5)

        first.answered("telegram", LIMIT)  # they stay in Telegram's window for a second
        await eventually(watching(db, lambda: second.share_of("telegram") == LIMIT // 2))
        assert first.share_of("telegram") == LIMIT // 2
        assert (await second.take("telegram", LIMIT)).tokens >= 1
    finally:
        await first.close()
        await second.close()


async def test_a_process_that_stopped_renewing_keeps_its_claim_until_its_row_expires(
    db: Database,
) -> None:
    # What a dispatcher killed (or hung) while sending leaves: its claim, for a few seconds.
    await db.conn.execute(
        "INSERT INTO rate_shares (key, holder, claim, demand, expires_at)"
        " VALUES ('telegram', 'dead', 20, true, clock_timestamp() + interval '2 seconds')"
    )
    alive = RateLimiter(db, holder="alive")
    try:
        await alive.share("telegram", LIMIT)
        await alive.take("telegram", 1)  # it has messages waiting
        await eventually(watching(db, lambda: alive.share_of("telegram") == LIMIT - 20))
        await eventually(watching(db, lambda: alive.share_of("telegram") == LIMIT), within=5)
    finally:
        await alive.close()


async def test_a_process_that_leaves_frees_its_share_once_its_calls_left_the_window(
    db: Database,
) -> None:
    first, second = RateLimiter(db, holder="first"), RateLimiter(db, holder="second")
    try:
        await first.share("telegram", LIMIT)
        await second.share("telegram", LIMIT)
        await first.take("telegram", 1)
        await second.take("telegram", 1)
        await eventually(watching(db, lambda: second.share_of("telegram") == LIMIT // 2))
        await eventually(watching(db, lambda: first.share_of("telegram") == LIMIT // 2))
        first.answered("telegram")
        await first.close()  # its row stays while its call is in the window
        await eventually(watching(db, lambda: second.share_of("telegram") == LIMIT))
    finally:
        await first.close()
        await second.close()
