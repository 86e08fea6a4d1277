"""`/healthz` answers at once, whatever the database does: a load balancer's check must not hang
on a database that does not answer."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.web import keys

Client = TestClient[Any, Any]


async def test_healthz_says_503_instead_of_waiting_for_a_database_that_does_not_answer(
    client: Client,
) -> None:
    pool = client.app[keys.DB].conn
    # Every connection of the service's pool busy: a query would wait for one indefinitely.
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        response = await asyncio.wait_for(client.get("/healthz"), 10)
        assert response.status == 503
        assert await response.json() == {"status": "error", "database": "unreachable"}
        assert response.headers["Retry-After"] == "5"
    finally:
        for conn in held:
            await pool.release(conn)
    assert (await client.get("/healthz")).status == 200
