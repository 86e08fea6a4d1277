"""The press room: /press (alerts, registration), confirmation, sign-out, logged downloads."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.consent import allows
from alerts.cases.models import Case
from alerts.channels.mailer import MailUnavailable
from alerts.i18n import N_, in_language
from alerts.partners import cap, press
from alerts.publication import materials
from alerts.publication.materials import MaterialFile
from alerts.web import keys
from alerts.web.console.staff_auth import client_key
from alerts.web.middlewares import csrf_cookie_name, public, set_cookie
from alerts.web.public.case_pages import (
    PUBLIC_ID,
    Notice,
    allowed_level,
    notice,
    public_headers,
    published_case,
    render_page,
    split_downloads,
    visitor_language,
)

routes = web.RouteTableDef()
# What the press room says above its form; translated by the page.
REGISTER_SENT = N_(
    "Check your inbox. If this address can be used, we have sent you a confirmation link. "
    "The link is valid for 48 hours."
)
FORM_EXPIRED = N_("The form has expired. Please try again.")
REGISTER_INVALID = N_("Please enter your outlet and a valid e-mail address.")
TOO_MANY = N_("Too many requests. Please try again later.")
MAIL_DOWN = N_("We cannot send e-mail right now. Please try again later.")
CONFIRM_INVALID = N_("This link is invalid or has expired. Please register again.")
# The label of each text to copy.
TEXT_LABELS = {"facebook": N_("Long text (Facebook, website)"), "x": N_("Short text (X)")}


def session_cookie(request: web.Request) -> str:
    return "__Host-press" if request.app[keys.SETTINGS].secure_cookies else "press"


def page_language(request: web.Request) -> str:
    return visitor_language(request, request.app[keys.SETTINGS].default_languages[0])


async def current_contact(request: web.Request) -> press.PressContact | None:
    value = request.cookies.get(session_cookie(request))
    if not value:
        return None
    app = request.app
    return await press.contact_from_session(app[keys.DB], app[keys.SETTINGS], value,
                                            datetime.now(UTC))  # fmt: skip


def form_text(form: Any, name: str) -> str:
    """The text of field `name` ('' when absent or a file)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def csrf_ok(request: web.Request, form: Any) -> bool:
    """The double-submit check of the press room's forms (no staff session here)."""
    cookie = request.cookies.get(csrf_cookie_name(request), "")
    submitted = form_text(form, "csrf_token")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())


FormHandler = Callable[[web.Request, Any, str], Awaitable[web.Response]]


