"""The public feeds: /feeds/alerts.atom and /feeds/cap.xml (see alerts/partners/feeds.py)."""

from __future__ import annotations

from aiohttp import web

from alerts.i18n import LANGUAGES
from alerts.partners import feeds
from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()


def _xml(body: bytes, content_type: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type, charset="utf-8")
    # Read from the database on each request; caches must ask again (a Cancel cannot wait).
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/feeds/alerts.atom", name="feed_atom")
@public
async def atom(request: web.Request) -> web.Response:
    """The public alerts as Atom, in `?lang=` when a case has that language."""
    settings = request.app[keys.SETTINGS]
    lang = request.query.get("lang", "")
    if lang not in LANGUAGES:
        lang = settings.default_languages[0]
    body = await feeds.atom_feed(request.app[keys.DB], settings, lang)
    return _xml(body, "application/atom+xml")


@routes.get("/feeds/cap.xml", name="feed_cap")
@public
async def cap(request: web.Request) -> web.Response:
    """The CAP 1.2 messages of the public alerts, as an Atom feed."""
    body = await feeds.cap_feed(request.app[keys.DB], request.app[keys.SETTINGS])
    return _xml(body, "application/atom+xml")
