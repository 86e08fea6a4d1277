"""Logins that hold, tried as an attacker would, over real HTTP against a running server: many
wrong passwords at once for one account, a lock that must end, unknown and locked accounts that
must look alike, and the password prompts of approve and close that share the login's limit."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff.models import Role, Staff
from tests.support import factories
from tests.support.app import PASSWORD, StaffFactory
from tests.support.console import csrf_in, logged_in

Client = TestClient[Any, Any]
ATTEMPTS = 30


@pytest.fixture
async def proxied(aiohttp_client: Callable[..., Awaitable[Client]], settings: Settings) -> Client:
    """A client of the application behind a trusted proxy: each request names its sender in
    X-Forwarded-For, so that many senders (a botnet) can aim at one account."""
    trusted = dataclasses.replace(settings, trusted_proxies=("127.0.0.1/32", "::1/128"))
    return await aiohttp_client(create_app(trusted))


async def _login_form(client: Client) -> str:
    return csrf_in(await (await client.get("/login")).text())


async def _post_login(
    client: Client, csrf: str, username: str, password: str, sender: str
) -> tuple[int, str, bool]:
    """Status, page and whether a session cookie came back."""
    form = {"csrf_token": csrf, "username": username, "password": password, "next": "/console"}
    answer = await client.post(
        "/login", data=form, allow_redirects=False, headers={"X-Forwarded-For": sender}
    )
    return answer.status, await answer.text(), "session=" in answer.headers.get("Set-Cookie", "")


async def _checked_passwords(database: Database, staff: Staff) -> int:
    """How many passwords were compared with the account's hash: each failure is audited as
    `login_failed`, each success as `login`."""
    return await database.conn.fetchval(  # type: ignore[no-any-return]
        "SELECT count(*) FROM audit_log"
        " WHERE staff_id = $1 AND action IN ('login_failed', 'login')",
        staff.id,
    )


async def test_thirty_wrong_logins_at_once_are_all_counted_and_the_right_one_among_them_fails(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    csrf = await _login_form(proxied)
    guesses = [f"wrong guess {n:02d}!" for n in range(ATTEMPTS)]
    guesses.insert(ATTEMPTS // 2, PASSWORD)
    answers = await asyncio.gather(*(
        _post_login(proxied, csrf, staff.username, guess, f"198.51.100.{n + 1}")
        for n, guess in enumerate(guesses)
    ))  # fmt: skip
    logged_in_with = [guesses[n] for n, (_, _, session) in enumerate(answers) if session]
    row = await database.fetchrow("staff_by_id", staff.id)
    assert row is not None
    checked = await _checked_passwords(database, staff)
    limit = settings.login_max_failures
    if logged_in_with:
        # The right password was one of the first `limit` attempts counted: it logs in and
        # resets the count, and the attempts counted after that get at most `limit` more.
        assert logged_in_with == [PASSWORD] and checked <= 2 * limit
    else:
        # Every attempt was counted, no more than `limit` passwords were compared, and the
        # right one, refused, looked like every other refusal.
        assert checked <= limit, f"{checked} passwords checked, limit {limit}"
        assert row["failed_logins"] == ATTEMPTS + 1
        assert {status for status, _, _ in answers} == {401}
        assert row["locked_until"] is not None


async def test_one_attempt_left_lets_exactly_one_of_thirty_concurrent_guesses_be_checked(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    await _fail(proxied, staff, settings.login_max_failures - 1)
    csrf = await _login_form(proxied)
    guesses = [f"wrong guess {n:02d}!" for n in range(ATTEMPTS)] + [PASSWORD]
    answers = await asyncio.gather(*(
        _post_login(proxied, csrf, staff.username, guess, f"203.0.113.{n + 1}")
        for n, guess in enumerate(guesses)
    ))  # fmt: skip
    assert await _checked_passwords(database, staff) == settings.login_max_failures
    assert sum(session for _, _, session in answers) <= 1


async def _fail(client: Client, staff: Staff, times: int) -> None:
    """`times` wrong logins for `staff`, one after the other, each from its own address."""
    csrf = await _login_form(client)
    for n in range(times):
        status, _, _ = await _post_login(client, csrf, staff.username, "wrong!", f"192.0.2.{n}")
        assert status == 401


async def _time_passes(database: Database, staff: Staff, minutes: int) -> None:
    """Move every time on the account's row `minutes` into the past, as if they had passed."""
    columns = await database.conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'staff' AND data_type LIKE 'timestamp%'"
    )
    moved = ", ".join(f"{c[0]} = {c[0]} - make_interval(mins => $2)" for c in columns)
    await database.conn.execute(f"UPDATE staff SET {moved} WHERE id = $1", staff.id, minutes)


