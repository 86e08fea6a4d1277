"""Taking sightings in: how many a sender may send (the hourly limits per sender and per case,
senders known by `alerts.clients` keys), and writing them in batches.

The limits are kept in this process's memory because checking them must cost nothing to the
reports of others: a flood is refused before its body is read, with no database work at all.
Each web process counts for itself, so behind P processes a sender gets up to P times the
limit; SIGHTING_RATE_PER_CLIENT is generous enough that a crowd behind one carrier's address is
not turned away.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from alerts import errors
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import N_
from alerts.sightings.reports import Receipt, Report, new_reference, store


class Window:
    """At most `limit` events per `seconds` for each key: the times of the accepted events.

    Memory is bounded by what is accepted (refused attempts are not recorded), and keys whose
    events have all expired are dropped every minute.
    """

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._events: dict[object, deque[float]] = {}
        self._swept = time.monotonic()

    def wait(self, key: object, now: float) -> float:
        """Seconds until `key` may have one more event (0: now)."""
        events = self._events.get(key)
        if not events:
            return 0.0
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return 0.0 if len(events) < self.limit else events[0] + self.seconds - now

    def add(self, key: object, now: float) -> None:
        self._events.setdefault(key, deque()).append(now)
        if now - self._swept > 60:
            self._sweep(now)

    def remove(self, key: object, at: float) -> None:
        events = self._events.get(key)
        if events is not None and at in events:
            events.remove(at)

    def _sweep(self, now: float) -> None:
        self._swept = now
        cutoff = now - self.seconds
        stale = [k for k, events in self._events.items() if not events or events[-1] <= cutoff]
        for key in stale:
            del self._events[key]


WAIT_FOR_CASE = N_(
    "We are receiving very many reports for this alert right now. Please call "
    "%(hotline)s, or try again in %(minutes)s min. If the child is in danger, call 112."
)
WAIT_FOR_CLIENT = N_(
    "You have sent several reports in a short time. You can send another one in "
    "%(minutes)s min. If it is urgent, call %(hotline)s; if the child is in danger, call 112."
)


class Limited(Exception):
    """Too many reports: from this sender ('client') or for this case ('case')."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(scope)
        self.scope, self.retry_after = scope, retry_after

    @property
    def message(self) -> str:
        """What to tell the reporter, in English (translated where it is shown): when to try
        again (`%(minutes)s`) and whom to call meanwhile (`%(hotline)s`)."""
        return WAIT_FOR_CASE if self.scope == "case" else WAIT_FOR_CLIENT

    @property
    def minutes(self) -> str:
        """The wait in whole minutes, rounded up (at least one)."""
        return str(max(1, -(-self.retry_after // 60)))


@dataclass(frozen=True)
class Ticket:
    """A report let in; `release()` gives its place back when the report is refused after all."""

    limits: Limits
    client: str
    case: str
    at: float

    def release(self) -> None:
        self.limits.clients.remove(self.client, self.at)
        self.limits.cases.remove(self.case, self.at)


class Limits:
    """The hourly limits per sender and per case (see the module's docstring)."""

    def __init__(self, per_client: int, per_case: int) -> None:
        self.clients = Window(per_client, 3600)
        self.cases = Window(per_case, 3600)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.sighting_rate_per_client, settings.sighting_rate_per_case)

    def check_client(self, client: str) -> None:
        """Limited when a report from `client` would be refused now, whatever the case: the
        first thing looked at, before the case is even read from the database."""
        wait = self.clients.wait(client, time.monotonic())
        if wait > 0:
            raise Limited("client", max(1, math.ceil(wait)))

    def check(self, client: str, case: str) -> None:
        """Limited when a report from `client` for the case would be refused now."""
        now = time.monotonic()
        for scope, window, key in (("client", self.clients, client), ("case", self.cases, case)):
            wait = window.wait(key, now)
            if wait > 0:
                raise Limited(scope, max(1, math.ceil(wait)))

    def strike(self, client: str) -> None:
        """Count something against the sender alone (a filled honeypot); Limited when over."""
        self.check_client(client)
        self.clients.add(client, time.monotonic())

    def admit(self, client: str, case: str) -> Ticket:
        """Count one report (Limited when over a limit): taken before the work, so that many
        reports sent at once cannot all slip in before the first is stored."""
        self.check(client, case)
        now = time.monotonic()
        self.clients.add(client, now)
        self.cases.add(case, now)
        return Ticket(self, client, case, now)


@dataclass(frozen=True)
class _Queued:
    public_id: str
    report: Report
    meta: dict[str, str]  # source, language, client
    reference: str
    future: asyncio.Future[Receipt]


class Writer:
    """Stores reports in batches. While one INSERT runs, the reports that arrive wait for the
    next, which takes them all (up to `max_batch`) in one statement and one commit: under
    load, many reports per round trip to the database; alone, a report waits for nothing."""

    def __init__(self, db: Callable[[], Database], max_batch: int = 200) -> None:
        self._db, self._max = db, max_batch
        self._queue: list[_Queued] = []
        self._task: asyncio.Task[None] | None = None

    async def store(
        self, public_id: str, report: Report, *, source: str, language: str, client: str
    ) -> Receipt:
        """As `store`: the receipt, or Gone when the case is not active."""
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        meta = {"source": source, "language": language, "client": client}
        self._queue.append(_Queued(public_id, report, meta, new_reference(), future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
                await self._write(batch)
        finally:
            self._task = None

    async def _write(self, batch: list[_Queued]) -> None:
        columns = [[q.public_id, q.reference, q.meta["source"], q.meta["language"],
                    q.report.seen_at, q.report.place, q.report.lat, q.report.lon,
                    q.report.point_source, q.report.seen, q.report.direction,
                    q.report.companions, q.report.photo, q.report.contact_name,
                    q.report.contact_phone, q.report.contact_email, q.meta["client"],
                    q.report.precision]
                   for q in batch]  # fmt: skip
        try:
            rows = await self._db().fetch(
                "insert_sightings", *map(list, zip(*columns, strict=True))
            )
        except Exception:  # noqa: BLE001 - one bad row (or a reference drawn twice) must not
            await self._one_by_one(batch)  # sink the others: each is stored on its own
            return
        found = {row["reference"]: row for row in rows}
        for q in batch:
            row = found.get(q.reference)
            if row is None:
                _settle(q.future, errors.Gone())
            else:
                _settle(q.future, Receipt(id=row["id"], case_id=row["case_id"],
                                          reference=q.reference))  # fmt: skip

    async def _one_by_one(self, batch: list[_Queued]) -> None:
        for q in batch:
            try:
                receipt = await store(self._db(), q.public_id, q.report, **q.meta)
            except Exception as exc:  # noqa: BLE001 - handed to the waiting request
                _settle(q.future, exc)
            else:
                _settle(q.future, receipt)


def _settle(future: asyncio.Future[Receipt], outcome: Receipt | BaseException) -> None:
    if future.done():  # the request gave up (the tipster's connection closed)
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
