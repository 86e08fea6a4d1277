"""The public resources kept ready in each web process (alerts/web/public/page_cache.py),
attacked: a close through one web process reaches another at once; a lost listening connection
leaves nothing stale; conditional requests get 304, a revision a new ETag; the languages do not
mix; the hot path makes no database call; a CDN in front is told what to purge."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import webhooks
from alerts.web.public.page_cache import CACHE, LISTENER, Listener, PageCache
from tests.support.app import Bearer, StaffFactory
from tests.support.database import with_database
from tests.support.factories import CONSENT, approved, revise

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
FULL_NAME = {"name_mode": "full"}


def addresses(public_id: str) -> list[str]:
    folder = f"/alerts/{public_id}"
    return [folder, f"{folder}/photo.jpg", f"{folder}/poster-nl.pdf", f"{folder}/square-nl.png",
            "/feeds/alerts.atom", "/feeds/cap.xml"]  # fmt: skip


async def warm(client: TestClient[Any, Any], paths: list[str]) -> None:
    await client.app[LISTENER].connected.wait()
    for path in paths:
        assert (await client.get(path)).status == 200, path


async def test_a_close_through_one_web_process_answers_410_in_the_other_once_its_commit_is_heard(
    aiohttp_client: ClientFactory,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    one, other = (
        await aiohttp_client(create_app(settings)),
        await aiohttp_client(create_app(settings)),
    )
    case, manager = await approved(database, settings, make_staff, level=3, languages=("nl",),
                                   photo=True, consent=FULL_NAME)  # fmt: skip
    page = f"/alerts/{case.public_id}"
    for client in (one, other):
        await warm(client, [page, page])
    hits = other.app[CACHE].hits
    assert "Vermeulen" in await (await other.get(page)).text()
    assert other.app[CACHE].hits == hits + 1  # served from memory, not read again

    closed = await one.post(f"/api/cases/{case.id}/close", json={"reason": "found_safe"},
                            headers=await bearer(manager))  # fmt: skip
    assert closed.status == 200
    # The first request after the close, in each process (each test client waits for the
    # notifications committed before its request: the delay, under 1 s under load, is measured
    # by bench/public_page.py, not here).
    assert [(await c.get(page)).status for c in (one, other)] == [410, 410]
    gone = await other.get(page)
    assert gone.headers["Cache-Control"] == "no-store"
    assert "Vermeulen" not in await gone.text()


async def test_a_lost_listening_connection_leaves_nothing_stale(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("nl",),
                                   consent=FULL_NAME)  # fmt: skip
    page = f"/alerts/{case.public_id}"
    await warm(client, [page])
    assert "Vermeulen" in await (await client.get(page)).text()
    listener = client.app[LISTENER]
    killed = listener.backend_pid
    # The listening connection dies; the notification of the narrowing goes nowhere.
    assert await database.conn.fetchval("SELECT pg_terminate_backend($1, 5000)", killed)
    await pipeline.change_consent(database, settings, manager, case.id,
                                  {**CONSENT, "level": 3, "name_mode": "none"})  # fmt: skip
    assert "Vermeulen" not in await (await client.get(page)).text()
    await asyncio.wait_for(listener.connected.wait(), 10)  # listening again, on a new connection
    assert listener.backend_pid != killed
    for _ in range(2):  # kept again, and kept right
        html = await (await client.get(page)).text()
        assert "Vermeulen" not in html and "Lotte" not in html


async def test_conditional_requests_get_304_and_a_revision_a_new_etag(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("nl",),
                                   photo=True)  # fmt: skip
    await warm(client, addresses(case.public_id))
    tags = {}
    for path in addresses(case.public_id):
        first = await client.get(path)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert re.fullmatch(r'"[0-9a-f.]+"', etag), (path, etag)  # strong
        tags[path] = etag
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status == 304 and await again.read() == b"", path
        assert again.headers["ETag"] == etag
        listed = await client.get(path, headers={"If-None-Match": f'"x", W/{etag}'})
        assert listed.status == 304, path
        since = await client.get(path, headers={"If-Modified-Since": modified})
        assert since.status == 304, path
        for bad in ("yesterday", "Mon, 99 Foo 2026 99:99:99 GMT", "Mon, 01 Jan 2001"):
            answer = await client.get(path, headers={"If-Modified-Since": bad})
            assert answer.status == 200, (path, bad)  # ignored, as RFC 9110 says
        # A kept answer goes out before the other middlewares, but not around their 400.
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as plain:
            damaged = await plain.get(client.make_url(path), headers={"Cookie": "csrf=é"})
            assert damaged.status == 400, path
    files = await client.get(f"/alerts/{case.public_id}/poster-nl.pdf")
    assert files.headers["Cache-Control"] == "public, max-age=15, stale-while-revalidate=15"
    page = await client.get(f"/alerts/{case.public_id}")
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Accept-Language" in page.headers["Vary"]

    await revise(database, settings, manager, case, clothing="green hoodie")
    for path in (f"/alerts/{case.public_id}", f"/alerts/{case.public_id}/poster-nl.pdf"):
        answer = await client.get(path, headers={"If-None-Match": tags[path]})
        assert answer.status == 200 and answer.headers["ETag"] != tags[path], path
    assert "green hoodie" in await (await client.get(f"/alerts/{case.public_id}")).text()
    photo = f"/alerts/{case.public_id}/photo.jpg"  # the same photo: the same bytes, the same tag
    assert (await client.get(photo, headers={"If-None-Match": tags[photo]})).status == 304


async def test_the_languages_do_not_mix(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, languages=("nl", "fr"))
    page = f"/alerts/{case.public_id}"
    asked = [({"Accept-Language": "fr-BE"}, "", "fr", "DISPARU"),
             ({}, "?lang=de", "de", "VERMISST"),
             ({"Accept-Language": "es"}, "", "nl", "VERMIST"),  # no match: the case's first
             ({"Accept-Language": "fr"}, "?lang=en", "en", "MISSING"),
             ({"Accept-Language": "de"}, "", "de", "VERMISST")]  # fmt: skip
    for _ in range(2):  # built, then kept
        for headers, query, lang, headline in asked:
            response = await client.get(page + query, headers=headers)
            html = await response.text()
            assert f'<html lang="{lang}">' in html and headline in html, (headers, query)
            assert response.headers["Content-Language"] == lang
            others = {"DISPARU", "VERMISST", "VERMIST", "MISSING"} - {headline}
            assert not any(f">{word}<" in html for word in others), (headers, query)


class Counted:
    """Counts the calls on every Database (the pools and transactions of the application)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        for name in ("fetch", "fetchrow", "fetchval", "execute", "transaction"):
            original = getattr(Database, name)
            monkeypatch.setattr(Database, name, self._counting(original))

    def _counting(self, original: Any) -> Any:
        def counted(db: Database, *args: Any) -> Any:
            self.calls += 1
            return original(db, *args)

        return counted


