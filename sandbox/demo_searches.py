"""The demo's sample searchers (issue 21): every second demo volunteer has opted in to field
searches, and whoever is called out answers within seconds, as people would: most come and
check in at the assembly point, one in four does not come. So a new user sees a call-out fill
the board within the demo's five minutes. Demo only: the service never imports this."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from alerts import errors
from alerts.searches import service
from alerts.web import keys

EVERY_SECONDS = 3.0
PER_ROUND = 3


async def answering(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context: opt the sample searchers in, then answer call-outs until the end."""
    db = app[keys.DB]
    await db.execute("demo_field_searchers")
    stop = asyncio.Event()
    task = asyncio.create_task(_answer_until(app, stop))
    yield
    stop.set()  # a query is never cut off halfway: the round ends, then the loop
    await task


async def _answer_until(app: web.Application, stop: asyncio.Event) -> None:
    db, turn = app[keys.DB], 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), EVERY_SECONDS)
            return
        for row in await db.fetch("demo_unanswered_searchers", PER_ROUND):
            turn += 1
            search_id, volunteer_id = row["search_id"], row["volunteer_id"]
            with contextlib.suppress(errors.AlertsError):  # full, ended: as for anyone
                if turn % 4 == 0:
                    await service.answer(db, search_id, volunteer_id, "not_coming")
                else:  # at the assembly point, a few metres apart
                    search = await service.get(db, search_id)
                    point = (search.assembly_lat + 0.0002 * (turn % 5),
                             search.assembly_lon + 0.0003 * (turn % 3))  # fmt: skip
                    await service.check_in(db, search_id, volunteer_id, point)
