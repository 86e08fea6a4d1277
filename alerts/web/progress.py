"""How far a case's fan-out got: `GET /api/cases/{id}/reach` (JSON) and a live fragment for
the console, `GET /console/cases/{id}/progress`.

The fragment is a tiny page that reloads itself every two seconds (`<meta http-equiv=refresh>`,
no script, as the CSP wants) while the case is active; the console shows it in an iframe:
`<iframe src="/console/cases/{id}/progress" title="Reach"></iframe>`. It is the only page that
may be framed, and only by the service itself.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from alerts import cases
from alerts.db import Database
from alerts.fanout import DISPATCH_CHANNELS
from alerts.i18n import gettext
from alerts.models import CaseState
from alerts.web import keys
from alerts.web.api import case_id, reply
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
    "matched": "Matched",
    "sent": "Sent",
    "pending": "Pending",
    "failed": "Failed",
    "withdrawn": "Withdrawn",
}
_FRAME_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


@dataclass(frozen=True, kw_only=True)
class Reach:
    """The fan-out of a case: each target counted once, by the state of its latest row."""

    matched: int
    counts: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    approved_at: datetime | None
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    seconds_to_first: float | None = field(default=None)
    seconds_to_last: float | None = field(default=None)


async def reach(db: Database, case_id: int) -> Reach:
    """The reach of case `case_id`'s fan-out (NotFound when there is no such case)."""
    case = await cases.get(db, case_id)
    counts = dict.fromkeys(GROUPS, 0)
    by_channel: dict[str, dict[str, int]] = {}
    channels = list(DISPATCH_CHANNELS)
    for row in await db.fetch("case_reach", case.id, channels):
        group = next(g for g, states in GROUPS.items() if row["state"] in states)
        counts[group] += row["n"]
        channel = by_channel.setdefault(row["channel"], dict.fromkeys(GROUPS, 0))
        channel[group] += row["n"]
    times = await db.fetchrow("case_delivery_times", case.id, channels)
    assert times is not None
    approved, first, last = times["approved_at"], times["first_sent_at"], times["last_sent_at"]
    return Reach(
        matched=sum(counts.values()), counts=counts, by_channel=by_channel, approved_at=approved,
        first_sent_at=first, last_sent_at=last,
        seconds_to_first=_seconds(approved, first), seconds_to_last=_seconds(approved, last),
    )  # fmt: skip


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


def reach_json(found: Reach) -> dict[str, Any]:
    return {
        "matched": found.matched,
        **found.counts,
        "by_channel": found.by_channel,
        "approved_at": found.approved_at,
        "first_delivery_at": found.first_sent_at,
        "last_delivery_at": found.last_sent_at,
        "seconds_to_first_delivery": found.seconds_to_first,
        "seconds_to_last_delivery": found.seconds_to_last,
    }


@routes.get("/api/cases/{case_id}/reach", name="api_reach")
async def reach_api(request: web.Request) -> web.Response:
    return reply(reach_json(await reach(request.app[keys.DB], case_id(request))))


@routes.get("/console/cases/{case_id}/progress", name="console_progress")
async def progress_fragment(request: web.Request) -> web.Response:
    db, lang = request.app[keys.DB], request[keys.LANG]
    found = await reach(db, case_id(request))
    live = (await cases.get(db, case_id(request))).state is CaseState.ACTIVE
    response = web.Response(text=_page(found, lang, live), content_type="text/html")
    response.headers["Content-Security-Policy"] = _FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _page(found: Reach, lang: str, live: bool) -> str:
    numbers = {"matched": found.matched, **found.counts}
    items = "".join(
        f"<dt>{html.escape(gettext(lang, label))}</dt><dd>{numbers[key]}</dd>"
        for key, label in LABELS.items()
    )
    timing = ""
    if found.seconds_to_first is not None:
        first = html.escape(gettext(lang, "First delivery after"))
        last = html.escape(gettext(lang, "last after"))
        timing = (
            f"<p>{first} {found.seconds_to_first:.1f} s, {last} {found.seconds_to_last:.1f} s</p>"
        )
    refresh = '<meta http-equiv="refresh" content="2">' if live else ""
    title = html.escape(gettext(lang, "Reach"))
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f'{refresh}<title>{title}</title><link rel="stylesheet" href="/static/console.css">'
        f'</head><body class="progress"><dl class="reach">{items}</dl>{timing}</body></html>'
    )
