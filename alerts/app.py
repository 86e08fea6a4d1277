"""The web application: `create_app(settings)` wires the database, templates and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from aiohttp import web

from alerts import i18n
from alerts.config import Settings
from alerts.db import database
from alerts.geo.geocoding import GeocodingService
from alerts.web import keys, protocol
from alerts.web.api import approval as api_approval
from alerts.web.api import handlers as api
from alerts.web.console import approval as console_approval
from alerts.web.console import case_pages as console
from alerts.web.console import peers as console_peers
from alerts.web.console import progress, publications, staff_auth, withdrawal
from alerts.web.console import rounds as console_rounds
from alerts.web.console import searches as console_searches
from alerts.web.middlewares import error_pages, identify, security_headers
from alerts.web.public import case_pages as public_alerts
from alerts.web.public import (
    feeds,
    metrics,
    page_cache,
    peers,
    press,
    sightings,
    telegram,
    volunteer,
    volunteer_answers,
    volunteer_data,
)
from alerts.web.public import health as public
from alerts.web.public import rounds as volunteer_rounds
from alerts.web.public import searches as volunteer_searches

log = logging.getLogger(__name__)
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def create_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    return env


def _database_ctx(settings: Settings) -> database.CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        embedded = None
        dsn = settings.database_url
        if not dsn:
            embedded = database.EmbeddedPostgres(settings.data_dir)
            dsn = embedded.start()
        pool = await database.create_pool(dsn)
        try:
            async with pool.acquire() as conn:
                await database.migrate(conn)
            app[keys.DB] = database.Database(pool)
            app[keys.DSN] = dsn
            yield
        finally:
            await pool.close()
            if embedded is not None:
                embedded.stop()

    return ctx


async def _geocoder_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    service = GeocodingService(
        provider=settings.geocoder,
        nominatim_domain=settings.nominatim_domain,
        user_agent=settings.nominatim_user_agent,
        min_delay_seconds=settings.nominatim_min_delay_seconds,
    )
    app[keys.GEOCODER] = service
    yield
    await service.close()


def create_app(settings: Settings) -> web.Application:
    """The application for `settings`; the database opens and closes with it."""
    app = web.Application(
        middlewares=[
            page_cache.from_memory,  # kept public answers, before the others (see there)
            security_headers,
            error_pages,
            protocol.readable_request,
            identify,
        ],
        client_max_size=settings.photo_max_bytes + 64 * 1024,
    )
    protocol.setup(app)  # no versions in Server
    app[keys.SETTINGS] = settings
    app[keys.TEMPLATES] = create_templates()
    app.cleanup_ctx.append(_database_ctx(settings))
    app.cleanup_ctx.append(_geocoder_ctx)
    telegram.setup(app)  # after the database and the geocoder, which the bot uses
    app.add_routes(public.routes)
    app.add_routes(metrics.routes)  # /metrics, public, counted in the database
    public_alerts.setup(app)  # the case pages and their files
    sightings.setup(app)  # the sighting form, its triage in the console and the API
    withdrawal.setup(app)  # the withdrawal report, manual actions, consent revocation
    publications.setup(app)  # the publications in words: summary, paged rows, filters
    app.add_routes(press.routes)
    app.add_routes(feeds.routes)
    app.add_routes(peers.routes)  # signed CAP from peer hotlines (alerts/peers)
    app.add_routes(api.routes)
    app.add_routes(api_approval.routes)
    app.add_routes(console.routes)
    app.add_routes(console_approval.routes)
    app.add_routes(console_peers.routes)  # peer hotlines (alerts/peers)
    app.add_routes(staff_auth.routes)
    app.add_routes(progress.routes)
    app.add_routes(volunteer.routes)
    app.add_routes(volunteer_data.routes)
    app.add_routes(volunteer_answers.routes)
    app.add_routes(console_searches.routes)
    app.add_routes(volunteer_searches.routes)
    app.add_routes(console_rounds.routes)
    app.add_routes(volunteer_rounds.routes)
    app.router.add_static("/static", TEMPLATE_DIR / "static", name="static")
    return app
