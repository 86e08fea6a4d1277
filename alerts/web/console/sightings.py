"""The case managers' side of sightings: the triage page (list and map, new ones arriving by
polling), status and notes, the photo, the CSV and PDF exports for the police, and the JSON
API (GET /api/cases/{id}/sightings, PATCH /api/sightings/{id}). Staff only: the middleware
refuses anyone else. Every triage action and every export is audited.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from babel.numbers import format_decimal

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.i18n import in_language
from alerts.sightings import contacts, triage
from alerts.sightings import reports as sightings
from alerts.sightings.reports import STATUSES, Sighting
from alerts.sightings.triage import Group, Ranked
from alerts.staff import audit
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.api import inputs, models
from alerts.web.console.forms import N_, Problem, form_text, render, render_text, when
from alerts.web.middlewares import map_page
from alerts.web.paths import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
POLL_BATCH = 50
# The columns of the exports, in the order of sighting_triage.export_rows.
EXPORT_COLUMNS = (
    N_("Reference"), N_("Group"), N_("Status"), N_("Seen at"), N_("Place"), N_("Latitude"),
    N_("Longitude"), N_("Point from"), N_("Precision of the place"),
    N_("Distance from the last-seen place (km)"), N_("Hours after the last sighting"),
    N_("Implied speed (km/h)"), N_("What was seen"), N_("Direction"),
    N_("With whom, or vehicle"), N_("Photo"), N_("Contact name"), N_("Contact phone"),
    N_("Contact e-mail"), N_("Received through"), N_("Received at"), N_("Notes"),
)  # fmt: skip


def sighting_id(request: web.Request) -> int:
    return path_id(request, "sighting_id", "No such sighting.")


async def _ranked(
    request: web.Request, via: str, case_id: int | None = None
) -> tuple[Case, list[Group], frozenset[int]]:
    """The case (of the address, or `case_id`) and its sightings in reading order, after a
    refresh, as the viewer may read them; the ids whose contact is withheld from the viewer."""
    db = request.app[keys.DB]
    case = await cases.get(db, case_id or api.case_id(request))
    found = await triage.refresh(db, request.app[keys.GEOCODER], case)
    shown = await contacts.for_staff(db, request[keys.STAFF], case, found, via)
    return case, triage.rank(case, shown.sightings, datetime.now(UTC)), shown.withheld


# -- the JSON API ---------------------------------------------------------------------------------


def as_json(item: Ranked, group_id: int, withheld: frozenset[int]) -> dict[str, Any]:
    """A sighting for the API: as stored (the sender as a short pseudonym), and its triage. A
    contact the viewer may not read is null, with `contact_withheld` true."""
    s, a = item.sighting, item.assessment
    data = api.to_json(s)
    data["sender"] = data.pop("client_key")[:8]
    data.update(
        contact_withheld=s.id in withheld,
        group_id=group_id, reason=a.reason, score=round(a.score, 4),
        plausibility=round(a.plausibility, 4), distance_km=_rounded(a.distance_km),
        hours_after=_rounded(a.hours_after), speed_kmh=_rounded(a.speed_kmh),
        photo_url=f"/console/sightings/{s.id}/photo.jpg" if s.has_photo else None,
    )  # fmt: skip
    return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@routes.get("/api/cases/{case_id}/sightings", name="api_sightings")
async def api_list(request: web.Request) -> web.Response:
    """The case's sightings in triage order: groups of near-duplicates, strongest first."""
    case, groups, withheld = await _ranked(request, "api")
    items = [as_json(item, group.id, withheld) for group in groups for item in group.members]
    return web.json_response({"case": case.reference, "sightings": items})


@routes.patch("/api/sightings/{sighting_id}", name="api_triage_sighting")
async def api_triage(request: web.Request) -> web.Response:
    """Set a sighting's status and/or notes (audited)."""
    body = await inputs.fields(request, models.SightingPatch)
    if not body:
        raise errors.InvalidInput("Send status and/or notes, nothing else.")
    db = request.app[keys.DB]
    updated = await triage.update(
        db, request[keys.STAFF], sighting_id(request), body.get("status"), body.get("notes")
    )
    case = await cases.get(db, updated.case_id)
    found = await sightings.of_case(db, case.id)
    shown = await contacts.for_staff(db, request[keys.STAFF], case, [updated], "api_triage")
    [updated] = shown.sightings
    item = Ranked(sighting=updated, assessment=triage.assess(updated, case, datetime.now(UTC)))
    group = triage.group_ids(found).get(updated.id, updated.id)
    return web.json_response(as_json(item, group, shown.withheld))


# -- the triage page ------------------------------------------------------------------------------


def card(
    item: Ranked, lang: str, senders: dict[str, int], withheld: frozenset[int]
) -> dict[str, Any]:
    """What the template shows of one sighting beside the sighting itself: the figures of its
    assessment in the viewer's language, and how many reports its sender made."""
    a = item.assessment

    def number(value: float | None, pattern: str = "#,##0.#") -> str:
        return "" if value is None else format_decimal(value, pattern, locale=lang)

    return {
        "s": item.sighting, "a": a, "km": number(a.distance_km), "speed": number(a.speed_kmh),
        "hours": number(abs(a.hours_after) if a.hours_after is not None else None),
        "sender_reports": senders.get(item.sighting.client_key, 1),
        "contact_withheld": item.sighting.id in withheld,
    }  # fmt: skip


