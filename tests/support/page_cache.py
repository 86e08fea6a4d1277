"""Waiting for the web process's page cache to have heard every change committed so far."""

from __future__ import annotations

from aiohttp import web

from alerts.web import keys
from alerts.web.public.page_cache import LISTENER


async def settled(app: web.Application) -> None:
    """Return once `app`'s page cache has heard every change committed before the call (the
    notifications arrive a few milliseconds after the commit; a test that changes a case and
    reads its page at once waits for them here, as a visitor a moment later would not)."""
    pool = app[keys.DB].conn
    await app[LISTENER].settled(pool)  # type: ignore[arg-type]
