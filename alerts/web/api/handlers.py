"""The staff JSON API under /api/: parse, call the domain, answer JSON. No SQL here."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.proposals import Proposal
from alerts.outbox import pipeline
from alerts.outbox import report as withdrawal_report
from alerts.partners import registry as partners
from alerts.rounds import service as poster_rounds
from alerts.staff import audit, auth
from alerts.staff.models import Staff
from alerts.volunteers import pseudonyms
from alerts.web import keys
from alerts.web.api import inputs
from alerts.web.api import models as m
from alerts.web.api import partner_models as pm
from alerts.web.api.openapi import openapi_spec
from alerts.web.console.staff_auth import client_key
from alerts.web.paths import path_id

routes = web.RouteTableDef()


def to_json(value: Any) -> Any:
    """`value` with dataclasses, enums and datetimes made JSON-ready."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.repr and f.name not in ("password_hash", "totp_secret")
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def reply(value: Any, status: int = 200) -> web.Response:
    return web.json_response(to_json(value), status=status)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; InvalidInput when it is not one."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise errors.InvalidInput("The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise errors.InvalidInput("Send a JSON object.")
    return body


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {**to_json(proposal), "data": proposal.values}


def held(proposal: Proposal) -> web.Response:
    """The answer to a change that waits for an approver: 202 with the proposal."""
    message = (
        "The change widens what is published: it waits for a second staff member with an "
        "approver role. Nothing published has changed."
    )
    return reply({"proposal": proposal_json(proposal), "message": message}, status=202)


def fingerprint_of(body: dict[str, Any]) -> str:
    """The fingerprint of the preview the approver saw; InvalidInput without one."""
    seen = body.pop("fingerprint", None)
    if not isinstance(seen, str) or len(seen) != 64:
        raise errors.InvalidInput(
            "Approve what the preview shows: send its fingerprint.", field="fingerprint"
        )
    return seen


def case_id(request: web.Request) -> int:
    return path_id(request, "case_id", "No such case.")


def channel_id(request: web.Request) -> int:
    return path_id(request, "channel_id", "No such regional channel.")


def webhook_id(request: web.Request) -> int:
    return path_id(request, "webhook_id", "No such partner webhook.")


def staff_of(request: web.Request) -> Staff:
    return request[keys.STAFF]


