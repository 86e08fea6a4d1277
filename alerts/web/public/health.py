"""Public routes that need no login: health."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()


@routes.get("/healthz", name="healthz")
@public
async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not."""
    try:
        await request.app[keys.DB].conn.fetchval("SELECT 1")
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})
