"""The public resources each web process keeps ready: the case page per language, its photo,
posters and images, and the feeds, answered from memory without a database round trip.

An entry is built by the handler's ordinary path (which reads the database) on the first request
after an invalidation, once per key however many requests arrive meanwhile, and kept until
PostgreSQL says the case changed: triggers (migration 0018) send `NOTIFY alerts_public '<case
id>'` inside every transaction that changes a case, its consent, its materials or the state of
what it hosts (close, narrowing, revision), and PostgreSQL delivers it at the commit to the one
connection each web process listens on. A notification drops the case's entries and the feeds.
While that connection is down the cache is off (every request reads the database), and when it
is back the whole cache is dropped first: notifications sent meanwhile are lost.

A build that started before an invalidation is not kept (the generation counter), so an entry
never outlives a notification that arrived while it was being built. An entry of a consent with
an end date expires at that date.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import asyncpg
from aiohttp import hdrs, web

from alerts.db.database import Database
from alerts.web import keys, middlewares, protocol
from alerts.web.middlewares import Handler

log = logging.getLogger(__name__)
CHANNEL = "alerts_public"
KEEPALIVE_SECONDS = 5.0  # the listening connection is checked this often (a silent drop)
STOP_SECONDS = 5.0  # how long a web process waits for the listener to stop


@dataclass(frozen=True, kw_only=True, slots=True)
class Ready:
    """A response kept ready. For the case page `tail` is set: the visitor's form token goes
    between `body` and `tail` (the double-submit CSRF token of the sighting form)."""

    status: int
    body: bytes
    headers: dict[str, str]
    case_id: int | None = None
    revision: int | None = None
    tail: bytes | None = None
    digest: str = ""
    modified: int = 0  # Last-Modified, seconds since the epoch
    expires: float | None = None  # time.time() after which the entry is not used
    last_modified: str = field(default="", compare=False)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.tail or b"") + 512


Built = Ready | web.StreamResponse
Builder = Callable[[], Awaitable[Built]]
Key = Hashable


class PageCache:
    """Ready responses by key, dropped per case on notification; off while not listening."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.live = False
        self.generation = 0
        self.hits = self.builds = 0
        self._entries: OrderedDict[Key, Ready] = OrderedDict()
        self._by_case: dict[int, set[Key]] = {}
        self._floors: dict[int, int] = {}  # per case: a Last-Modified later than any dropped
        self._locks: dict[Key, asyncio.Lock] = {}
        self._size = 0

    def get(self, key: Key) -> Ready | None:
        if not self.live:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires is not None and time.time() >= entry.expires:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    async def obtain(self, key: Key, build: Callable[[], Awaitable[Built]]) -> Built:
        """The entry for `key`, built by `build` once for all the requests waiting for it; a
        response `build` returns that is not a Ready (a 404, a redirect) is this request's."""
        found = self.get(key)
        if found is not None:
            return found
        if not self.live:
            return await build()
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                found = self.get(key)
                if found is not None:
                    return found
                generation = self.generation
                built = await build()
                self.builds += 1
                if isinstance(built, Ready):
                    self._put(key, built, generation)
                return built
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    def ready(self, case_id: int | None, status: int, body: bytes, headers: dict[str, str], *,
              digest: str | None = None, modified: int | None = None, **extra: Any
              ) -> Ready:  # fmt: skip
        """An entry with its validators: a digest of the bytes (or `digest`) and a
        Last-Modified (or `modified`) later than that of any entry the case's last
        notification dropped."""
        if digest is None:
            whole = body + (extra.get("tail") or b"")
            digest = hashlib.blake2b(whole, digest_size=12).hexdigest()
        if modified is None:
            modified = max(math.ceil(time.time()), self._floors.get(case_id or 0, 0))
        return Ready(status=status, body=body, headers=headers, case_id=case_id, digest=digest,
                     modified=modified, last_modified=formatdate(modified, usegmt=True),
                     **extra)  # fmt: skip

    def _put(self, key: Key, entry: Ready, generation: int) -> None:
        if not self.live or generation != self.generation or entry.size > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = entry
        self._size += entry.size
        self._by_case.setdefault(entry.case_id or 0, set()).add(key)
        while self._size > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= entry.size
            keys = self._by_case.get(entry.case_id or 0)
            if keys is not None:
                keys.discard(key)

    def invalidate(self, case_id: int) -> None:
        """Drop what shows the case, and the feeds (case 0: entries of no one case)."""
        self.generation += 1
        self._floors[case_id] = math.ceil(time.time()) + 1
        for group in (case_id, 0):
            for key in list(self._by_case.pop(group, ())):
                self._drop(key)

    def clear(self) -> None:
        self.generation += 1
        floor = math.ceil(time.time()) + 1
        self._floors = {case_id: floor for case_id in self._by_case}
        self._entries.clear()
        self._by_case.clear()
        self._size = 0