async def test_the_hot_path_makes_no_database_call_and_the_form_still_works(
    client: TestClient[Any, Any],
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, languages=("nl",),
                             photo=True)  # fmt: skip
    await warm(client, addresses(case.public_id))
    counted = Counted(monkeypatch)
    # Through the client's own session: the test client's wait for the cache's notifications
    # (tests/support/page_cache.py) is itself a database call.
    session = client.session
    for _ in range(3):
        for path in addresses(case.public_id):
            async with session.get(client.make_url(path)) as answer:
                assert answer.status == 200, path
    async with session.get(client.make_url(f"/alerts/{case.public_id}")) as page:
        text = await page.text()
    assert counted.calls == 0
    # The kept page carries this visitor's form token, matching their cookie: a report works.
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert token is not None and token.group(1) == client.session.cookie_jar.filter_cookies(
        client.make_url("/"))["csrf"].value  # fmt: skip
    monkeypatch.undo()
    report = await client.post(f"/alerts/{case.public_id}/sightings", allow_redirects=False,
                               data={"csrf_token": token.group(1)})  # fmt: skip
    assert report.status != 403  # an incomplete report, not a forged one


async def test_a_cdn_in_front_is_told_what_to_purge_after_the_close(
    aiohttp_client: ClientFactory,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    purged: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
    failures = [1]  # the CDN fails once: the call is made again

    async def purge(request: web.Request) -> web.Response:
        if failures:
            failures.pop()
            return web.Response(status=503)
        await purged.put((dict(request.headers), await request.read()))
        return web.Response(status=200)

    cdn = web.Application()
    cdn.router.add_post("/purge", purge)
    server = TestServer(cdn)
    await server.start_server()
    try:
        case, manager = await approved(database, settings, make_staff, level=3,
                                       languages=("nl",))  # fmt: skip
        with_cdn = dataclasses.replace(settings, cdn_purge_url=str(server.make_url("/purge")),
                                       cdn_purge_secret="s3cret")  # fmt: skip
        client = await aiohttp_client(create_app(with_cdn))
        await client.app[LISTENER].connected.wait()
        while not purged.empty():
            purged.get_nowait()
        await pipeline.close(database, manager, case.id, "found_safe")
        while True:
            headers, body = await asyncio.wait_for(purged.get(), 10)
            paths = json.loads(body)["paths"]
            if f"/alerts/{case.public_id}" in paths:
                break
        assert webhooks.verify_signature("s3cret", headers[webhooks.TIMESTAMP_HEADER], body,
                                         headers[webhooks.SIGNATURE_HEADER])  # fmt: skip
        assert f"/alerts/{case.public_id}/poster-nl.pdf" in paths and "/feeds/cap.xml" in paths
    finally:
        await server.close()


async def test_the_listener_stops_at_once_while_its_database_is_gone(
    pg_server_dsn: str,
) -> None:
    # A web process stopped while its database is away (dropped, restarting): the listener is
    # reconnecting every second; the stop must end it, not wait for a database to come back.
    listener = Listener(PageCache(1 << 20))
    gone = with_database(pg_server_dsn, f"alerts_gone_{time.monotonic_ns()}")
    for pause in (0.0, 0.3, 1.1, 2.05):  # inside the connect, the wait, the next connect
        task = asyncio.create_task(listener.run(gone))
        await asyncio.sleep(pause)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=3.0)
        assert done and task.cancelled(), pause
        assert not listener.connected.is_set()
