"""The database fixtures: a real PostgreSQL, one template database migrated once, a clone per
test, and a pool on it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from alerts.db import database as db
from alerts.publication import materials

_counter = itertools.count()


def with_database(dsn: str, name: str) -> str:
    """`dsn` pointing at database `name` (works for URLs with ?host=/socket too)."""
    head, sep, query = dsn.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}{sep}{query}"


async def admin(dsn: str, *statements: str) -> None:
    """Run `statements` on `dsn`, one at a time (CREATE DATABASE cannot share a transaction)."""
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def empty_database(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a new, empty database on the server of `dsn`; dropped at exit."""
    name = f"alerts_empty_{uuid.uuid4().hex[:8]}"
    await admin(dsn, f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(with_database(dsn, name))
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        await admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server_dsn() -> Iterator[str]:
    """TEST_DATABASE_URL when set, else an embedded PostgreSQL for this test run.

    Its data lives in a folder of its own, not under pytest's temporary folder: pytest keeps the
    temporary folders of the last three runs of the same user and deletes older ones, so a
    second test run started meanwhile would delete the data of a server still in use."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="alerts-test-pg-") as folder:
        server = db.EmbeddedPostgres(Path(folder))
        url = server.start()
        asyncio.run(admin(url, *_THROWAWAY))
        yield url
        server.stop()


# A server of the run's own, thrown away at its end: no need to survive a crash of the machine.
# Each test clones the template (CREATE DATABASE), which otherwise waits for the disk each time.
_THROWAWAY = (
    "ALTER SYSTEM SET fsync = off",
    "ALTER SYSTEM SET synchronous_commit = off",
    "ALTER SYSTEM SET full_page_writes = off",
    "SELECT pg_reload_conf()",
)


@pytest.fixture
def pg_tmp_path() -> Iterator[Path]:
    """A folder of the test's own for an embedded PostgreSQL, outside pytest's temporary root.

    When the tests run as root, pgserver runs PostgreSQL as a user of its own, which must be
    able to enter every parent folder: it opens them up, but any pytest run started meanwhile
    (another session, or the controller of pytest-xdist) closes pytest's root to its owner
    again (0700), and the server's initdb then fails. /tmp stays open to everyone."""
    with tempfile.TemporaryDirectory(prefix="alerts-test-data-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def template_db(pg_server_dsn: str) -> Iterator[str]:
    """A database with every migration applied, cloned by each test."""
    name = f"alerts_tmpl_{uuid.uuid4().hex[:8]}"

    async def build() -> None:
        await admin(pg_server_dsn, f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(pg_server_dsn, name))
        try:
            await db.migrate(conn)
        finally:
            await conn.close()

    asyncio.run(build())
    yield name
    asyncio.run(admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Clones:
    """Clones of the template, each made one test ahead, in a thread of their own: a CREATE
    DATABASE waits for the server's disk (about half a second on a server that syncs to it),
    and the test before runs meanwhile. A test's clone is dropped when the next test takes its
    own, once everything of the test (its application's shutdown too) is over; one thread does
    both in the order asked."""

    def __init__(self, dsn: str, template: str) -> None:
        self.dsn, self.template = dsn, template
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="clones")
        self._next: Future[str] | None = None
        self._used: list[str] = []
        self._drops: list[Future[None]] = []

    async def take(self) -> str:
        """A new clone's name (the next one is started at once, the used ones dropped)."""
        if self._next is None:
            self._next = self._thread.submit(self._create)
        made, self._next = self._next, self._thread.submit(self._create)
        self._drop_used()
        return await asyncio.wrap_future(made)

    def give_back(self, name: str) -> None:
        """Clone `name`'s test is over: drop it at the next `take` (or `close`)."""
        self._used.append(name)

    def close(self) -> None:
        """Drop every clone left, wait for every drop, and fail on the first that failed."""
        if self._next is not None:
            self._used.append(self._next.result())
        self._drop_used()
        self._thread.shutdown(wait=True)
        for drop in self._drops:
            drop.result()

    def _drop_used(self) -> None:
        self._drops += [self._thread.submit(self._drop, name) for name in self._used]
        self._used.clear()

    def _create(self) -> str:
        name = f"alerts_test_{os.getpid()}_{next(_counter)}"
        asyncio.run(admin(self.dsn, f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def _drop(self, name: str) -> None:
        asyncio.run(admin(self.dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def clones(pg_server_dsn: str, template_db: str) -> Iterator[Clones]:
    made = Clones(pg_server_dsn, template_db)
    yield made
    made.close()


@pytest.fixture
async def database_url(clones: Clones) -> AsyncIterator[str]:
    """A fresh database for one test, cloned from the migrated template."""
    name = await clones.take()
    yield with_database(clones.dsn, name)
    clones.give_back(name)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await db.create_pool(database_url, min_size=1, max_size=5)
    yield created
    await materials.drain()  # post images still rendering after an approval use this pool
    await created.close()


@pytest.fixture
def database(pool: asyncpg.Pool) -> db.Database:
    return db.Database(pool)
