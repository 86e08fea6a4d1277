"""The API's description and its validation come from the same models: every /api/ route is in
the description with its method; what the description forbids is refused with a 422 naming the
field, before anything is written; a 405 says which methods the address takes."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from alerts.cases.fields import TEXT_LIMITS
from alerts.staff.models import Role
from alerts.web.api import models
from alerts.web.api.operations import OPERATIONS
from tests.support.app import Bearer, StaffFactory

Client = TestClient[Any, Any]


async def _json(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_every_api_route_is_described_with_its_method_and_name(client: Client) -> None:
    served = {
        (route.method, route.resource.canonical, route.name)
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method not in ("HEAD", "*")
        and route.resource.canonical != "/api/openapi.json"
    }
    described = {(op.method, op.path, op.name) for op in OPERATIONS}
    assert served == described


async def test_the_description_is_openapi_3_1_with_typed_answers_and_links(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    spec = await _json(await client.get("/api/openapi.json", headers=headers), 200)
    assert spec["openapi"] == "3.1.0"
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            for status, answer in op["responses"].items():
                for media in answer.get("content", {}).values():
                    assert media["schema"] not in ({}, {"type": "object"}), (path, method, status)
    create = spec["paths"]["/api/cases"]["post"]["responses"]["201"]["links"]
    assert {"api_get_case", "api_update_case", "api_consent", "api_add_photo", "api_submit",
            "api_approve", "api_close"} <= set(create)  # fmt: skip
    assert create["api_submit"]["parameters"] == {"case_id": "$response.body#/id"}
    held = spec["paths"]["/api/cases/{case_id}"]["patch"]["responses"]["202"]["links"]
    assert held["api_approve_proposal"]["parameters"] == {
        "case_id": "$request.path.case_id",
        "proposal_id": "$response.body#/proposal/id",
    }
    upload = spec["paths"]["/api/cases/{case_id}/photos"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["photo"]
    case_input = spec["components"]["schemas"]["CaseInput"]
    assert case_input["additionalProperties"] is False
    assert case_input["properties"]["first_name"]["maxLength"] == TEXT_LIMITS["first_name"]


def test_the_case_models_hold_the_domains_text_limits() -> None:
    for model in (models.CaseInput, models.CasePatch):
        schema = model.model_json_schema()["properties"]
        assert {name: schema[name]["maxLength"] for name in TEXT_LIMITS} == TEXT_LIMITS


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "said"),
    [
        ("PATCH", "/api/cases/{id}", None, None, "Send a JSON object"),
        ("PATCH", "/api/cases/{id}", {}, None, "at least one field"),
        ("PATCH", "/api/cases/{id}", {"first_name": None}, "first_name", "Must be text"),
        ("PATCH", "/api/cases/{id}", {"kind": None}, "kind", "Must be one of"),
        ("PATCH", "/api/cases/{id}", {"age": "12"}, "age", "whole number"),
        ("PATCH", "/api/cases/{id}", {"last_seen_lat": 50.8, "last_seen_lon": None},
         "last_seen_lat", "both latitude"),
        ("PATCH", "/api/cases/{id}", {"last_seen_at": "2026-05-01T14:30:00"}, "last_seen_at",
         "time zone"),
        ("PATCH", "/api/cases/{id}", {"hair": "dark\x00"}, "hair", "control characters"),
        ("PUT", "/api/cases/{id}/consent", {"given_by": "Anna", "relation": "mother",
         "photo": "yes"}, "photo", "true or false"),
        ("POST", "/api/partner-webhooks", {"name": "P", "format": "cap",
         "url": "https://partner.example/a b"}, "url", "starting with https://"),
        ("POST", "/api/partner-webhooks", {"name": "P", "format": "cap",
         "url": "https://partner.example:70000/"}, "url", "starting with https://"),
    ],
)  # fmt: skip
async def test_what_the_description_forbids_is_refused_naming_the_field(
    client: Client,
    make_staff: StaffFactory,
    bearer: Bearer,
    method: str,
    path: str,
    body: Any,
    field: str | None,
    said: str,
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    case = await _json(await client.post("/api/cases", json={"kind": "runaway"}, headers=headers),
                       201)  # fmt: skip
    url = path.replace("{id}", str(case["id"]))
    sent = {} if body is None else {"json": body}
    error = await _json(await client.request(method, url, headers=headers, **sent), 422)
    assert error["status"] == 422 and said in error["error"], error
    assert error.get("field") == field, error
    unchanged = await _json(await client.get(f"/api/cases/{case['id']}", headers=headers), 200)
    assert unchanged["revision"] == case["revision"] and unchanged["consent"] is None
    hooks = await _json(await client.get("/api/partner-webhooks", headers=headers), 200)
    assert hooks["webhooks"] == []


@pytest.mark.parametrize("query", ["offset=-1", "limit=0", "limit=501", "limit=ten", "state=lost"])
async def test_a_list_query_outside_the_description_is_refused(
    client: Client, make_staff: StaffFactory, bearer: Bearer, query: str
) -> None:
    headers = await bearer(await make_staff())
    error = await _json(await client.get(f"/api/cases?{query}", headers=headers), 422)
    assert error["field"] == query.split("=")[0]


async def test_what_the_description_allows_is_accepted(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    # JSON Schema reads 14.0 as the integer 14; an ISO time with its zone; a t.me link.
    fields = {"kind": "runaway", "age": 14.0, "last_seen_at": "2026-05-01T14:30:00Z"}
    case = await _json(await client.post("/api/cases", json=fields, headers=headers), 201)
    assert case["age"] == 14
    listed = await _json(await client.get("/api/cases?limit=500&offset=0", headers=headers), 200)
    assert [c["id"] for c in listed["cases"]] == [case["id"]]


async def test_a_405_names_the_methods_the_address_takes(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    headers = await bearer(await make_staff())
    refused = await client.delete("/api/cases/1", headers=headers)
    assert refused.status == 405
    assert set(re.split(r",\s*", refused.headers["Allow"])) >= {"GET", "PATCH"}
    assert (await refused.json())["status"] == 405