def shared(seconds: int) -> str:
    """The Cache-Control of what browsers and a CDN may keep a little: `seconds` fresh, and
    as long again stale while they ask for it anew."""
    return f"public, max-age={seconds}, stale-while-revalidate={seconds}"


# -- conditional requests --------------------------------------------------------------------------


_ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\U0010ffff]*)"')


def not_modified(request: web.Request, etag: str, modified: int) -> bool:
    """Whether a GET or HEAD may be answered 304 (RFC 9110, 13.2.2): If-None-Match decides when
    present (weak comparison, `*` matches); else If-Modified-Since, when it is one HTTP-date.
    A value that cannot be read is ignored, as the RFC says."""
    if request.method not in ("GET", "HEAD"):
        return False
    if hdrs.IF_NONE_MATCH in request.headers:
        value = ",".join(request.headers.getall(hdrs.IF_NONE_MATCH))
        if value.strip() == "*":
            return True
        return etag.strip('"') in _ENTITY_TAG.findall(value)
    since = _http_date(request.headers.getall(hdrs.IF_MODIFIED_SINCE, []))
    return since is not None and modified <= since.timestamp()


def _http_date(values: list[str]) -> datetime | None:
    """The one HTTP-date of If-Modified-Since; None when absent, repeated or not a date."""
    if len(values) != 1:
        return None
    try:
        moment = parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def respond(request: web.Request, entry: Ready, etag: str | None = None,
            body: bytes | None = None) -> web.Response:  # fmt: skip
    """The entry as a response (304 when the client has it); `etag`/`body` for the page, whose
    token the caller placed."""
    headers = dict(entry.headers)
    if entry.status != 200:
        return web.Response(status=entry.status, body=entry.body, headers=headers)
    etag = etag or f'"{entry.digest}"'
    headers["ETag"] = etag
    headers["Last-Modified"] = entry.last_modified
    if not_modified(request, etag, entry.modified):
        headers.pop("Content-Type", None)
        headers.pop("Content-Disposition", None)
        return web.Response(status=304, headers=headers)
    return web.Response(status=200, body=entry.body if body is None else body, headers=headers)


def moved(request: web.Request, entry: Ready) -> bool:
    """Whether the address names an earlier revision (`?rev=N`), which leads to the current."""
    rev = request.query.get("rev")
    return entry.revision is not None and rev is not None and rev != str(entry.revision)


def to_current(request: web.Request) -> web.HTTPFound:
    query = {k: v for k, v in request.rel_url.query.items() if k != "rev"}
    return web.HTTPFound(str(request.rel_url.with_query(query)))


def captured(response: web.Response) -> tuple[bytes, dict[str, str]]:
    """The bytes and headers of a response a handler rendered, to keep them (no cookie)."""
    headers = {
        k: v for k, v in response.headers.items() if k not in ("Content-Length", "Set-Cookie")
    }
    assert isinstance(response.body, bytes)
    return response.body, headers


# -- answering before the other middlewares -----------------------------------------------------

Quick = Callable[[web.Request], web.Response | None]


def served_from(quick: Quick) -> Callable[[Handler], Handler]:
    """Mark a handler whose kept answers `quick` gives without a database call (None: not
    kept), for `from_memory`."""

    def mark(handler: Handler) -> Handler:
        handler.from_memory = quick  # type: ignore[attr-defined]
        return handler

    return mark


