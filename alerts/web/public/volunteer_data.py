"""A volunteer's data pages: ask for a link, then see, export or delete what is held.

The pages open only through a short-lived link (`alerts.volunteers.manage_links`) that the
service sends on request to the volunteer's own address. Nothing in an alert reaches them: an
alert and its opt-out link are forwarded, and whoever holds them must not read the address, the
areas or the alerts received, nor delete the volunteer. The request answers the same whether or
not the address is registered, and the e-mail leaves in the background, so neither the page nor
its timing tells. Old long-lived links (`/volunteer/manage/<id>?sig=`) get a page that says to
ask for a new one.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from alerts.channels import mailer
from alerts.i18n import language, language_name
from alerts.rounds import optin as poster_optin
from alerts.searches import optin
from alerts.volunteers import links, manage_links, messages
from alerts.volunteers import registry as volunteers
from alerts.volunteers.manage_links import Opened
from alerts.volunteers.registry import Area, VolunteerError
from alerts.web import keys
from alerts.web.console.staff_auth import client_key
from alerts.web.middlewares import public
from alerts.web.public.volunteer import PRIVATE, _csrf_ok, _field, mail, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
LINK_STATUS = {"manage_unknown": 404, "manage_used": 410, "manage_expired": 410}
# The e-mails on their way, so that they are not collected before they are sent.
_SENDING: set[asyncio.Task[None]] = set()


def problem(request: web.Request, key: str, status: int) -> web.Response:
    """Why this data link cannot be used, with the way to ask for a new one."""
    retry = f"/volunteer/manage?lang={request[keys.LANG]}"
    return render(request, "problem.html", status=status, message=messages.ERRORS[key],
                  retry=retry)  # fmt: skip


# -- asking for a link ---------------------------------------------------------------------------


@routes.get("/volunteer/manage", name="volunteer_manage_request")
@public
async def request_form(request: web.Request) -> web.Response:
    return render(request, "manage_request.html", email="", error=None)


@routes.post("/volunteer/manage", name="volunteer_manage_request_submit")
@public
async def request_link(request: web.Request) -> web.Response:
    """The same page for a registered and an unknown address; the link goes to the address."""
    form = await request.post()
    entered = _field(form, "email")
    if not _csrf_ok(request, form):
        return _request_page(request, entered, "form_expired", 403)
    try:
        email = volunteers.normalise_email(entered)
    except VolunteerError as exc:
        return _request_page(request, entered, exc.key, 422)
    try:
        granted = await manage_links.request_link(request.app[keys.DB], email, client_key(request))
    except VolunteerError as exc:
        return _request_page(request, entered, exc.key, 429)
    if granted is not None:
        task = asyncio.create_task(_send_link(request, granted))
        _SENDING.add(task)
        task.add_done_callback(_SENDING.discard)
    log.info("volunteer data link requested", extra={"action": "volunteer_link_requested"})
    raise web.HTTPSeeOther(f"/volunteer/manage/sent?lang={request[keys.LANG]}")


def _request_page(request: web.Request, email: str, key: str, status: int) -> web.Response:
    return render(request, "manage_request.html", status=status, email=email,
                  error=messages.ERRORS[key])  # fmt: skip


async def _send_link(request: web.Request, granted: manage_links.Granted) -> None:
    volunteer = granted.volunteer
    lang = volunteer.language
    link = links.manage_link_url(request.app[keys.SETTINGS], granted.token, lang)
    try:
        assert volunteer.email is not None
        await mail(request, volunteer.email, lang, "manage", link=link,
                   minutes=str(manage_links.LINK_MINUTES))  # fmt: skip
    except mailer.MailUnavailable:
        log.warning("volunteer data link not sent", extra={"action": "volunteer_link_failed"})


@routes.get("/volunteer/manage/sent", name="volunteer_manage_sent")
@public
async def request_sent(request: web.Request) -> web.Response:
    return render(request, "manage_sent.html", minutes=manage_links.LINK_MINUTES)


@routes.get("/volunteer/manage/{public_id}", name="volunteer_manage_old")
@routes.get("/volunteer/manage/{public_id}/export", name="volunteer_export_old")
@routes.post("/volunteer/manage/{public_id}/delete", name="volunteer_delete_old")
@public
async def old_link(request: web.Request) -> web.Response:
    """The long-lived links of earlier e-mails no longer open anything."""
    return problem(request, "manage_old", 410)


# -- the data pages, through a short-lived link --------------------------------------------------


async def _opened(request: web.Request) -> Opened | web.Response:
    try:
        return await manage_links.open_link(request.app[keys.DB], request.match_info["token"])
    except VolunteerError as exc:
        log.info("volunteer data link refused", extra={"action": "volunteer_link_refused",
                                                       "reason": exc.key})  # fmt: skip
        return problem(request, exc.key, LINK_STATUS[exc.key])


@routes.get("/volunteer/data/{token}", name="volunteer_manage")
@public
async def manage_page(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    volunteer = opened.volunteer
    db, settings, lang = request.app[keys.DB], request.app[keys.SETTINGS], request[keys.LANG]
    areas = [
        (area, _place(request, area, lang)) for area in await volunteers.areas_of(db, volunteer.id)
    ]
    stop_url = links.unsubscribe_url(settings, volunteer.public_id, lang)
    return render(
        request, "manage.html", volunteer=volunteer, areas=areas, stop_url=stop_url,
        token=request.match_info["token"], language_name=language_name(volunteer.language),
        since=volunteer.created_at.strftime("%d.%m.%Y" if lang == "de" else "%d/%m/%Y"),
        field_searches=await optin.opted_in(db, volunteer.id),
        posters=await poster_optin.opted_in(db, volunteer.id),
    )  # fmt: skip


def _place(request: web.Request, area: Area, lang: str) -> str:
    place = request.app[keys.GEOCODER].gazetteer.nearest(area.lat, area.lon).name(lang)
    with language(lang):
        return messages.area(place, area.radius_km)


@routes.get("/volunteer/data/{token}/export", name="volunteer_export")
@public
async def export(request: web.Request) -> web.Response:
    """Everything held about the volunteer, as a JSON download."""
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    data = await volunteers.export(request.app[keys.DB], opened.volunteer)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    headers = {**PRIVATE, "Content-Disposition": 'attachment; filename="my-volunteer-data.json"'}
    return web.Response(text=body, content_type="application/json", headers=headers)


@routes.post("/volunteer/data/{token}/exercises", name="volunteer_exercises")
@public
async def exercises(request: web.Request) -> web.Response:
    """Exercise alerts on (`exercises=on`) or off; back to the data page."""
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    on = form.get("exercises") == "on"
    await volunteers.set_exercises(request.app[keys.DB], opened.volunteer.id, on)
    log.info("volunteer exercises set", extra={"action": "volunteer_exercises", "on": on})
    token, lang = request.match_info["token"], request[keys.LANG]
    raise web.HTTPSeeOther(f"/volunteer/data/{token}?lang={lang}")


@routes.post("/volunteer/data/{token}/delete", name="volunteer_delete")
@public
async def delete(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    if not _csrf_ok(request, await request.post()):
        return problem(request, "form_expired", 403)
    await volunteers.delete(request.app[keys.DB], opened.volunteer)
    log.info("volunteer deleted", extra={"action": "volunteer_delete", "channel": "web"})
    return render(request, "deleted.html")
