"""The public sighting form: POST /alerts/{public_id}/sightings (a form, multipart or
urlencoded, or JSON) and its confirmation page. Reading the request: sighting_upload.py; the
case managers' side: sighting_console.py.

The order of the work is what keeps a flood from slowing anyone else: the per-sender and
per-case limits are checked in memory before the body is read; the body is read as a stream
with a cap per part and in all; the report is counted before its photo is decoded (off the
event loop, two at a time); the only database work is one INSERT, shared with the reports
arriving at the same moment (sighting_intake.Writer). A tipster gets back a reference number
and thanks, nothing about the case.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from aiohttp import web

from alerts import clients, errors
from alerts.cases import photos
from alerts.cases.consent import LEVEL_PUBLIC
from alerts.i18n import N_, in_language
from alerts.publication import materials
from alerts.sightings import intake as sighting_intake
from alerts.sightings import reports as sightings
from alerts.sightings.intake import Limited, Limits
from alerts.sightings.reports import Problem, ReportInvalid
from alerts.web import keys
from alerts.web.middlewares import csrf_cookie_name, public
from alerts.web.public.case_pages import (
    PUBLIC_ID,
    Notice,
    case_view,
    language_links,
    notice,
    page_context,
    published_case,
    render_page,
    still_published,
    visitor_language,
)
from alerts.web.public.sighting_upload import FIELDS, HONEYPOT, Sent, Unreadable, read_sent

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
LIMITS = web.AppKey("sighting_limits", Limits)
WRITER = web.AppKey("sighting_writer", sighting_intake.Writer)
# The order of the problems in the summary: the form's, top to bottom.
ERROR_ORDER = ("seen_at", "place", "point", "seen", "direction", "companions", "photo",
               "name", "phone", "email")  # fmt: skip
# What a refused request says, by its HTTP status.
UNREADABLE = {
    413: N_(
        "The report is too large (at most %(mb)s MB with the photo). Choose a smaller "
        "photo, or none."
    ),
    415: N_("Send the report as a form or as JSON."),
}
UNREAD = N_("The report could not be read. Please try again.")
EXPIRED = N_(
    "The form had expired. What you wrote is still below: please send it again "
    "(and choose the photo again, if any)."
)
SUMMARY = N_("The report was not sent. Please check:")
WITHDRAWN = N_("This alert has been withdrawn. Thank you for your help.")
NOT_FOUND = N_("This page does not exist. Please check the address.")


def setup(app: web.Application) -> None:
    """The sighting routes (public and staff), and the limits they share in this process."""
    from alerts.web.console import sightings as sighting_console

    settings = app[keys.SETTINGS]
    app[LIMITS] = Limits.from_settings(settings)
    app[WRITER] = sighting_intake.Writer(lambda: app[keys.DB])  # the database opens at start-up
    # The form is part of the case page, whose handler knows nothing of it: what the form
    # says about the photo's size comes from here.
    photo_limit = min(settings.photo_max_bytes, settings.sighting_max_body)
    app[keys.TEMPLATES].globals["sighting_photo_mb"] = max(photo_limit // (1024 * 1024), 1)
    # The maps of the form and of the triage page: their tiles (none: a plain outline).
    app[keys.TEMPLATES].globals["map_tiles"] = {
        "url": settings.map_tile_url, "attribution": settings.map_tile_attribution,
    }  # fmt: skip
    app.add_routes(routes)
    app.add_routes(sighting_console.routes)


@dataclass(frozen=True, kw_only=True)
class Visit:
    """Who is reporting on which case (by its public id: the case itself is read only when a
    page about it must be shown), in which language, and whether they want JSON back."""

    public_id: str
    lang: str
    client: str
    as_json: bool

    @property
    def source(self) -> str:
        return "json" if self.as_json else "web"


@routes.post(f"/alerts/{{public_id:{PUBLIC_ID}}}/sightings", name="public_sighting")
@public
async def report(request: web.Request) -> web.StreamResponse:
    """Receive a report: 303 to the confirmation (form) or 201 with the reference (JSON).

    The case is not read first: the INSERT itself checks that it is active (one round trip
    to the database per report); a case closed or unknown is looked up only to answer why.
    """
    settings, limits = request.app[keys.SETTINGS], request.app[LIMITS]
    address = clients.sender_address(
        request.remote, request.headers.get("X-Forwarded-For"), settings.trusted_proxies
    )
    visit = Visit(
        public_id=request.match_info["public_id"],
        lang=visitor_language(request, settings.default_languages[0]),
        client=clients.client_key(settings, address),
        as_json=request.content_type == "application/json",
    )
    try:
        limits.check(visit.client, visit.public_id)  # in memory, before the body is read
        sent = await read_sent(request)
    except Limited as exc:
        return too_many(request, visit, exc)
    except Unreadable as exc:
        return await _unreadable(request, visit, exc.status)
    return await _receive(request, visit, sent)


async def _receive(request: web.Request, visit: Visit, sent: Sent) -> web.StreamResponse:
    if not visit.as_json and not _csrf_ok(request, sent.fields):
        return await form_page(request, visit, sent, {"form": Problem(EXPIRED)}, 403)
    if sent.fields.get(HONEYPOT):
        return await _decoy(request, visit)
    try:
        now = datetime.now(UTC)
        report = sightings.parse_report(sent.fields, now)
        if sent.problems:
            raise ReportInvalid(sent.problems)
        await _check_early(request, sent, report.seen_at, now)
    except ReportInvalid as exc:
        return await _invalid(request, visit, sent, {**exc.problems, **sent.problems})
    try:
        ticket = request.app[LIMITS].admit(visit.client, visit.public_id)
    except Limited as exc:
        return too_many(request, visit, exc)
    try:
        if sent.photo is not None:
            report = await _with_photo(request, report, sent.photo)
        stored = await request.app[WRITER].store(
            visit.public_id, report, source=visit.source, language=visit.lang,
            client=visit.client,
        )  # fmt: skip
    except ReportInvalid as exc:
        ticket.release()
        return await _invalid(request, visit, sent, exc.problems)
    except errors.Gone:
        ticket.release()
        return await _not_open(request, visit)
    log.info("sighting received", extra={"action": "sighting_received", "source": visit.source,
             "case_id": stored.case_id, "sighting_id": stored.id})  # fmt: skip
    return _received(visit, stored.reference)


async def _check_early(request: web.Request, sent: Sent, seen_at: datetime, now: datetime) -> None:
    """ReportInvalid for a seen-time long before the child was last seen, not confirmed. The
    case is read only for a time that long ago (last seen is never in the future), so a flood
    of reports of "just now" still costs one INSERT each."""
    if seen_at >= now - sightings.EARLY:
        return
    try:
        case = await published_case(request)
    except Notice:
        return  # the INSERT answers for a case that is not open
    if problem := sightings.early_problem(sent.fields, seen_at, case.last_seen_at):
        raise ReportInvalid({"seen_at": problem})


async def _not_open(request: web.Request, visit: Visit) -> web.Response:
    """404 for an address that never was a published case, 410 for a withdrawn one."""
    try:
        await published_case(request)
        status = 410  # not open for the INSERT, open now: it cannot reopen, so say gone
    except Notice as exc:
        status = exc.status
    if visit.as_json:
        return _json_error(status, WITHDRAWN if status == 410 else NOT_FOUND, visit.lang)
    return notice(request, status)


async def _with_photo(
    request: web.Request, report: sightings.Report, data: bytes
) -> sightings.Report:
    """The report with its photo cleaned by one of the photo decoders (decoding takes a tenth
    of a second of CPU, a second for 40 megapixels), PHOTO_DECODERS at a time."""
    settings = request.app[keys.SETTINGS]
    jpeg = await photos.off_loop(settings.photo_decoders, sightings.clean_photo, data, settings)
    return replace(report, photo=jpeg)


def _csrf_ok(request: web.Request, sent: dict[str, object]) -> bool:
    """The double-submit check: the form's token matches the cookie the case page set."""
    cookie = request.cookies.get(csrf_cookie_name(request), "")
    submitted = sent.get("csrf_token")
    if not cookie or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


