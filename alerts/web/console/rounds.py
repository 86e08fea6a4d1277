"""Poster rounds in the console: start one for an active case whose consent allows posters
(level 2 or more), the count of posters up, a map of the zones and places (its data from
`/posters/map`) and the places on a list with a map link each (public places where posters
hang, never a volunteer's address; volunteers by pseudonym), who must
replace their posters, and during a takedown what is still up, reported, or to mark for a person
with the reason. Only the case's staff see this page.
"""

from __future__ import annotations

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.rounds import service
from alerts.rounds.models import parse_radius
from alerts.sightings import contacts
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console import maps
from alerts.web.console.forms import form_text, render
from alerts.web.middlewares import map_page
from alerts.web.paths import path_id

routes = web.RouteTableDef()
ONLY_STAFF = "Only the staff of this case see its poster places."


async def _rounds(request: web.Request) -> tuple[Case, list[service.Overview]]:
    """The case of the address and its rounds with their places, for its staff only."""
    db, settings, staff = request.app[keys.DB], request.app[keys.SETTINGS], request[keys.STAFF]
    case = await cases.get(db, api.case_id(request))
    if not contacts.may_read(staff, case):
        raise errors.Forbidden(ONLY_STAFF)
    shown = [await service.overview(db, settings, staff, case, found)
             for found in await service.of_case(db, case.id)]  # fmt: skip
    return case, shown


@routes.get("/console/cases/{case_id}/posters", name="console_poster_rounds")
async def rounds_page(request: web.Request) -> web.Response:
    case, shown = await _rounds(request)
    response = render(request, "console/poster_rounds.html", case=case, rounds=shown,
                      posters=await service.counts(request.app[keys.DB], case.id))  # fmt: skip
    map_page(response)  # its tiles are asked with the site's origin as referrer
    return response


@routes.get("/console/cases/{case_id}/posters/map", name="console_poster_map")
async def map_data(request: web.Request) -> web.Response:
    """The map of the case's rounds (the page's script draws it)."""
    case, shown = await _rounds(request)
    return web.json_response(maps.round_map(case, shown, request[keys.LANG]))


@routes.post("/console/cases/{case_id}/posters", name="console_poster_round_start")
async def start(request: web.Request) -> web.Response:
    db, settings, staff = request.app[keys.DB], request.app[keys.SETTINGS], request[keys.STAFF]
    form = await request.post()
    radius = parse_radius({"radius_km": form_text(form, "radius_km")})
    await service.start(db, settings, staff, api.case_id(request), radius)
    raise web.HTTPSeeOther(f"/console/cases/{api.case_id(request)}/posters")


@routes.post("/console/cases/{case_id}/posters/{round_id}/places/{place_id}/manual",
             name="console_poster_place_manual")  # fmt: skip
async def manual(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    case = await cases.get(db, api.case_id(request))
    form = await request.post()
    await service.mark_manual(
        db, request[keys.STAFF], case, path_id(request, "round_id", "No such poster round."),
        path_id(request, "place_id", "No such place."), form_text(form, "reason"),
    )  # fmt: skip
    raise web.HTTPSeeOther(f"/console/cases/{case.id}/posters")
