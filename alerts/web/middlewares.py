"""Middlewares: security headers, who is asking (session or token), CSRF, and errors to pages."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from alerts import errors
from alerts.config_values import tile_origin
from alerts.i18n import choose_language, in_language, language
from alerts.staff import auth, tokens
from alerts.web import keys

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# The policy of every page; `page_policy` adds the map tiles' host (MAP_TILE_URL) to img-src.
CSP = (
    "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Pages with a map send the tile server their origin (never the path, which names a case):
# OpenStreetMap's tile policy refuses requests without a referrer. Every other page sends none.
MAP_REFERRER_POLICY = "strict-origin-when-cross-origin"


@functools.cache
def page_policy(tile_url: str) -> str:
    """The Content-Security-Policy of the pages, allowing images from the tile server."""
    origin = tile_origin(tile_url)
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}") if origin else CSP


def map_page(response: web.StreamResponse) -> None:
    """Mark a response as a page with a map: its tiles are asked with the site's origin."""
    response.headers["Referrer-Policy"] = MAP_REFERRER_POLICY


def public(handler: Handler) -> Handler:
    """Mark a handler as open to anonymous visitors (every other handler needs a staff login)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def is_public(request: web.Request) -> bool:
    if isinstance(request.match_info.route.resource, web.StaticResource):
        return True  # the stylesheet of the login page and of the public pages
    return bool(getattr(request.match_info.handler, "public", False))


def wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz",)


def session_cookie_name(request: web.Request) -> str:
    return "__Host-session" if request.app[keys.SETTINGS].secure_cookies else "session"


def csrf_cookie_name(request: web.Request) -> str:
    return "__Host-csrf" if request.app[keys.SETTINGS].secure_cookies else "csrf"


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
        add_security_headers(request, response)
        raise
    add_security_headers(request, response)
    return response


def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    settings = request.app[keys.SETTINGS]
    headers.setdefault("Content-Security-Policy", page_policy(settings.map_tile_url))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
    if settings.secure_cookies:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if not is_public(request) or request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def identify(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find the staff member behind the request; refuse anonymous access to staff routes."""
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    bearer = request.headers.get("Authorization", "")
    session = None
    if bearer.startswith("Bearer "):
        use = await tokens.for_use(db, bearer.removeprefix("Bearer ").strip())
        if use is None:
            raise errors.Unauthenticated("The API token is not valid: unknown, expired or revoked.")
        tokens.check_scope(use, token_scope(request))
        request[keys.STAFF] = use.staff
    elif token := request.cookies.get(session_cookie_name(request)):
        session = await auth.load_session(db, settings, token)
        if session is not None:
            request[keys.SESSION] = session
            request[keys.STAFF] = session.staff
    staff = request.get(keys.STAFF)
    request[keys.LANG] = choose_language(
        request.query.get("lang") or (staff.language if staff else None),
        request.headers.get("Accept-Language"),
    )
    if keys.STAFF not in request and not is_public(request):
        if wants_json(request) or request.method != "GET":
            raise errors.Unauthenticated()
        raise web.HTTPSeeOther(f"/login?next={quote(request.rel_url.path_qs, safe='/')}")
    if session is not None and request.method in UNSAFE_METHODS:
        await check_session_csrf(request, session)
    return await handler(request)


def token_scope(request: web.Request) -> tokens.Scope:
    """The scope an API token needs for this request: approve for approving (any route whose name
    says approve), rejecting a proposed change and closing; read for GET and HEAD; write for the
    rest. Tokens are for the API only: elsewhere (the console's pages) they are refused."""
    if not request.path.startswith("/api/"):
        raise errors.Forbidden("API tokens work only for the API (/api/).")
    name = request.match_info.route.name or ""
    if name in ("api_close", "api_reject_proposal") or "approve" in name:
        return tokens.Scope.APPROVE
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return tokens.Scope.READ
    return tokens.Scope.WRITE


async def check_session_csrf(request: web.Request, session: auth.Session) -> None:
    submitted = request.headers.get("X-CSRF-Token")
    if submitted is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get("csrf_token")
        submitted = value if isinstance(value, str) else None
    auth.check_csrf(session, submitted)


def anonymous_csrf_token(request: web.Request, response: web.StreamResponse | None = None) -> str:
    """A double-submit CSRF token for forms shown before login (the login form itself)."""
    token = request.cookies.get(csrf_cookie_name(request)) or secrets.token_urlsafe(24)
    if response is not None:
        set_cookie(request, response, csrf_cookie_name(request), token, max_age=3600)
    return token


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, **extra: Any
) -> None:
    secure = request.app[keys.SETTINGS].secure_cookies
    response.set_cookie(
        name, value, path="/", secure=secure, httponly=True, samesite="Lax", **extra
    )


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place that turns errors into JSON (API) or a page (everything else)."""
    try:
        return await handler(request)
    except errors.AlertsError as exc:
        return render_error(request, exc.status, exc.message, field=exc.field, exc=exc)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.text is None or not wants_json(request):
            raise
        response = render_error(request, exc.status, exc.reason)
        if "Allow" in exc.headers:  # a 405 names the methods the address takes (RFC 9110)
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled error", extra={"action": "error", "path": request.path})
        return render_error(request, 500, "Something went wrong on our side. Please retry.")


def render_error(
    request: web.Request,
    status: int,
    message: str,
    *,
    field: str | None = None,
    exc: errors.AlertsError | None = None,
) -> web.Response:
    headers = {}
    if isinstance(exc, errors.TooManyRequests | errors.Busy):
        headers["Retry-After"] = str(exc.retry_after)
    if wants_json(request):
        body: dict[str, Any] = {"error": message, "status": status}
        if field:
            body["field"] = field
        return web.json_response(body, status=status, headers=headers)
    lang = request.get(keys.LANG, "en")
    template = request.app[keys.TEMPLATES].get_template("error.html")
    with language(lang):
        html = template.render(status=status, message=in_language(lang, message), field=field,
                               lang=lang)  # fmt: skip
    return web.Response(text=html, status=status, content_type="text/html", headers=headers)
