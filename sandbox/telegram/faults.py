"""Telegram having a bad day, switched on at run time: unreachable, slow, 429 or 500.

A fault holds for `seconds` or until it is ended, and touches every Bot API call and file
download (never the control endpoints under `/sandbox/api/`):

- `unreachable`: new connections are refused (the listening socket is closed) and calls on
  connections already open are cut without an answer;
- `slow`: each call is taken when it arrives (and counted against the limits then), and
  answered `delay` seconds later;
- `429`: each call is answered as Telegram answers a flood, with `retry_after`;
- `500`: each call is answered `Internal Server Error`.

A 429 of a fault is counted in `hits`, not in the counters' `refused`: those say when a client
broke Telegram's limits, which a test of the limits must still be able to read.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.telegram.records import JSON, ApiError

MODES = ("unreachable", "slow", "429", "500")


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One fault in force: its mode, how long it lasts (None: until ended) and its options."""

    mode: str
    seconds: float | None = None
    delay: float = 2.0  # slow: seconds each call waits
    retry_after: int = 5  # 429: what Telegram tells the client to wait
    started: float = 0.0  # monotonic

    def expired(self, now: float) -> bool:
        return self.seconds is not None and now >= self.started + self.seconds

    def error(self) -> ApiError | None:
        """The answer of a call under this fault, when it is an error."""
        if self.mode == "429":
            wait = self.retry_after
            return ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if self.mode == "500":
            return ApiError(500, "Internal Server Error")
        return None

    def to_json(self) -> JSON:
        left = None
        if self.seconds is not None:
            left = max(0.0, self.started + self.seconds - time.monotonic())
        return {
            "mode": self.mode,
            "seconds": self.seconds,
            "seconds_left": left,
            "delay": self.delay,
            "retry_after": self.retry_after,
        }


Listener = Callable[["Fault | None"], None]


class Faults:
    """The fault in force (at most one), and how many calls each mode has touched."""

    def __init__(self) -> None:
        self._current: Fault | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._listeners: list[Listener] = []
        self.hits: Counter[str] = Counter()

    @property
    def current(self) -> Fault | None:
        fault = self._current
        if fault is not None and fault.expired(time.monotonic()):
            self.end()
            return None
        return fault

    def start(
        self,
        mode: str,
        *,
        seconds: float | None = None,
        delay: float = 2.0,
        retry_after: int = 5,
    ) -> Fault:
        """Put `mode` in force (replacing the fault in force) for `seconds`, or until `end()`."""
        if mode not in MODES:
            raise ValueError(f"unknown fault {mode!r}; one of {', '.join(MODES)}")
        if seconds is not None and seconds <= 0:
            raise ValueError("seconds must be positive")
        if delay < 0 or retry_after < 1:
            raise ValueError("delay must be >= 0 and retry_after >= 1")
        self._cancel_timer()
        fault = Fault(mode=mode, seconds=seconds, delay=delay, retry_after=retry_after,
                      started=time.monotonic())  # fmt: skip
        self._current = fault
        if seconds is not None:
            self._timer = asyncio.get_running_loop().call_later(seconds, self._expire, fault)
        self._notify(fault)
        return fault

    def end(self) -> None:
        """Telegram is well again."""
        self._cancel_timer()
        if self._current is not None:
            self._current = None
            self._notify(None)

    def on_change(self, listener: Listener) -> None:
        """Call `listener(fault or None)` whenever the fault in force changes."""
        self._listeners.append(listener)

    def hit(self, fault: Fault) -> None:
        self.hits[fault.mode] += 1

    def to_json(self) -> JSON:
        current = self.current
        return {"fault": current.to_json() if current else None, "hits": dict(self.hits)}

    def _expire(self, fault: Fault) -> None:
        if self._current is fault:
            self._timer = None
            self.end()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _notify(self, fault: Fault | None) -> None:
        for listener in self._listeners:
            listener(fault)
