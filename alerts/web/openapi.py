"""The OpenAPI 3.0 description of the staff JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from alerts.case_fields import TEXT_LIMITS
from alerts.models import LANGUAGES, CaseKind, CaseState, CloseReason, NameMode, PlacePrecision


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time"}

CASE_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{name: {"type": "string", "maxLength": limit} for name, limit in TEXT_LIMITS.items()},
        "kind": _enum(CaseKind),
        "age": {"type": "integer", "minimum": 0, "maximum": 25, "nullable": True},
        "sex": {"type": "string", "enum": ["female", "male", "other"], "nullable": True},
        "height_cm": {"type": "integer", "minimum": 30, "maximum": 230, "nullable": True},
        "last_seen_at": {**_DATETIME, "nullable": True},
        "last_seen_lat": {**_NULLABLE_NUMBER, "minimum": -90, "maximum": 90},
        "last_seen_lon": {**_NULLABLE_NUMBER, "minimum": -180, "maximum": 180},
        "search_radius_km": {"type": "number", "minimum": 0.1, "maximum": 500},
        "languages": {
            "type": "array",
            "items": {"type": "string", "enum": list(LANGUAGES)},
            "minItems": 1,
        },
    },
}
CONSENT_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["given_by", "relation"],
    "properties": {
        "given_by": {"type": "string", "minLength": 1, "maxLength": 200},
        "relation": {"type": "string", "minLength": 1, "maxLength": 200},
        "given_at": _DATETIME,
        "valid_until": {**_DATETIME, "nullable": True},
        "level": {"type": "integer", "minimum": 0, "maximum": 3},
        "photo": {"type": "boolean"},
        "name_mode": _enum(NameMode),
        "place_precision": _enum(PlacePrecision),
        "forwarding": {"type": "boolean"},
    },
}
REAUTH_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {"password": {"type": "string", "description": "Re-authentication (sessions)"}},
}
CLOSE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "properties": {**REAUTH_INPUT["properties"], "reason": _enum(CloseReason)},
}
ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "field": {"type": "string"},
    },
}
OBJECT: dict[str, Any] = {"type": "object"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _operation(
    summary: str, ok: int = 200, body: dict[str, Any] | None = None, params: bool = True
) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "OK", **_json(OBJECT)}}
    for status, what in (
        (400, "Bad request"), (401, "Not logged in"), (403, "Not allowed"),
        (404, "Not found"), (409, "Not in a state that allows this"), (413, "Too large"),
        (422, "Invalid input"), (429, "Too many requests"),
    ):  # fmt: skip
        responses[str(status)] = {
            "description": what,
            **_json({"$ref": "#/components/schemas/Error"}),
        }
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = [
            {"name": "case_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
        ]  # fmt: skip
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    return op


SIGHTING_PATCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "status": {
            "type": "string",
            "enum": ["new", "credible", "not_credible", "duplicate", "police"],
        },
        "notes": {"type": "string", "maxLength": 2000},
    },
}


def _sighting_patch() -> dict[str, Any]:
    op = _operation("Triage a sighting: status and/or notes (audited)", body=SIGHTING_PATCH,
                    params=False)  # fmt: skip
    op["parameters"] = [
        {"name": "sighting_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    ]  # fmt: skip
    return op


SOCIAL_POST_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["url"],
    "properties": {"url": {"type": "string", "format": "uri", "maxLength": 500}},
}


def _confirm_removal() -> dict[str, Any]:
    op = _operation("Confirm that a publication marked for manual action was removed")
    op["parameters"].append(
        {"name": "publication_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    )  # fmt: skip
    return op


def openapi_spec(base_url: str) -> dict[str, Any]:
    """The API description, with `base_url` as its server."""
    case = "/api/cases/{case_id}"
    photo_body = {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo"],
                    "properties": {"photo": {"type": "string", "format": "binary"}},
                }
            }
        },
        "required": True,
    }
    photo_op = _operation("Add a photo (JPEG, PNG or WebP; re-encoded, metadata removed)", 201)
    photo_op["requestBody"] = photo_body
    list_op = _operation("List cases", params=False)
    list_op["parameters"] = [
        {"name": "state", "in": "query", "schema": _enum(CaseState)},
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 500},
        },
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Community alerts: staff API", "version": "1"},
        "servers": [{"url": base_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/cases": {
                "get": list_op,
                "post": _operation("Create a draft case", 201, CASE_INPUT, params=False),
            },
            case: {
                "get": _operation("Read a case, its consent and photos"),
                "patch": _operation("Edit a draft, or revise an active case", body=CASE_INPUT),
            },
            f"{case}/photos": {"post": photo_op},
            f"{case}/consent": {"put": _operation("Record consent and level", body=CONSENT_INPUT)},
            f"{case}/submit": {"post": _operation("Submit a draft for approval")},
            f"{case}/return": {"post": _operation("Send a submitted case back to draft")},
            f"{case}/approve": {"post": _operation("Approve (four-eyes)", body=REAUTH_INPUT)},
            f"{case}/close": {"post": _operation("Close a case", body=CLOSE_INPUT)},
            f"{case}/publications": {
                "get": _operation("The publication registry of a case, with its withdrawal")
            },
            f"{case}/consent/revoke": {"post": _operation("Revoke the consent: withdraw all")},
            f"{case}/social-posts": {
                "post": _operation("Record a post made by hand", 201, SOCIAL_POST_INPUT)
            },
            f"{case}/publications/{{publication_id}}/confirm-removal": {"post": _confirm_removal()},
            f"{case}/reach": {"get": _operation("Matched, sent, failed, pending, withdrawn")},
            f"{case}/sightings": {"get": _operation("Sightings, in triage order and grouped")},
            "/api/sightings/{sighting_id}": {"patch": _sighting_patch()},
            "/api/audit": {"get": _operation("The audit log (supervisors)", params=False)},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
    }
