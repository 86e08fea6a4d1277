"""The table of the API's operations: for each route (by its name), its method and path, what it
takes (a body or query model of `models`), what it answers (a type of `answers`), and the ids
its answer makes for the operations that follow. /api/openapi.json is generated from this table
(`alerts.web.api.openapi`); tests/integration/test_openapi.py checks that it lists every /api/
route of the application, with the same method. To add a route: its models, a row here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from alerts.web.api import answers as a
from alerts.web.api import models as m
from alerts.web.api import partner_models as pm

BEARER_DESCRIPTION = (
    "An API token (`community-alerts create-token`, or the console's API tokens page for "
    "admins), sent as `Authorization: Bearer alrt_...`. A token acts for one staff account, ends "
    "after its days (default 90) and can be revoked at once; an unknown, expired or revoked "
    "token gets 401. Its scopes say what it may do: `read` (GET), `write` (every other change) "
    "and `approve` (approve and close a case, which a session does only after confirming its "
    "password); a request outside them gets 403 naming the scope it lacks."
)
# The answers any operation may give, each with an `Error` body.
ERRORS: dict[int, str] = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    409: "Not in a state that allows this",
    413: "Too large",
    422: "Invalid input: `field` names the field, `error` says what is wrong",
    429: "Too many requests: try again after Retry-After",
    503: "The database was busy and nothing was changed: try again after Retry-After",
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
CONSENT_ABOUT = (
    "Time rules a schema cannot state: `given_at` is not in the future and `valid_until` is "
    "in the future (422 naming the field otherwise)."
)
PLACE_ABOUT = (
    "A `place` that is not a Belgian municipality or postcode the service knows gets 422 "
    "naming `place` (a gazetteer, not a rule a schema can state)."
)
PHOTO_ABOUT = (
    "JPEG, PNG or WebP, re-encoded and stripped of metadata; bytes that are not such an image "
    "get 422 naming `photo` (the content of a file, not a rule a schema can state)."
)

RENEWAL_ABOUT = (
    "An active case's level ends `level_expires_at` unless renewed. Renewing a level of "
    "LEVEL_RENEWAL_APPROVAL (the public level) answers 202 with a proposal that another "
    "approver approves; a lower level is renewed at once by the case's staff or a supervisor. "
    "409 when the case is not active, its level does not end, or a renewal already waits."
)


@dataclass(frozen=True)
class Binary:
    """An answer that is a file, not JSON."""

    media: str


@dataclass(frozen=True)
class Upload:
    """A multipart/form-data body carrying one file."""

    field: str
    media: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str  # the aiohttp route's name; the operationId
    summary: str
    answer: Any  # the type of the success body, or Binary
    ok: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    upload: Upload | None = None
    held: bool = False  # 202 with the proposal when the change widens an active case
    description: str = ""
    errors: dict[int, str] = field(default_factory=dict)
    # Per success status, the path parameters its answer makes: name -> JSON pointer.
    makes: dict[int, dict[str, str]] = field(default_factory=dict)


CASE = "/api/cases/{case_id}"
PROPOSAL = f"{CASE}/proposals/{{proposal_id}}"
PUBLICATION = f"{CASE}/publications/{{publication_id}}"
_HELD = {202: {"proposal_id": "/proposal/id"}}

OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/api/cases", "api_list_cases", "List cases", a.Cases, query=m.CaseList),
    Operation("POST", "/api/cases", "api_create_case", "Create a draft case", a.Case, 201,
              body=m.CaseInput, makes={201: {"case_id": "/id"}}),
    Operation("GET", CASE, "api_get_case", "Read a case, its consent and photos", a.CaseDetail,
              makes={200: {"photo_id": "/photos/0/public_id"}}),
    Operation("PATCH", CASE, "api_update_case", "Edit a draft, or revise an active case", a.Case,
              body=m.CasePatch, held=True, makes=_HELD),
    Operation("POST", f"{CASE}/photos", "api_add_photo",
              "Add a photo (JPEG, PNG or WebP; re-encoded, metadata removed)", a.Photo, 201,
              upload=Upload("photo", "image/jpeg, image/png, image/webp"), held=True,
              description=PHOTO_ABOUT, makes={201: {"photo_id": "/public_id"}, **_HELD}),
    Operation("GET", f"{CASE}/photos/{{photo_id}}", "api_photo", "A photo of the case (JPEG)",
              Binary("image/jpeg")),
    Operation("PUT", f"{CASE}/consent", "api_consent", "Record consent and level", a.Consent,
              body=m.ConsentInput, held=True, description=CONSENT_ABOUT, makes=_HELD),
    Operation("POST", f"{CASE}/submit", "api_submit", "Submit a draft for approval", a.Case),
    Operation("POST", f"{CASE}/renewal", "api_renew",
              "Renew the level in force for another LEVEL_MAX_HOURS", a.Case, held=True,
              makes=_HELD, description=RENEWAL_ABOUT),
    Operation("POST", f"{CASE}/return", "api_return", "Send a submitted case back to draft",
              a.Case),
    Operation("POST", f"{CASE}/approve", "api_approve",
              "Approve (an approver role, four eyes) what the preview showed", a.Case,
              body=m.ApproveInput),
    Operation("POST", f"{CASE}/close", "api_close", "Close a case", a.Case, body=m.CloseInput),
    Operation("GET", f"{CASE}/publications", "api_publications",
              "The publication registry of a case, with its withdrawal", a.Publications,
              description=PUBLICATIONS_ABOUT),
    Operation("POST", f"{PUBLICATION}/reveal-contact", "api_reveal_contact",
              "Reveal the contact of the volunteer a message went to (supervisors, audited)",
              a.Contact, body=m.RevealInput, errors={410: "The volunteer deleted their data"},
              description="For a supervisor who must reach this one volunteer: the reason is "
              "required and the read is recorded in the audit log."),
    Operation("POST", f"{CASE}/consent/revoke", "api_revoke_consent",
              "Revoke the consent: withdraw all", a.Consent),
    Operation("POST", f"{CASE}/social-posts", "api_social_post", "Record a post made by hand",
              a.PostRecorded, 201, body=m.SocialPostInput,
              makes={201: {"publication_id": "/publication"}}),
    Operation("POST", f"{PUBLICATION}/confirm-removal", "api_confirm_removal",
              "Confirm that a publication marked for manual action was removed",
              a.RemovalConfirmed),
    Operation("GET", f"{CASE}/reach", "api_reach", "Matched, sent, failed, pending, withdrawn",
              a.Reach),
    Operation("GET", f"{CASE}/sightings", "api_sightings", "Sightings, in triage order and grouped",
              a.Sightings, description=SIGHTINGS_ABOUT),
    Operation("PATCH", "/api/sightings/{sighting_id}", "api_triage_sighting",
              "Triage a sighting: status and/or notes (audited)", a.Sighting,
              body=m.SightingPatch, description=SIGHTINGS_ABOUT),
    Operation("GET", "/api/audit", "api_audit", "The audit log (supervisors)", a.Audit,
              query=m.AuditQuery),
    Operation("GET", f"{CASE}/preview", "api_preview",
              "What approval publishes: the views, texts per language, poster pages, and the "
              "fingerprint to approve", a.Preview, query=m.PreviewQuery),
    Operation("GET", f"{CASE}/preview/poster-{{lang}}.png", "api_preview_poster",
              "Page 1 of the poster in a language, as it will be published (PNG)",
              Binary("image/png"), query=m.PosterQuery),
    Operation("GET", f"{CASE}/proposals", "api_proposals", "The proposed changes of a case",
              a.Proposals),
    Operation("GET", PROPOSAL, "api_proposal",
              "A proposed change: the views before and after, what differs, the fingerprint",
              a.Preview),
    Operation("POST", f"{PROPOSAL}/approve", "api_approve_proposal",
              "Approve a proposed change (an approver, not the proposer): it is published",
              a.Case, body=m.ApproveInput),
    Operation("POST", f"{PROPOSAL}/reject", "api_reject_proposal",
              "Reject a proposed change (an approver), or withdraw it (its proposer)", a.Proposal),
    Operation("GET", "/api/regional-channels", "api_regional_channels",
              "Regional Telegram channels, with their posts and last error", a.Channels),
    Operation("POST", "/api/regional-channels", "api_add_regional_channel",
              "Add a regional Telegram channel (supervisors)", a.RegionalChannel, 201,
              body=pm.ChannelInput, description=PLACE_ABOUT, makes={201: {"channel_id": "/id"}}),
    Operation("PATCH", "/api/regional-channels/{channel_id}", "api_update_regional_channel",
              "Edit, deactivate or reactivate a regional channel (supervisors)",
              a.RegionalChannel, body=pm.ChannelPatch, description=PLACE_ABOUT),
    Operation("GET", "/api/partner-webhooks", "api_partner_webhooks",
              "Partner webhooks (never their secret), with their last delivery", a.Webhooks),
    Operation("POST", "/api/partner-webhooks", "api_add_partner_webhook",
              "Add a partner webhook (supervisors); the answer carries the secret, shown this "
              "once", a.WebhookWithSecret, 201, body=pm.WebhookInput,
              makes={201: {"webhook_id": "/id"}}),
    Operation("PATCH", "/api/partner-webhooks/{webhook_id}", "api_update_partner_webhook",
              "Edit, deactivate or reactivate a partner webhook (supervisors)", a.PartnerWebhook,
              body=pm.WebhookPatch),
    Operation("POST", "/api/partner-webhooks/{webhook_id}/secret", "api_rotate_webhook_secret",
              "Replace a partner webhook's secret (supervisors); the answer carries the secret, "
              "shown this once", a.WebhookWithSecret),
)  # fmt: skip
