"""The API of what an approver approves: the preview of a case waiting for approval, and the
proposed changes of active cases (list, preview, approve, reject). No SQL here."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases import proposals
from alerts.cases.proposals import Preview
from alerts.cases.widening import canonical
from alerts.i18n import LANGUAGES
from alerts.outbox import pipeline
from alerts.publication import preview as rendering
from alerts.web import keys
from alerts.web.api import inputs
from alerts.web.api import models as m
from alerts.web.api.handlers import (
    case_id,
    fingerprint_of,
    json_body,
    proposal_json,
    reauth_from_body,
    reply,
    staff_of,
    to_json,
)
from alerts.web.paths import path_id

routes = web.RouteTableDef()


def proposal_id(request: web.Request) -> int:
    return path_id(request, "proposal_id", "No such proposed change.")


async def load_preview(request: web.Request) -> Preview:
    """The preview the address names: a proposal's (`proposal_id` in the path or `?proposal=`),
    else the case's own."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    case = await cases.get(db, case_id(request))
    wanted: int | None = None
    if "proposal_id" in request.match_info:
        wanted = proposal_id(request)
    else:
        wanted = inputs.query(request, m.PreviewQuery).proposal
    proposal = None if wanted is None else await proposals.get(db, case.id, wanted)
    return await proposals.preview(db, settings, case, proposal)


def preview_json(preview: Preview, base: str) -> dict[str, Any]:
    """The preview as the API answers it: the views before and after, what differs, the texts
    in each language, the address of each poster page, and the fingerprint to approve."""
    query = f"?proposal={preview.proposal.id}&" if preview.proposal else "?"
    per_language = {}
    for lang in LANGUAGES:
        sides = {}
        for side, views in (("before", preview.before), ("after", preview.after)):
            poster = views.get("poster")
            sides[side] = {
                **to_json(rendering.texts(views, lang)),
                "poster_page": (
                    f"{base}/preview/poster-{lang}.png{query}side={side}"
                    if poster is not None and lang in poster.languages
                    else None
                ),
            }
        per_language[lang] = sides
    return {
        "case": preview.case.public_id,
        "state": preview.case.state.value,
        "proposal": proposal_json(preview.proposal) if preview.proposal else None,
        "fingerprint": preview.fingerprint,
        "changes": to_json(preview.changes),
        "widens": any(change.widens for change in preview.changes),
        "before": canonical(preview.before),
        "after": canonical(preview.after),
        "languages": per_language,
    }


@routes.get("/api/cases/{case_id}/preview", name="api_preview")
async def case_preview(request: web.Request) -> web.Response:
    preview = await load_preview(request)
    return reply(preview_json(preview, f"/api/cases/{preview.case.id}"))


@routes.get("/api/cases/{case_id}/preview/poster-{lang}.png", name="api_preview_poster")
async def preview_poster(request: web.Request) -> web.Response:
    return await poster_png(request)


async def poster_png(request: web.Request) -> web.Response:
    """Page 1 of the poster, before (`?side=before`) or after the approval, as a PNG."""
    lang = request.match_info["lang"]
    if lang not in LANGUAGES:
        raise errors.NotFound("No such language.")
    side = inputs.query(request, m.PosterQuery).side
    preview = await load_preview(request)
    views = preview.before if side == "before" else preview.after
    organisation = request.app[keys.SETTINGS].organisation(lang)
    png = await asyncio.to_thread(rendering.poster_page, views, lang, organisation)
    if png is None:
        raise errors.NotFound("No poster in this language.")
    response = web.Response(body=png, content_type="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/api/cases/{case_id}/proposals", name="api_proposals")
async def list_proposals(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    case = await cases.get(db, case_id(request))
    found = await proposals.list_for(db, case.id)
    return reply({"case": case.public_id, "proposals": [proposal_json(p) for p in found]})


@routes.get("/api/cases/{case_id}/proposals/{proposal_id}", name="api_proposal")
async def proposal_preview(request: web.Request) -> web.Response:
    preview = await load_preview(request)
    return reply(preview_json(preview, f"/api/cases/{preview.case.id}"))


@routes.post("/api/cases/{case_id}/proposals/{proposal_id}/approve", name="api_approve_proposal")
async def approve_proposal(request: web.Request) -> web.Response:
    body = await inputs.fields(request, m.ApproveInput)
    seen = fingerprint_of(body)
    await reauth_from_body(request, body)
    app = request.app
    case = await pipeline.approve_proposal(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request),
        proposal_id(request), seen,
    )  # fmt: skip
    return reply(case)


@routes.post("/api/cases/{case_id}/proposals/{proposal_id}/reject", name="api_reject_proposal")
async def reject_proposal(request: web.Request) -> web.Response:
    await json_body(request)
    app = request.app
    proposal = await pipeline.reject_proposal(
        app[keys.DB], app[keys.SETTINGS], staff_of(request), case_id(request),
        proposal_id(request),
    )  # fmt: skip
    return reply(proposal_json(proposal))
