"""Transient database conflicts, retried: a deadlock, a serialization failure, a lost connection.

PostgreSQL ends one of two transactions that wait for each other (deadlock_detected), refuses a
transaction whose snapshot went stale (serialization_failure), and a connection can drop (a
restart, a network cut, `pg_terminate_backend`). None of these says anything about the request:
the same transaction, run again a moment later, goes through. `retried` runs the whole function
again - a transaction that failed was rolled back, so nothing of it is left - up to ATTEMPTS
times with exponential backoff and full jitter (two requests that collided do not collide again
in step), and then raises `errors.Busy`, which the web layer answers with 503 and `Retry-After`.

Only functions whose every effect is inside one transaction, or repeated harmlessly after it,
may be wrapped (alerts.outbox.pipeline's transitions). A connection lost during the COMMIT
itself leaves the outcome unknown: the re-run then finds the transition made and answers as for a
repeated request (a 409 for a close already made).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg

from alerts import errors

log = logging.getLogger(__name__)

ATTEMPTS = 5
BASE_DELAY, MAX_DELAY = 0.05, 1.0
RETRY_AFTER = 2  # seconds, told to the client when every attempt failed

_CONFLICTS = (
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.LockNotAvailableError,  # a NOWAIT that found the row locked
)
_LOST = (
    asyncpg.exceptions.PostgresConnectionError,  # class 08, ConnectionDoesNotExistError among them
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    ConnectionError,
    OSError,
)

P = ParamSpec("P")
T = TypeVar("T")


def transient(exc: BaseException) -> bool:
    """Whether `exc` is a conflict or a lost connection that a new attempt may get past."""
    if isinstance(exc, (*_CONFLICTS, *_LOST)):
        return True
    # asyncpg says InterfaceError both for a closed connection and for a misuse: only the first.
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


def delay(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, ...): full jitter."""
    return random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1)))


def retried(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`function`, run again on a transient database error; `errors.Busy` when none got through."""

    @functools.wraps(function)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await function(*args, **kwargs)
            except Exception as exc:
                if not transient(exc):
                    raise
                log.warning("transient database error", extra={
                    "action": "db.retry", "function": function.__qualname__, "attempt": attempt,
                    "error": type(exc).__name__})  # fmt: skip
                if attempt == ATTEMPTS:
                    raise errors.Busy(
                        "The database is busy right now and nothing was changed. "
                        "Please try again in a few seconds.",
                        retry_after=RETRY_AFTER,
                    ) from exc
                await asyncio.sleep(delay(attempt))
        raise AssertionError("unreachable")

    return run
