"""Staff sign-in pages: log in, log out, confirm the password again, choose the console language."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from alerts import clients, errors
from alerts.i18n import LANGUAGES, in_language
from alerts.staff import audit, auth
from alerts.staff.models import Staff
from alerts.web import keys
from alerts.web.console.forms import Form, form_text, render, render_text
from alerts.web.middlewares import (
    anonymous_csrf_token,
    csrf_cookie_name,
    public,
    session_cookie_name,
    set_cookie,
)

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

FORM_EXPIRED = "The form has expired or was not sent from this site. Please retry."


def client_key(request: web.Request) -> str:
    """The keyed hash that stands for the client's address (the one sightings use, so every
    limit sees the same client, behind TRUSTED_PROXIES too); never the address itself."""
    settings = request.app[keys.SETTINGS]
    address = clients.sender_address(
        request.remote, request.headers.get("X-Forwarded-For"), settings.trusted_proxies
    )
    return clients.client_key(settings, address)


def safe_next(value: object) -> str:
    """`value` when it is a path on this site, else the console; never another site."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value  # browsers read /\evil.example as //evil.example
        and value.isprintable()
    ):
        return value
    return "/console"


def login_page(
    request: web.Request,
    *,
    next_path: str,
    chosen_lang: str,
    username: str = "",
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The login form. Logged in already: the session's CSRF token (the middleware checks it);
    else a double-submit token in a cookie and in the form."""
    response = web.Response(status=status, content_type="text/html", headers=headers)
    lang = chosen_lang or request[keys.LANG]
    session = request.get(keys.SESSION)
    token = session.csrf_token if session else anonymous_csrf_token(request, response)
    response.text = render_text(
        request, "console/login.html", lang=lang, csrf_token=token, next=next_path,
        username=username, error=error, chosen_lang=chosen_lang,
    )  # fmt: skip
    return response


def picked_language(request: web.Request, form: Form | None = None) -> str:
    """The language picked on the login page ('' when none): kept across failed attempts."""
    picked = form_text(form, "lang") if form is not None else request.query.get("lang", "")
    return picked if picked in LANGUAGES else ""


@routes.get("/login", name="login")
@public
async def login_form(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next"))
    return login_page(request, next_path=next_path, chosen_lang=picked_language(request))


@routes.post("/login", name="login_submit")
@public
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    next_path, chosen_lang = safe_next(form.get("next")), picked_language(request, form)
    lang = chosen_lang or request[keys.LANG]
    username = form_text(form, "username")
    if not _login_csrf_ok(request, form):
        message = in_language(lang, FORM_EXPIRED)
        return login_page(request, next_path=next_path, chosen_lang=chosen_lang, username=username,
                          error=message, status=403)  # fmt: skip
    try:
        staff = await _authenticate(request, form)
    except (errors.Unauthenticated, errors.TooManyRequests) as exc:
        log.info("login refused", extra={"action": "login_refused", "status": exc.status})
        headers = None
        if isinstance(exc, errors.TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return login_page(
            request, next_path=next_path, chosen_lang=chosen_lang, username=username,
            error=in_language(lang, exc.message), status=exc.status, headers=headers,
        )  # fmt: skip
    raise await _start_session(request, staff, next_path)


def _login_csrf_ok(request: web.Request, form: Form) -> bool:
    if keys.SESSION in request:
        return True  # the middleware has already checked the session's own token
    cookie = request.cookies.get(csrf_cookie_name(request), "")
    submitted = form_text(form, "csrf_token")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())


async def _authenticate(request: web.Request, form: Form) -> Staff:
    """The staff member the form's credentials belong to (within the limits of attempts)."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    username, password = form_text(form, "username"), form_text(form, "password")
    return await auth.authenticate(
        db, settings, username, password, form_text(form, "totp"), client=client_key(request)
    )


async def _start_session(request: web.Request, staff: Staff, next_path: str) -> web.HTTPSeeOther:
    """The redirect that carries a new session's cookie; any earlier session of this browser
    ends (the token is rotated at every login)."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    cookie_name = session_cookie_name(request)
    if old_token := request.cookies.get(cookie_name):
        await auth.end_session(db, old_token)
    session = await auth.open_session(db, staff)
    await audit.record(db, staff.id, "login")
    log.info("staff logged in", extra={"action": "login", "staff_id": staff.id})
    response = web.HTTPSeeOther(next_path)
    max_age = settings.session_max_hours * 3600
    set_cookie(request, response, cookie_name, session.token, max_age=max_age)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    """End the session on the server and in the browser."""
    db = request.app[keys.DB]
    session = request.get(keys.SESSION)
    if session is not None:
        await auth.end_session(db, session.token)
        await audit.record(db, session.staff.id, "logout")
        log.info("staff logged out", extra={"action": "logout", "staff_id": session.staff.id})
    response = web.HTTPSeeOther("/login")
    set_cookie(request, response, session_cookie_name(request), "", max_age=0)
    raise response


@routes.get("/reauth", name="reauth")
async def reauth_form(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next"))
    return render(request, "console/reauth.html", next=next_path, error=None)


@routes.post("/reauth", name="reauth_submit")
async def reauth(request: web.Request) -> web.Response:
    """Confirm the password (or TOTP code) again, then go back to where the staff member was."""
    form = await request.post()
    next_path = safe_next(form.get("next"))
    session = request.get(keys.SESSION)
    if session is not None:
        secret = form_text(form, "secret")
        try:
            app = request.app
            await auth.reauthenticate(
                app[keys.DB], app[keys.SETTINGS], session, secret, client=client_key(request)
            )
        except (errors.Unauthenticated, errors.TooManyRequests) as exc:
            message = in_language(request[keys.LANG], exc.message)
            return render(request, "console/reauth.html", next=next_path, error=message,
                          status=exc.status)  # fmt: skip
    raise web.HTTPSeeOther(next_path)


@routes.post("/language", name="language")
async def choose_console_language(request: web.Request) -> web.Response:
    """Remember the console language the staff member picked."""
    form = await request.post()
    lang = form_text(form, "lang")
    if lang not in LANGUAGES:
        raise errors.InvalidInput("Unknown language.", field="lang")
    await request.app[keys.DB].execute("set_staff_language", request[keys.STAFF].id, lang)
    raise web.HTTPSeeOther(safe_next(form.get("next")))
