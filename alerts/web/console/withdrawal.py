"""Withdrawal in the console and the API: revoking a consent, posts made by hand, confirming a
manual removal (what closing and consent changes withdraw is alerts.outbox.pipeline's).

The withdrawal report itself is part of the case page (templates/console/_withdrawal.html, from
the publications counted per state, alerts.web.console.publications) and of
`GET /api/cases/{id}/publications`.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.outbox import pipeline
from alerts.outbox import report as withdrawal_report
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.api import inputs, models
from alerts.web.console import case_pages as console
from alerts.web.console.forms import form_text, render
from alerts.web.paths import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
CASE = "/cases/{case_id}"
PUBLICATION = CASE + "/publications/{publication_id}"


def setup(app: web.Application) -> None:
    """Add the routes, and the report's summary for the case page's template."""
    app[keys.TEMPLATES].globals["withdrawal_summary"] = withdrawal_report.summarise_counts
    app.add_routes(routes)


def publication_id(request: web.Request) -> int:
    return path_id(request, "publication_id", "No such publication.")


# -- the API -------------------------------------------------------------------------------------


@routes.post(f"/api{CASE}/consent/revoke", name="api_revoke_consent")
async def api_revoke_consent(request: web.Request) -> web.Response:
    """Revoke the consent: everything of the case is withdrawn."""
    await api.json_body(request)
    consent = await _revoke(request)
    return api.reply(consent)


@routes.post(f"/api{CASE}/social-posts", name="api_social_post")
async def api_social_post(request: web.Request) -> web.Response:
    """Record a post made by hand on a social network (`{"url": ...}`)."""
    body = await inputs.fields(request, models.SocialPostInput)
    recorded = await withdrawal_report.record_manual_post(
        request.app[keys.DB], api.staff_of(request), api.case_id(request), body.get("url")
    )
    return api.reply({"publication": recorded}, status=201)


@routes.post(f"/api{PUBLICATION}/confirm-removal", name="api_confirm_removal")
async def api_confirm_removal(request: web.Request) -> web.Response:
    """Confirm that a publication marked for manual action was removed."""
    await api.json_body(request)
    await _confirm(request)
    return api.reply({"publication": publication_id(request), "state": "withdrawn"})


@routes.post(f"/api{PUBLICATION}/reveal-contact", name="api_reveal_contact")
async def api_reveal_contact(request: web.Request) -> web.Response:
    """A supervisor reads the contact of the volunteer a message went to (`{"reason": ...}`),
    audited."""
    body = await inputs.fields(request, models.RevealInput)
    revealed = await withdrawal_report.reveal_contact(
        request.app[keys.DB], request.app[keys.SETTINGS], api.staff_of(request),
        api.case_id(request), publication_id(request), body.get("reason"),
    )  # fmt: skip
    return api.reply(revealed)


async def _revoke(request: web.Request) -> Any:
    db = request.app[keys.DB]
    return await pipeline.revoke_consent(db, api.staff_of(request), api.case_id(request))


async def _confirm(request: web.Request) -> None:
    await withdrawal_report.confirm_removal(
        request.app[keys.DB], api.staff_of(request), api.case_id(request),
        publication_id(request),
    )  # fmt: skip


# -- the console ---------------------------------------------------------------------------------


async def _console_action(request: web.Request, form: str, done: str, action: Any) -> web.Response:
    """Run `action()`; the case page with its notice, or with the reason when refused."""
    try:
        await action()
    except (errors.InvalidInput, errors.Conflict) as exc:
        problem = console.as_problem(request, form, exc)
        return await console.render_case(request, problem=problem, status=exc.status)
    raise web.HTTPSeeOther(f"/console/cases/{api.case_id(request)}?done={done}#withdrawal")


@routes.post(f"/console{CASE}/consent/revoke", name="console_revoke_consent")
async def console_revoke_consent(request: web.Request) -> web.Response:
    return await _console_action(request, "revoke", "consent_revoked", lambda: _revoke(request))


@routes.post(f"/console{CASE}/social-posts", name="console_social_post")
async def console_social_post(request: web.Request) -> web.Response:
    url = form_text(await request.post(), "url")

    async def record() -> None:
        await withdrawal_report.record_manual_post(
            request.app[keys.DB], request[keys.STAFF], api.case_id(request), url
        )

    return await _console_action(request, "social", "social_post", record)


@routes.post(f"/console{PUBLICATION}/confirm-removal", name="console_confirm_removal")
async def console_confirm_removal(request: web.Request) -> web.Response:
    return await _console_action(request, "confirm", "removal_confirmed", lambda: _confirm(request))


@routes.post(f"/console{CASE}/reveal-contact", name="console_reveal_contact")
async def console_reveal_contact(request: web.Request) -> web.Response:
    """A supervisor reveals one volunteer's contact, with a reason (audited)."""
    form = await request.post()
    db, case_id = request.app[keys.DB], api.case_id(request)
    try:
        chosen = int(form_text(form, "publication_id"))
    except ValueError:
        chosen = 0
    try:
        revealed = await withdrawal_report.reveal_contact(
            db, request.app[keys.SETTINGS], api.staff_of(request), case_id, chosen,
            form_text(form, "reason"),
        )  # fmt: skip
    except (errors.InvalidInput, errors.NotFound, errors.Gone) as exc:
        problem = console.as_problem(request, "reveal", exc)
        return await console.render_case(request, problem=problem, status=exc.status)
    case = await cases.get(db, case_id)
    return render(request, "console/volunteer_contact.html", case=case, revealed=revealed)
