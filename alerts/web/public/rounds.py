"""The volunteers' side of poster rounds: the round's phone page behind a signed link (accept or
decline, the zone and the print link, each place recorded with its point and count, the new
version confirmed, each removal confirmed), and the opt-in on the data page.

No login: the link is signed for one volunteer and one round (alerts.rounds.notices). What a
volunteer may do is decided by alerts.rounds.service; a refusal is said on the page.
"""

from __future__ import annotations

import logging

from aiohttp import web

from alerts import errors
from alerts.i18n import gettext, language
from alerts.rounds import notices, optin, service
from alerts.rounds.models import parse_count, parse_point
from alerts.volunteers import manage_links
from alerts.volunteers import registry as volunteers
from alerts.volunteers.registry import Volunteer, VolunteerError
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.paths import path_id
from alerts.web.public.volunteer import Form, _csrf_ok, _field, problem, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
ACTIONS = ("accepted", "declined", "put_up", "replaced", "removed")


async def _volunteer(request: web.Request) -> tuple[int, Volunteer] | web.Response:
    round_id = path_id(request, "round_id", "No such poster round.")
    public_id = request.match_info["public_id"]
    settings = request.app[keys.SETTINGS]
    if not notices.link_ok(settings, round_id, public_id, request.query.get("sig", "")):
        return problem(request, "token_unknown", 403)
    volunteer = await volunteers.by_public_id(request.app[keys.DB], public_id)
    if volunteer is None or not volunteer.active:
        return problem(request, "token_unknown", 403)
    return round_id, volunteer


@routes.get("/volunteer/posters/{round_id}/{public_id}", name="volunteer_posters")
@public
async def round_page(request: web.Request) -> web.Response:
    found = await _volunteer(request)
    if isinstance(found, web.Response):
        return found
    try:
        return await _page(request, *found, done=request.query.get("done", ""))
    except errors.AlertsError as exc:
        return _refused(request, exc)


async def _page(
    request: web.Request, round_id: int, volunteer: Volunteer, *, done: str = "",
    error: str = "", status: int = 200,
) -> web.Response:  # fmt: skip
    db, settings, lang = request.app[keys.DB], request.app[keys.SETTINGS], request[keys.LANG]
    member = await service.member_of(db, round_id, volunteer.id)
    found = await service.get(db, round_id)
    zone = service.zone_of(found, member)
    with language(lang):
        zone_text = notices.zone_text(zone) if zone else ""
    return render(
        request, "posters.html", status=status, round=found, member=member, zone=zone,
        zone_text=zone_text, print_url=notices.print_url(settings, found, lang),
        places=await service.places_of(db, member), done=done, error=error,
        action=_here(request),
    )  # fmt: skip


def _here(request: web.Request) -> str:
    """This page's address with its signature and language, without the one-time notice."""
    query = {k: v for k, v in request.query.items() if k != "done"}
    return str(request.rel_url.with_query(query))


def _refused(request: web.Request, exc: errors.AlertsError) -> web.Response:
    with language(request[keys.LANG]):
        message = gettext(exc.message)
    return render(request, "posters_refused.html", status=exc.status, message=message)


@routes.post("/volunteer/posters/{round_id}/{public_id}", name="volunteer_posters_submit")
@public
async def round_action(request: web.Request) -> web.Response:
    found = await _volunteer(request)
    if isinstance(found, web.Response):
        return found
    round_id, volunteer = found
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    action = _field(form, "action")
    try:
        if action not in ACTIONS:
            raise errors.InvalidInput("This form cannot be used.")
        await _act(request, round_id, volunteer, action, form)
    except errors.AlertsError as exc:
        try:
            with language(request[keys.LANG]):
                message = gettext(exc.message)
            return await _page(request, round_id, volunteer, error=message, status=exc.status)
        except errors.AlertsError as gone:
            return _refused(request, gone)
    raise web.HTTPSeeOther(str(request.rel_url.update_query(done=action)))


async def _act(
    request: web.Request, round_id: int, volunteer: Volunteer, action: str, form: Form
) -> None:
    db = request.app[keys.DB]
    if action in ("accepted", "declined"):
        await service.answer(db, round_id, volunteer.id, action)
    elif action == "put_up":
        point = parse_point(_field(form, "lat"), _field(form, "lon"))
        await service.put_up(db, round_id, volunteer.id, point, parse_count(_field(form, "count")))
    elif action == "replaced":
        await service.replaced(db, round_id, volunteer.id)
    else:
        raw = _field(form, "place")
        place = int(raw) if raw.isdigit() and len(raw) < 12 else 0  # 0: no such place
        await service.removed(db, round_id, volunteer.id, place)


# -- the opt-in, on the data page -----------------------------------------------------------------


@routes.post("/volunteer/data/{token}/posters", name="volunteer_posters_optin")
@public
async def posters_optin(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    try:
        opened = await manage_links.open_link(db, request.match_info["token"])
    except VolunteerError as exc:
        return problem(request, exc.key, 403)
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    on = _field(form, "posters") == "on"
    await optin.set_posters(db, opened.volunteer.id, on)
    log.info("posters opt-in changed", extra={"action": "volunteer_posters", "on": on})
    raise web.HTTPSeeOther(
        f"/volunteer/data/{request.match_info['token']}?lang={request[keys.LANG]}"
    )
