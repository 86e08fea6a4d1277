"""The demo's sample searchers (sandbox/demo_searches.py): every second volunteer opted in as an
adult, and a call-out answered within seconds, most coming and checked in near the point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from sandbox import demo_searches
from tests.support.app import StaffFactory
from tests.support.dispatch import GENT, add_volunteer, eventually, moved
from tests.support.factories import approved
from tests.support.searches import field_search


async def test_sample_searchers_answer_a_call_out(
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    monkeypatch: pytest.MonkeyPatch,
    aiohttp_client: Callable[..., Awaitable[Any]],  # last: stopped before the database goes
) -> None:
    for i in range(8):
        await add_volunteer(database, moved(GENT, 1 + i / 10), email=f"demo{i}@example.org")
    monkeypatch.setattr(demo_searches, "EVERY_SECONDS", 0.05)
    app = create_app(settings)
    app.cleanup_ctx.append(demo_searches.answering)
    await aiohttp_client(app)
    opted = await database.conn.fetchval("SELECT count(*) FROM volunteers WHERE field_searches")
    assert opted == 4
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)

    async def answered() -> bool:
        left = "SELECT count(*) FROM search_members WHERE search_id = $1 AND answer IS NULL"
        return await database.conn.fetchval(left, search.id) == 0

    await eventually(answered)
    rows = await database.conn.fetch("SELECT * FROM search_members WHERE search_id = $1",
                                     search.id)  # fmt: skip
    coming = [r for r in rows if r["answer"] == "coming"]
    assert len(rows) == 4 and len(coming) == 3
    assert all(r["checked_in_at"] and abs(r["lat"] - search.assembly_lat) < 0.01 for r in coming)