async def test_a_lock_ends_and_the_count_starts_again(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    await _fail(proxied, staff, settings.login_max_failures)
    csrf = await _login_form(proxied)
    status, _, session = await _post_login(proxied, csrf, staff.username, PASSWORD, "192.0.2.99")
    assert status == 401 and not session  # locked: even the right password is refused
    # The lock's time passes; a guess after it (one every 15 minutes, say) counts as the first.
    await _time_passes(database, staff, settings.login_lockout_minutes)
    status, _, _ = await _post_login(proxied, csrf, staff.username, "one more guess", "192.0.2.98")
    assert status == 401
    row = await database.fetchrow("staff_by_id", staff.id)
    assert row is not None and row["failed_logins"] == 1 and row["locked_until"] is None
    status, _, session = await _post_login(proxied, csrf, staff.username, PASSWORD, "192.0.2.97")
    assert status == 303 and session


async def test_a_wrong_guess_every_quarter_hour_never_locks_the_account(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    csrf = await _login_form(proxied)
    for n in range(settings.login_max_failures * 3):
        await _time_passes(database, staff, settings.login_lockout_minutes)
        status, _, _ = await _post_login(proxied, csrf, staff.username, "guess!", f"192.0.2.{n}")
        assert status == 401
    # The supervisor logs in right after the latest guess.
    status, _, session = await _post_login(proxied, csrf, staff.username, PASSWORD, "192.0.2.200")
    assert status == 303 and session


async def test_unknown_usernames_and_locked_accounts_get_the_same_answer(
    proxied: Client, make_staff: StaffFactory, settings: Settings
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    await _fail(proxied, staff, settings.login_max_failures)
    csrf = await _login_form(proxied)
    locked = await _post_login(proxied, csrf, staff.username, PASSWORD, "192.0.2.50")
    unknown = await _post_login(proxied, csrf, "nobody.here", PASSWORD, "192.0.2.51")
    wrong = await _post_login(proxied, csrf, (await make_staff()).username, "no!", "192.0.2.52")
    assert locked[0] == unknown[0] == wrong[0] == 401
    # The pages differ only by the username echoed in the form.
    assert locked[1].replace(staff.username, "X") == unknown[1].replace("nobody.here", "X")
    assert "Retry-After" not in locked[1]


async def _approve(
    client: Client, case_id: int, csrf: str, password: str, sender: str
) -> ClientResponse:
    return await client.post(
        f"/console/cases/{case_id}/approve",
        data={"csrf_token": csrf, "password": password},
        headers={"X-Forwarded-For": sender},
        allow_redirects=False,
    )


async def test_guesses_through_the_approve_prompt_count_in_the_account_limit(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    """A stolen session guesses the password through the approve form, from many addresses."""
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await factories.pending(database, manager)
    csrf = await logged_in(proxied, approver)
    await database.conn.execute("UPDATE staff_sessions SET reauth_at = NULL")
    for n in range(settings.login_max_failures):
        wrong = await _approve(proxied, case.id, csrf, f"guess {n}!", f"198.51.100.{n}")
        assert wrong.status == 401
    right = await _approve(proxied, case.id, csrf, PASSWORD, "198.51.100.77")
    assert right.status == 429
    assert await database.conn.fetchval("SELECT state FROM cases") == "pending_approval"
    # The account is locked for the login form as well.
    status, _, session = await _post_login(
        proxied, await _login_form(proxied), approver.username, PASSWORD, "198.51.100.78"
    )
    assert status == 401 and not session


async def test_guesses_through_the_api_close_prompt_count_in_the_account_limit(
    proxied: Client, make_staff: StaffFactory, database: Database, settings: Settings
) -> None:
    """The JSON API takes the session too (X-CSRF-Token): its password field is a prompt."""
    case, manager = await factories.approved(database, settings, make_staff, level=1)
    csrf = await logged_in(proxied, manager)
    await database.conn.execute("UPDATE staff_sessions SET reauth_at = NULL")
    statuses = []
    for n in range(settings.login_max_failures + 1):
        password = PASSWORD if n == settings.login_max_failures else f"guess {n}!"
        answer = await proxied.post(
            f"/api/cases/{case.id}/close",
            json={"reason": "found_safe", "password": password},
            headers={"X-CSRF-Token": csrf, "X-Forwarded-For": f"198.51.100.{n}"},
        )
        statuses.append(answer.status)
    assert statuses == [401] * settings.login_max_failures + [429]
    assert await database.conn.fetchval("SELECT state FROM cases") == "active"
