"""Approving as an approver does: after looking at the preview, with its fingerprint."""

from __future__ import annotations

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
from alerts.staff.models import Staff


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
