"""What the browser tests share: the system's Chromium through Playwright (`browser`), the
service as a process on the test's database (`live`, `serve_env`), a page's errors, the windows
and languages the pages are looked at in, axe-core's WCAG 2.2 AA rules, and map tile servers
(one that answers, `tile_server`; for one that refuses, tests.support.processes.free_port).

Chromium is the system's (/usr/bin/chromium, installed by scripts/test); on CI its absence is a
failure, elsewhere a skip.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

from alerts.db.database import Database
from alerts.staff.models import Staff
from tests.support.app import PASSWORD
from tests.support.processes import serving

try:
    from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright
except ImportError:  # pragma: no cover - reported by the fixture below
    async_playwright = None  # type: ignore[assignment]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LANGS = ("nl", "fr", "de", "en")
WINDOWS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}  # fmt: skip
NOTICE = "The map background could not be loaded: the points are shown on a plain grid."


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if async_playwright is None or not shutil.which(CHROMIUM):
        missing = "playwright is not installed" if async_playwright is None else "no Chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}: scripts/test installs both")
        pytest.skip(missing)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


def serve_env(database_url: str, tmp_path: Any, **extra: str) -> dict[str, str]:
    """The environment of `run.py serve` on the test's database (`extra`: more settings)."""
    return {"DATABASE_URL": database_url, "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING",
            "GEOCODER": "offline", "DATA_DIR": str(tmp_path), **extra}  # fmt: skip


def map_env(database_url: str, tmp_path: Any, tiles: str) -> dict[str, str]:
    """The environment of `run.py serve` with its map tiles from `tiles`."""
    return serve_env(database_url, tmp_path, MAP_TILE_URL=tiles)


@pytest.fixture
async def live(database_url: str, tmp_path: Any) -> AsyncIterator[str]:
    """The service's address, served by `run.py serve` on the test's database."""
    async with serving(serve_env(database_url, tmp_path)) as base:
        yield base


def errors_of(page: Page) -> list[str]:
    """The page's script errors, policy violations and failed loads. Map tiles that cannot
    load are fine (the test machine has no internet, and the page must work without them),
    and so is the browser's own look for /favicon.ico (the service has none)."""
    found: list[str] = []

    def console(message: ConsoleMessage) -> None:
        where = str(message.location.get("url", ""))
        tiles = "openstreetmap.org" in where + message.text
        if message.type == "error" and not tiles and not where.endswith("/favicon.ico"):
            found.append(f"{message.text} ({where})")

    page.on("pageerror", lambda exc: found.append(str(exc)))
    page.on("console", console)
    return found


async def log_in(page: Page, live: str, staff: Staff) -> None:
    """`staff` logged in to the console through its form."""
    await page.goto(f"{live}/login")
    await page.fill("#username", staff.username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live}/console**")


async def sighting_rows(database: Database) -> list[dict[str, Any]]:
    return [dict(r) for r in await database.conn.fetch("SELECT * FROM sightings ORDER BY id")]


@pytest.fixture
async def tile_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A tile server that answers every tile (a plain PNG) and keeps each request's Referer."""
    referers: list[str] = []
    png = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(png, format="PNG")

    async def tile(request: web.Request) -> web.Response:
        referers.append(request.headers.get("Referer", ""))
        return web.Response(body=png.getvalue(), content_type="image/png")

    app = web.Application()
    app.router.add_get("/{z}/{x}/{y}.png", tile)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", referers
    await runner.cleanup()
