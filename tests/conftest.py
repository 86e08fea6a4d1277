"""Test fixtures: a real PostgreSQL, one template database migrated once, a clone per test."""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db import database as db
from alerts.publication import materials
from alerts.staff import auth
from alerts.staff.models import Role, Staff

# The fixtures of the channels run for real (the Telegram sandbox, the SMTP sink): a plugin rather
# than an import, because tests/live.py imports this module.
pytest_plugins = ["tests.live"]

PASSWORD = "correct horse battery staple"
_counter = itertools.count()


def _with_database(dsn: str, name: str) -> str:
    """`dsn` pointing at database `name` (works for URLs with ?host=/socket too)."""
    head, sep, query = dsn.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}{sep}{query}"


async def _admin(dsn: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_server_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """TEST_DATABASE_URL when set, else an embedded PostgreSQL for this test run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    server = db.EmbeddedPostgres(tmp_path_factory.mktemp("pg"))
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def template_db(pg_server_dsn: str) -> Iterator[str]:
    """A database with every migration applied, cloned by each test."""
    name = f"alerts_tmpl_{uuid.uuid4().hex[:8]}"

    async def build() -> None:
        await _admin(pg_server_dsn, f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(_with_database(pg_server_dsn, name))
        try:
            await db.migrate(conn)
        finally:
            await conn.close()

    asyncio.run(build())
    yield name
    asyncio.run(_admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(pg_server_dsn: str, template_db: str) -> AsyncIterator[str]:
    """A fresh database for one test, cloned from the migrated template."""
    name = f"alerts_test_{os.getpid()}_{next(_counter)}"
    await _admin(pg_server_dsn, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield _with_database(pg_server_dsn, name)
    await _admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {},
        database_url=database_url,
        data_dir=str(tmp_path),
        secure_cookies=False,
        geocoder="offline",
    )


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await db.create_pool(database_url, min_size=1, max_size=5)
    yield created
    await materials.drain()
    await created.close()


@pytest.fixture
def database(pool: asyncpg.Pool) -> db.Database:
    return db.Database(pool)


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], settings: Settings
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(settings))


StaffFactory = Callable[..., Awaitable[Staff]]


@pytest.fixture
def make_staff(database: db.Database) -> StaffFactory:
    """Create a staff account (password: PASSWORD)."""

    async def make(role: Role = Role.CASE_MANAGER, username: str | None = None) -> Staff:
        username = username or f"staff{next(_counter)}"
        staff_id = await auth.create_staff(
            database, username=username, display_name=username.title(), role=role,
            password=PASSWORD,
        )  # fmt: skip
        row = await database.fetchrow("staff_by_id", staff_id)
        assert row is not None
        return Staff.from_row(row)

    return make


Bearer = Callable[[Staff], Awaitable[dict[str, str]]]


@pytest.fixture
def bearer(database: db.Database) -> Bearer:
    """Authorization headers with a fresh API token for a staff member."""

    async def make(staff: Staff) -> dict[str, str]:
        token = await auth.create_api_token(database, staff.username, "tests")
        return {"Authorization": f"Bearer {token}"}

    return make
