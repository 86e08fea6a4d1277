"""The volunteers' side of poster rounds: the round's phone page behind a signed link (accept or
decline, the zone and the print link, each place recorded with its point and count, the new
version confirmed, each removal confirmed), and the opt-in on the data page.

No login: the link is signed for one volunteer and one round (alerts.rounds.notices). What a
volunteer may do is decided by alerts.rounds.service; a refusal is said on the page.
"""

from __future__ import annotations

from aiohttp import web

from alerts.db.database import Database
from alerts.i18n import language
from alerts.rounds import notices, optin, service
from alerts.rounds.models import parse_count, parse_point
from alerts.volunteers.registry import Volunteer
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public import task_pages
from alerts.web.public.volunteer import Form, _field, render

routes = web.RouteTableDef()
ACTIONS = ("accepted", "declined", "put_up", "replaced", "removed")


@routes.get("/volunteer/posters/{round_id}/{public_id}", name="volunteer_posters")
@public
async def round_page(request: web.Request) -> web.Response:
    return await task_pages.show(request, ROUND_PAGE)


@routes.post("/volunteer/posters/{round_id}/{public_id}", name="volunteer_posters_submit")
@public
async def round_action(request: web.Request) -> web.Response:
    return await task_pages.submit(request, ROUND_PAGE)


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
        action=task_pages.here(request),
    )  # fmt: skip


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
    async def change(db: Database, volunteer_id: int, form: Form) -> bool:
        on = _field(form, "posters") == "on"
        await optin.set_posters(db, volunteer_id, on)
        return on

    return await task_pages.opt_in(request, change, "volunteer_posters", "posters_refused.html")


ROUND_PAGE = task_pages.TaskPage(
    key="round_id",
    missing="No such poster round.",
    purpose=notices.PURPOSE,
    actions=ACTIONS,
    page=_page,
    act=_act,
    refused="posters_refused.html",
)
