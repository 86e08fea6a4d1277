"""Staff login, sessions and re-authentication, through real HTTP against a real database."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pyotp
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from yarl import URL

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import attempts
from alerts.staff.models import Role, Staff
from tests.support import factories
from tests.support.app import PASSWORD, StaffFactory
from tests.support.console import csrf_in, logged_in, login

Client = TestClient[Any, Any]


def session_token(client: Client) -> str | None:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get("session")
    return cookie.value if cookie else None


async def pending_case(database: Database, staff: Staff) -> int:
    case = await factories.pending(database, staff)
    return case.id


async def test_login_sets_an_httponly_cookie_and_rotates_it(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    first = await login(client, staff)
    assert first.status == 303 and first.headers["Location"] == "/console"
    header = first.headers["Set-Cookie"]
    assert header.startswith("session=") and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Path=/" in header and "Max-Age=43200" in header
    old = session_token(client)

    second = await login(client, staff)
    assert second.status == 303
    new = session_token(client)
    assert new and old and new != old
    client.session.cookie_jar.clear()
    stale = await client.get("/console", cookies={"session": old}, allow_redirects=False)
    assert stale.status == 303 and stale.headers["Location"].startswith("/login")
    fresh = await client.get("/console", cookies={"session": new}, allow_redirects=False)
    assert fresh.status == 200
    actions = [e["action"] for e in await database.fetch("list_audit", None, 10)]
    assert actions.count("login") == 2


async def test_wrong_password_answers_401_with_the_message_and_no_session(
    client: Client, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    answer = await login(client, staff, password="not the password at all")
    assert answer.status == 401
    html = await answer.text()
    assert "Wrong username or password." in html and 'value="' + staff.username in html
    assert session_token(client) is None


async def test_wrong_password_message_in_the_browser_language(
    client: Client, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    page = await client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    form = {"csrf_token": csrf_in(await page.text()), "username": staff.username,
            "password": "nope nope nope"}  # fmt: skip
    answer = await client.post("/login", data=form, headers={"Accept-Language": "fr-BE"})
    assert answer.status == 401
    html = await answer.text()
    assert '<html lang="fr">' in html and "Nom d’utilisateur ou mot de passe incorrect." in html


async def test_lockout_after_the_allowed_failures_even_with_the_right_password(
    client: Client, make_staff: StaffFactory, settings: Settings
) -> None:
    staff = await make_staff()
    for _ in range(settings.login_max_failures):
        assert (await login(client, staff, password="wrong password!")).status == 401
    locked = await login(client, staff)
    assert locked.status == 401  # the answer an unknown username gets
    assert "accepts no password for a few minutes" in await locked.text()
    assert session_token(client) is None


async def test_failed_logins_from_one_client_are_limited_by_a_keyed_hash(
    client: Client,
    make_staff: StaffFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attempts, "CLIENT_MAX_FAILURES", 3)
    staff = await make_staff()
    for name in ("nobody1", "nobody2", "nobody3"):
        ghost = dataclasses.replace(staff, username=name)
        assert (await login(client, ghost)).status == 401
    blocked = await login(client, staff)
    assert blocked.status == 429 and blocked.headers["Retry-After"] == "900"
    keys = [r["key_hash"] for r in await database.conn.fetch("SELECT key_hash FROM login_attempts")]
    assert len(keys) == 3 and len(set(keys)) == 1
    assert "127.0.0.1" not in keys[0] and re.fullmatch(r"[0-9a-f]{32}", keys[0])


async def test_logout_ends_the_session_on_the_server(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    csrf = await logged_in(client, staff)
    token = session_token(client)
    answer = await client.post("/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/login"
    cleared = answer.headers["Set-Cookie"]
    assert cleared.startswith(('session="";', "session=;")) and "Max-Age=0" in cleared
    assert await database.conn.fetchval("SELECT count(*) FROM staff_sessions") == 0
    client.session.cookie_jar.clear()
    again = await client.get("/console", cookies={"session": token}, allow_redirects=False)
    assert again.status == 303 and again.headers["Location"].startswith("/login")
    assert (await database.fetch("list_audit", None, 1))[0]["action"] == "logout"


@pytest.mark.parametrize(
    ("column", "age"), [("last_seen_at", "31 minutes"), ("created_at", "13 hours")]
)
async def test_sessions_end_after_idle_and_absolute_timeouts(
    client: Client, make_staff: StaffFactory, database: Database, column: str, age: str
) -> None:
    staff = await make_staff()
    await logged_in(client, staff)
    await database.conn.execute(f"UPDATE staff_sessions SET {column} = now() - interval '{age}'")
    answer = await client.get("/console", allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/login?next=/console"


@pytest.mark.parametrize("token", [None, "wrong-token", "tôken-wïth-äccents"])
async def test_a_post_without_the_right_csrf_token_is_refused(
    client: Client, make_staff: StaffFactory, database: Database, token: str | None
) -> None:
    staff = await make_staff()
    await logged_in(client, staff)
    form = {"kind": "runaway", "languages": "nl"}
    if token is not None:
        form["csrf_token"] = token
    answer = await client.post("/console/cases", data=form, allow_redirects=False)
    assert answer.status == 403
    assert "The form has expired" in await answer.text()
    assert await database.conn.fetchval("SELECT count(*) FROM cases") == 0


async def test_the_login_form_needs_its_double_submit_token(
    client: Client, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    form = {"username": staff.username, "password": PASSWORD}
    missing = await client.post("/login", data=form, allow_redirects=False)
    assert missing.status == 403
    page = await client.get("/login")
    token = csrf_in(await page.text())
    client.session.cookie_jar.clear()  # the token without its cookie
    no_cookie = await client.post("/login", data={**form, "csrf_token": token})
    assert no_cookie.status == 403
    other = await client.post(
        "/login", data={**form, "csrf_token": "forged"}, cookies={"csrf": "another"}
    )
    assert other.status == 403 and session_token(client) is None


async def test_totp_accounts_need_the_current_code(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    secret = pyotp.random_base32()
    await database.execute("set_totp_secret", staff.id, secret)
    assert (await login(client, staff)).status == 401  # the password alone is not enough
    current = pyotp.TOTP(secret).now()
    wrong = f"{(int(current) + 500_000) % 10**6:06d}"
    assert (await login(client, staff, totp=wrong)).status == 401
    answer = await login(client, staff, totp=pyotp.TOTP(secret).now())
    assert answer.status == 303


async def test_secure_cookies_are_host_prefixed_and_have_no_domain(
    aiohttp_client: Callable[..., Awaitable[Client]],
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    client = await aiohttp_client(create_app(dataclasses.replace(settings, secure_cookies=True)))
    staff = await make_staff()
    page = await client.get("/login")
    csrf_cookie = page.headers["Set-Cookie"]
    assert csrf_cookie.startswith("__Host-csrf=") and "Secure" in csrf_cookie
    token = csrf_in(await page.text())
    form = {"csrf_token": token, "username": staff.username, "password": PASSWORD}
    answer = await client.post(
        "/login", data=form, cookies={"__Host-csrf": token}, allow_redirects=False
    )
    assert answer.status == 303
    header = answer.headers["Set-Cookie"]
    value = header.split(";")[0].removeprefix("__Host-session=")
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", value)
    attributes = {part.strip().split("=")[0] for part in header.split(";")[1:]}
    assert attributes == {"HttpOnly", "Path", "SameSite", "Secure", "Max-Age"}
    assert "Path=/;" in header and "SameSite=Lax" in header and "Domain" not in header
    assert "Strict-Transport-Security" in answer.headers


async def _post_action(
    client: Client, case_id: int, action: str, csrf: str, **fields: str
) -> ClientResponse:
    return await client.post(
        f"/console/cases/{case_id}/{action}",
        data={"csrf_token": csrf, **fields},
        allow_redirects=False,
    )


async def test_approve_and_close_ask_for_the_password_unless_confirmed_recently(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    case_id = await pending_case(database, manager)
    csrf = await logged_in(client, approver)
    stale = "UPDATE staff_sessions SET reauth_at = now() - interval '6 minutes'"
    await database.conn.execute(stale)

    asked = await _post_action(client, case_id, "approve", csrf)
    assert asked.status == 403
    html = await asked.text()
    assert "Please confirm your password (or TOTP code) to do this." in html
    assert 'id="approve-password"' in html and 'aria-invalid="true"' in html
    wrong = await _post_action(client, case_id, "approve", csrf, password="not it, sorry")
    assert wrong.status == 401 and "That password or code is not right." in await wrong.text()
    # The approval carries the fingerprint of the preview the approver saw (issue 17).
    seen = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html)
    assert seen, "the approval page has no approve form"
    done = await _post_action(
        client, case_id, "approve", csrf, password=PASSWORD, fingerprint=seen.group(1)
    )
    assert done.status == 303 and done.headers["Location"].endswith("?done=approved")

    await database.conn.execute(stale)
    refused = await _post_action(client, case_id, "close", csrf, reason="found_safe")
    assert refused.status == 403 and 'id="close-password"' in await refused.text()
    closed = await _post_action(
        client, case_id, "close", csrf, reason="found_safe", password=PASSWORD
    )
    assert closed.status == 303 and closed.headers["Location"].endswith("?done=closed")
    assert await database.conn.fetchval("SELECT state FROM cases") == "closed"


async def test_wrong_confirmations_count_against_the_client_like_failed_logins(
    client: Client,
    make_staff: StaffFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attempts, "CLIENT_MAX_FAILURES", 2)
    manager, approver = await make_staff(), await make_staff()
    case_id = await pending_case(database, manager)
    csrf = await logged_in(client, approver)
    wrong = await _post_action(client, case_id, "approve", csrf, password="guess number 1")
    assert wrong.status == 401
    form = {"csrf_token": csrf, "next": "/console", "secret": "guess number 2"}
    assert (await client.post("/reauth", data=form)).status == 401
    blocked = await _post_action(client, case_id, "approve", csrf, password=PASSWORD)
    assert blocked.status == 429 and "Too many failed logins" in await blocked.text()
    assert await database.conn.fetchval("SELECT state FROM cases") == "pending_approval"


async def test_the_reauth_page_confirms_the_password_then_goes_back(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    csrf = await logged_in(client, staff)
    await database.conn.execute("UPDATE staff_sessions SET reauth_at = NULL")
    page = await client.get("/reauth?next=/console/audit")
    assert page.status == 200 and 'name="next" value="/console/audit"' in await page.text()
    form = {"csrf_token": csrf, "next": "/console?state=draft", "secret": "wrong secret"}
    wrong = await client.post("/reauth", data=form)
    assert wrong.status == 401 and 'aria-invalid="true"' in await wrong.text()
    form["secret"] = PASSWORD
    done = await client.post("/reauth", data=form, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/console?state=draft"
    assert await database.conn.fetchval("SELECT reauth_at IS NOT NULL FROM staff_sessions")


@pytest.mark.parametrize(
    ("wanted", "landing"),
    [
        ("//evil.example", "/console"),
        ("/\\evil.example", "/console"),
        ("https://evil.example/", "/console"),
        ("evil.example", "/console"),
        ("/console?state=closed", "/console?state=closed"),
    ],
)
async def test_login_redirects_only_to_local_paths(
    client: Client, make_staff: StaffFactory, wanted: str, landing: str
) -> None:
    staff = await make_staff()
    answer = await login(client, staff, next=wanted)
    assert answer.status == 303 and answer.headers["Location"] == landing


async def test_the_login_page_does_not_echo_a_foreign_next(client: Client) -> None:
    page = await client.get("/login", params={"next": "//evil.example"})
    assert 'name="next" value="/console"' in await page.text()


async def test_anonymous_pages_redirect_to_login_with_the_whole_path(client: Client) -> None:
    answer = await client.get("/console?state=draft&page=2", allow_redirects=False)
    assert answer.status == 303
    location = URL(answer.headers["Location"])
    assert location.path == "/login" and location.query["next"] == "/console?state=draft&page=2"
    page = await client.get(answer.headers["Location"])
    assert 'name="next" value="/console?state=draft&amp;page=2"' in await page.text()


async def test_the_stylesheet_is_served_without_login(client: Client) -> None:
    answer = await client.get("/static/console.css")
    assert answer.status == 200 and "text/css" in answer.headers["Content-Type"]


async def test_the_chosen_language_is_remembered_for_the_staff_member(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    csrf = await logged_in(client, staff)
    form = {"csrf_token": csrf, "lang": "de", "next": "/console?state=draft"}
    answer = await client.post("/language", data=form, allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/console?state=draft"
    assert (await database.fetchrow("staff_by_id", staff.id))["language"] == "de"  # type: ignore[index]
    page = await client.get("/console", headers={"Accept-Language": "fr"})
    assert '<html lang="de">' in await page.text()
    bad = await client.post("/language", data={**form, "lang": "xx"})
    assert bad.status == 422
