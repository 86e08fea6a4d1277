"""The answer links of the alert e-mails (alerts.volunteers.answer_links): the GET shows a
confirmation page (mail scanners open every link; an answer must be a person's), its form's POST
records the answer. The pages show nothing of the case or the volunteer: a signed link stays
valid as long as the case is active, and e-mails are forwarded."""

from __future__ import annotations

import logging

from aiohttp import web

from alerts.cases import lifecycle as cases
from alerts.i18n import N_
from alerts.volunteers import answer_links, answers
from alerts.volunteers import registry as volunteers
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public.volunteer import _csrf_ok, _field, problem, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PATH = "/volunteer/answer/{case}/{volunteer}"
CHOOSE = N_("Choose one of the answers.")


async def _parties(request: web.Request) -> tuple[int, int] | web.Response:
    """(case id, volunteer id) of a signed link, or the page that says why it cannot be used."""
    case_public_id = request.match_info["case"]
    volunteer_public_id = request.match_info["volunteer"]
    settings, db = request.app[keys.SETTINGS], request.app[keys.DB]
    signature = request.query.get("sig", "")
    if not answer_links.signature_ok(settings, case_public_id, volunteer_public_id, signature):
        log.warning("answer link refused", extra={"action": "answer_link_refused"})
        return problem(request, "link_invalid", 403)
    case = await cases.get_by_public_id(db, case_public_id)
    volunteer = await volunteers.by_public_id(db, volunteer_public_id)
    if case is None or volunteer is None:
        return problem(request, "link_invalid", 404)
    if case.state.value != "active":
        return render(request, "answered.html", status=410, message=answers.CLOSED)
    return case.id, volunteer.id


@routes.get(PATH, name="volunteer_answer")
@public
async def answer_page(request: web.Request) -> web.Response:
    parties = await _parties(request)
    if isinstance(parties, web.Response):
        return parties
    chosen = request.query.get("answer", "")
    now = await answers.current(request.app[keys.DB], *parties)
    return render(request, "answer.html", choices=answers.ANSWERS,
                  chosen=chosen if chosen in answers.ANSWERS else "", current=now)  # fmt: skip


@routes.post(PATH, name="volunteer_answer_submit")
@public
async def answer(request: web.Request) -> web.Response:
    parties = await _parties(request)
    if isinstance(parties, web.Response):
        return parties
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 400)
    chosen = _field(form, "answer")
    if chosen not in answers.ANSWERS:
        return render(request, "answer.html", status=400, choices=answers.ANSWERS, chosen="",
                      current=None, error=CHOOSE)  # fmt: skip
    outcome = await answers.record(request.app[keys.DB], *parties, chosen, "email")
    if outcome == "closed":
        return render(request, "answered.html", status=410, message=answers.CLOSED)
    if outcome != "recorded":
        return problem(request, "link_invalid", 403)
    log.info("answer recorded", extra={"action": "answer_recorded", "channel": "email"})
    return render(request, "answered.html", message=answers.THANKS[chosen])
