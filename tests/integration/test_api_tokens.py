"""API tokens tried as a thief or a careless integration would: every API route checks the
token's scope (read, write, approve), expired and revoked tokens answer 401, every use is
recorded, the lists never show a secret, and only admins see the console's token page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts import cli
from alerts.db.database import Database
from alerts.staff import tokens
from alerts.staff.models import Role
from tests.support import factories
from tests.support.app import PASSWORD, Bearer, StaffFactory
from tests.support.console import logged_in

Client = TestClient[Any, Any]
SCOPE_REFUSALS = ("may not approve or close", "may only read", "may not read")


def api_routes(client: Client) -> list[tuple[str, str, str]]:
    """Every route of the JSON API: (method, a concrete path, route name)."""
    found = []
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path") or ""
        if not path.startswith("/api/") or route.method == "HEAD":
            continue
        found.append((route.method, re.sub(r"\{[^}]+\}", "1", path), route.name or ""))
    return sorted(found)


def needed(method: str, name: str) -> str:
    if name == "api_close" or "approve" in name:
        return "approve"
    return "read" if method == "GET" else "write"


async def test_every_api_route_checks_the_tokens_scope(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    admin = await make_staff(Role.ADMIN)
    headers = {scope.value: await bearer(admin, (scope.value,)) for scope in tokens.Scope}
    routes = api_routes(client)
    assert len(routes) > 15 and ("POST", "/api/cases/1/approve", "api_approve") in routes
    for method, path, name in routes:
        for scope, auth in headers.items():
            answer = await client.request(method, path, headers=auth, json={})
            body = await answer.text()
            refused = answer.status == 403 and any(m in body for m in SCOPE_REFUSALS)
            assert refused == (scope != needed(method, name)), (method, path, scope, body)


async def test_a_token_without_the_approve_scope_cannot_approve_or_close(
    client: Client, make_staff: StaffFactory, bearer: Bearer, database: Database
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await factories.pending(database, manager)
    usual = await bearer(supervisor, ("read", "write"))  # the default of create-token
    refused = await client.post(f"/api/cases/{case.id}/approve", headers=usual)
    assert refused.status == 403
    assert "needs a token with the approve scope" in (await refused.json())["error"]
    closing = await client.post(
        f"/api/cases/{case.id}/close", json={"reason": "found_safe"}, headers=usual
    )
    assert closing.status == 403
    assert await database.conn.fetchval("SELECT state FROM cases") == "pending_approval"
    approver = await bearer(supervisor, ("approve",))
    assert (await client.post(f"/api/cases/{case.id}/approve", headers=approver)).status == 200


async def test_a_read_only_token_cannot_write(
    client: Client, make_staff: StaffFactory, bearer: Bearer, database: Database
) -> None:
    reader = await bearer(await make_staff(), ("read",))
    answer = await client.post("/api/cases", json={"kind": "runaway"}, headers=reader)
    assert answer.status == 403 and "may only read" in (await answer.json())["error"]
    assert await database.conn.fetchval("SELECT count(*) FROM cases") == 0
    assert (await client.get("/api/cases", headers=reader)).status == 200


async def test_tokens_work_only_on_the_api(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    auth = await bearer(await make_staff(Role.ADMIN))
    answer = await client.get("/console", headers=auth, allow_redirects=False)
    assert answer.status == 403


async def test_expired_and_revoked_tokens_get_401(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    expired = await tokens.create(database, username=staff.username, name="old", days=1)
    revoked = await tokens.create(database, username=staff.username, name="gone")
    live = await tokens.create(database, username=staff.username, name="live")
    await database.conn.execute(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
        expired.token.id,
    )
    await tokens.revoke(database, revoked.token.id)
    for issued, status in ((expired, 401), (revoked, 401), (live, 200)):
        answer = await client.get(
            "/api/cases", headers={"Authorization": f"Bearer {issued.secret}"}
        )
        assert answer.status == status, issued.token.name


async def test_a_token_ends_after_ninety_days_by_default(
    make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    issued = await tokens.create(database, username=staff.username, name="integration")
    lasts = issued.token.expires_at - issued.token.created_at
    assert lasts.days == 90 and issued.token.scopes == (tokens.Scope.READ, tokens.Scope.WRITE)
    with pytest.raises(Exception, match="from 1 to 365 days"):
        await tokens.create(database, username=staff.username, name="forever", days=100_000)


async def test_every_use_records_the_last_use_at_most_once_a_minute(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    issued = await tokens.create(database, username=staff.username, name="integration")
    auth = {"Authorization": f"Bearer {issued.secret}"}
    last_used = "SELECT last_used_at FROM api_tokens WHERE id = $1"
    assert await database.conn.fetchval(last_used, issued.token.id) is None
    assert (await client.get("/api/cases", headers=auth)).status == 200
    first = await database.conn.fetchval(last_used, issued.token.id)
    assert first is not None
    assert (await client.get("/api/cases", headers=auth)).status == 200
    assert await database.conn.fetchval(last_used, issued.token.id) == first  # no write
    await database.conn.execute(
        "UPDATE api_tokens SET last_used_at = last_used_at - interval '2 minutes'"
    )
    assert (await client.get("/api/cases", headers=auth)).status == 200
    assert await database.conn.fetchval(last_used, issued.token.id) > first


def test_the_command_line_lists_and_revokes_without_showing_a_secret(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    cli.main(["create-staff", "alice", "--role", "admin", "--password-env", "ADMIN_PASSWORD"])
    cli.main(["create-token", "alice", "--name", "crm", "--days", "30", "--scopes",
              "read,approve"])  # fmt: skip
    created = capsys.readouterr().out
    secret = created.strip().splitlines()[-1]
    assert secret.startswith(tokens.PREFIX) and "scopes read,approve" in created
    cli.main(["list-tokens"])
    listed = capsys.readouterr().out
    assert secret not in listed and secret[len(tokens.PREFIX) :][:8] not in listed
    assert re.search(r"^1\talice\tcrm\tread,approve\tactive\t.*\tnever$", listed, re.M), listed
    cli.main(["revoke-token", "1"])
    assert "is revoked" in capsys.readouterr().out
    cli.main(["list-tokens"])
    assert "\trevoked\t" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="Choose at least one scope"):
        cli.main(["create-token", "alice", "--scopes", "read,everything"])


async def test_the_console_token_page_is_for_admins_only(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    supervisor = await make_staff(Role.SUPERVISOR)
    csrf = await logged_in(client, supervisor)
    assert (await client.get("/console/tokens")).status == 403
    form = {"csrf_token": csrf, "username": supervisor.username, "name": "x", "days": "9",
            "scopes": "approve", "password": PASSWORD}  # fmt: skip
    assert (await client.post("/console/tokens", data=form)).status == 403
    assert 'href="/console/tokens"' not in await (await client.get("/console")).text()
    assert await database.conn.fetchval("SELECT count(*) FROM api_tokens") == 0


async def test_an_admin_makes_a_token_sees_its_secret_once_and_revokes_it(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    admin, robot = await make_staff(Role.ADMIN), await make_staff()
    csrf = await logged_in(client, admin)
    page = await client.get("/console/tokens")
    assert page.status == 200 and 'href="/console/tokens"' in await page.text()
    for lang, title in (("nl", "API-tokens"), ("fr", "Jetons d’API"), ("de", "API-Tokens")):
        translated = await (await client.get(f"/console/tokens?lang={lang}")).text()
        assert f"<h1>{title}</h1>" in translated
    form = [("csrf_token", csrf), ("username", robot.username), ("name", "crm sync"),
            ("days", "30"), ("scopes", "read"), ("scopes", "write")]  # fmt: skip
    await database.conn.execute("UPDATE staff_sessions SET reauth_at = NULL")
    asked = await client.post("/console/tokens", data=form)
    assert asked.status == 403 and 'id="token-password"' in await asked.text()
    made = await client.post("/console/tokens", data=[*form, ("password", PASSWORD)])
    html = await made.text()
    assert made.status == 200, html
    secret = re.search(r'id="token-secret"[^>]*value="(alrt_[^"]+)"', html)
    assert secret is not None
    auth = {"Authorization": f"Bearer {secret.group(1)}"}
    assert (await client.get("/api/cases", headers=auth)).status == 200
    listing = await (await client.get("/console/tokens")).text()
    assert secret.group(1) not in listing and "crm sync" in listing and "read, write" in listing
    token_id = await database.conn.fetchval("SELECT id FROM api_tokens")
    forged = await client.post(f"/console/tokens/{token_id}/revoke", data={"csrf_token": "x"})
    assert forged.status == 403
    revoked = await client.post(
        f"/console/tokens/{token_id}/revoke", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert revoked.status == 303 and revoked.headers["Location"] == "/console/tokens?done=revoked"
    client.session.cookie_jar.clear()
    assert (await client.get("/api/cases", headers=auth)).status == 401
    actions = [e["action"] for e in await database.fetch("list_audit", None, 5)]
    assert actions[:2] == ["api_token_revoked", "api_token_created"]


async def test_a_bad_token_form_says_what_is_wrong_in_the_admins_language(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    admin = await make_staff(Role.ADMIN)
    csrf = await logged_in(client, admin)
    form = {"csrf_token": csrf, "username": admin.username, "name": "x", "days": "nope",
            "password": PASSWORD}  # fmt: skip
    answer = await client.post("/console/tokens?lang=nl", data=form)
    assert answer.status == 422 and 'id="token-days-error"' in await answer.text()
    assert await database.conn.fetchval("SELECT count(*) FROM api_tokens") == 0
