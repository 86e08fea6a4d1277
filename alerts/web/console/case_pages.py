"""The case managers' console (server-rendered pages): case list, case forms, actions, audit."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from alerts import errors
from alerts.cases import levels, masking
from alerts.cases import lifecycle as cases
from alerts.cases.fields import TEXT_LIMITS
from alerts.cases.models import Case, CaseState
from alerts.cases.proposals import Proposal
from alerts.i18n import in_language
from alerts.outbox import pipeline
from alerts.rounds import service as poster_rounds
from alerts.staff import audit
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console import api_tokens as console_tokens
from alerts.web.console import approval as console_approval
from alerts.web.console import forms as views
from alerts.web.console import partners as console_partners
from alerts.web.console import peers as console_peers
from alerts.web.console import publications as console_publications
from alerts.web.console.forms import Problem, form_text, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PAGE_SIZE = 50
TABS = (CaseState.DRAFT, CaseState.PENDING_APPROVAL, CaseState.ACTIVE, CaseState.CLOSED)


def as_problem(request: web.Request, form: str, exc: errors.AlertsError) -> Problem:
    """The domain error `exc` on `form`, in the viewer's language."""
    field = exc.field
    if isinstance(exc, errors.ReauthRequired | errors.Unauthenticated):
        field = "password"  # the approve and close forms ask for it
    return Problem(form=form, message=in_language(request[keys.LANG], exc.message), field=field)


