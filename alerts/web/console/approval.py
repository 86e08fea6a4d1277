"""The approval pages: what a case (or a proposed change) will publish, rendered, per language,
and the forms that approve it (with the fingerprint of what was shown) or reject it."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from alerts import errors
from alerts.cases import levels, proposals
from alerts.cases import lifecycle as cases
from alerts.cases.models import CaseState
from alerts.cases.proposals import Preview
from alerts.i18n import LANGUAGES, in_language, language_name
from alerts.outbox import pipeline
from alerts.posters.layout import scaled_photo
from alerts.publication import preview as rendering
from alerts.web import keys
from alerts.web.api import approval as api_approval
from alerts.web.api import handlers as api
from alerts.web.console.forms import N_, Problem, form_text, render
from alerts.web.middlewares import CSP
from alerts.web.public import case_pages as public_pages

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PREVIEW_PHOTO_PX = 900
FIELD_LABELS = {
    "*": N_("Whether the channel carries the case"),
    "level": N_("Publication level"),
    "name": N_("Name"),
    "photo": N_("Photo"),
    "age": N_("Age"),
    "sex": N_("Sex"),
    "height_cm": N_("Height"),
    "build": N_("Build"),
    "hair": N_("Hair"),
    "eyes": N_("Eyes"),
    "clothing": N_("Clothing"),
    "marks": N_("Distinguishing marks"),
    "description": N_("Description"),
    "last_seen_at": N_("Last seen"),
    "last_seen_place": N_("Place last seen"),
    "search_radius_km": N_("Search radius"),
    "languages": N_("Languages"),
    "forwarding_allowed": N_("Forwarding"),
    "kind": N_("Kind of case"),
    "reference": N_("Reference"),
}


def shown_language(request: web.Request, preview: Preview) -> str:
    """The language the preview shows (`?show=`), else the case's first."""
    wanted = request.query.get("show", "")
    return wanted if wanted in LANGUAGES else preview.case.languages[0]


def page_context(request: web.Request, preview: Preview, lang: str) -> dict[str, Any]:
    """What the approval page shows of `preview` in `lang`."""
    case = preview.case
    query = f"proposal={preview.proposal.id}&" if preview.proposal else ""
    sides: list[dict[str, Any]] = []
    rendered: list[rendering.Texts] = []
    for side, views in (("before", preview.before), ("after", preview.after)):
        texts = rendering.texts(views, lang)
        rendered.append(texts)
        poster = views.get("poster")
        sides.append({
            "side": side,
            "texts": texts,
            "page": (
                f"/console/cases/{case.id}/preview/page?{query}side={side}&show={lang}"
                if views.get("case_page") is not None else None
            ),
            "poster": (
                f"/console/cases/{case.id}/preview/poster-{lang}.png?{query}side={side}"
                if poster is not None and lang in poster.languages else None
            ),
        })  # fmt: skip
    # A proposal marks what differs; a first approval shows the texts as they are.
    before, after = rendered if preview.proposal else (rendered[1], rendered[1])
    telegram = rendering.marked(before.telegram, after.telegram)
    email = rendering.marked(before.email, after.email)
    changes = sorted({(c.field, c.widens) for c in preview.changes}, key=lambda c: (not c[1], c))
    return {
        "case": case,
        "preview": preview,
        "proposal": preview.proposal,
        "shown": lang,
        "tabs": [(code, language_name(code)) for code in LANGUAGES],
        "tab_query": query,
        "before": sides[0],
        "after": sides[1],
        "telegram_marked": telegram,
        "email_marked": email,
        "changes": [(FIELD_LABELS.get(field, field), widens) for field, widens in changes],
        "widens": any(c.widens for c in preview.changes),
    }


