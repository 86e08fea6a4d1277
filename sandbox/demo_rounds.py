"""The demo's sample poster volunteers (issue 21): every third demo volunteer has opted in to
poster rounds, and whoever is asked acts within seconds, as people would: most accept and put
two or three posters up in their zone, one in four declines; they confirm a replacement when
asked; at the takedown most confirm each removal, and one in four never does, so the withdrawal
report shows what is outstanding. Demo only: the service never imports this."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from alerts import errors
from alerts.db.database import Database
from alerts.rounds import service
from alerts.web import keys

EVERY_SECONDS = 3.0
PER_ROUND = 5


async def acting(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context: opt the sample volunteers in, then act on poster rounds until the end."""
    db = app[keys.DB]
    await db.execute("demo_poster_volunteers")
    stop = asyncio.Event()
    task = asyncio.create_task(_act_until(db, stop))
    yield
    stop.set()  # a query is never cut off halfway: the round ends, then the loop
    await task


async def _act_until(db: Database, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), EVERY_SECONDS)
            return
        for row in await db.fetch("demo_poster_work", PER_ROUND):
            with contextlib.suppress(errors.AlertsError):  # ended meanwhile: as for anyone
                await _act(db, row["round_id"], row["volunteer_id"], row["work"])


async def _act(db: Database, round_id: int, volunteer_id: int, work: str) -> None:
    if work == "answer":
        choice = "declined" if volunteer_id % 4 == 1 else "accepted"
        await service.answer(db, round_id, volunteer_id, choice)
    elif work == "put_up":  # two or three places around the middle of their zone
        found = await service.get(db, round_id)
        member = await service.member_of(db, round_id, volunteer_id)
        zone = service.zone_of(found, member)
        if zone is not None:
            for step in range(2 + volunteer_id % 2):
                point = (zone.lat + 0.0009 * step, zone.lon - 0.0012 * step)
                await service.put_up(db, round_id, volunteer_id, point, 1 + step % 2)
    elif work == "replace":
        await service.replaced(db, round_id, volunteer_id)
    else:
        member = await service.member_of(db, round_id, volunteer_id)
        for place in await service.places_of(db, member):
            if place.up:
                await service.removed(db, round_id, volunteer_id, place.id)
