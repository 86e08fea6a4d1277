"""The public feeds: /feeds/alerts.atom and /feeds/cap.xml (see alerts/partners/feeds.py)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from alerts.i18n import LANGUAGES
from alerts.partners import feeds
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public import page_cache
from alerts.web.public.page_cache import CACHE, Ready

routes = web.RouteTableDef()


def _xml(request: web.Request, body: bytes, content_type: str) -> Ready:
    """The feed, kept ready in this process until any public case changes (page_cache), and
    kept by browsers and a CDN for PUBLIC_CACHE_SECONDS (the CDN purge hook names the feeds)."""
    seconds = request.app[keys.SETTINGS].public_cache_seconds
    headers = {"Content-Type": f"{content_type}; charset=utf-8",
               "Cache-Control": page_cache.shared(seconds)}  # fmt: skip
    return request.app[CACHE].ready(None, 200, body, headers)


async def _kept(
    request: web.Request, key: tuple[str, ...], build: page_cache.Builder
) -> web.StreamResponse:
    cache = request.app[CACHE]
    entry = cache.get(key) or await cache.obtain(key, build)
    return page_cache.respond(request, entry) if isinstance(entry, Ready) else entry


def _atom_key(request: web.Request) -> tuple[str, str]:
    lang = request.query.get("lang", "")
    return ("atom", lang if lang in LANGUAGES else request.app[keys.SETTINGS].default_languages[0])


def _from_memory(key: Callable[[web.Request], tuple[str, ...]]) -> page_cache.Quick:
    def quick(request: web.Request) -> web.Response | None:
        entry = request.app[CACHE].get(key(request))
        return None if entry is None else page_cache.respond(request, entry)

    return quick


@routes.get("/feeds/alerts.atom", name="feed_atom")
@public
@page_cache.served_from(_from_memory(_atom_key))
async def atom(request: web.Request) -> web.StreamResponse:
    """The public alerts as Atom, in `?lang=` when a case has that language."""
    settings = request.app[keys.SETTINGS]
    key = _atom_key(request)
    lang = key[1]

    async def build() -> Ready:
        body = await feeds.atom_feed(request.app[keys.DB], settings, lang)
        return _xml(request, body, "application/atom+xml")

    return await _kept(request, key, build)


@routes.get("/feeds/cap.xml", name="feed_cap")
@public
@page_cache.served_from(_from_memory(lambda _: ("cap",)))
async def cap(request: web.Request) -> web.StreamResponse:
    """The CAP 1.2 messages of the public alerts, as an Atom feed."""

    async def build() -> Ready:
        body = await feeds.cap_feed(request.app[keys.DB], request.app[keys.SETTINGS])
        return _xml(request, body, "application/atom+xml")

    return await _kept(request, ("cap",), build)