async def _decoy(request: web.Request, visit: Visit) -> web.StreamResponse:
    """A filled honeypot: answer as if stored (a bot learns nothing), store nothing, and count
    it against the sender (not the case, which a bot must not be able to close to others)."""
    try:
        await published_case(request)
        request.app[LIMITS].strike(visit.client)
    except Notice:
        return await _not_open(request, visit)
    except Limited as exc:
        return too_many(request, visit, exc)
    log.info("sighting honeypot", extra={"action": "sighting_honeypot"})
    return _received(visit, sightings.new_reference())


def _received(visit: Visit, reference: str) -> web.StreamResponse:
    if visit.as_json:
        return web.json_response({"reference": reference}, status=201)
    query = urlencode({"ref": reference, "lang": visit.lang})
    # Returned, not raised: an exception through the three middlewares costs more than the
    # rest of a report's handling.
    location = f"/alerts/{visit.public_id}/sightings/received?{query}"
    return web.Response(status=303, headers={"Location": location})


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}/sightings/received", name="sighting_received")
@public
async def received(request: web.Request) -> web.Response:
    """Thanks, and the reference to give when calling; nothing about the case."""
    try:
        case = await published_case(request)
    except Notice as exc:
        return notice(request, exc.status)
    reference = request.query.get("ref", "")
    if not sightings.REFERENCE.fullmatch(reference):
        return notice(request, 404)
    lang = visitor_language(request, case.languages[0])
    links = language_links(lang, "")
    for link in links:  # the same page in another language: keep the reference
        link["url"] = "?" + urlencode({"ref": reference, "lang": link["code"]})
    return render_page(
        request, "public/sighting_done.html", lang, reference=reference,
        back=f"/alerts/{case.public_id}?lang={lang}", language_links=links,
    )  # fmt: skip


