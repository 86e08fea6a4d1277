"""The staff JSON API: the whole lifecycle over HTTP, and clear 4xx errors for bad input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from alerts.staff.models import Role, Staff
from tests.support import images
from tests.support.app import StaffFactory
from tests.support.approval import api_approve
from tests.support.factories import CASE_FIELDS, CONSENT, last_seen

Client = TestClient[Any, Any]
Bearer = Callable[[Staff], Awaitable[dict[str, str]]]


async def _json(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_case_end_to_end_over_the_api(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    fields = {**CASE_FIELDS, "last_seen_at": last_seen()}
    case = await _json(await client.post("/api/cases", json=fields, headers=manager), 201)
    assert case["state"] == "draft" and case["reference"]
    url = f"/api/cases/{case['id']}"

    form = aiohttp.FormData()
    form.add_field("photo", images.jpeg(gps=True), filename="p.jpg", content_type="image/jpeg")
    photo = await _json(await client.post(f"{url}/photos", data=form, headers=manager), 201)
    await _json(await client.put(f"{url}/consent", json=CONSENT, headers=manager), 200)
    await _json(await client.post(f"{url}/submit", headers=manager), 200)

    # The case manager who submitted holds no approver role (APPROVER_ROLES).
    refused = await _json(await api_approve(client, url, manager), 403)
    assert "approver role" in refused["error"]
    active = await _json(await api_approve(client, url, supervisor), 200)
    assert active["state"] == "active" and active["revision"] == 1

    # New words in the hair show more: a proposal (202), which the supervisor approves.
    held = await _json(await client.patch(url, json={"hair": "short"}, headers=manager), 202)
    change = f"{url}/proposals/{held['proposal']['id']}"
    revised = await _json(await api_approve(client, change, supervisor), 200)
    assert revised["revision"] == 2
    read = await _json(await client.get(url, headers=manager), 200)
    assert read["consent"]["level"] == 2 and read["photos"][0]["public_id"] == photo["public_id"]
    jpeg = await client.get(f"{url}/photos/{photo['public_id']}", headers=manager)
    assert jpeg.status == 200 and b"Exif" not in await jpeg.read()

    closed = await _json(
        await client.post(f"{url}/close", json={"reason": "found_safe"}, headers=manager), 200
    )
    assert closed["state"] == "closed"
    listed = await _json(await client.get("/api/cases?state=closed", headers=manager), 200)
    assert [c["id"] for c in listed["cases"]] == [case["id"]]


async def test_place_text_is_geocoded_when_no_point_is_given(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    fields = {"kind": "runaway", "last_seen_place": "9000 Gent"}
    case = await _json(await client.post("/api/cases", json=fields, headers=headers), 201)
    assert case["last_seen_lat"] == pytest.approx(51.05, abs=0.05)
    assert case["last_seen_lon"] == pytest.approx(3.72, abs=0.05)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "kidnapping"}, "kind", "Must be one of"),
        ({"kind": "runaway", "age": 40}, "age", "between 0 and 25"),
        ({"kind": "runaway", "age": "twelve"}, "age", "Must be a whole number"),
        ({"kind": "runaway", "last_seen_at": "yesterday"}, "last_seen_at", "ISO 8601"),
        ({"kind": "runaway", "languages": ["es"]}, "languages", "one of: nl, fr, de, en"),
        ({"kind": "runaway", "first_name": "x" * 101}, "first_name", "At most 100"),
        ({"kind": "runaway", "shoe_size": 38}, "shoe_size", "Unknown field"),
        ({"kind": "runaway", "last_seen_lat": 50.8}, "last_seen_lat", "both latitude"),
        ({"first_name": "Lotte"}, "kind", "kind: Required"),
    ],
)
async def test_bad_case_input_names_the_field(
    client: Client,
    make_staff: StaffFactory,
    bearer: Bearer,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    headers = await bearer(await make_staff())
    error = await _json(await client.post("/api/cases", json=body, headers=headers), 422)
    assert error["field"] == field and message in error["error"]


async def test_malformed_json_and_unknown_case(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    raw = {**headers, "Content-Type": "application/json"}
    error = await _json(await client.post("/api/cases", data=b"{nope", headers=raw), 422)
    assert "not valid JSON" in error["error"]
    await _json(await client.get("/api/cases/999999", headers=headers), 404)
    await _json(await client.get("/api/cases/abc", headers=headers), 404)


async def test_api_refuses_anonymous_and_bad_tokens(client: Client) -> None:
    await _json(await client.get("/api/cases"), 401)
    bad = {"Authorization": "Bearer alrt_not-a-token"}
    body = await _json(await client.get("/api/cases", headers=bad), 401)
    assert "not valid" in body["error"]


async def test_audit_log_is_for_supervisors(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    await client.post("/api/cases", json={"kind": "runaway"}, headers=manager)
    await _json(await client.get("/api/audit", headers=manager), 403)
    entries = (await _json(await client.get("/api/audit", headers=supervisor), 200))["entries"]
    assert entries[0]["action"] == "case_created" and entries[0]["username"]


async def test_photo_upload_refusals_over_http(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    case = await _json(
        await client.post("/api/cases", json={"kind": "runaway"}, headers=headers), 201
    )
    url = f"/api/cases/{case['id']}/photos"
    for data, message in (
        (images.SVG, "Only JPEG, PNG or WebP"),
        (b"just text", "Only JPEG, PNG or WebP"),
        (images.pixel_flood(), "too many pixels"),
    ):
        form = aiohttp.FormData()
        form.add_field("photo", data, filename="x.jpg", content_type="image/jpeg")
        error = await _json(await client.post(url, data=form, headers=headers), 422)
        assert message in error["error"]
    error = await _json(await client.post(url, json={"photo": "x"}, headers=headers), 422)
    assert "multipart" in error["error"]


async def test_healthz_reports_the_database(client: Client) -> None:
    assert await _json(await client.get("/healthz"), 200) == {"status": "ok", "database": "ok"}


async def test_security_headers_on_every_response(client: Client) -> None:
    response = await client.get("/healthz")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_encoded_or_malformed_multipart_parts_are_refused(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    case = await _json(
        await client.post("/api/cases", json={"kind": "runaway"}, headers=headers), 201
    )
    url = f"/api/cases/{case['id']}/photos"
    boundary = "b0undary"
    multipart = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    import base64

    encoded = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(images.jpeg()).decode()}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    error = await _json(await client.post(url, data=encoded, headers=multipart), 422)
    assert "plain file upload" in error["error"]
    broken = f'--{boundary}\r\nContent-Disposition: form-data; name="+\x1d"\r\n\r\nx\r\n'.encode()
    error = await _json(await client.post(url, data=broken, headers=multipart), 422)
    assert "could not be read" in error["error"] or "No photo" in error["error"]
