"""Field searches in the console: the form that creates one for an active case (a police
liaison named), the live board (who answered, who is checked in and where, which sectors are
done, the finds, who has not checked out after the end; a map of the same, its data from
`/map`; its script brings both up to date while the search is open), team leaders, and
the changes that go to everyone who answered coming (a new time or place, cancelled, ended).

Only the case's staff (its creator, submitter, approver, and supervisors) see the board: it
shows searchers' positions. Searchers are named by pseudonym, never by address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.searches import service
from alerts.searches.models import parse_plan, parse_point, parse_time
from alerts.sightings import contacts
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console import maps
from alerts.web.console.forms import form_text, render, to_brussels_iso, to_local_input
from alerts.web.middlewares import map_page
from alerts.web.paths import path_id

routes = web.RouteTableDef()


def search_id(request: web.Request) -> int:
    return path_id(request, "search_id", "No such search.")


@routes.get("/console/cases/{case_id}/searches/new", name="console_search_new")
async def new_form(request: web.Request) -> web.Response:
    case = await cases.get(request.app[keys.DB], api.case_id(request))
    if not contacts.may_read(request[keys.STAFF], case):
        raise errors.Forbidden("Only the staff of this case see its searchers.")
    soon = to_local_input(datetime.now(UTC) + timedelta(hours=2))
    earlier = await service.of_case(request.app[keys.DB], case.id)
    return render(request, "console/search_form.html", case=case, soon=soon, earlier=earlier)


@routes.post("/console/cases/{case_id}/searches", name="console_search_create")
async def create(request: web.Request) -> web.Response:
    db, staff = request.app[keys.DB], request[keys.STAFF]
    case = await cases.get(db, api.case_id(request))
    if not contacts.may_read(staff, case):
        raise errors.Forbidden("Only the staff of this case see its searchers.")
    form = await request.post()
    data = {name: form_text(form, name) for name in form}
    data["assembly_at"] = to_brussels_iso(data.get("assembly_at", ""))
    search, _ = await service.create(db, staff, case.id, parse_plan(data))
    raise web.HTTPSeeOther(f"/console/searches/{search.id}")


async def _board(request: web.Request) -> tuple[Case, service.Board]:
    """The search of the address and its board, for its case's staff only."""
    db = request.app[keys.DB]
    search = await service.get(db, search_id(request))
    case = await cases.get(db, search.case_id)
    board = await service.board(db, request.app[keys.SETTINGS], request[keys.STAFF], case, search)
    return case, board


@routes.get("/console/searches/{search_id}", name="console_search_board")
async def board_page(request: web.Request) -> web.Response:
    case, board = await _board(request)
    search = board.search
    response = render(request, "console/search_board.html", case=case, board=board,
                      search=search, refresh=request.app[keys.SETTINGS].board_refresh_seconds,
                      assembly_at=to_local_input(search.assembly_at))  # fmt: skip
    map_page(response)  # its tiles are asked with the site's origin as referrer
    return response


@routes.get("/console/searches/{search_id}/map", name="console_search_map")
async def map_data(request: web.Request) -> web.Response:
    """The board's map: the assembly point, sectors, finds, searchers checked in."""
    _, board = await _board(request)
    return web.json_response(maps.board_map(board, request[keys.LANG]))


async def _checked(request: web.Request) -> service.Search:
    """The search of the address, if the viewer is of its case's staff."""
    db = request.app[keys.DB]
    search = await service.get(db, search_id(request))
    if not contacts.may_read(request[keys.STAFF], await cases.get(db, search.case_id)):
        raise errors.Forbidden("Only the staff of this case see its searchers.")
    return search


@routes.post("/console/searches/{search_id}/leader", name="console_search_leader")
async def leader(request: web.Request) -> web.Response:
    search = await _checked(request)
    form = await request.post()
    member = path_id_text(form_text(form, "member"))
    await service.set_leader(request.app[keys.DB], request[keys.STAFF], search.id, member,
                             form_text(form, "on") == "1")  # fmt: skip
    raise web.HTTPSeeOther(f"/console/searches/{search.id}")


def path_id_text(value: str) -> int:
    if not value.isdigit():
        raise errors.NotFound("No such searcher.")
    return int(value)


@routes.post("/console/searches/{search_id}/change", name="console_search_change")
async def change(request: web.Request) -> web.Response:
    search = await _checked(request)
    form = await request.post()
    what = form_text(form, "what")
    db, staff = request.app[keys.DB], request[keys.STAFF]
    if what in ("cancelled", "ended"):
        await service.change(db, staff, search.id, state=what)
    else:
        when = parse_time(to_brussels_iso(form_text(form, "assembly_at")))
        place = form_text(form, "assembly_place").strip()
        point = parse_point(form_text(form, "assembly_lat"), form_text(form, "assembly_lon"))
        if not place or point is None:
            raise errors.InvalidInput("Give the assembly point.", field="assembly_place")
        await service.change(db, staff, search.id, when=when, place=(place, *point))
    raise web.HTTPSeeOther(f"/console/searches/{search.id}")
