"""Waiting for the web process's page cache to have heard every change committed so far.

A test changes a case outside the web process (through the pipeline, as a worker or a second
process would) and reads its page a moment later; a visitor does not come back within the few
milliseconds PostgreSQL takes to deliver the notification, but a test does. Every test client
(`SettledClient`, the `aiohttp_client` fixture's class) therefore waits for the notifications
before each read, so no test can read an entry the change has not yet dropped. (A run with every
notification delivered 0.2 s late failed five tests that read a page or feed just after a change
without it, the CI failure of `test_an_exercise_is_status_exercise_in_every_message_and_valid`
among them; with it, none.)
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import asyncpg
from aiohttp import ClientResponse, hdrs, web
from aiohttp.test_utils import TestClient
from yarl import URL

from alerts.web import keys
from alerts.web.public.page_cache import LISTENER

READS = (hdrs.METH_GET, hdrs.METH_HEAD)


async def settled(app: web.Application) -> None:
    """Return once `app`'s page cache has heard every change committed before the call."""
    pool = app[keys.DB].conn
    await app[LISTENER].settled(pool)  # type: ignore[arg-type]


class SettledClient(TestClient[Any, Any]):
    """A test client whose reads (GET and HEAD: what the cache answers) wait for `settled` first,
    while the app's cache listens (while it does not, the cache is off and every request reads
    the database anyway) and its pool has a connection to send the mark on (a test that holds
    them all is testing what a request does then)."""

    async def _request(self, method: str, path: str | URL, **kwargs: Any) -> ClientResponse:
        app = self.app
        listener = app.get(LISTENER) if isinstance(app, web.Application) else None
        if method in READS and listener is not None and listener.connected.is_set():
            pool: asyncpg.Pool = app[keys.DB].conn  # type: ignore[index]
            if pool.get_idle_size() or pool.get_size() < pool.get_max_size():
                # When the database is going away the listener drops the whole cache anyway.
                with suppress(OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    await settled(app)  # type: ignore[arg-type]
        return await super()._request(method, path, **kwargs)
