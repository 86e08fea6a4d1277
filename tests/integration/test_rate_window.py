"""The shared rate window (alerts/outbox/limits.py) between two processes' limiters: a token is
counted from its lease until a window after its message's answer; an unused one leaves at once."""

from __future__ import annotations

import asyncio

from alerts.db.database import Database
from alerts.outbox.limits import RateLimiter

WINDOW = 0.3


async def test_an_answered_token_stays_in_the_window_until_a_window_after_its_answer(
    db: Database,
) -> None:
    one, other = RateLimiter(db), RateLimiter(db)  # two dispatcher processes
    await one.configure("telegram", 3, WINDOW)
    grant = await one.take("telegram", 3)
    assert grant.tokens == 3 and grant.lease is not None
    refused = await other.take("telegram", 3)
    assert refused.tokens == 0 and refused.wait > 0
    grant.lease.end(used=True, tokens=2)  # two answered now
    grant.lease.end(used=False)  # one never reached the channel
    await one.flush()
    assert (await other.take("telegram", 3)).tokens == 1  # the unused one, at once
    waiting = await other.take("telegram", 3)
    assert waiting.tokens == 0 and 0 < waiting.wait <= WINDOW
    await asyncio.sleep(waiting.wait)  # the window passing is what is tested
    assert (await other.take("telegram", 3)).tokens == 2


async def test_a_lease_without_an_answer_keeps_its_tokens_past_the_window(db: Database) -> None:
    one, other = RateLimiter(db), RateLimiter(db)
    await one.configure("telegram", 2, WINDOW)
    assert (await one.take("telegram", 2)).tokens == 2  # sent, answers not back yet
    await asyncio.sleep(WINDOW * 1.5)  # a slow Telegram: the calls may be counted only now
    assert (await other.take("telegram", 2)).tokens == 0


async def test_a_429_pauses_every_process(db: Database) -> None:
    one, other = RateLimiter(db), RateLimiter(db)
    await one.configure("telegram", 30)
    await one.pause("telegram", 5)
    paused = await other.take("telegram", 1)
    assert paused.tokens == 0 and 4 < paused.wait <= 5
