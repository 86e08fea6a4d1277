"""The service's fixtures: settings on the test's database, a client of the application, staff
accounts (all with the password PASSWORD) and API tokens."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db import database as db
from alerts.staff import auth, tokens
from alerts.staff.models import Role, Staff
from tests.support.page_cache import SettledClient

PASSWORD = "correct horse battery staple"
_counter = itertools.count()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The service's settings on the test's database, with plain-HTTP cookies and no network."""
    return Settings.from_env(
        {},
        database_url=database_url,
        data_dir=str(tmp_path),
        secure_cookies=False,
        geocoder="offline",
    )


@pytest.fixture
def aiohttp_client_cls() -> type[TestClient[Any, Any]]:
    """Every test client waits for the page cache to hear the changes committed before each of
    its requests (tests/support/page_cache.py)."""
    return SettledClient


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], settings: Settings
) -> TestClient[Any, Any]:
    """A client of the whole application, served on `settings`."""
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
    """Authorization headers with a fresh API token for a staff member, with every scope (or the
    scopes given)."""

    async def make(staff: Staff, scopes: tuple[str, ...] = tuple(tokens.Scope)) -> dict[str, str]:
        issued = await tokens.create(database, username=staff.username, name="tests", scopes=scopes)
        return {"Authorization": f"Bearer {issued.secret}"}

    return make
