"""The OpenAPI 3.0 description of the staff JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from alerts.cases.models import CaseState
from alerts.i18n import LANGUAGES
from alerts.web.api.schemas import (
    APPROVE_INPUT,
    BEARER_DESCRIPTION,
    CASE_INPUT,
    CLOSE_INPUT,
    CONSENT_INPUT,
    ERROR,
    OBJECT,
    REVEAL_INPUT,
    SIGHTING_PATCH,
    SOCIAL_POST_INPUT,
    enum_of,
    json_content,
    operation,
)


def _sighting_patch() -> dict[str, Any]:
    op = operation("Triage a sighting: status and/or notes (audited)", body=SIGHTING_PATCH,
                    params=False)  # fmt: skip
    op["parameters"] = [
        {"name": "sighting_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    ]  # fmt: skip
    return op


def _confirm_removal() -> dict[str, Any]:
    op = operation("Confirm that a publication marked for manual action was removed")
    op["parameters"].append(
        {"name": "publication_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    )  # fmt: skip
    return op


PUBLICATIONS_ABOUT = (
    "Each message to a volunteer names them by a stable pseudonym (target `V-` and eight hex "
    "digits) and carries no address: no e-mail address, no Telegram chat id, for any staff "
    "account. A supervisor who must contact one volunteer uses reveal-contact, audited."
)
REACH_ABOUT = (
    "How far the fan-out got (each target counted once, in the state of its latest message), "
    "the delivery times, the sightings per channel, and `answers`: what the volunteers answered "
    "to the alert (the last answer of each counts), as `total`, `by_answer` (help: I can help, "
    "nearby: I am nearby now, unavailable: not available) and `rings`, one per distance ring "
    "from the case's last-seen place (0-2, 2-5, 5-10, 10-25 and 25+ km, from the distance "
    "computed at the fan-out), each with the count of every answer. Never who answered, nor "
    "where they are."
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
        operation(
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
        **json_content({"$ref": "#/components/schemas/Error"}),
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
    op = operation(summary, ok, body, params=False)
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
            "get": operation(listing, params=False),
            "post": operation(adding, 201, body, params=False),
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
        **json_content(OBJECT),
    }
    return op


def _proposal_operation(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    op = operation(summary, body=body)
    op["parameters"].append(
        {"name": "proposal_id", "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2**62}},
    )  # fmt: skip
    return op


def _approval_paths(case: str) -> dict[str, Any]:
    """The previews an approver looks at, and the proposed changes of active cases."""
    poster = operation("Page 1 of the poster in a language, as it will be published (PNG)")
    poster["parameters"] += [
        {"name": "lang", "in": "path", "required": True, "schema": _LANGUAGE},
        {"name": "proposal", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "side", "in": "query", "schema": {"type": "string", "enum": ["before", "after"]}},
    ]  # fmt: skip
    poster["responses"]["200"] = {"description": "OK", "content": {"image/png": {}}}
    proposal = f"{case}/proposals/{{proposal_id}}"
    return {
        f"{case}/preview": {"get": operation(
            "What approval publishes: the views, texts per language, poster pages, and the "
            "fingerprint to approve")},
        f"{case}/preview/poster-{{lang}}.png": {"get": poster},
        f"{case}/proposals": {"get": operation("The proposed changes of a case")},
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
    photo_op = operation("Add a photo (JPEG, PNG or WebP; re-encoded, metadata removed)", 201)
    photo_op["requestBody"] = photo_body
    list_op = operation("List cases", params=False)
    list_op["parameters"] = [
        {"name": "state", "in": "query", "schema": enum_of(CaseState)},
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
                "post": operation("Create a draft case", 201, CASE_INPUT, params=False),
            },
            case: {
                "get": operation("Read a case, its consent and photos"),
                "patch": _held(
                    operation("Edit a draft, or revise an active case", body=CASE_INPUT)
                ),
            },
            f"{case}/photos": {"post": _held(photo_op)},
            f"{case}/consent": {
                "put": _held(operation("Record consent and level", body=CONSENT_INPUT))
            },
            f"{case}/submit": {"post": operation("Submit a draft for approval")},
            f"{case}/return": {"post": operation("Send a submitted case back to draft")},
            f"{case}/approve": {
                "post": operation(
                    "Approve (an approver role, four eyes) what the preview showed",
                    body=APPROVE_INPUT,
                )
            },
            f"{case}/close": {"post": operation("Close a case", body=CLOSE_INPUT)},
            f"{case}/publications": {
                "get": _described(
                    operation("The publication registry of a case, with its withdrawal"),
                    PUBLICATIONS_ABOUT,
                )
            },
            f"{case}/publications/{{publication_id}}/reveal-contact": {"post": _reveal_contact()},
            f"{case}/consent/revoke": {"post": operation("Revoke the consent: withdraw all")},
            f"{case}/social-posts": {
                "post": operation("Record a post made by hand", 201, SOCIAL_POST_INPUT)
            },
            f"{case}/publications/{{publication_id}}/confirm-removal": {"post": _confirm_removal()},
            f"{case}/reach": {
                "get": _described(
                    operation("Matched, sent, failed, pending, withdrawn; answers"), REACH_ABOUT
                )
            },
            f"{case}/sightings": {
                "get": _described(
                    operation("Sightings, in triage order and grouped"), SIGHTINGS_ABOUT
                )
            },
            "/api/sightings/{sighting_id}": {
                "patch": _described(_sighting_patch(), SIGHTINGS_ABOUT)
            },
            "/api/audit": {"get": operation("The audit log (supervisors)", params=False)},
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