async def approval_page(
    request: web.Request, *, problem: Problem | None = None, status: int = 200
) -> web.Response:
    preview = await api_approval.load_preview(request)
    if preview.proposal is None and preview.case.state is not CaseState.PENDING_APPROVAL:
        raise web.HTTPSeeOther(f"/console/cases/{preview.case.id}")
    staff, settings = request[keys.STAFF], request.app[keys.SETTINGS]
    proposal = preview.proposal
    author = proposal.proposed_by if proposal else preview.case.submitted_by
    names = await request.app[keys.DB].fetch("staff_display_names", [author] if author else [])
    context = page_context(request, preview, shown_language(request, preview))
    return render(
        request, "console/approval.html", status=status, problem=problem, **context,
        author=names[0]["display_name"] if names else "?",
        may_approve=cases.may_approve(settings, staff)
        and not (settings.four_eyes and author == staff.id),
        own=author == staff.id,
        renewal_hours=levels.max_hours(settings, int(proposal.values.get("level", 0)))
        if proposal and proposal.kind == "renewal" else None,
    )  # fmt: skip


routes.get("/console/cases/{case_id}/approval", name="console_approval")(approval_page)
routes.get("/console/cases/{case_id}/proposals/{proposal_id}", name="console_proposal")(
    approval_page
)


@routes.get("/console/cases/{case_id}/preview/page", name="console_preview_page")
async def preview_page(request: web.Request) -> web.Response:
    """The public case page as it will look (framed by the approval page)."""
    preview = await api_approval.load_preview(request)
    views = preview.before if request.query.get("side") == "before" else preview.after
    view = views.get("case_page")
    if view is None:
        raise errors.NotFound("Nothing of the case is shown on this side.")
    lang = shown_language(request, preview)
    context = public_pages.page_context(request, view, lang, [])
    if context["photo"] is not None:
        context["photo"]["url"] = str(
            request.rel_url.with_path(f"/console/cases/{preview.case.id}/preview/photo.jpg")
        )
    response = public_pages.render_page(request, "public/case.html", lang, noindex=True, **context)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = public_csp()
    return response


def public_csp() -> str:
    return CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


@routes.get("/console/cases/{case_id}/preview/photo.jpg", name="console_preview_photo")
async def preview_photo(request: web.Request) -> web.Response:
    preview = await api_approval.load_preview(request)
    views = preview.before if request.query.get("side") == "before" else preview.after
    view = views.get("case_page")
    if view is None or view.photo is None:
        raise errors.NotFound("No photo is shown.")
    jpeg = scaled_photo(view.photo.jpeg, PREVIEW_PHOTO_PX).jpeg
    return web.Response(body=jpeg, content_type="image/jpeg")


@routes.get("/console/cases/{case_id}/preview/poster-{lang}.png", name="console_preview_poster")
async def preview_poster(request: web.Request) -> web.Response:
    return await api_approval.poster_png(request)


async def decide(request: web.Request, approve: bool) -> web.Response:
    form = await request.post()
    app, staff = request.app, request[keys.STAFF]
    case_id, proposal_id = api.case_id(request), api_approval.proposal_id(request)
    try:
        if approve:
            seen = api.fingerprint_of({"fingerprint": form_text(form, "fingerprint")})
            password = {"password": form_text(form, "password")}
            await api.reauth_from_body(request, password)
            await pipeline.approve_proposal(
                app[keys.DB], app[keys.SETTINGS], staff, case_id, proposal_id, seen
            )
        else:
            await pipeline.reject_proposal(
                app[keys.DB], app[keys.SETTINGS], staff, case_id, proposal_id
            )
    except errors.NotFound:
        raise
    except errors.AlertsError as exc:
        field = "password" if isinstance(exc, errors.ReauthRequired | errors.Unauthenticated) \
            else exc.field  # fmt: skip
        problem = Problem(form="approve", message=in_language(request[keys.LANG], exc.message),
                          field=field)  # fmt: skip
        return await approval_page(request, problem=problem, status=exc.status)
    done = "proposal_approved" if approve else "proposal_rejected"
    raise web.HTTPSeeOther(f"/console/cases/{case_id}?done={done}")


@routes.post("/console/cases/{case_id}/proposals/{proposal_id}/approve",
             name="console_approve_proposal")  # fmt: skip
async def approve_proposal(request: web.Request) -> web.Response:
    return await decide(request, True)


@routes.post("/console/cases/{case_id}/proposals/{proposal_id}/reject",
             name="console_reject_proposal")  # fmt: skip
async def reject_proposal(request: web.Request) -> web.Response:
    return await decide(request, False)


async def pending_proposals(request: web.Request, case_id: int) -> list[proposals.Proposal]:
    return await proposals.list_for(request.app[keys.DB], case_id, pending=True)
