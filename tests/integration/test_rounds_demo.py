"""The demo's sample poster volunteers (sandbox/demo_rounds.py): every third volunteer opted in,
a round answered within seconds (most accept and put posters up in their zone, one in four
declines), and at the takedown all but one in four confirm each removal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.rounds import service
from sandbox import demo_rounds
from tests.support.app import StaffFactory
from tests.support.channels import close
from tests.support.dispatch import GENT, add_volunteer, eventually, moved
from tests.support.factories import approved


async def test_sample_volunteers_put_posters_up_and_take_most_down(
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    monkeypatch: pytest.MonkeyPatch,
    aiohttp_client: Callable[..., Awaitable[Any]],  # last: stopped before the database goes
) -> None:
    db = database
    for i in range(12):
        await add_volunteer(db, moved(GENT, 1 + i / 10), email=f"demo{i}@example.org")
    monkeypatch.setattr(demo_rounds, "EVERY_SECONDS", 0.05)
    app = create_app(settings)
    app.cleanup_ctx.append(demo_rounds.acting)
    await aiohttp_client(app)
    opted = [r["id"] for r in await db.conn.fetch("SELECT id FROM volunteers WHERE posters")]
    assert len(opted) == 4 and all(v % 3 == 0 for v in opted)
    case, manager = await approved(db, settings, make_staff)
    started, asked = await service.start(db, settings, manager, case.id, 1.0)
    assert asked == 4

    async def put_up() -> bool:
        members = await db.fetch("round_members", started.id)
        accepted = [m for m in members if m["answer"] == "accepted"]
        places = await db.fetch("poster_places_of_round", started.id)
        return all(m["answer"] for m in members) and {p["member_id"] for p in places} == {
            m["id"] for m in accepted
        }

    await eventually(put_up)
    declined = [m for m in await db.fetch("round_members", started.id) if m["answer"] == "declined"]
    assert [m["volunteer_id"] % 4 for m in declined] == [1] * len(declined)
    await close(db, manager, case.id)
    await service.sweep(db, settings)

    async def taken_down() -> bool:
        places = await db.fetch("poster_places_of_round", started.id)
        return all(p["removed_at"] or p["volunteer_id"] % 4 == 0 for p in places)

    await eventually(taken_down)
    posters = await service.counts(db, case.id)
    assert posters.up > 0 and posters.removed > 0