def see_case(case: Case, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/console/cases/{case.id}?done={done}")


@routes.get("/console", name="console")
async def case_list(request: web.Request) -> web.Response:
    """The cases in one state (a tab), most recently changed first."""
    try:
        state = CaseState(request.query.get("state", CaseState.ACTIVE))
        page = max(int(request.query.get("page", "1")), 1)
    except ValueError:
        raise web.HTTPSeeOther("/console") from None
    db = request.app[keys.DB]
    rows = await db.fetch("count_cases_by_state")
    counts = {row["state"]: row["n"] for row in rows}
    exercises = {row["state"]: row["exercises"] for row in rows if row["exercises"]}
    found = await cases.list_cases(db, state, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render(
        request, "console/cases.html", tabs=TABS, state=state, counts=counts, exercises=exercises,
        cases=found[:PAGE_SIZE], page=page, more=len(found) > PAGE_SIZE,
    )  # fmt: skip


@routes.get("/console/cases/new", name="console_new_case")
async def new_case_form(request: web.Request) -> web.Response:
    languages = request.app[keys.SETTINGS].default_languages
    return case_form_page(request, None, views.new_case_values(languages))


def case_form_page(
    request: web.Request,
    case: Case | None,
    values: dict[str, Any],
    problem: Problem | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        request, "console/case_form.html", case=case, values=values, problem=problem,
        limits=TEXT_LIMITS, status=status,
    )  # fmt: skip


@routes.post("/console/cases", name="console_create_case")
async def create_case(request: web.Request) -> web.Response:
    form = await request.post()
    data = await api.locate(request, views.case_data(form))
    data["exercise"] = form.get("exercise") == "on"  # only at creation: it is fixed for ever
    try:
        case = await cases.create_draft(request.app[keys.DB], request[keys.STAFF], data)
    except errors.InvalidInput as exc:
        values = {**views.posted_case_values(form), "exercise": data["exercise"]}
        return case_form_page(request, None, values, as_problem(request, "case", exc), exc.status)
    raise see_case(case, "created")


async def render_case(
    request: web.Request,
    *,
    problem: Problem | None = None,
    consent_form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    """The case page; `problem` and `consent_form` show a refused form again as it was sent."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    staff = request[keys.STAFF]
    case = await cases.get(db, api.case_id(request))
    consent = await cases.current_consent(db, case.id)
    people = [case.created_by, case.submitted_by, case.approved_by, case.closed_by]
    people += [consent.recorded_by] if consent else []
    return render(
        request, "console/case.html", status=status, case=case, consent=consent,
        consent_in_force=consent is not None and consent.in_force(datetime.now(UTC)),
        masked=masking.review(case, consent) if consent else None,
        photos=await cases.photos(db, case.id),
        summary=await console_publications.counts(db, case.id),
        posters=await poster_rounds.counts(db, case.id),  # physical posters (issue 21)
        manual=await console_publications.rows(db, settings, case.id, state="manual",
                                               limit=console_publications.CASE_PAGE_ROWS),
        posts=await console_publications.rows(db, settings, case.id, channel="social",
                                              limit=console_publications.CASE_PAGE_ROWS),
        trail=await audit.entries(db, case.id, limit=100),
        names=await staff_names(request, people), problem=problem,
        done=request.query.get("done", ""),
        consent_form=consent_form or views.consent_values(consent, case.kind),
        default_level=views.default_level(case.kind),
        can={action: case.state in cases.TRANSITIONS[action] for action in cases.TRANSITIONS},
        own_submission=settings.four_eyes and case.submitted_by == staff.id,
        proposals=await console_approval.pending_proposals(request, case.id),
        lower_level=levels.drops_to(settings, consent.level) if consent else 0,
        here=f"/console/cases/{case.id}",
        peers=await console_peers.case_context(db, case, consent, request.query.get("peers", "")),
    )  # fmt: skip


# The page itself; the form handlers call it to show a refused form again.
routes.get("/console/cases/{case_id}", name="console_case")(render_case)


async def staff_names(request: web.Request, ids: list[int | None]) -> dict[int, str]:
    """The display names of the staff members with these ids."""
    wanted = [i for i in ids if i is not None]
    rows = await request.app[keys.DB].fetch("staff_display_names", wanted)
    return {row["id"]: row["display_name"] for row in rows}


@routes.get("/console/cases/{case_id}/edit", name="console_edit_case")
async def edit_case_form(request: web.Request) -> web.Response:
    case = await cases.get(request.app[keys.DB], api.case_id(request))
    if case.state is CaseState.CLOSED:
        raise web.HTTPSeeOther(f"/console/cases/{case.id}")
    return case_form_page(request, case, views.case_values(case))


@routes.post("/console/cases/{case_id}/edit", name="console_update_case")
async def update_case(request: web.Request) -> web.Response:
    db, staff = request.app[keys.DB], request[keys.STAFF]
    case = await cases.get(db, api.case_id(request))
    form = await request.post()
    data = await api.locate(request, views.forget_stale_point(views.case_data(form), case))
    try:
        updated = await pipeline.revise(db, request.app[keys.SETTINGS], staff, case.id, data)
    except errors.InvalidInput as exc:
        values = views.posted_case_values(form)
        return case_form_page(request, case, values, as_problem(request, "case", exc), exc.status)
    if isinstance(updated, Proposal):
        raise see_case(case, "proposed")
    raise see_case(updated, saved_as(case, updated))


def saved_as(before: Case, after: Case) -> str:
    """Which notice tells what saving an edit did to the case."""
    if after.revision > before.revision:
        return "revised"
    if before.state is CaseState.PENDING_APPROVAL:
        return "saved_draft"  # what the approver sees must be what they approve
    return "saved"


@routes.post("/console/cases/{case_id}/photos", name="console_add_photo")
async def add_photo(request: web.Request) -> web.Response:
    # The CSRF check has already read the multipart body, so the file is taken from the parsed
    # form (aiohttp caps it at the application's client_max_size).
    form = await request.post()
    upload = form.get("photo")
    app = request.app
    try:
        if not isinstance(upload, web.FileField):
            raise errors.InvalidInput("No photo was sent.", field="photo")
        data = upload.file.read()
        added = await pipeline.add_photo(
            app[keys.DB], app[keys.SETTINGS], request[keys.STAFF], api.case_id(request), data
        )
    except (errors.InvalidInput, errors.Conflict) as exc:
        return await render_case(
            request, problem=as_problem(request, "photo", exc), status=exc.status
        )
    done = "proposed" if isinstance(added, Proposal) else "photo#photos"
    raise web.HTTPSeeOther(f"/console/cases/{api.case_id(request)}?done={done}")


@routes.post("/console/cases/{case_id}/consent", name="console_consent")
async def record_consent(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        recorded = await pipeline.change_consent(
            request.app[keys.DB], request.app[keys.SETTINGS], request[keys.STAFF],
            api.case_id(request), views.consent_data(form),
        )  # fmt: skip
    except (errors.InvalidInput, errors.Conflict) as exc:
        sent = {name: form_text(form, name) for name in views.CONSENT_FIELDS}
        return await render_case(
            request, problem=as_problem(request, "consent", exc), consent_form=sent,
            status=exc.status,
        )  # fmt: skip
    done = "proposed" if isinstance(recorded, Proposal) else "consent#consent"
    raise web.HTTPSeeOther(f"/console/cases/{api.case_id(request)}?done={done}")


@routes.post("/console/cases/{case_id}/renewal", name="console_renewal")
async def renew_level(request: web.Request) -> web.Response:
    """Renew the level in force (a level that needs a second approval: a proposal)."""
    await request.post()
    try:
        renewed = await pipeline.renew(request.app[keys.DB], request.app[keys.SETTINGS],
                                       request[keys.STAFF], api.case_id(request))  # fmt: skip
    except errors.NotFound:
        raise
    except errors.AlertsError as exc:
        return await render_case(request, problem=as_problem(request, "renewal", exc),
                                 status=exc.status)  # fmt: skip
    done = "proposed" if isinstance(renewed, Proposal) else "renewed"
    raise web.HTTPSeeOther(f"/console/cases/{api.case_id(request)}?done={done}")


async def lifecycle_action(request: web.Request, action: str, done: str) -> web.Response:
    """Run one lifecycle action from its form; the case page with the reason when refused."""
    form = await request.post()
    try:
        if action in ("approve", "close"):
            password = {"password": form_text(form, "password")}
            await api.reauth_from_body(request, password)
        case = await _run(request, action, form)
    except errors.NotFound:
        raise
    except errors.AlertsError as exc:
        log.info("case action refused", extra={"action": action, "status": exc.status})
        problem = as_problem(request, action, exc)
        if action == "approve" and await _still_pending(request):
            # The approver sees the preview again (the one in force now), with the reason.
            page = await console_approval.approval_page(request, problem=problem,
                                                        status=exc.status)  # fmt: skip
        else:
            page = await render_case(request, problem=problem, status=exc.status)
        if isinstance(exc, errors.Busy):  # the database, busy: the same form, a moment later
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    log.info("case action", extra={"action": action, "case_id": case.id})
    raise see_case(case, done)


async def _still_pending(request: web.Request) -> bool:
    case = await cases.get(request.app[keys.DB], api.case_id(request))
    return case.state is CaseState.PENDING_APPROVAL


async def _run(request: web.Request, action: str, form: views.Form) -> Case:
    app, staff, case_id = request.app, request[keys.STAFF], api.case_id(request)
    db = app[keys.DB]
    if action == "submit":
        return await cases.submit(db, staff, case_id)
    if action == "return":
        return await cases.return_to_draft(db, staff, case_id)
    if action == "approve":
        seen = api.fingerprint_of({"fingerprint": form_text(form, "fingerprint")})
        return await pipeline.approve(db, app[keys.SETTINGS], staff, case_id, seen=seen)
    return await pipeline.close(db, staff, case_id, form_text(form, "reason"))


def _lifecycle_route(action: str, done: str) -> None:
    """POST /console/cases/{case_id}/<action>, named console_<action>: the action, then the case
    page with the `done` notice."""

    async def handler(request: web.Request) -> web.Response:
        return await lifecycle_action(request, action, done)

    routes.post(f"/console/cases/{{case_id}}/{action}", name=f"console_{action}")(handler)


for _action, _done in (
    ("submit", "submitted"),
    ("return", "returned"),
    ("approve", "approved"),
    ("close", "closed"),
):
    _lifecycle_route(_action, _done)


@routes.get("/console/audit", name="console_audit")
async def audit_page(request: web.Request) -> web.Response:
    """The latest staff actions; supervisors and admins only."""
    if not request[keys.STAFF].is_supervisor:
        raise errors.Forbidden("Only supervisors can read the audit log.")
    entries = await audit.entries(request.app[keys.DB], None, limit=300)
    return render(request, "console/audit.html", entries=entries)


# The pages of regional channels and partner webhooks (console_partners.py) are console pages.
console_partners.add_routes(routes)
console_tokens.add_routes(routes)  # the API tokens, for admins
