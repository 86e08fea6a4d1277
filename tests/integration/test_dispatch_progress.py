"""The reach of a fan-out: the JSON of /api/cases/{id}/reach and the console's live fragment."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff.models import Staff
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    moved,
    publications,
    with_channels,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")


async def test_reach_counts_each_target_by_its_latest_state(
    client: TestClient[Any, Any],
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    bearer: Callable[[Staff], Awaitable[dict[str, str]]],
) -> None:
    for km in (1, 2, 3, 4):
        await add_volunteer(database, moved(GENT, km), chat_id=km)
    case = await active_case(database, with_channels(settings), make_staff)
    rows = await publications(database, case.id)
    await database.conn.execute(
        "UPDATE publications SET state = 'sent', "
        "sent_at = (SELECT approved_at FROM cases WHERE id = $2) + interval '2 seconds' "
        "WHERE id = ANY($1::bigint[])",
        [r["id"] for r in rows[:2]],
        case.id,
    )
    await database.conn.execute(
        "UPDATE publications SET state = 'failed' WHERE id = $1", rows[2]["id"]
    )
    headers = await bearer(await make_staff())
    response = await client.get(f"/api/cases/{case.id}/reach", headers=headers)
    assert response.status == 200
    reach = await response.json()
    assert {k: reach[k] for k in ("matched", "sent", "failed", "pending", "withdrawn")} == {
        "matched": 4, "sent": 2, "failed": 1, "pending": 1, "withdrawn": 0,
    }  # fmt: skip
    assert reach["by_channel"]["telegram_dm"]["sent"] == 2
    assert reach["seconds_to_first_delivery"] == 2.0  # from approval to the first sent_at

    # The console's fragment is for a logged-in session (API tokens work only under /api/).
    await logged_in(client, await make_staff())
    fragment = await client.get(f"/console/cases/{case.id}/progress")
    assert fragment.status == 200
    assert "frame-ancestors 'self'" in fragment.headers["Content-Security-Policy"]
    page = await fragment.text()
    assert 'http-equiv="refresh"' in page and "<dd>4</dd>" in page

    missing = await client.get("/api/cases/999999/reach", headers=headers)
    assert missing.status == 404
    spec = await (await client.get("/api/openapi.json", headers=headers)).json()
    assert "get" in spec["paths"]["/api/cases/{case_id}/reach"]
