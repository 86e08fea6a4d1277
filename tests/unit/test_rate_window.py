"""A process's calls counted against its share of a rate limit (alerts.outbox.shares.Window),
checked against the Telegram sandbox's own sliding-window count: whatever the delays between a
call's start, the moment Telegram counts it and its answer, no window of Telegram's clock ever
holds more calls than the shares allow; and with no delays a share is used in full."""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field

import pytest

from alerts.outbox.shares import Window
from sandbox.telegram.records import ApiError
from sandbox.telegram.state import _refuse_if_full

TICK = 0.001  # the simulated processes look for room every millisecond


@dataclass(order=True)
class Event:
    at: float
    kind: str = field(compare=False)  # "count" at Telegram, "answer" back at the process
    sender: int = field(compare=False)
    unsure: bool = field(default=False, compare=False)


def simulate(limits: list[int], calls: int, rng: random.Random | None) -> list[float]:
    """Processes with shares `limits` send `calls` calls each as soon as their windows allow;
    Telegram (one overall limit of sum(limits) a second, counted as the sandbox counts) counts
    each after a random delay and answers after another; some calls time out, and are counted
    after the process gave up. The moments Telegram counted the calls; ApiError on a refusal."""
    windows = [Window(1.0) for _ in limits]
    for window, limit in zip(windows, limits, strict=True):
        window.limit = limit
    left = [calls] * len(limits)
    events: list[Event] = []
    stamps: deque[float] = deque()
    counted: list[float] = []
    now = 0.0
    while any(left) or events:
        while events and events[0].at <= now:
            event = heapq.heappop(events)
            if event.kind == "count":
                _refuse_if_full(stamps, sum(limits), 1.0, event.at, "global")
                stamps.append(event.at)
                counted.append(event.at)
            else:
                windows[event.sender].answered(1, event.at, unsure=event.unsure)
        for sender, window in enumerate(windows):
            while left[sender] and window.free(now):
                window.hold(now)
                if rng is not None and rng.random() < 0.05:
                    window.returned(1)  # claimed, then not sent after all
                    continue
                left[sender] -= 1
                to_count, to_answer = _delays(rng)
                count = now + to_count
                heapq.heappush(events, Event(count, "count", sender))
                # A timeout (to_answer < 0): the process gives up before Telegram counts it.
                answer = Event(count + to_answer, "answer", sender, unsure=to_answer < 0)
                heapq.heappush(events, answer)
        now += TICK
    return counted


def _delays(rng: random.Random | None) -> tuple[float, float]:
    """(start to count, count to answer; negative: the process gave up that long before)."""
    if rng is None:
        return 0.0, 0.0
    if rng.random() < 0.03:  # stuck in a queue at Telegram: the process gives up first
        to_count = rng.uniform(0.3, 1.0)
        return to_count, -rng.uniform(0, to_count)
    to_count = rng.choice([rng.uniform(0, 0.02), rng.uniform(0, 0.4), rng.expovariate(20)])
    return to_count, rng.choice([rng.uniform(0, 0.01), rng.uniform(0, 0.3)])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limits", [[30], [15, 15], [9, 9, 9], [400, 400]])
def test_no_window_of_telegrams_clock_holds_more_than_the_shares_whatever_the_delays(
    limits: list[int], seed: int
) -> None:
    calls = 3 * max(limits)
    try:
        counted = simulate(limits, calls, random.Random(seed))
    except ApiError as refusal:
        pytest.fail(f"Telegram refused a call: {refusal}")
    assert len(counted) == calls * len(limits)


def test_without_delays_a_share_is_used_in_full() -> None:
    # 30 a second for 10 seconds: the first at 0, the last in the tenth second.
    counted = simulate([30], 300, None)
    assert max(counted) < 10.0


def test_a_call_counts_until_a_window_after_its_answer_and_one_more_when_unsure() -> None:
    window = Window(1.0)
    window.limit = 2
    assert window.free(0.0)
    window.hold(0.0)
    window.hold(0.0)
    assert not window.free(0.5)
    window.answered(1, 0.5)  # answered: in Telegram's window until 1.5 at most
    window.answered(1, 0.5, unsure=True)  # timed out: Telegram may count it as late as 1.5
    assert window.count(1.49) == 2
    assert window.count(1.5) == 1 and window.free(1.5)
    assert window.count(2.5) == 0


def test_a_token_given_back_is_free_at_once_and_a_smaller_share_waits_for_the_window() -> None:
    window = Window(1.0)
    window.limit = 3
    for _ in range(3):
        window.hold(0.0)
    window.returned(1)
    assert window.count(0.0) == 2 and window.free(0.6)  # (the calls are spaced out)
    window.answered(2, 0.7)
    window.limit = 1  # the share shrank: nothing until both calls have left the window
    assert not window.free(1.6)
    assert window.free(1.7)