# -- answers that are not a stored report ----------------------------------------------------------


def too_many(request: web.Request, visit: Visit, exc: Limited) -> web.Response:
    """429 saying when to try again (Retry-After, and in words), and whom to call meanwhile.
    Nothing is read from the database for it, so a flood costs the others nothing; it names
    nothing of the case."""
    log.info("sighting refused: limit", extra={"action": "sighting_limited", "scope": exc.scope})
    headers = {"Retry-After": str(exc.retry_after)}
    hotline = request.app[keys.SETTINGS].hotline
    words = in_language(visit.lang, exc.message, minutes=exc.minutes, hotline=hotline)
    if visit.as_json:
        body = {"error": words, "status": 429, "retry_after": exc.retry_after}
        return web.json_response(body, status=429, headers=headers)
    response = render_page(
        request, "public/sighting_429.html", visit.lang, status=429, message=words,
        back=f"/alerts/{visit.public_id}?lang={visit.lang}",
        switch_path=f"/alerts/{visit.public_id}",
    )  # fmt: skip
    response.headers.update(headers)
    return response


async def _unreadable(request: web.Request, visit: Visit, status: int) -> web.StreamResponse:
    message = UNREADABLE.get(status, UNREAD)
    if visit.as_json:
        return await _closed(request, visit) or _json_error(status, message, visit.lang)
    settings = request.app[keys.SETTINGS]
    limit = str(max(settings.sighting_max_body // (1024 * 1024), 1))
    sent = Sent(fields={})
    return await form_page(request, visit, sent, {"form": Problem(message, {"mb": limit})}, status)


async def _invalid(
    request: web.Request, visit: Visit, sent: Sent, problems: dict[str, Problem]
) -> web.StreamResponse:
    if not visit.as_json:
        return await form_page(request, visit, sent, problems, 422)
    if closed := await _closed(request, visit):
        return closed
    messages = {name: _words(problem, visit.lang) for name, problem in problems.items()}
    summary = in_language(visit.lang, SUMMARY)
    body = {"error": summary, "status": 422, "errors": messages}
    return web.json_response(body, status=422)


async def _closed(request: web.Request, visit: Visit) -> web.Response | None:
    """The JSON answer for a case that is not open (404, 410), or None when it is: a refused
    report says first that the alert was withdrawn. (Forms learn it from form_page.)"""
    try:
        await published_case(request)
    except Notice as exc:
        message = WITHDRAWN if exc.status == 410 else NOT_FOUND
        return _json_error(exc.status, message, visit.lang)
    return None


def _json_error(status: int, message: str, lang: str = "en") -> web.Response:
    return web.json_response({"error": in_language(lang, message), "status": status}, status=status)


def _words(problem: Problem, lang: str) -> str:
    return in_language(lang, problem.message, **problem.values)


async def form_page(
    request: web.Request, visit: Visit, sent: Sent, problems: dict[str, Problem], status: int
) -> web.Response:
    """The case page again, the form filled in as sent, each problem next to its field and
    all of them in a summary at the top of the form."""
    try:
        case = await published_case(request)
        view = await case_view(request, case, "case_page")
        stored = await materials.material_index(request.app[keys.DB], case.id, case.revision)
        await still_published(request, case, materials.PAGE_TARGET)
    except Notice as exc:
        return notice(request, exc.status)
    lang = visitor_language(request, case.languages[0])
    errors_ = {name: _words(problem, lang) for name, problem in problems.items()}
    values = {name: _shown(sent.fields.get(name)) for name in FIELDS}
    order = [name for name in ("form", *ERROR_ORDER) if name in errors_]
    early = "seen_at" in problems and problems["seen_at"].message == sightings.TOO_EARLY
    form = {"values": values, "errors": errors_, "order": order, "confirm": early}
    return render_page(
        request, "public/case.html", lang, status=status, noindex=view.level < LEVEL_PUBLIC,
        csrf=True, switch_path=f"/alerts/{case.public_id}", sighting_form=form, with_map=True,
        **page_context(request, view, lang, stored),
    )  # fmt: skip


def _shown(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)