@web.middleware
async def from_memory(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The outermost middleware: a kept public answer goes out at once, with the security
    headers, as long as the request is one the other middlewares would let through unchanged
    (readable headers and cookies: else they answer it, with their 400). Everything else, a
    cache miss included, goes through them."""
    quick = getattr(request.match_info.handler, "from_memory", None)
    if quick is not None and request.method in ("GET", "HEAD") and protocol.readable_as_is(request):
        response = quick(request)
        if response is not None:
            middlewares.add_security_headers(request, response)
            return response
    return await handler(request)


# -- the listening connection ----------------------------------------------------------------------


class Listener:
    """Listens on `alerts_public` for one web process; reconnects and drops the cache after a
    lost connection; tells `on_change` (the CDN purge) which case changed."""

    def __init__(self, cache: PageCache, on_change: Callable[[int], None] | None = None) -> None:
        self.cache = cache
        self.on_change = on_change
        self.connected = asyncio.Event()
        self.backend_pid: int | None = None
        self.marks: dict[str, asyncio.Event] = {}

    def _notified(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if payload.startswith("mark "):  # see `settled`
            self.marks.setdefault(payload, asyncio.Event()).set()
            return
        try:
            case_id = int(payload)
        except ValueError:
            self.cache.clear()
            return
        self.cache.invalidate(case_id)
        if self.on_change is not None:
            self.on_change(case_id)

    async def settled(self, pool: asyncpg.Pool) -> None:
        """Return once every change committed before the call has reached this process: a
        mark sent now is delivered after them (PostgreSQL delivers in commit order)."""
        await asyncio.wait_for(self.connected.wait(), 5.0)
        mark = f"mark {id(self)}.{time.monotonic_ns()}"
        event = self.marks.setdefault(mark, asyncio.Event())
        try:
            await Database(pool).execute("public_cache_mark", mark)
            await asyncio.wait_for(event.wait(), 5.0)
        finally:
            self.marks.pop(mark, None)

    async def run(self, dsn: str) -> None:
        """Listen on a connection of its own (not one of the pool's: the requests keep them all),
        until cancelled."""
        while True:
            try:
                await self._listen(dsn)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - any failure: off, then try again
                log.warning("public cache: listening failed", extra={
                    "action": "page_cache.listen_failed", "error": type(err).__name__})  # fmt: skip
            # A cancellation that a timeout inside the driver swallowed (asyncio.wait_for on
            # Python 3.11 loses one that comes as its call ends) is still asked of the task:
            # stop, rather than reconnect for ever while the process waits to shut down.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError
            await asyncio.sleep(1.0)

    async def _listen(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn, timeout=KEEPALIVE_SECONDS)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._notified)
            self.backend_pid = conn.get_server_pid()
            self.cache.clear()  # what changed while nobody listened
            self.cache.live = True
            self.connected.set()
            try:
                while not conn.is_closed() and not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
                    except TimeoutError:
                        async with asyncio.timeout(KEEPALIVE_SECONDS):
                            await Database(conn).fetchval("public_cache_ping")
            finally:
                self.cache.live = False
                self.cache.clear()
                self.connected.clear()
                self.backend_pid = None
                if not conn.is_closed():
                    await conn.remove_listener(CHANNEL, self._notified)
        finally:
            await conn.close(timeout=KEEPALIVE_SECONDS)


CACHE = web.AppKey("page_cache", PageCache)
LISTENER = web.AppKey("page_cache_listener", Listener)


def setup(app: web.Application, on_change: Callable[[web.Application, int], None]) -> None:
    """Give `app` its cache and the task that listens while it runs."""
    settings = app[keys.SETTINGS]
    cache = PageCache(settings.page_cache_mb * 1024 * 1024)
    app[CACHE] = cache
    app[LISTENER] = Listener(cache, lambda case_id: on_change(app, case_id))

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        dsn = app.get(keys.DSN)
        task = None
        if dsn and settings.page_cache_mb > 0:
            task = asyncio.get_running_loop().create_task(app[LISTENER].run(dsn))
        yield
        if task is not None:
            task.cancel()
            # Never wait for ever: a stop must end even while the database is away.
            _, pending = await asyncio.wait({task}, timeout=STOP_SECONDS)
            if pending:
                log.warning("public cache: listener did not stop",
                            extra={"action": "page_cache.stop_timeout"})  # fmt: skip

    app.cleanup_ctx.append(ctx)
