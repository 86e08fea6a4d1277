"""The audit log: every staff action, who, what, when, which case."""

from __future__ import annotations

import json
from typing import Any

from alerts.db.database import Database


async def record(
    db: Database, staff_id: int | None, action: str, case_id: int | None = None, **details: Any
) -> None:
    """Append one entry. `details` must hold no personal data of the child (ids and names of fields
    are fine, values are not)."""
    await db.execute("add_audit", staff_id, action, case_id, json.dumps(details, default=str))


async def entries(
    db: Database, case_id: int | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The latest entries, newest first, for one case or all."""
    rows = await db.fetch("list_audit", case_id, limit)
    return [{**dict(r), "details": json.loads(r["details"])} for r in rows]
