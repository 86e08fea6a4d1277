"""The volunteers' side of field searches: the search's phone page behind a signed link (answer
coming or not, check in with the phone's position, take a sector as team leader, mark it
searched, report a find with its place and photo, check out), and the opt-in on the data page.

No login: the link is signed for one volunteer and one search (alerts.searches.notices). What a
volunteer may do is decided by alerts.searches.service; a refusal is said on the page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime

from aiohttp import web

from alerts import errors
from alerts.i18n import gettext, language
from alerts.searches import notices, optin, service
from alerts.searches.models import parse_point
from alerts.sightings.reports import ReportInvalid, clean_photo, parse_report
from alerts.volunteers import manage_links
from alerts.volunteers import registry as volunteers
from alerts.volunteers.registry import Volunteer, VolunteerError
from alerts.web import keys
from alerts.web.console.staff_auth import client_key
from alerts.web.middlewares import public
from alerts.web.paths import path_id
from alerts.web.public.volunteer import Form, _csrf_ok, _field, problem, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
ACTIONS = ("coming", "not_coming", "checkin", "checkout", "take", "searched", "find")


async def _volunteer(request: web.Request) -> tuple[int, Volunteer] | web.Response:
    search_id = path_id(request, "search_id", "No such search.")
    public_id = request.match_info["public_id"]
    settings = request.app[keys.SETTINGS]
    if not notices.link_ok(settings, search_id, public_id, request.query.get("sig", "")):
        return problem(request, "token_unknown", 403)
    volunteer = await volunteers.by_public_id(request.app[keys.DB], public_id)
    if volunteer is None or not volunteer.active:
        return problem(request, "token_unknown", 403)
    return search_id, volunteer


@routes.get("/volunteer/search/{search_id}/{public_id}", name="volunteer_search")
@public
async def search_page(request: web.Request) -> web.Response:
    found = await _volunteer(request)
    if isinstance(found, web.Response):
        return found
    try:
        return await _page(request, *found, done=request.query.get("done", ""))
    except errors.AlertsError as exc:
        return _refused(request, exc)


async def _page(
    request: web.Request, search_id: int, volunteer: Volunteer, *, done: str = "",
    error: str = "", status: int = 200,
) -> web.Response:  # fmt: skip
    db = request.app[keys.DB]
    member = await service.member_of(db, search_id, volunteer.id)
    search = await service.get(db, search_id)
    sectors = await service.sectors(db, search_id)
    lang = request[keys.LANG]
    with language(lang):
        when = notices.when(search, lang)
    return render(
        request, "search.html", status=status, search=search, member=member, sectors=sectors,
        when=when, done=done, error=error, action=_here(request),
    )  # fmt: skip


def _here(request: web.Request) -> str:
    """This page's address with its signature and language, without the one-time notice."""
    query = {k: v for k, v in request.query.items() if k != "done"}
    return str(request.rel_url.with_query(query))


def _refused(request: web.Request, exc: errors.AlertsError) -> web.Response:
    with language(request[keys.LANG]):
        message = gettext(exc.message)
    return render(request, "search_refused.html", status=exc.status, message=message)


@routes.post("/volunteer/search/{search_id}/{public_id}", name="volunteer_search_submit")
@public
async def search_action(request: web.Request) -> web.Response:
    found = await _volunteer(request)
    if isinstance(found, web.Response):
        return found
    search_id, volunteer = found
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    action = _field(form, "action")
    try:
        if action not in ACTIONS:
            raise errors.InvalidInput("This form cannot be used.")
        await _act(request, search_id, volunteer, action, form)
    except ReportInvalid as exc:
        first = next(iter(exc.problems.values()))
        with language(request[keys.LANG]):
            message = gettext(first.message, **first.values)
        return await _page(request, search_id, volunteer, error=message, status=422)
    except errors.AlertsError as exc:
        try:
            with language(request[keys.LANG]):
                message = gettext(exc.message)
            return await _page(request, search_id, volunteer, error=message, status=exc.status)
        except errors.AlertsError as gone:
            return _refused(request, gone)
    url = request.rel_url.update_query(done=action)
    raise web.HTTPSeeOther(str(url))


async def _act(
    request: web.Request, search_id: int, volunteer: Volunteer, action: str, form: Form
) -> None:
    db = request.app[keys.DB]
    if action in ("coming", "not_coming"):
        await service.answer(db, search_id, volunteer.id, action)
    elif action == "checkin":
        point = parse_point(form.get("lat"), form.get("lon"))
        await service.check_in(db, search_id, volunteer.id, point)
    elif action == "checkout":
        await service.check_out(db, search_id, volunteer.id)
    elif action in ("take", "searched"):
        raw = _field(form, "sector")
        sector = int(raw) if raw.isdigit() and len(raw) < 12 else 0  # 0: no such sector
        act = service.take_sector if action == "take" else service.sector_searched
        await act(db, search_id, volunteer.id, sector)
    else:
        await _find(request, search_id, volunteer, form)


async def _find(request: web.Request, search_id: int, volunteer: Volunteer, form: Form) -> None:
    settings = request.app[keys.SETTINGS]
    now = datetime.now(UTC)
    sent = {"seen_at": now.isoformat(), "seen": _field(form, "seen"), "lat": _field(form, "lat"),
            "lon": _field(form, "lon"), "place": _field(form, "place"),
            "point_source": "device"}  # fmt: skip
    report = parse_report(sent, now)
    upload = form.get("photo")
    if isinstance(upload, web.FileField):
        data = upload.file.read()
        if data:
            photo = await asyncio.to_thread(clean_photo, data, settings)
            report = dataclasses.replace(report, photo=photo)
    await service.report_find(request.app[keys.DB], search_id, volunteer.id, report,
                              lang=request[keys.LANG], client=client_key(request))  # fmt: skip


# -- the opt-in, on the data page -----------------------------------------------------------------


@routes.post("/volunteer/data/{token}/field-searches", name="volunteer_field_searches")
@public
async def field_searches(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    try:
        opened = await manage_links.open_link(db, request.match_info["token"])
    except VolunteerError as exc:
        return problem(request, exc.key, 403)
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    on, adult = _field(form, "field_searches") == "on", _field(form, "adult") == "on"
    try:
        await optin.set_field_searches(db, opened.volunteer.id, on, adult)
    except errors.InvalidInput as exc:
        return _refused(request, exc)
    log.info("field searches opt-in changed", extra={"action": "volunteer_field_searches",
                                                     "on": on})  # fmt: skip
    url = f"/volunteer/data/{request.match_info['token']}?lang={request[keys.LANG]}"
    raise web.HTTPSeeOther(url)
