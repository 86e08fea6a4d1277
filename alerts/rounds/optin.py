"""A volunteer's opt-in to poster rounds (off until they turn it on)."""

from __future__ import annotations

from alerts.db.database import Database


async def set_posters(db: Database, volunteer_id: int, on: bool) -> None:
    await db.execute("volunteer_set_posters", volunteer_id, on)


async def opted_in(db: Database, volunteer_id: int) -> bool:
    return bool(await db.fetchval("volunteer_posters", volunteer_id))