async def locate(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the last-seen point geocoded from the place text when no point was given."""
    place = data.get("last_seen_place")
    if isinstance(place, str) and place.strip() and data.get("last_seen_lat") in (None, ""):
        found = await request.app[keys.GEOCODER].last_seen_point(place)
        if found is not None:
            data = {**data, "last_seen_lat": found.lat, "last_seen_lon": found.lon}
    return data


async def reauth_from_body(request: web.Request, body: dict[str, Any]) -> None:
    """Confirm the password given with the request (within the limits every password prompt
    shares), then require a recent confirmation."""
    session = request.get(keys.SESSION)
    secret = body.pop("password", None)
    if session is not None and isinstance(secret, str) and secret:
        app = request.app
        await auth.reauthenticate(
            app[keys.DB], app[keys.SETTINGS], session, secret, client=client_key(request)
        )
        session = dataclasses.replace(session, reauth_at=datetime.now().astimezone())
    auth.require_recent_reauth(session, request.app[keys.SETTINGS])


@routes.get("/api/openapi.json", name="openapi")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_spec(request.app[keys.SETTINGS].public_base_url))


@routes.post("/api/cases", name="api_create_case")
async def create_case(request: web.Request) -> web.Response:
    data = await locate(request, await inputs.fields(request, m.CaseInput))
    data.setdefault("languages", list(request.app[keys.SETTINGS].default_languages))
    case = await cases.create_draft(request.app[keys.DB], staff_of(request), data)
    return reply(case, status=201)


@routes.get("/api/cases", name="api_list_cases")
async def list_cases(request: web.Request) -> web.Response:
    asked = inputs.query(request, m.CaseList)
    found = await cases.list_cases(request.app[keys.DB], asked.state, asked.limit, asked.offset)
    return reply({"cases": found})


@routes.get("/api/cases/{case_id}", name="api_get_case")
async def get_case(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    case = await cases.get(db, case_id(request))
    consent = await cases.current_consent(db, case.id)
    photos = await cases.photos(db, case.id)
    return reply({**to_json(case), "consent": consent, "photos": photos})


@routes.patch("/api/cases/{case_id}", name="api_update_case")
async def update_case(request: web.Request) -> web.Response:
    data = await locate(request, await inputs.fields(request, m.CasePatch))
    app = request.app
    case = await pipeline.revise(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request), data
    )
    return held(case) if isinstance(case, Proposal) else reply(case)


@routes.post("/api/cases/{case_id}/photos", name="api_add_photo")
async def add_photo(request: web.Request) -> web.Response:
    data = await read_upload(request)
    app = request.app
    photo = await pipeline.add_photo(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request), data
    )
    return held(photo) if isinstance(photo, Proposal) else reply(photo, status=201)


async def read_upload(request: web.Request, field: str = "photo") -> bytes:
    """The bytes of the file in multipart field `field`; InvalidInput when absent or malformed."""
    if not request.content_type.startswith("multipart/"):
        raise errors.InvalidInput("Send the photo as multipart/form-data.", field=field)
    try:
        return await _read_part(request, field)
    except (ValueError, HttpProcessingError):
        raise errors.InvalidInput("The upload could not be read.", field=field) from None


async def _read_part(request: web.Request, field: str) -> bytes:
    limit = request.app[keys.SETTINGS].photo_max_bytes
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name != field:
            continue
        # Browsers send files as plain bytes; an encoded part (base64, gzip) is refused rather
        # than decoded, so no decoder ever runs on it (and no compression bomb can expand).
        encoding = part.headers.get("Content-Transfer-Encoding", "binary").lower()
        if encoding not in ("binary", "8bit", "7bit") or "Content-Encoding" in part.headers:
            raise errors.InvalidInput("Send the photo as a plain file upload.", field=field)
        data = bytearray()
        while chunk := await part.read_chunk():
            data.extend(chunk)
            if len(data) > limit:
                raise errors.InvalidInput(
                    f"The photo is too large (at most {limit // (1024 * 1024)} MB).", field=field
                )
        return bytes(data)
    raise errors.InvalidInput("No photo was sent.", field=field)


@routes.get("/api/cases/{case_id}/photos/{photo_id}", name="api_photo")
async def photo(request: web.Request) -> web.Response:
    data = await request.app[keys.DB].fetchval(
        "photo_bytes", case_id(request), request.match_info["photo_id"]
    )
    if data is None:
        raise errors.NotFound("No such photo.")
    return web.Response(body=data, content_type="image/jpeg")


@routes.put("/api/cases/{case_id}/consent", name="api_consent")
async def put_consent(request: web.Request) -> web.Response:
    data = await inputs.fields(request, m.ConsentInput)
    app = request.app
    consent = await pipeline.change_consent(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request), data
    )
    return held(consent) if isinstance(consent, Proposal) else reply(consent)


@routes.post("/api/cases/{case_id}/submit", name="api_submit")
async def submit(request: web.Request) -> web.Response:
    await json_body(request)
    return reply(await cases.submit(request.app[keys.DB], staff_of(request), case_id(request)))


@routes.post("/api/cases/{case_id}/renewal", name="api_renew")
async def renew(request: web.Request) -> web.Response:
    await json_body(request)
    app = request.app
    renewed = await pipeline.renew(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request)
    )
    return held(renewed) if isinstance(renewed, Proposal) else reply(renewed)


@routes.post("/api/cases/{case_id}/return", name="api_return")
async def return_to_draft(request: web.Request) -> web.Response:
    await json_body(request)
    db = request.app[keys.DB]
    return reply(await cases.return_to_draft(db, staff_of(request), case_id(request)))


@routes.post("/api/cases/{case_id}/approve", name="api_approve")
async def approve(request: web.Request) -> web.Response:
    body = await inputs.fields(request, m.ApproveInput)
    seen = fingerprint_of(body)
    await reauth_from_body(request, body)
    app = request.app
    case = await pipeline.approve(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request), seen=seen
    )
    return reply(case)


@routes.post("/api/cases/{case_id}/close", name="api_close")
async def close(request: web.Request) -> web.Response:
    body = await inputs.fields(request, m.CloseInput)
    await reauth_from_body(request, body)
    db = request.app[keys.DB]
    case = await pipeline.close(db, staff_of(request), case_id(request), body.get("reason"))
    return reply(case)


@routes.get("/api/cases/{case_id}/publications", name="api_publications")
async def publications(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    case = await cases.get(db, case_id(request))
    rows = await db.fetch("list_publications", case.id)
    shown = pseudonyms.for_staff(request.app[keys.SETTINGS], rows)
    posters = await poster_rounds.counts(db, case.id)  # physical posters (issue 21)
    return reply({"case": case.public_id, "publications": shown,
                  "summary": withdrawal_report.summarise(rows, posters)})  # fmt: skip


@routes.get("/api/audit", name="api_audit")
async def audit_log(request: web.Request) -> web.Response:
    if not staff_of(request).is_supervisor:
        raise errors.Forbidden("Only supervisors can read the audit log.")
    wanted = inputs.query(request, m.AuditQuery).case_id
    return reply({"entries": await audit.entries(request.app[keys.DB], wanted)})


# -- regional channels and partner webhooks (alerts.partners) ----------------------------------


@routes.get("/api/regional-channels", name="api_regional_channels")
async def regional_channels(request: web.Request) -> web.Response:
    return reply({"channels": await partners.list_regional_channels(request.app[keys.DB])})


@routes.post("/api/regional-channels", name="api_add_regional_channel")
async def add_regional_channel(request: web.Request) -> web.Response:
    data = await inputs.fields(request, pm.ChannelInput)
    app = request.app
    channel = await partners.register_regional_channel(
        app[keys.DB], app[keys.GEOCODER], staff_of(request), data
    )
    return reply(channel, status=201)


@routes.patch("/api/regional-channels/{channel_id}", name="api_update_regional_channel")
async def update_regional_channel(request: web.Request) -> web.Response:
    data = await inputs.fields(request, pm.ChannelPatch)
    app = request.app
    channel = await partners.update_regional_channel(
        app[keys.DB], app[keys.GEOCODER], staff_of(request), channel_id(request), data
    )
    return reply(channel)


@routes.get("/api/partner-webhooks", name="api_partner_webhooks")
async def partner_webhooks(request: web.Request) -> web.Response:
    return reply({"webhooks": await partners.list_partner_webhooks(request.app[keys.DB])})


def with_secret(issued: partners.IssuedSecret) -> dict[str, Any]:
    """A webhook with its new secret: the one answer that ever carries it."""
    return {**to_json(issued.webhook), "secret": issued.secret}


@routes.post("/api/partner-webhooks", name="api_add_partner_webhook")
async def add_partner_webhook(request: web.Request) -> web.Response:
    data = await inputs.fields(request, pm.WebhookInput)
    issued = await partners.register_partner_webhook(request.app[keys.DB], staff_of(request), data)
    return reply(with_secret(issued), status=201)


@routes.patch("/api/partner-webhooks/{webhook_id}", name="api_update_partner_webhook")
async def update_partner_webhook(request: web.Request) -> web.Response:
    data = await inputs.fields(request, pm.WebhookPatch)
    webhook = await partners.update_partner_webhook(
        request.app[keys.DB], staff_of(request), webhook_id(request), data
    )
    return reply(webhook)


@routes.post("/api/partner-webhooks/{webhook_id}/secret", name="api_rotate_webhook_secret")
async def rotate_webhook_secret(request: web.Request) -> web.Response:
    await json_body(request)
    issued = await partners.rotate_partner_webhook_secret(
        request.app[keys.DB], staff_of(request), webhook_id(request)
    )
    return reply(with_secret(issued))
