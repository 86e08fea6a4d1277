"""A consent that changes what may be shown of an active case edits what was already sent."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from pypdf import PdfReader

from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import api_approve
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen


async def poster_text(client: TestClient[Any, Any], public_id: str) -> str:
    response = await client.get(f"/alerts/{public_id}/poster-nl.pdf")
    assert response.status == 200
    pdf = PdfReader(io.BytesIO(await response.read()))
    return " ".join(page.extract_text() for page in pdf.pages)


async def test_narrowing_the_name_makes_a_revision_whose_materials_drop_the_name(
    client: TestClient[Any, Any], make_staff: StaffFactory, bearer: Any
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    fields = {**CASE_FIELDS, "last_seen_at": last_seen(), "languages": ["nl"]}
    case = await (await client.post("/api/cases", json=fields, headers=manager)).json()
    url = f"/api/cases/{case['id']}"
    full = {**CONSENT, "level": 2, "name_mode": "full"}
    assert (await client.put(f"{url}/consent", json=full, headers=manager)).status == 200
    await client.post(f"{url}/submit", headers=manager)
    assert (await api_approve(client, url, supervisor)).status == 200
    page = await client.get(f"/alerts/{case['public_id']}?lang=nl")
    assert "Vermeulen" in await page.text()
    assert "Vermeulen" in await poster_text(client, case["public_id"])

    narrower = {**full, "name_mode": "first"}
    assert (await client.put(f"{url}/consent", json=narrower, headers=manager)).status == 200
    current = await (await client.get(url, headers=manager)).json()
    assert current["revision"] == 2
    page = await client.get(f"/alerts/{case['public_id']}?lang=nl")
    html = await page.text()
    assert page.status == 200 and "Lotte" in html and "Vermeulen" not in html
    text = await poster_text(client, case["public_id"])
    assert "Lotte" in text and "Vermeulen" not in text

    # The same consent again changes nothing: no new revision.
    await client.put(f"{url}/consent", json=narrower, headers=manager)
    assert (await (await client.get(url, headers=manager)).json())["revision"] == 2