def _senders(found: list[Sighting]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in found:
        counts[s.client_key] = counts.get(s.client_key, 0) + 1
    return counts


async def render_page(
    request: web.Request,
    *,
    case_id: int | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> web.Response:
    """The triage page: the list (the main view) and, with JavaScript, a map."""
    case, groups, withheld = await _ranked(request, "page", case_id)
    lang = request[keys.LANG]
    everything = [item.sighting for group in groups for item in group.members]
    senders = _senders(everything)
    cards = [[card(item, lang, senders, withheld) for item in g.members] for g in groups]
    counts = {code: sum(s.status == code for s in everything) for code in STATUSES}
    response = render(
        request, "console/sightings.html", status=status, case=case, groups=cards,
        counts=counts, total=len(everything), statuses=STATUSES, problem=problem,
        latest=max((s.id for s in everything), default=0), done=request.query.get("done", ""),
    )  # fmt: skip
    map_page(response)  # its tiles are asked with the site's origin as referrer
    return response


# The page itself; the form handlers call it to show a refused form again.
routes.get("/console/cases/{case_id}/sightings", name="console_sightings")(render_page)


@routes.get("/console/cases/{case_id}/sightings/new", name="console_sightings_new")
async def poll(request: web.Request) -> web.Response:
    """Sightings newer than `after`, each rendered as on the page (for the page's script)."""
    try:
        after = max(int(request.query.get("after", "0")), 0)
    except ValueError:
        raise errors.InvalidInput("after must be a number.") from None
    db, lang = request.app[keys.DB], request[keys.LANG]
    case = await cases.get(db, api.case_id(request))
    # No regrouping here (the page does that): a poll every 15 s must stay cheap.
    await triage.locate(db, request.app[keys.GEOCODER], case)
    found = await sightings.of_case(db, case.id)
    senders, now = _senders(found), datetime.now(UTC)
    fresh = sorted((s for s in found if s.id > after), key=lambda s: s.id)[:POLL_BATCH]
    shown = await contacts.for_staff(db, request[keys.STAFF], case, fresh, "page")
    items = []
    for s in shown.sightings:
        item = Ranked(sighting=s, assessment=triage.assess(s, case, now))
        html = render_text(request, "console/_sighting.html",
                           c=card(item, lang, senders, shown.withheld), fresh=True)  # fmt: skip
        items.append({"id": s.id, "html": html})
    latest = items[-1]["id"] if items else after
    return web.json_response({"latest": latest, "items": items, "total": len(found)})


@routes.post("/console/sightings/{sighting_id}", name="console_triage_sighting")
async def triage_form(request: web.Request) -> web.Response:
    """A status button or "save the notes" on the triage page (audited)."""
    form = await request.post()
    db = request.app[keys.DB]
    before = await sightings.get(db, sighting_id(request))
    try:
        await triage.update(db, request[keys.STAFF], before.id, form_text(form, "status"),
                            form_text(form, "notes"))  # fmt: skip
    except errors.InvalidInput as exc:
        message = in_language(request[keys.LANG], exc.message)
        problem = Problem(form=f"s{before.id}", message=message, field=exc.field)
        return await render_page(
            request, case_id=before.case_id, problem=problem, status=exc.status
        )
    path = f"/console/cases/{before.case_id}/sightings?done=triaged#s-{before.id}"
    raise web.HTTPSeeOther(path)


@routes.get("/console/sightings/{sighting_id}/photo.jpg", name="console_sighting_photo")
async def photo(request: web.Request) -> web.Response:
    """The photo sent with a sighting (re-encoded on arrival: no metadata)."""
    data = await sightings.photo(request.app[keys.DB], sighting_id(request))
    if data is None:
        raise errors.NotFound("No such photo.")
    return web.Response(body=data, content_type="image/jpeg")


# -- exports for the police -----------------------------------------------------------------------


async def _export(request: web.Request, kind: str) -> tuple[Case, list[str], list[list[str]]]:
    """The case, the translated headers and the rows of an export; audited."""
    case, groups, _withheld = await _ranked(request, f"export_{kind}")
    lang = request[keys.LANG]
    headers = [in_language(lang, name) for name in EXPORT_COLUMNS]
    rows = triage.export_rows(groups, lang)
    staff = request[keys.STAFF]
    await audit.record(request.app[keys.DB], staff.id, "sightings_exported", case.id,
                       format=kind, count=len(rows))  # fmt: skip
    log.info("sightings exported", extra={"action": "sightings_exported", "case_id": case.id,
                                          "format": kind})  # fmt: skip
    return case, headers, rows


def _download(body: bytes, content_type: str, filename: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@routes.get("/console/cases/{case_id}/sightings.csv", name="console_sightings_csv")
async def export_csv(request: web.Request) -> web.Response:
    case, headers, rows = await _export(request, "csv")
    body = triage.to_csv(headers, rows)
    return _download(body, "text/csv", f"sightings-{case.reference}.csv")


@routes.get("/console/cases/{case_id}/sightings.pdf", name="console_sightings_pdf")
async def export_pdf(request: web.Request) -> web.Response:
    case, headers, rows = await _export(request, "pdf")
    lang, staff = request[keys.LANG], request[keys.STAFF]
    title = in_language(lang, N_("Sightings for case %(reference)s"), reference=case.reference)
    about = N_("Police reference: %(police)s · exported %(when)s by %(who)s")
    subtitle = in_language(lang, about) % {
        "police": case.police_reference or "–",
        "when": when(datetime.now(UTC), lang),
        "who": staff.display_name,
    }
    body = await asyncio.to_thread(triage.to_pdf, title, subtitle, headers, rows)
    return _download(body, "application/pdf", f"sightings-{case.reference}.pdf")
