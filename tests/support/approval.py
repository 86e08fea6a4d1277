"""Approving as an approver does: after looking at the preview, with its fingerprint."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from alerts.cases import lifecycle as cases
from alerts.cases import proposals
from alerts.cases.models import Case
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff import auth
from alerts.staff.models import Role, Staff


async def approve_change(db: Database, settings: Settings, approver: Staff, change: Any) -> Case:
    """`change` (a proposal) approved by `approver` after looking at its preview."""
    assert isinstance(change, Proposal), f"expected a proposal, got {change!r}"
    case = await cases.get(db, change.case_id)
    seen = (await proposals.preview(db, settings, case, change)).fingerprint
    return await pipeline.approve_proposal(db, settings, approver, case.id, change.id, seen)


async def api_approve(
    client: TestClient[Any, Any], url: str, headers: dict[str, str], **body: Any
) -> ClientResponse:
    """POST {url}/approve with the fingerprint of GET {url}/preview (url: a case's or a
    proposal's address under /api)."""
    preview = url if "/proposals/" in url else f"{url}/preview"
    seen = (await (await client.get(preview, headers=headers)).json())["fingerprint"]
    return await client.post(f"{url}/approve", json={"fingerprint": seen, **body}, headers=headers)


_approvers = itertools.count(1)


async def second_approver(db: Database) -> Staff:
    """A new supervisor account: the second person who approves a widening change."""
    username = f"approver{next(_approvers)}-{secrets.token_hex(3)}"
    staff_id = await auth.create_staff(
        db, username=username, display_name=username.title(), role=Role.SUPERVISOR,
        password=secrets.token_urlsafe(16),
    )  # fmt: skip
    row = await db.fetchrow("staff_by_id", staff_id)
    assert row is not None
    return Staff.from_row(row)


async def revise_approved(
    db: Database, settings: Settings, manager: Staff, case_id: int, fields: dict[str, Any]
) -> Case:
    """An edit by `manager`; when it widens what the active case publishes (a proposal), as a
    second approver approves it: the path every widening edit takes."""
    change = await pipeline.revise(db, settings, manager, case_id, fields)
    if isinstance(change, Proposal):
        return await approve_change(db, settings, await second_approver(db), change)
    return change
