"""Public routes that need no login: health."""

from __future__ import annotations

import asyncio

import asyncpg
from aiohttp import web

from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()

# A health check must answer, not hang: a database that does not answer within this is down
# for the check (a stopped server refuses at once; an unreachable host or a full pool would
# otherwise hold the check for asyncpg's 60-second connect timeout).
DATABASE_WAIT_SECONDS = 2.0


@routes.get("/healthz", name="healthz")
@public
async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 (at once, or within DATABASE_WAIT_SECONDS) when it
    does not; the body says which."""
    try:
        async with asyncio.timeout(DATABASE_WAIT_SECONDS):
            await request.app[keys.DB].conn.fetchval("SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return web.json_response(
            {"status": "error", "database": "unreachable"},
            status=503,
            headers={"Retry-After": "5", "Cache-Control": "no-store"},
        )
    return web.json_response({"status": "ok", "database": "ok"})
