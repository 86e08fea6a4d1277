"""The workers beside an aiohttp application: `setup(app)` runs the dispatcher's send and
withdrawal lanes (alerts.outbox.dispatcher) and the scheduler (alerts.outbox.scheduler) from the
moment the application's database opens until just before it closes.

`run.py serve` adds them to the web application, or to a worker application without routes
(`serve --only dispatch`); the demo adds them to its service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from alerts.outbox.dispatcher import Dispatcher, open_channels
from alerts.outbox.scheduler import Scheduler
from alerts.rounds.notices import notifier as poster_notifier
from alerts.searches.notices import notifier
from alerts.web import keys


def setup(app: web.Application) -> None:
    """Run a dispatcher and the scheduler alongside `app` (after its database opens, stopped
    before it closes)."""
    app.cleanup_ctx.append(_dispatcher_ctx)  # the send and withdrawal lanes
    app.cleanup_ctx.append(_scheduler_ctx)  # consent end dates, the daily purge
    app.cleanup_ctx.append(_search_notices_ctx)  # field-search call-outs, changes, ends
    app.cleanup_ctx.append(_poster_notices_ctx)  # poster rounds: invitations, takedowns


async def _dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, db = app[keys.SETTINGS], app[keys.DB]
    async with open_channels(settings, db) as channels:
        dispatcher = Dispatcher(db, settings, channels)
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        yield
        stop.set()
        await task


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = Scheduler(app[keys.DB], app[keys.SETTINGS])
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    yield
    stop.set()
    await task


async def _search_notices_ctx(app: web.Application) -> AsyncIterator[None]:
    async with notifier(app[keys.DB], app[keys.SETTINGS]) as running:
        stop = asyncio.Event()
        task = asyncio.create_task(running.run(stop))
        yield
        stop.set()
        await task


async def _poster_notices_ctx(app: web.Application) -> AsyncIterator[None]:
    async with poster_notifier(app[keys.DB], app[keys.SETTINGS]) as running:
        stop = asyncio.Event()
        task = asyncio.create_task(running.run(stop))
        yield
        stop.set()
        await task
