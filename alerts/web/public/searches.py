"""The volunteers' side of field searches: the search's phone page behind a signed link (answer
coming or not, check in with the phone's position, take a sector as team leader, mark it
searched, report a find with its place and photo, check out), and the opt-in on the data page.

No login: the link is signed for one volunteer and one search (alerts.searches.notices). What a
volunteer may do is decided by alerts.searches.service; a refusal is said on the page.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from aiohttp import web

from alerts.db.database import Database
from alerts.i18n import language
from alerts.searches import notices, optin, service
from alerts.searches.models import parse_point
from alerts.sightings.reports import clean_photo, parse_report
from alerts.volunteers.registry import Volunteer
from alerts.web import keys
from alerts.web.console.staff_auth import client_key
from alerts.web.middlewares import public
from alerts.web.public import task_pages
from alerts.web.public.volunteer import Form, _field, render

routes = web.RouteTableDef()
ACTIONS = ("coming", "not_coming", "checkin", "checkout", "take", "searched", "find")


@routes.get("/volunteer/search/{search_id}/{public_id}", name="volunteer_search")
@public
async def search_page(request: web.Request) -> web.Response:
    return await task_pages.show(request, SEARCH_PAGE)


@routes.post("/volunteer/search/{search_id}/{public_id}", name="volunteer_search_submit")
@public
async def search_action(request: web.Request) -> web.Response:
    return await task_pages.submit(request, SEARCH_PAGE)


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
        when=when, done=done, error=error, action=task_pages.here(request),
    )  # fmt: skip


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
    async def change(db: Database, volunteer_id: int, form: Form) -> bool:
        on, adult = _field(form, "field_searches") == "on", _field(form, "adult") == "on"
        await optin.set_field_searches(db, volunteer_id, on, adult)
        return on

    return await task_pages.opt_in(request, change, "volunteer_field_searches",
                                   "search_refused.html")  # fmt: skip


SEARCH_PAGE = task_pages.TaskPage(
    key="search_id",
    missing="No such search.",
    purpose=notices.PURPOSE,
    actions=ACTIONS,
    page=_page,
    act=_act,
    refused="search_refused.html",
)