def checked_form(handler: FormHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Make a POST handler of the press room out of one that takes the form and the page's
    language; a form without the right CSRF token gets the room again, 403, instead."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.Response:
        form = await request.post()
        lang = page_language(request)
        if not csrf_ok(request, form):
            return await room(request, lang, status=403, error=FORM_EXPIRED)
        return await handler(request, form, lang)

    return checked


async def room(
    request: web.Request,
    lang: str,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> web.Response:
    """The press room page: the public alerts, and the registration form or who is signed in."""
    app = request.app
    alerts = await press.press_alerts(app[keys.DB], app[keys.SETTINGS], lang)
    contact = await current_contact(request)
    return render_page(
        request, "press/room.html", lang, status=status, csrf=True, switch_path="/press",
        contact=contact,
        cards=[press_card(alert, lang) for alert in alerts], message=message, error=error,
        values=values or {},
    )  # fmt: skip


def press_card(alert: press.PressAlert, lang: str) -> dict[str, Any]:
    """What the press room shows of one alert: title, links, downloads, texts to copy."""
    view = alert.view
    squares = [m.file for m in alert.files if m.file.kind == "square"]
    thumb = next((f for f in squares if f.language == alert.lang), None)
    return {
        "public_id": view.public_id,
        "lang": alert.lang,
        "title": cap.headline(view, alert.lang),
        "reference": view.reference,
        "url": f"/alerts/{view.public_id}?lang={alert.lang}",
        "thumb": f"/alerts/{view.public_id}/{thumb.filename}" if thumb else None,
        "downloads": split_downloads(
            list(alert.files), alert.lang, view.languages, f"/press/alerts/{view.public_id}"
        ),  # fmt: skip
        "texts": [
            {"label": in_language(lang, TEXT_LABELS[piece.kind]), "text": piece.text}
            for piece in alert.texts
        ],  # fmt: skip
    }


@routes.get("/press", name="press_room")
@public
async def press_room(request: web.Request) -> web.Response:
    lang = page_language(request)
    message = REGISTER_SENT if request.query.get("registered") == "1" else None
    return await room(request, lang, message=message)


@routes.post("/press/register", name="press_register")
@public
async def register(request: web.Request) -> web.Response:
    """Send a confirmation link; the answer never tells whether the address is known."""
    form = await request.post()
    lang = page_language(request)
    values = {name: form_text(form, name) for name in ("outlet", "name", "email")}
    if not csrf_ok(request, form):
        return await room(request, lang, status=403, error=FORM_EXPIRED, values=values)
    app = request.app
    try:
        registration = press.parse_registration(**values, language=lang)
        await press.request_confirmation(app[keys.DB], app[keys.SETTINGS], registration,
                                         client_key(request))  # fmt: skip
    except errors.InvalidInput:
        return await room(request, lang, status=422, error=REGISTER_INVALID, values=values)
    except errors.TooManyRequests:
        return await room(request, lang, status=429, error=TOO_MANY, values=values)
    except MailUnavailable:
        return await room(request, lang, status=503, error=MAIL_DOWN, values=values)
    query = urlencode({"lang": lang, "registered": "1"})
    raise web.HTTPSeeOther(f"/press?{query}#register")


@routes.get("/press/confirm", name="press_confirm_form")
@public
async def confirm_form(request: web.Request) -> web.Response:
    """The confirmation page: a button, so that mail scanners following the link confirm nothing."""
    lang = page_language(request)
    token = request.query.get("token", "")
    usable = bool(token) and await press.token_is_usable(request.app[keys.DB], token)
    return render_page(request, "press/confirm.html", lang, status=200 if usable else 410,
                       csrf=True, switch_path="/press", token=token, usable=usable)  # fmt: skip


@routes.post("/press/confirm", name="press_confirm")
@public
@checked_form
async def confirm(request: web.Request, form: Any, lang: str) -> web.Response:
    app = request.app
    contact = await press.confirm(app[keys.DB], form_text(form, "token"))
    if contact is None:
        return await room(request, lang, status=410, error=CONFIRM_INVALID)
    response = web.HTTPSeeOther(f"/press?{urlencode({'lang': lang})}")
    value = press.session_value(app[keys.SETTINGS], contact, datetime.now(UTC))
    set_cookie(request, response, session_cookie(request), value,
               max_age=press.SESSION_DAYS * 86400)  # fmt: skip
    raise response


@routes.post("/press/sign-out", name="press_sign_out")
@public
@checked_form
async def sign_out(request: web.Request, form: Any, lang: str) -> web.Response:
    response = web.HTTPSeeOther(f"/press?{urlencode({'lang': lang})}")
    set_cookie(request, response, session_cookie(request), "", max_age=0)
    raise response


@routes.get(f"/press/alerts/{{public_id:{PUBLIC_ID}}}/{{filename}}", name="press_download")
@public
async def download(request: web.Request) -> web.Response:
    """A material for a registered journalist, logged for their outlet before it is sent."""
    contact = await current_contact(request)
    if contact is None:
        lang = page_language(request)
        return render_page(request, "press/refused.html", lang, status=403, switch_path="/press")
    file = materials.parse_filename(request.match_info["filename"])
    try:
        if file is None:
            raise Notice(404)
        case = await published_case(request)
        data = await _logged_material(request, contact, case, file)
    except Notice as exc:
        return notice(request, exc.status)
    response = web.Response(body=data, content_type=file.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    public_headers(response, lang=None, noindex=True)
    return response


async def _logged_material(
    request: web.Request, contact: press.PressContact, case: Case, file: MaterialFile
) -> bytes:
    """The material's bytes, after recording the download: an outlet is on the removal list
    before it can have the file, even if the case closes in between."""
    db = request.app[keys.DB]
    await allowed_level(request, case, file)
    consent = await cases.current_consent(db, case.id)
    if not allows(consent, "press", datetime.now(UTC)):
        raise Notice(410)
    stored = await materials.material_index(db, case.id, case.revision)
    if file not in {m.file for m in stored}:
        raise Notice(404)
    await press.record_download(db, contact, case, file)
    data = await materials.current_material(db, case, file)
    if data is None:
        raise Notice(410)
    return data
