"""The building blocks of the OpenAPI description: the request bodies the API accepts, the
error shape, and an operation with its usual answers."""

from __future__ import annotations

from typing import Any

from alerts.cases.fields import TEXT_LIMITS
from alerts.cases.models import CaseKind, CloseReason, NameMode, PlacePrecision
from alerts.i18n import LANGUAGES


def enum_of(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


BEARER_DESCRIPTION = (
    "An API token (`community-alerts create-token`, or the console's API tokens page for "
    "admins), sent as `Authorization: Bearer alrt_...`. A token acts for one staff account, ends "
    "after its days (default 90) and can be revoked at once; an unknown, expired or revoked "
    "token gets 401. Its scopes say what it may do: `read` (GET), `write` (every other change) "
    "and `approve` (approve and close a case, which a session does only after confirming its "
    "password); a request outside them gets 403 naming the scope it lacks."
)
NULLABLE_NUMBER = {"type": "number", "nullable": True}
DATETIME = {"type": "string", "format": "date-time"}

CASE_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{name: {"type": "string", "maxLength": limit} for name, limit in TEXT_LIMITS.items()},
        "kind": enum_of(CaseKind),
        "age": {"type": "integer", "minimum": 0, "maximum": 25, "nullable": True},
        "sex": {"type": "string", "enum": ["female", "male", "other"], "nullable": True},
        "height_cm": {"type": "integer", "minimum": 30, "maximum": 230, "nullable": True},
        "last_seen_at": {**DATETIME, "nullable": True},
        "last_seen_lat": {**NULLABLE_NUMBER, "minimum": -90, "maximum": 90},
        "last_seen_lon": {**NULLABLE_NUMBER, "minimum": -180, "maximum": 180},
        "search_radius_km": {"type": "number", "minimum": 0.1, "maximum": 500},
        "languages": {
            "type": "array",
            "items": {"type": "string", "enum": list(LANGUAGES)},
            "minItems": 1,
        },
    },
}
# A case is created as an exercise or a real one, for ever: `exercise` is not among the edits.
CASE_CREATE_INPUT: dict[str, Any] = {
    **CASE_INPUT,
    "properties": {
        **CASE_INPUT["properties"],
        "exercise": {
            "type": "boolean",
            "default": False,
            "description": "An exercise (CAP status Exercise, marked EXERCISE everywhere); "
            "fixed at creation",
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
        "given_at": DATETIME,
        "valid_until": {**DATETIME, "nullable": True},
        "level": {"type": "integer", "minimum": 0, "maximum": 3},
        "photo": {"type": "boolean"},
        "name_mode": enum_of(NameMode),
        "place_precision": enum_of(PlacePrecision),
        "forwarding": {"type": "boolean"},
    },
}
REAUTH_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {"password": {"type": "string", "description": "Re-authentication (sessions)"}},
}
FINGERPRINT = {
    "type": "string",
    "pattern": "^[0-9a-f]{64}$",
    "description": "The fingerprint of the preview the approver looked at (GET .../preview, or "
    "the proposal's address): the approval is refused (409) when what would be published "
    "changed since",
}
APPROVE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["fingerprint"],
    "properties": {**REAUTH_INPUT["properties"], "fingerprint": FINGERPRINT},
}
CLOSE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "properties": {**REAUTH_INPUT["properties"], "reason": enum_of(CloseReason)},
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


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def operation(
    summary: str, ok: int = 200, body: dict[str, Any] | None = None, params: bool = True
) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "OK", **json_content(OBJECT)}}
    for status, what in (
        (400, "Bad request"), (401, "Not logged in"), (403, "Not allowed"),
        (404, "Not found"), (409, "Not in a state that allows this"), (413, "Too large"),
        (422, "Invalid input"), (429, "Too many requests"),
        (503, "The database was busy and nothing was changed: try again after Retry-After"),
    ):  # fmt: skip
        responses[str(status)] = {
            "description": what,
            **json_content({"$ref": "#/components/schemas/Error"}),
        }
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = [
            {"name": "case_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
        ]  # fmt: skip
    if body is not None:
        op["requestBody"] = {"required": True, **json_content(body)}
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


SOCIAL_POST_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["url"],
    "properties": {"url": {"type": "string", "format": "uri", "maxLength": 500}},
}
REVEAL_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
}
