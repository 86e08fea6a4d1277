"""The staff console through HTTP as a browser uses it: the login form, the session's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from alerts.staff.models import Staff
from tests.support.app import PASSWORD

Client = TestClient[Any, Any]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def login(
    client: Client, staff: Staff, password: str = PASSWORD, **extra: str
) -> ClientResponse:
    """Post the login form as a browser would (after loading it); the unfollowed answer."""
    page = await client.get("/login")
    form = {"csrf_token": csrf_in(await page.text()), "username": staff.username,
            "password": password, **extra}  # fmt: skip
    return await client.post("/login", data=form, allow_redirects=False)


async def logged_in(client: Client, staff: Staff) -> str:
    """Log `staff` in on `client`; the session's CSRF token for the console's forms."""
    client.session.cookie_jar.clear()
    answer = await login(client, staff)
    assert answer.status == 303, await answer.text()
    page = await client.get("/console")
    return csrf_in(await page.text())
