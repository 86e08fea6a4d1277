"""The OpenAPI 3.0 description of the staff JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from alerts.cases.fields import TEXT_LIMITS
from alerts.cases.models import CaseKind, CaseState, CloseReason, NameMode, PlacePrecision
from alerts.i18n import LANGUAGES


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


BEARER_DESCRIPTION = (
    "An API token (`community-alerts create-token`, or the console's API tokens page for "
    "admins), sent as `Authorization: Bearer alrt_...`. A token acts for one staff account, ends "
    "after its days (default 90) and can be revoked at once; an unknown, expired or revoked "
    "token gets 401. Its scopes say what it may do: `read` (GET), `write` (every other change) "
    "and `approve` (approve and close a case, which a session does only after confirming its "
    "password); a request outside them gets 403 naming the scope it lacks."
)
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
_FINGERPRINT = {
    "type": "string",
    "pattern": "^[0-9a-f]{64}$",
    "description": "The fingerprint of the preview the approver looked at (GET .../preview, or "
    "the proposal's address): the approval is refused (409) when what would be published "
    "changed since",
}
APPROVE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["fingerprint"],
    "properties": {**REAUTH_INPUT["properties"], "fingerprint": _FINGERPRINT},
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


REVEAL_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
}
PUBLICATIONS_ABOUT = (
    "Each message to a volunteer names them by a stable pseudonym (target `V-` and eight hex "
    "digits) and carries no address: no e-mail address, no Telegram chat id, for any staff "
    "account. A supervisor who must contact one volunteer uses reveal-contact, audited."
)
SIGHTINGS_ABOUT = (
    "A tipster's contact (contact_name, contact_phone, contact_email) is shown to the staff "
    "assigned to the case (its creator, submitter and approver) and to supervisors, and each "
    "such read is audited; for anyone else it is null and `contact_withheld` is true."
)


def _with_publication(op: dict[str, Any]) -> dict[str, Any]:
    op["parameters"].append(
        {"name": "publication_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    )  # fmt: skip
    return op


def _reveal_contact() -> dict[str, Any]:
    op = _with_publication(
        _operation(
            "Reveal the contact of the volunteer a message went to (supervisors, audited)",
            body=REVEAL_INPUT,
        )  # fmt: skip
    )
    op["description"] = (
        "For a supervisor who must reach this one volunteer: the reason is required and the "
        "read is recorded in the audit log. 410 once the volunteer has deleted their data."
    )
    op["responses"]["410"] = {
        "description": "The volunteer deleted their data",
        **_json({"$ref": "#/components/schemas/Error"}),
    }
    return op


def _described(op: dict[str, Any], about: str) -> dict[str, Any]:
    op["description"] = about
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


def _held(op: dict[str, Any]) -> dict[str, Any]:
    """`op`, which answers 202 with the proposal when the change widens an active case."""
    op["responses"]["202"] = {
        "description": "The change widens what is published: stored as a proposal that a "
        "second staff member with an approver role approves; nothing published changed",
        **_json(OBJECT),
    }
    return op


def _proposal_operation(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    op = _operation(summary, body=body)
    op["parameters"].append(
        {"name": "proposal_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    )  # fmt: skip
    return op


def _approval_paths(case: str) -> dict[str, Any]:
    """The previews an approver looks at, and the proposed changes of active cases."""
    poster = _operation("Page 1 of the poster in a language, as it will be published (PNG)")
    poster["parameters"] += [
        {"name": "lang", "in": "path", "required": True, "schema": _LANGUAGE},
        {"name": "proposal", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "side", "in": "query", "schema": {"type": "string", "enum": ["before", "after"]}},
    ]  # fmt: skip
    poster["responses"]["200"] = {"description": "OK", "content": {"image/png": {}}}
    proposal = f"{case}/proposals/{{proposal_id}}"
    return {
        f"{case}/preview": {"get": _operation(
            "What approval publishes: the views, texts per language, poster pages, and the "
            "fingerprint to approve")},
        f"{case}/preview/poster-{{lang}}.png": {"get": poster},
        f"{case}/proposals": {"get": _operation("The proposed changes of a case")},
        proposal: {"get": _proposal_operation(
            "A proposed change: the views before and after, what differs, the fingerprint")},
        f"{proposal}/approve": {"post": _proposal_operation(
            "Approve a proposed change (an approver, not the proposer): it is published",
            APPROVE_INPUT)},
        f"{proposal}/reject": {"post": _proposal_operation(
            "Reject a proposed change (an approver), or withdraw it (its proposer)")},
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
                "patch": _held(
                    _operation("Edit a draft, or revise an active case", body=CASE_INPUT)
                ),
            },
            f"{case}/photos": {"post": _held(photo_op)},
            f"{case}/consent": {
                "put": _held(_operation("Record consent and level", body=CONSENT_INPUT))
            },
            f"{case}/submit": {"post": _operation("Submit a draft for approval")},
            f"{case}/return": {"post": _operation("Send a submitted case back to draft")},
            f"{case}/approve": {
                "post": _operation(
                    "Approve (an approver role, four eyes) what the preview showed",
                    body=APPROVE_INPUT,
                )
            },
            f"{case}/close": {"post": _operation("Close a case", body=CLOSE_INPUT)},
            f"{case}/publications": {
                "get": _described(
                    _operation("The publication registry of a case, with its withdrawal"),
                    PUBLICATIONS_ABOUT,
                )
            },
            f"{case}/publications/{{publication_id}}/reveal-contact": {"post": _reveal_contact()},
            f"{case}/consent/revoke": {"post": _operation("Revoke the consent: withdraw all")},
            f"{case}/social-posts": {
                "post": _operation("Record a post made by hand", 201, SOCIAL_POST_INPUT)
            },
            f"{case}/publications/{{publication_id}}/confirm-removal": {"post": _confirm_removal()},
            f"{case}/reach": {"get": _operation("Matched, sent, failed, pending, withdrawn")},
            f"{case}/sightings": {
                "get": _described(
                    _operation("Sightings, in triage order and grouped"), SIGHTINGS_ABOUT
                )
            },
            "/api/sightings/{sighting_id}": {
                "patch": _described(_sighting_patch(), SIGHTINGS_ABOUT)
            },
            "/api/audit": {"get": _operation("The audit log (supervisors)", params=False)},
            **_approval_paths(case),
            **_partner_paths(),
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": BEARER_DESCRIPTION}
            },  # fmt: skip
            "schemas": {"Error": ERROR},
        },
    }
