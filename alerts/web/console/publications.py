"""A case's publications in the console: the summary per channel and state the case page shows,
and every single row on its own page, `GET /console/cases/{id}/publications`, a page at a time
(keyset by id, so the 2,000th page costs what the first does) and filtered by channel, state or
a volunteer's pseudonym. Everything in words (alerts.web.console.words); volunteers by pseudonym.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.volunteers import pseudonyms
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console import history, words
from alerts.web.console.forms import render

routes = web.RouteTableDef()
PAGE_SIZE = 50
# The rows the case page lists itself: the manual actions and the posts made by hand.
CASE_PAGE_ROWS = 50
_MAX_ID = 2**63 - 1


@dataclass(frozen=True, kw_only=True)
class Counts:
    """A case's publications counted per channel and per state."""

    by_channel: dict[str, dict[str, int]]
    by_state: dict[str, int]
    states: list[str]  # the states that occur, in the registry's order
    total: int


async def counts(db: Database, case_id: int) -> Counts:
    by_channel: dict[str, dict[str, int]] = {}
    by_state: dict[str, int] = {}
    for row in await db.fetch("publication_counts", case_id):
        by_channel.setdefault(row["channel"], {})[row["state"]] = row["n"]
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
    order = list(words.STATES)
    states = sorted(by_state, key=lambda s: order.index(s) if s in order else len(order))
    known = list(words.CHANNELS)
    ordered = sorted(
        by_channel.items(),
        key=lambda item: known.index(item[0]) if item[0] in known else len(known),
    )
    return Counts(by_channel=dict(ordered), by_state=by_state,
                  states=states, total=sum(by_state.values()))  # fmt: skip


async def rows(
    db: Database, settings: Settings, case_id: int, *, after: int = 0, limit: int = PAGE_SIZE,
    channel: str | None = None, state: str | None = None, target: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Up to `limit` publications of the case after id `after`, as staff read them."""
    found = await db.fetch("publications_page", case_id, after, limit, channel, state, target)
    return pseudonyms.for_staff(settings, found)


async def volunteer_target(db: Database, settings: Settings, case_id: int, name: str) -> str:
    """The registry target of the volunteer this case reached whose pseudonym is `name`
    ('' when none: the filter then finds nothing)."""
    wanted = name.strip().upper()
    for row in await db.fetch("case_volunteer_targets", case_id):
        if pseudonyms.pseudonym(settings, row["target"]) == wanted:
            return str(row["target"])
    return ""


def _choice(query: Mapping[str, str], name: str, allowed: Mapping[str, str]) -> str | None:
    value = query.get(name, "")
    if not value:
        return None
    if value not in allowed:
        raise errors.InvalidInput("Choose the channel and the state from the lists.", field=name)
    return value


def _after(query: Mapping[str, str]) -> int:
    text = query.get("after", "0") or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= _MAX_ID):
        raise errors.InvalidInput("This page of publications does not exist.", field="after")
    return int(text)


@routes.get("/console/cases/{case_id}/publications", name="console_publications")
async def publications_page(request: web.Request) -> web.Response:
    """The case's publications one by one, a page at a time, filtered."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    case = await cases.get(db, api.case_id(request))
    query = request.query
    channel = _choice(query, "channel", words.CHANNELS)
    state = _choice(query, "state", words.STATES)
    who = query.get("who", "").strip()[:40]
    after = _after(query)
    target = await volunteer_target(db, settings, case.id, who) if who else None
    found = await rows(db, settings, case.id, after=after, limit=PAGE_SIZE + 1,
                       channel=channel, state=state, target=target)  # fmt: skip
    shown = found[:PAGE_SIZE]
    next_after = shown[-1]["id"] if len(found) > PAGE_SIZE else None
    filters = {k: v for k, v in (("channel", channel), ("state", state), ("who", who)) if v}
    return render(
        request, "console/publications.html", case=case, publications=shown,
        filters=filters, after=after, next_after=next_after,
        channels=words.CHANNELS, states=words.STATES, summary=await counts(db, case.id),
        reached=[p for p in shown if p["channel"] in words.MEDIA], problem=None,
    )  # fmt: skip


def setup(app: web.Application) -> None:
    """The routes, and the registry and the audit log in words for the console's templates."""
    words.setup(app)
    app[keys.TEMPLATES].globals["describe_history"] = history.describe
    app.add_routes(routes)
