"""The workers beside an aiohttp application: `setup(app)` runs the dispatcher's send and
withdrawal lanes (alerts.outbox.dispatcher), the scheduler (alerts.outbox.scheduler) and the
sender of the volunteers' task messages (alerts.outbox.tasks) from the moment the application's
database opens until just before it closes.

`run.py serve` adds them to the web application, or to a worker application without routes
(`serve --only dispatch`); the demo adds them to its service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from alerts.outbox.dispatcher import Dispatcher, open_channels
from alerts.outbox.scheduler import Scheduler
from alerts.outbox.tasks import sender
from alerts.web import keys


def setup(app: web.Application) -> None:
    """Run a dispatcher and the scheduler alongside `app` (after its database opens, stopped
    before it closes)."""
    app.cleanup_ctx.append(_dispatcher_ctx)  # the lanes; the volunteers' task messages
    app.cleanup_ctx.append(_scheduler_ctx)  # consent end dates, the daily purge


async def _dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    """The dispatcher, and beside it the volunteers' task messages on the same shares of the
    channels' limits (its limiter); the task sender stops first, the dispatcher then."""
    settings, db = app[keys.SETTINGS], app[keys.DB]
    async with open_channels(settings, db) as channels:
        dispatcher = Dispatcher(db, settings, channels)
        stop_dispatcher, stop_tasks = asyncio.Event(), asyncio.Event()
        dispatching = asyncio.create_task(dispatcher.run(stop_dispatcher))
        try:
            async with sender(db, settings, limiter=dispatcher.limiter) as tasks:
                sending = asyncio.create_task(tasks.run(stop_tasks))
                yield
                stop_tasks.set()
                await sending
        finally:
            stop_dispatcher.set()
            await dispatching


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = Scheduler(app[keys.DB], app[keys.SETTINGS])
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    yield
    stop.set()
    await task
