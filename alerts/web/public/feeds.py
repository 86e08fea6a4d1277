"""The public feeds: /feeds/alerts.atom and /feeds/cap.xml (see alerts/partners/feeds.py).

Each feed is kept ready in each web process until any public case changes
(alerts/web/public/page_cache.py), and browsers and a CDN may keep it for PUBLIC_CACHE_SECONDS
(the CDN purge hook names the feeds). They answer conditional requests (RFC 9110,
`page_cache.not_modified`): a strong ETag (for Atom, a hash of the bytes) and Last-Modified (for
Atom, the feed's `updated`), and 304 Not Modified when If-None-Match matches the ETag, or,
without If-None-Match, when If-Modified-Since is not older than Last-Modified. A value that
cannot be read (no entity tag in If-None-Match, not an HTTP-date in If-Modified-Since) is
ignored, as RFC 9110 says (the full feed is sent); a header that is not text at all gets a 400
from alerts.web.protocol.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC

from aiohttp import hdrs, web

from alerts.i18n import LANGUAGES
from alerts.partners import feeds
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public import page_cache
from alerts.web.public.page_cache import CACHE, Ready

routes = web.RouteTableDef()


def _headers(request: web.Request) -> dict[str, str]:
    return {
        hdrs.CONTENT_TYPE: "application/atom+xml; charset=utf-8",
        hdrs.CACHE_CONTROL: page_cache.shared(request.app[keys.SETTINGS].public_cache_seconds),
        hdrs.VARY: "Accept-Encoding",
    }


async def _kept(
    request: web.Request, key: tuple[str, ...], build: page_cache.Builder
) -> web.StreamResponse:
    cache = request.app[CACHE]
    entry = cache.get(key) or await cache.obtain(key, build)
    return page_cache.respond(request, entry) if isinstance(entry, Ready) else entry


def _from_memory(key: Callable[[web.Request], tuple[str, ...]]) -> page_cache.Quick:
    def quick(request: web.Request) -> web.Response | None:
        entry = request.app[CACHE].get(key(request))
        return None if entry is None else page_cache.respond(request, entry)

    return quick


def _atom_key(request: web.Request) -> tuple[str, str]:
    lang = request.query.get("lang")
    return ("atom", lang if lang in LANGUAGES else "")


@routes.get("/feeds/alerts.atom", name="feed_atom")
@public
@page_cache.served_from(_from_memory(_atom_key))
async def atom(request: web.Request) -> web.StreamResponse:
    """The public alerts as Atom, in `?lang=` when a case has that language; each language's
    feed has its own id. Conditional requests get 304 while it has not changed."""
    lang = _atom_key(request)[1] or None  # None: the default language's, at the plain address

    async def build() -> Ready:
        settings = request.app[keys.SETTINGS]
        body, updated = await feeds.atom_feed(request.app[keys.DB], settings, lang)
        modified = int(updated.astimezone(UTC).timestamp())
        return request.app[CACHE].ready(None, 200, body, _headers(request),
                                        digest=hashlib.sha256(body).hexdigest()[:40],
                                        modified=modified)  # fmt: skip

    return await _kept(request, _atom_key(request), build)


@routes.get("/feeds/cap.xml", name="feed_cap")
@public
@page_cache.served_from(_from_memory(lambda _: ("cap",)))
async def cap(request: web.Request) -> web.StreamResponse:
    """The CAP 1.2 messages of the public alerts, as an Atom feed."""

    async def build() -> Ready:
        body = await feeds.cap_feed(request.app[keys.DB], request.app[keys.SETTINGS])
        return request.app[CACHE].ready(None, 200, body, _headers(request))

    return await _kept(request, ("cap",), build)
