"""What every request and response goes through at the HTTP level, before any handler.

A request we cannot read gets a 400 with a short message in the visitor's language, never a 500
with a traceback: a header that is not UTF-8 (aiohttp hands its bytes on as surrogates, which
fail wherever the value is encoded, compared or hashed), one of our cookies that is not a
cookie value (it is deleted with the answer, so a reload works), a Content-Type with an unknown
charset or a multipart one without a usable boundary, and a body that is not the text it
claims to be. The `Server` header names no software and no version, on every response,
including the errors aiohttp answers itself before any handler runs.
"""

from __future__ import annotations

import codecs
import logging
import re

from aiohttp import hdrs, web, web_response
from aiohttp.helpers import parse_mimetype

from alerts import errors
from alerts.i18n import N_, choose_language
from alerts.web import keys
from alerts.web.middlewares import Handler, csrf_cookie_name, render_error, session_cookie_name

log = logging.getLogger(__name__)

SERVER = "community-alerts"
MALFORMED_HEADER = N_(
    "Your browser sent a request we cannot read (a damaged header or cookie). Reload the "
    "page; if this happens again, delete this site's cookies."
)
MALFORMED_BODY = N_("What was sent could not be read. Reload the page and send it again.")
# RFC 6265's cookie-octet: visible ASCII but for the double quote, comma, semicolon, backslash.
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
# RFC 2046: 1 to 70 characters, not ending with a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
PRESS_COOKIES = ("press", "__Host-press")  # alerts.web.public.press.session_cookie


class MalformedRequest(errors.AlertsError):
    """What was sent could not be read. Reload the page and send it again."""

    status = 400


def setup(app: web.Application) -> None:
    """No software or version in `Server`. aiohttp writes its own name and version into every
    response it prepares (also the 400s of its HTTP parser, which no signal or middleware
    sees) unless the response already has a `Server` header; its default is a module constant."""
    web_response.SERVER_SOFTWARE = SERVER
    app.on_response_prepare.append(_server_header)


async def _server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers[hdrs.SERVER] = SERVER


def readable(value: str) -> bool:
    """Whether a header's value arrived as UTF-8 text without control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # aiohttp's surrogateescape: the bytes were not UTF-8
        return False
    return _CONTROL.search(value) is None


def visitor_language(request: web.Request) -> str:
    """`?lang=`, else Accept-Language when it is readable, else English."""
    accept = request.headers.get(hdrs.ACCEPT_LANGUAGE)
    return choose_language(
        request.query.get("lang"), accept if accept and readable(accept) else None
    )


@web.middleware
async def readable_request(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse, with a 400, a request whose headers, cookies or body cannot be read."""
    request[keys.LANG] = visitor_language(request)  # the identify middleware may refine it
    if not all(readable(name) and readable(value) for name, value in request.headers.items()):
        _refused(request, "header")
        raise MalformedRequest(MALFORMED_HEADER)
    damaged = [name for name in _our_cookies(request) if not _cookie_ok(request, name)]
    if damaged:
        _refused(request, "cookie")
        response = render_error(request, 400, MALFORMED_HEADER)
        for name in damaged:
            response.del_cookie(name, path="/")
        return response
    if not _content_type_ok(request.headers.get(hdrs.CONTENT_TYPE)):
        _refused(request, "content_type")
        raise MalformedRequest(MALFORMED_BODY)
    try:
        return await handler(request)
    except UnicodeError:  # a form or JSON body that is not in the charset it declares
        _refused(request, "body")
        raise MalformedRequest(MALFORMED_BODY) from None


def readable_as_is(request: web.Request) -> bool:
    """Whether `readable_request` lets the request through unchanged (for the answers kept in
    memory, which go out before it: alerts.web.public.page_cache.from_memory)."""
    return (
        all(readable(name) and readable(value) for name, value in request.headers.items())
        and all(_cookie_ok(request, name) for name in _our_cookies(request))
        and _content_type_ok(request.headers.get(hdrs.CONTENT_TYPE))
    )


def _refused(request: web.Request, what: str) -> None:
    log.info("unreadable request refused",
             extra={"action": "malformed_request", "part": what, "path": request.path})  # fmt: skip


def _our_cookies(request: web.Request) -> list[str]:
    names = {session_cookie_name(request), csrf_cookie_name(request), *PRESS_COOKIES}
    return [name for name in names if name in request.cookies]


def _cookie_ok(request: web.Request, name: str) -> bool:
    return _COOKIE_VALUE.fullmatch(request.cookies[name]) is not None


def _content_type_ok(value: str | None) -> bool:
    """A charset Python knows, and a boundary for a multipart body (else reading it fails)."""
    if not value:
        return True
    mime = parse_mimetype(value)
    charset = mime.parameters.get("charset")
    if charset is not None:
        try:
            codec = codecs.lookup(charset)
        except LookupError:
            return False
        if not getattr(codec, "_is_text_encoding", True):  # rot13, base64: not for text
            return False
    if mime.type == "multipart":
        boundary = mime.parameters.get("boundary", "")
        return _BOUNDARY.fullmatch(boundary) is not None
    return True
