"""Helpers of the poster-round tests: volunteers who opted in to posters, a page's form token."""

from __future__ import annotations

from typing import Any

from alerts.db.database import Database
from alerts.rounds import optin
from tests.support.dispatch import add_volunteer


async def poster_volunteer(db: Database, point: tuple[float, float], **options: Any) -> int:
    """A volunteer at `point` who opted in to poster rounds."""
    volunteer_id = await add_volunteer(db, point, **options)
    await optin.set_posters(db, volunteer_id, True)
    return volunteer_id


async def public_id(db: Database, volunteer_id: int) -> str:
    value: str = await db.conn.fetchval("SELECT public_id FROM volunteers WHERE id = $1",
                                        volunteer_id)  # fmt: skip
    return value


def form_token(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]
