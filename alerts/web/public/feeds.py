"""The public feeds: /feeds/alerts.atom and /feeds/cap.xml (see alerts/partners/feeds.py).

The Atom feed answers conditional requests (RFC 9110): a strong ETag (a hash of the bytes) and
Last-Modified (the feed's `updated`), and 304 Not Modified when If-None-Match matches the ETag,
or, without If-None-Match, when If-Modified-Since is not older than Last-Modified. A value that
cannot be read (no entity tag in If-None-Match, not an HTTP-date in If-Modified-Since) is
ignored, as RFC 9110 says (the full feed is sent); a header that is not text at all gets a 400
from alerts.web.protocol.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import hdrs, web

from alerts.i18n import LANGUAGES
from alerts.partners import feeds
from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()

_ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\U0010ffff]*)"')


def _xml(body: bytes, content_type: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type, charset="utf-8")
    # Read from the database on each request; caches must ask again (a Cancel cannot wait).
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/feeds/alerts.atom", name="feed_atom")
@public
async def atom(request: web.Request) -> web.Response:
    """The public alerts as Atom, in `?lang=` when a case has that language; each language's
    feed has its own id. Conditional requests get 304 while it has not changed."""
    settings = request.app[keys.SETTINGS]
    lang = request.query.get("lang")
    if lang not in LANGUAGES:
        lang = None  # the default language's feed, at the plain address
    body, updated = await feeds.atom_feed(request.app[keys.DB], settings, lang)
    etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    updated = updated.astimezone(UTC).replace(microsecond=0)
    headers = {
        hdrs.ETAG: etag,
        hdrs.LAST_MODIFIED: format_datetime(updated, usegmt=True),
        hdrs.CACHE_CONTROL: "no-cache",
        hdrs.VARY: "Accept-Encoding",
    }
    if not_modified(request, etag, updated):
        return web.Response(status=304, headers=headers)
    response = _xml(body, "application/atom+xml")
    response.headers.update(headers)
    return response


def not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    """Whether a GET or HEAD may be answered 304 (RFC 9110, 13.2.2): If-None-Match decides when
    present (weak comparison, `*` matches); else If-Modified-Since, when it is an HTTP-date."""
    if request.method not in ("GET", "HEAD"):
        return False
    if hdrs.IF_NONE_MATCH in request.headers:
        value = ",".join(request.headers.getall(hdrs.IF_NONE_MATCH))
        if value.strip() == "*":
            return True
        return etag.strip('"') in _ENTITY_TAG.findall(value)
    since = _http_date(request.headers.getall(hdrs.IF_MODIFIED_SINCE, []))
    return since is not None and modified <= since


def _http_date(values: list[str]) -> datetime | None:
    """The one HTTP-date of If-Modified-Since; None when absent, repeated or not a date."""
    if len(values) != 1:
        return None
    try:
        moment = parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@routes.get("/feeds/cap.xml", name="feed_cap")
@public
async def cap(request: web.Request) -> web.Response:
    """The CAP 1.2 messages of the public alerts, as an Atom feed."""
    body = await feeds.cap_feed(request.app[keys.DB], request.app[keys.SETTINGS])
    return _xml(body, "application/atom+xml")
