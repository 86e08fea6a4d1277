"""Helpers of the fan-out and dispatcher tests: volunteers, cases, a running dispatcher, waiting
for a condition."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import time
from typing import Any

from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.outbox.dispatcher import Dispatcher, open_channels
from alerts.publication import materials
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen
from tests.support.images import jpeg

TOKEN = "123456789:AAHdispatchTokenForTests_0123456789"
GENT = (CASE_FIELDS["last_seen_lat"], CASE_FIELDS["last_seen_lon"])
EARTH_RADIUS_KM = 6371.0088


def moved(point: tuple[float, float], km: float, bearing: float = 90.0) -> tuple[float, float]:
    """The point `km` away from `point` in direction `bearing` (degrees from north)."""
    lat1, lon1, b = map(math.radians, (point[0], point[1], bearing))
    d = km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
    lon2 = lon1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
    )
    return math.degrees(lat2), math.degrees(lon2)


async def add_volunteer(
    db: Database,
    point: tuple[float, float],
    *,
    radius_km: float = 25,
    chat_id: int | None = None,
    email: str | None = None,
    language: str = "nl",
    active: bool = True,
    confirmed: bool = True,
    quiet: tuple[time, time] | None = None,
    label: str = "home",
) -> int:
    """A volunteer with one area (exact point: the radius edges are what is tested)."""
    start, end = quiet or (None, None)
    volunteer_id: int = await db.conn.fetchval(
        "INSERT INTO volunteers (public_id, language, telegram_chat_id, email, "
        "email_confirmed_at, active, quiet_start, quiet_end) "
        "VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6, $7, $8) RETURNING id",
        secrets.token_urlsafe(12), language, chat_id, email, confirmed, active, start, end,
    )  # fmt: skip
    await add_area(db, volunteer_id, point, radius_km=radius_km, label=label)
    return volunteer_id


async def add_area(
    db: Database, volunteer_id: int, point: tuple[float, float], *, radius_km: float, label: str
) -> None:
    await db.conn.execute(
        "INSERT INTO volunteer_areas (volunteer_id, label, lat, lon, radius_km) "
        "VALUES ($1, $2, $3, $4, $5)",
        volunteer_id, label, point[0], point[1], radius_km,
    )  # fmt: skip


async def active_case(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    *,
    photo: bool = True,
    consent: dict[str, Any] | None = None,
    **fields: Any,
) -> Case:
    """An approved case (fan-out planned and materials published in the approval transaction)."""
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await cases.create_draft(
        db, manager, {**CASE_FIELDS, "last_seen_at": last_seen(), **fields}
    )
    await pipeline.change_consent(db, settings, manager, case.id, {**CONSENT, **(consent or {})})
    if photo:
        await pipeline.add_photo(db, settings, manager, case.id, jpeg())
    await cases.submit(db, manager, case.id)
    return await pipeline.approve(db, settings, supervisor, case.id)


def with_channels(settings: Settings, **changes: Any) -> Settings:
    """`settings` pointing at the sandbox/sink, with quick polling for the tests."""
    base: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "dispatch_poll_seconds": 0.2,
        "telegram_rate": 200.0,
        "public_base_url": "https://alerts.example",
    }
    return dataclasses.replace(settings, **{**base, **changes})


@contextlib.asynccontextmanager
async def dispatching(
    db: Database, settings: Settings, name: str = ""
) -> AsyncIterator[Dispatcher]:
    """A dispatcher running on this event loop until exit."""
    async with open_channels(settings, db) as channels:
        dispatcher = Dispatcher(db, settings, channels, name=name)
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        try:
            yield dispatcher
        finally:
            stop.set()
            await task


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 10.0, every: float = 0.05
) -> None:
    """Wait until `check()` is true; AssertionError after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every)


# What the approval publishes on our own side (alerts.publication.materials); the pipeline always
# publishes it, and the tests of what is sent leave it aside unless they ask for it.
HOSTED = "channel IN ('case_page', 'poster', 'image', 'feed') OR target = 'press-room'"


async def without_hosted(db: Database, case_id: int) -> None:
    """Take back, unseen, what the approval published on our side: the case as the fan-out alone
    approved it, for the tests that count every publication or material of the case."""
    await materials.drain()  # the images rendered after the approval's commit
    await db.conn.execute(f"DELETE FROM publications WHERE case_id = $1 AND ({HOSTED})", case_id)
    await db.conn.execute("DELETE FROM materials WHERE case_id = $1", case_id)


async def states(db: Database, case_id: int) -> dict[str, int]:
    """How many of the case's publications sent by the dispatcher are in each state."""
    rows = await db.conn.fetch(
        f"SELECT state, count(*) AS n FROM publications WHERE case_id = $1 AND NOT ({HOSTED}) "
        "GROUP BY state",
        case_id,
    )
    return {r["state"]: r["n"] for r in rows}


async def publications(db: Database, case_id: int, *, hosted: bool = False) -> list[dict[str, Any]]:
    """The case's publications, oldest first: those sent by the dispatcher, or all of them."""
    rows = await db.conn.fetch(
        f"SELECT * FROM publications WHERE case_id = $1 AND ($2 OR NOT ({HOSTED})) ORDER BY id",
        case_id, hosted,
    )  # fmt: skip
    return [dict(r) for r in rows]
