"""The OpenAPI 3.0 description of the staff JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from alerts.cases.fields import TEXT_LIMITS
from alerts.cases.models import CaseKind, CaseState, CloseReason, NameMode, PlacePrecision
from alerts.i18n import LANGUAGES


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
        (503, "The database was busy and nothing was changed: try again after Retry-After"),
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


_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 100}
_LANGUAGE: dict[str, Any] = {"type": "string", "enum": list(LANGUAGES)}
_CENTRE: dict[str, Any] = {
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "lon": {"type": "number", "minimum": -180, "maximum": 180},
    "place": {
        "type": "string",
        "maxLength": 200,
        "description": "A Belgian municipality or postcode, geocoded into the centre "
        "(instead of lat and lon)",
    },
    "radius_km": {"type": "number", "minimum": 0.1, "maximum": 500},
}
CHANNEL_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "chat_id", "language", "radius_km"],
    "description": "The centre is lat and lon, or a place",
    "properties": {
        "name": _NAME,
        "chat_id": {
            "type": "string",
            "pattern": r"^(-[1-9][0-9]{0,15}|@[A-Za-z][A-Za-z0-9_]{4,31})$",
            "description": "The channel's @username, or its numeric id (such as -1001234567890)",
        },
        "language": _LANGUAGE,
        **_CENTRE,
    },
}
CHANNEL_PATCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"name": _NAME, "language": _LANGUAGE, **_CENTRE, "active": {"type": "boolean"}},
}
_WEBHOOK_FIELDS: dict[str, Any] = {
    "name": _NAME,
    "url": {
        "type": "string",
        "maxLength": 500,
        "pattern": r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/?=&%-]*)?$",
        "description": "The partner's http(s) address; unique",
    },
    "format": {"type": "string", "enum": ["json", "cap"]},
    "language": {**_LANGUAGE, "default": "en"},
}
WEBHOOK_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "url", "format"],
    "properties": _WEBHOOK_FIELDS,
}
WEBHOOK_PATCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {**_WEBHOOK_FIELDS, "active": {"type": "boolean"}},
}


def _partner_operation(
    summary: str, param: str, ok: int = 200, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An operation on one regional channel or partner webhook, `param` its id in the path."""
    op = _operation(summary, ok, body, params=False)
    op["parameters"] = [
        {"name": param, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    ]  # fmt: skip
    return op


def _registry_paths(
    path: str, param: str, noun: str, listing: str, adding: str, body: Any, patch: Any
) -> dict[str, Any]:
    """The list, add and edit operations of regional channels or of partner webhooks (`noun`),
    at `path` and `path/{param}`."""
    return {
        path: {
            "get": _operation(listing, params=False),
            "post": _operation(adding, 201, body, params=False),
        },
        f"{path}/{{{param}}}": {
            "patch": _partner_operation(
                f"Edit, deactivate or reactivate a {noun} (supervisors)", param, body=patch
            ),
        },
    }


def _partner_paths() -> dict[str, Any]:
    """Regional Telegram channels and partner webhooks: supervisors and admins change them."""
    once = "; the answer carries the secret, shown this once"
    return {
        **_registry_paths(
            "/api/regional-channels", "channel_id", "regional channel",
            "Regional Telegram channels, with their posts and last error",
            "Add a regional Telegram channel (supervisors)", CHANNEL_INPUT, CHANNEL_PATCH,
        ),
        **_registry_paths(
            "/api/partner-webhooks", "webhook_id", "partner webhook",
            "Partner webhooks (never their secret), with their last delivery",
            f"Add a partner webhook (supervisors){once}", WEBHOOK_INPUT, WEBHOOK_PATCH,
        ),
        "/api/partner-webhooks/{webhook_id}/secret": {
            "post": _partner_operation(f"Replace a partner webhook's secret (supervisors){once}",
                                       "webhook_id"),
        },
    }  # fmt: skip


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
            **_partner_paths(),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
    }
