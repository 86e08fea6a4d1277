"""`python run.py demo` as a new user runs it: it prints the addresses of the console, the sandbox
page, the press room, the volunteer sign-up and the metrics, each of them answers, the two staff
accounts it prints can log in, and a restart finds the same accounts and the same volunteers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from yarl import URL

from sandbox.demo_data import COUNT
from tests.support.demo import Demo, running_demo

ADDRESSES = {"Console", "Sandbox", "Press room", "Volunteer sign-up", "Metrics"}


async def test_the_printed_addresses_answer_and_the_staff_can_log_in(pg_tmp_path: Path) -> None:
    with running_demo(pg_tmp_path / "data") as demo:
        assert set(demo.addresses) == ADDRESSES
        assert set(demo.accounts) == {"alice", "bob"}
        assert sum(demo.volunteers) == COUNT
        async with _session(demo) as session:
            for name, url in demo.addresses.items():
                async with session.get(url) as response:
                    assert response.status == 200, name
            async with session.get(demo.addresses["Sandbox"] + "?who=Ana") as response:
                assert 'data-name="Ana"' in await response.text()
            for username, password in demo.accounts.items():
                assert await _logs_in(session, demo, username, password)
        assert not _errors_logged(demo)
        first = demo
    with running_demo(pg_tmp_path / "data") as again:
        assert again.accounts == first.accounts  # kept in DATA_DIR/demo, not made anew
        assert again.volunteers == first.volunteers  # nobody added twice
    assert (pg_tmp_path / "data" / "demo" / "pgdata").is_dir()
    assert not (pg_tmp_path / "data" / "pgdata").exists()  # never `serve`'s database


async def test_serve_has_no_sandbox_page(client: TestClient[Any, Any]) -> None:
    paths = {resource.canonical for resource in client.app.router.resources()}
    assert not any(path.startswith("/sandbox") for path in paths)


def _session(demo: Demo) -> aiohttp.ClientSession:
    # Browsers keep Secure cookies from http://127.0.0.1 (a potentially trustworthy origin).
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[URL(demo.base)])
    return aiohttp.ClientSession(cookie_jar=jar)


async def _logs_in(
    session: aiohttp.ClientSession, demo: Demo, username: str, password: str
) -> bool:
    session.cookie_jar.clear()
    async with session.get(f"{demo.base}/login") as page:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found is not None
    form = {"csrf_token": found.group(1), "username": username, "password": password}
    async with session.post(f"{demo.base}/login", data=form) as response:
        landed = str(response.url)
        text = await response.text()
    return landed.endswith("/console") and "Log out" in text


def _errors_logged(demo: Demo) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in demo.log_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("level") in ("ERROR", "CRITICAL")]
