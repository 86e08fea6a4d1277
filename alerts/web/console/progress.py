"""How far a case's fan-out got: `GET /api/cases/{id}/reach` (JSON) and a live fragment for
the console, `GET /console/cases/{id}/progress`.

The fragment (templates/console/progress.html) is a tiny page that reloads itself every two
seconds (`<meta http-equiv=refresh>`, no script, as the CSP wants) while messages are going out
or being withdrawn; the console's case page frames it (templates/console/_figures.html). It is
the only page that may be framed, and only by the service itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from alerts.cases import lifecycle as cases
from alerts.cases.models import CaseState
from alerts.db.database import Database
from alerts.outbox import fanout
from alerts.volunteers import answers
from alerts.volunteers.answers import Counts as AnswerCounts
from alerts.web import keys
from alerts.web.api.handlers import case_id, reply
from alerts.web.console.forms import N_, render_text
from alerts.web.middlewares import CSP

routes = web.RouteTableDef()

# Registry states as the console counts them.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "pending": ("pending", "sending"),
    "sent": ("sent", "superseded"),
    "failed": ("failed",),
    "cancelled": ("cancelled",),
    "withdrawing": ("withdrawing",),
    "withdrawn": ("withdrawn", "neutralised"),
    "manual": ("manual",),
}
LABELS: Mapping[str, str] = {
    "matched": N_("Matched"),
    "sent": N_("Sent"),
    "pending": N_("Pending"),
    "failed": N_("Failed"),
    "withdrawn": N_("Withdrawn"),
}
_FRAME_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


@dataclass(frozen=True, kw_only=True)
class Reach:
    """The fan-out of a case: each target counted once, by the state of its latest row."""

    matched: int
    counts: dict[str, int]
    # Of those pending, the messages of a large fan-out whose rows are still being made.
    queueing: int
    by_channel: dict[str, dict[str, int]]
    approved_at: datetime | None
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    seconds_to_first: float | None = field(default=None)
    seconds_to_last: float | None = field(default=None)
    # Per channel: seconds from approval to its first and last delivery.
    seconds_by_channel: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    sightings_by_channel: dict[str, int] = field(default_factory=dict)
    answers: AnswerCounts | None = None


async def reach(db: Database, case_id: int) -> Reach:
    """The reach of case `case_id`'s fan-out (NotFound when there is no such case)."""
    case = await cases.get(db, case_id)
    counts = dict.fromkeys(GROUPS, 0)
    by_channel: dict[str, dict[str, int]] = {}
    channels = list(fanout.DISPATCH_CHANNELS)
    for row in await db.fetch("case_reach", case.id, channels):
        group = next(g for g, states in GROUPS.items() if row["state"] in states)
        counts[group] += row["n"]
        channel = by_channel.setdefault(row["channel"], dict.fromkeys(GROUPS, 0))
        channel[group] += row["n"]
    queueing = await fanout.waiting(db, case.id)
    counts["pending"] += queueing
    times = await db.fetchrow("case_delivery_times", case.id, channels)
    assert times is not None
    approved, first, last = times["approved_at"], times["first_sent_at"], times["last_sent_at"]
    sightings = {r["source"]: r["n"] for r in await db.fetch("case_sightings_by_source", case.id)}
    return Reach(
        matched=sum(counts.values()), counts=counts, queueing=queueing, by_channel=by_channel,
        approved_at=approved,
        first_sent_at=first, last_sent_at=last,
        seconds_to_first=_seconds(approved, first), seconds_to_last=_seconds(approved, last),
        seconds_by_channel=await _channel_times(db, case.id, approved, channels),
        sightings_by_channel=sightings, answers=await answers.counts(db, case.id),
    )  # fmt: skip


async def _channel_times(
    db: Database, case_id: int, approved: datetime | None, channels: list[str]
) -> dict[str, tuple[float | None, float | None]]:
    """Per channel, the seconds from the approval to its first and last delivery."""
    rows = await db.fetch("case_delivery_times_by_channel", case_id, channels)
    return {
        row["channel"]: (
            _seconds(approved, row["first_sent_at"]),
            _seconds(approved, row["last_sent_at"]),
        )
        for row in rows
    }


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


def reach_json(found: Reach) -> dict[str, Any]:
    return {
        "matched": found.matched,
        **found.counts,
        "queueing": found.queueing,
        "by_channel": found.by_channel,
        "approved_at": found.approved_at,
        "first_delivery_at": found.first_sent_at,
        "last_delivery_at": found.last_sent_at,
        "seconds_to_first_delivery": found.seconds_to_first,
        "seconds_to_last_delivery": found.seconds_to_last,
        "seconds_to_delivery_by_channel": {
            channel: {"first": first, "last": last}
            for channel, (first, last) in found.seconds_by_channel.items()
        },
        "sightings_by_channel": found.sightings_by_channel,
        "answers": found.answers.as_json() if found.answers else None,
    }


@routes.get("/api/cases/{case_id}/reach", name="api_reach")
async def reach_api(request: web.Request) -> web.Response:
    return reply(reach_json(await reach(request.app[keys.DB], case_id(request))))


@routes.get("/console/cases/{case_id}/progress", name="console_progress")
async def progress_fragment(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    found = await reach(db, case_id(request))
    # Kept up to date while anything moves: the fan-out, then the withdrawal after the close.
    active = (await cases.get(db, case_id(request))).state is CaseState.ACTIVE
    live = active or found.counts["withdrawing"] > 0 or found.counts["pending"] > 0
    page = render_text(request, "console/progress.html", reach=found, live=live, rows=LABELS,
                       answer_names=answers.ANSWERS, ring_names=answers.RINGS)  # fmt: skip
    response = web.Response(text=page, content_type="text/html")
    response.headers["Content-Security-Policy"] = _FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
