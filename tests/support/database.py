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
        yield server.start()
        server.stop()


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


@pytest.fixture
async def database_url(pg_server_dsn: str, template_db: str) -> AsyncIterator[str]:
    """A fresh database for one test, cloned from the migrated template."""
    name = f"alerts_test_{os.getpid()}_{next(_counter)}"
    await admin(pg_server_dsn, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_server_dsn, name)
    await admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await db.create_pool(database_url, min_size=1, max_size=5)
    yield created
    await materials.drain()  # post images still rendering after an approval use this pool
    await created.close()


@pytest.fixture
def database(pool: asyncpg.Pool) -> db.Database:
    return db.Database(pool)
