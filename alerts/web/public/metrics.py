"""`GET /metrics`: the service's figures in the Prometheus text format (version 0.0.4).

Every figure is counted in the database at scrape time, not in a process's memory: the web
processes and the dispatchers on several machines share one registry, so whichever process
Prometheus asks, the answer is the same, and a restart loses nothing.

Public, as DESIGN.md lists it: only counts, under labels from fixed sets (channel, state,
reason, source), never a case, a person, an address or a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from aiohttp import web

from alerts.db.database import Database
from alerts.outbox.fanout import DISPATCH_CHANNELS
from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Every state and source is always reported (zero included): a series that vanishes when its
# count drops to zero cannot be told from a scrape that failed.
STATES = (
    "pending", "sending", "sent", "failed", "cancelled", "withdrawing", "withdrawn",
    "neutralised", "manual", "superseded",
)  # fmt: skip
CASE_STATES = ("draft", "pending_approval", "active", "closed")
SIGHTING_SOURCES = ("web", "json", "telegram")
SIGHTING_STATUSES = ("new", "credible", "not_credible", "duplicate", "police")
QUEUE_STATES = ("due", "held", "sending", "withdrawing")
FAILURE_REASONS = (
    "gave_up",
    "recipient_gone",
    "refused",
)  # as alerts/outbox/dispatcher.py ends a send
# A label value is code-made (a reason such as `gave_up`); anything else is reported as `other`
# so that no free text can ever reach the scrape.
_CODE = re.compile(r"[a-z][a-z0-9_]{0,40}")


@dataclass(frozen=True, kw_only=True)
class Family:
    """One metric: its name, type, help line and samples (labels, value)."""

    name: str
    kind: str
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> None:
        self.samples.append((labels, value))


@routes.get("/metrics", name="metrics")
@public
async def metrics(request: web.Request) -> web.Response:
    """Every figure, counted now."""
    text = exposition(await collect(request.app[keys.DB]))
    return web.Response(body=text.encode(), headers={"Content-Type": CONTENT_TYPE})


async def collect(db: Database) -> list[Family]:
    """The figures of the whole service, read from the database."""
    async with db.transaction() as tx:  # one snapshot: the figures agree with each other
        await tx.execute("metrics_snapshot")
        return [
            *await _publications(tx),
            *await _queue(tx),
            await _withdrawal(tx),
            *await _cases(tx),
            *await _sightings(tx),
            await _volunteers(tx),
        ]


# Every metric, declared once: its name, type and help line.
FAMILIES: Mapping[str, tuple[str, str]] = {
    "alerts_publications": (
        "gauge",
        "Publications of real cases in the registry (the outbox and the withdrawal list), by "
        "channel and state.",
    ),
    "alerts_deliveries_total": ("counter", "Messages delivered, by channel."),
    "alerts_delivery_attempts_total": (
        "counter", "Send attempts made (retries included), by channel.",
    ),
    "alerts_delivery_failures_total": (
        "counter", "Messages that failed for good, by channel and reason.",
    ),
    "alerts_queue_depth": (
        "gauge",
        "Outbox rows waiting or in flight, by channel and state: due (to send now), held "
        "(backoff, quiet hours), sending (claimed), withdrawing.",
    ),
    "alerts_queue_oldest_due_seconds": (
        "gauge", "How long the oldest row due to be sent or withdrawn has waited, by channel.",
    ),
    "alerts_fanout_batched_messages": (
        "gauge",
        "Messages of large fan-outs still waiting in batches for a dispatcher to make them "
        "into outbox rows (above zero for more than seconds only when no dispatcher runs).",
    ),
    "alerts_fanout_batch_oldest_seconds": (
        "gauge", "How long the oldest waiting fan-out batch has waited.",
    ),
    "alerts_withdrawal_publications": (
        "gauge",
        "Publications of closed cases, by state: withdrawing is the work left; withdrawn, "
        "neutralised and cancelled are done; manual waits for a person.",
    ),
    "alerts_cases": ("gauge", "Cases by state (exercises not counted)."),
    "alerts_exercise_cases": ("gauge", "Exercise cases by state (counted apart from real ones)."),
    "alerts_exercise_publications": (
        "gauge",
        "Publications of exercise cases, by channel and state (not in alerts_publications).",
    ),
    "alerts_sightings_total": ("counter", "Sightings received, by source."),
    "alerts_sightings": ("gauge", "Sightings held, by triage status."),
    "alerts_volunteers": (
        "gauge", "Volunteers who can be reached, by channel and whether alerts are on.",
    ),
}  # fmt: skip


def _family(name: str) -> Family:
    """Metric `name` as FAMILIES declares it, without samples yet."""
    kind, help_ = FAMILIES[name]
    return Family(name=name, kind=kind, help=help_)


async def _publications(db: Database) -> list[Family]:
    registry, exercise = _family("alerts_publications"), _family("alerts_exercise_publications")
    counts = _table(await db.fetch("metrics_publications"), ("channel", "state", "exercise"))
    for channel in sorted({*DISPATCH_CHANNELS, *(c for c, _, _ in counts)}):
        for state in STATES:
            registry.add(counts.get((channel, state, False), 0), channel=channel, state=state)
            exercise.add(counts.get((channel, state, True), 0), channel=channel, state=state)
    return [registry, exercise, *await _deliveries(db), await _failures(db)]


async def _deliveries(db: Database) -> list[Family]:
    delivered = _family("alerts_deliveries_total")
    attempts = _family("alerts_delivery_attempts_total")
    rows = {r["channel"]: r for r in await db.fetch("metrics_deliveries", DISPATCH_CHANNELS)}
    for channel in DISPATCH_CHANNELS:
        row = rows.get(channel)
        delivered.add(row["delivered"] if row else 0, channel=channel)
        attempts.add(row["attempts"] if row else 0, channel=channel)
    return [delivered, attempts]


async def _failures(db: Database) -> Family:
    family = _family("alerts_delivery_failures_total")
    rows = await db.fetch("metrics_failures", DISPATCH_CHANNELS)
    failed = {(r["channel"], _code(r["reason"])): r["n"] for r in rows}
    for channel, reason in sorted({*failed, *product(DISPATCH_CHANNELS, FAILURE_REASONS)}):
        family.add(failed.get((channel, reason), 0), channel=channel, reason=reason)
    return family


async def _queue(db: Database) -> list[Family]:
    depth, oldest = _family("alerts_queue_depth"), _family("alerts_queue_oldest_due_seconds")
    batched = _family("alerts_fanout_batched_messages")
    batch_age = _family("alerts_fanout_batch_oldest_seconds")
    rows = {r["channel"]: r for r in await db.fetch("metrics_queue")}
    for channel in DISPATCH_CHANNELS:
        row = rows.get(channel)
        for state in QUEUE_STATES:
            depth.add(row[state] if row else 0, channel=channel, state=state)
        oldest.add(row["oldest_due_seconds"] if row else 0.0, channel=channel)
    waiting = await db.fetchrow("metrics_fanout_batches")
    assert waiting is not None
    batched.add(waiting["messages"])
    batch_age.add(waiting["oldest_seconds"])
    return [depth, oldest, batched, batch_age]


async def _withdrawal(db: Database) -> Family:
    return _by_state("alerts_withdrawal_publications", await db.fetch("metrics_withdrawal"), STATES)


async def _cases(db: Database) -> list[Family]:
    rows = await db.fetch("metrics_cases")
    return [
        _by_state("alerts_cases", [r for r in rows if not r["exercise"]], CASE_STATES),
        _by_state("alerts_exercise_cases", [r for r in rows if r["exercise"]], CASE_STATES),
    ]


def _by_state(name: str, rows: Iterable[Mapping[str, Any]], states: Sequence[str]) -> Family:
    """Metric `name` counted by state, every one of `states` (zero included) from (state, n)
    rows."""
    family = _family(name)
    counts = {r["state"]: r["n"] for r in rows}
    for state in states:
        family.add(counts.get(state, 0), state=state)
    return family


async def _sightings(db: Database) -> list[Family]:
    received, triaged = _family("alerts_sightings_total"), _family("alerts_sightings")
    rows = await db.fetch("metrics_sightings")
    for source in SIGHTING_SOURCES:
        received.add(sum(r["n"] for r in rows if r["source"] == source), source=source)
    for status in SIGHTING_STATUSES:
        triaged.add(sum(r["n"] for r in rows if r["status"] == status), status=status)
    return [received, triaged]


async def _volunteers(db: Database) -> Family:
    family = _family("alerts_volunteers")
    counts = _table(await db.fetch("metrics_volunteers"), ("channel", "active"))
    for channel in ("telegram", "email"):
        for active in (True, False):
            value = counts.get((channel, active), 0)
            family.add(value, channel=channel, active=str(active).lower())
    return family


def _table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> dict[tuple[Any, ...], int]:
    return {tuple(row[c] for c in columns): int(row["n"]) for row in rows}


def _code(value: str) -> str:
    return value if _CODE.fullmatch(value) else "other"


def exposition(families: Iterable[Family]) -> str:
    """The families in the Prometheus text format."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, value in family.samples:
            lines.append(f"{family.name}{_labels(labels)} {_number(value)}")
    return "\n".join(lines) + "\n"


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{_escape_label(value)}"' for key, value in labels.items())
    return "{" + inner + "}"


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
