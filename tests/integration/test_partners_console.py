"""The console's pages of regional channels and partner webhooks, through their forms as staff
members use them: real HTTP, real database, CSRF, the staff member's language."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from alerts.db.database import Database
from alerts.partners import registry as partners
from alerts.staff import audit
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.console import csrf_in, logged_in

Client = TestClient[Any, Any]
CHANNEL_FORM = {"name": "Oost-Vlaanderen", "chat_id": "@oostvlaanderen_alerts", "language": "nl",
                "place": "Gent", "lat": "", "lon": "", "radius_km": "40"}  # fmt: skip
WEBHOOK_FORM = {"name": "Station screens", "url": "https://screens.example/hook",
                "format": "cap", "language": "fr"}  # fmt: skip
SECRET = re.compile(r'id="webhook-secret" type="text" readonly value="([\w-]+)"')


async def post(client: Client, url: str, data: dict[str, str]) -> ClientResponse:
    return await client.post(url, data=data, allow_redirects=False)


async def actions(database: Database) -> list[str]:
    return [e["action"] for e in reversed(await audit.entries(database, None, limit=100))
            if e["action"].startswith(("regional_channel", "partner_webhook"))]  # fmt: skip


async def test_a_supervisor_adds_edits_and_deactivates_a_regional_channel(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    csrf = await logged_in(client, await make_staff(Role.SUPERVISOR))
    home = await (await client.get("/console")).text()
    assert '<a href="/console/partners">Channels and partners</a>' in home
    form = await (await client.get("/console/regional-channels/new")).text()
    assert 'id="channel-chat_id"' in form and csrf_in(form) == csrf

    added = await post(client, "/console/regional-channels", {"csrf_token": csrf, **CHANNEL_FORM})
    assert added.headers["Location"] == "/console/partners?done=channel_added#regional-channels"
    page = await (await client.get(added.headers["Location"])).text()
    assert "The regional channel was added." in page
    assert "<code>@oostvlaanderen_alerts</code>" in page
    assert "40 km around Ghent" in page  # the municipality's name in the viewer's language
    channel = await database.conn.fetchrow("SELECT * FROM telegram_channels")
    assert (channel["lat"], channel["lon"], channel["language"]) == (51.05, 3.7167, "nl")

    url = f"/console/regional-channels/{channel['id']}"
    form = await (await client.get(f"{url}/edit")).text()
    assert 'value="Oost-Vlaanderen"' in form and 'value="51.05"' in form
    assert 'id="channel-chat_id"' not in form  # the chat cannot be changed
    unchanged = {"name": "Oost-Vlaanderen", "language": "nl", "place": "", "lat": "51.05",
                 "lon": "3.7167", "radius_km": "40"}  # fmt: skip
    saved = await post(client, f"{url}/edit", {"csrf_token": csrf, **unchanged})
    assert saved.status == 303  # saved as it was: nothing changed, nothing audited
    moved = {**unchanged, "place": "4000", "radius_km": "25"}
    saved = await post(client, f"{url}/edit", {"csrf_token": csrf, **moved})
    assert saved.headers["Location"].endswith("?done=channel_saved#regional-channels")
    page = await (await client.get("/console/partners")).text()
    assert "25 km around Liège" in page

    stopped = await post(client, f"{url}/active", {"csrf_token": csrf, "active": "false"})
    page = await (await client.get(stopped.headers["Location"])).text()
    assert "The regional channel was deactivated" in page and "Reactivate" in page
    assert not await database.conn.fetchval("SELECT active FROM telegram_channels")
    started = await post(client, f"{url}/active", {"csrf_token": csrf, "active": "true"})
    assert started.headers["Location"].startswith("/console/partners?done=channel_reactivated")
    assert await actions(database) == [
        "regional_channel_added", "regional_channel_edited", "regional_channel_deactivated",
        "regional_channel_reactivated",
    ]  # fmt: skip
    audit_page = await (await client.get("/console/audit")).text()
    assert "Regional channel deactivated" in audit_page


async def test_form_errors_come_back_next_to_the_field_in_dutch_and_nothing_is_written(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    csrf = await logged_in(client, await make_staff(Role.SUPERVISOR))
    chosen = await post(client, "/language", {"csrf_token": csrf, "lang": "nl", "next": "/"})
    assert chosen.status == 303
    sent = {"csrf_token": csrf, **CHANNEL_FORM, "chat_id": "oostvlaanderen"}
    answer = await post(client, "/console/regional-channels", sent)
    assert answer.status == 422
    html = await answer.text()
    assert '<html lang="nl">' in html and 'id="channel-chat_id-error"' in html
    assert "Geef de @gebruikersnaam van het kanaal" in html
    field = re.search(r'<input id="channel-chat_id"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0) and 'value="oostvlaanderen"' in html

    for change, field_id in (({"radius_km": "900"}, "radius_km"), ({"place": "Atlantis"}, "place"),
                             ({"language": ""}, "language"), ({"name": ""}, "name")):  # fmt: skip
        answer = await post(client, "/console/regional-channels", {**sent, **CHANNEL_FORM,
                                                                    **change})  # fmt: skip
        assert answer.status == 422, change
        assert f'id="channel-{field_id}-error"' in await answer.text(), change

    webhook = {"csrf_token": csrf, **WEBHOOK_FORM, "url": "ftp://screens.example/hook"}
    answer = await post(client, "/console/partner-webhooks", webhook)
    assert answer.status == 422
    html = await answer.text()
    assert 'id="webhook-url-error"' in html and "Geef het adres van de partner" in html
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_channels") == 0
    assert await database.conn.fetchval("SELECT count(*) FROM partner_webhooks") == 0
    assert await actions(database) == []


async def test_a_duplicate_chat_id_is_said_next_to_the_field(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    csrf = await logged_in(client, await make_staff(Role.SUPERVISOR))
    sent = {"csrf_token": csrf, **CHANNEL_FORM}
    assert (await post(client, "/console/regional-channels", sent)).status == 303
    again = await post(client, "/console/regional-channels",
                       {**sent, "name": "Twice", "chat_id": "@OostVlaanderen_Alerts"})  # fmt: skip
    assert again.status == 409
    html = await again.text()
    assert 'id="channel-chat_id-error"' in html
    assert "A regional channel with this chat id exists already." in html
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_channels") == 1


async def test_the_webhook_secret_is_shown_once_and_a_new_one_replaces_it(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    csrf = await logged_in(client, await make_staff(Role.SUPERVISOR))
    added = await post(client, "/console/partner-webhooks", {"csrf_token": csrf, **WEBHOOK_FORM})
    assert added.status == 200 and added.headers["Cache-Control"] == "no-store"
    html = await added.text()
    found = SECRET.search(html)
    assert found and "Copy the secret now: it is not shown again." in html
    secret = found.group(1)
    row = await database.conn.fetchrow("SELECT id, secret, format, language FROM partner_webhooks")
    assert (row["secret"], row["format"], row["language"]) == (secret, "cap", "fr")

    url = f"/console/partner-webhooks/{row['id']}"
    for page in ("/console/partners", f"{url}/edit", "/console/audit"):
        assert secret not in await (await client.get(page)).text(), page
    edited = await post(client, f"{url}/edit", {"csrf_token": csrf, **WEBHOOK_FORM,
                                                "format": "json"})  # fmt: skip
    assert edited.headers["Location"].endswith("?done=webhook_saved#partner-webhooks")

    rotated = await post(client, f"{url}/secret", {"csrf_token": csrf})
    html = await rotated.text()
    assert rotated.status == 200 and "The secret was replaced." in html
    found = SECRET.search(html)
    assert found and found.group(1) != secret
    assert await database.conn.fetchval("SELECT secret FROM partner_webhooks") == found.group(1)
    stopped = await post(client, f"{url}/active", {"csrf_token": csrf, "active": "false"})
    page = await (await client.get(stopped.headers["Location"])).text()
    assert "The partner webhook was deactivated" in page
    assert await actions(database) == [
        "partner_webhook_added", "partner_webhook_edited", "partner_webhook_secret_rotated",
        "partner_webhook_deactivated",
    ]  # fmt: skip


async def test_case_managers_see_the_lists_but_cannot_change_anything(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    supervisor = await make_staff(Role.SUPERVISOR)
    channel = await partners.add_regional_channel(
        database, supervisor, name="OVL", chat_id="@ovl_alerts", language="nl", lat=51.05,
        lon=3.72, radius_km=30,
    )  # fmt: skip
    webhook = await partners.add_partner_webhook(
        database, supervisor, name="Screens", url="https://screens.example/", fmt="json"
    )
    csrf = await logged_in(client, await make_staff())
    page = await (await client.get("/console/partners")).text()
    assert "@ovl_alerts" in page and "https://screens.example/" in page
    assert "Only supervisors and admins can add or change them." in page
    assert "<form" not in page.split("<main", 1)[1] and "/edit" not in page
    forms = (
        "/console/regional-channels/new",
        f"/console/regional-channels/{channel}/edit",
        "/console/partner-webhooks/new",
        f"/console/partner-webhooks/{webhook}/edit",
    )
    for url in forms:
        refused = await client.get(url)
        assert refused.status == 403, url
        assert "Only supervisors and admins" in await refused.text()
    for url, data in (
        ("/console/regional-channels", {**CHANNEL_FORM, "chat_id": "@other_alerts"}),
        (f"/console/regional-channels/{channel}/edit", {**CHANNEL_FORM, "name": "Mine"}),
        (f"/console/regional-channels/{channel}/active", {"active": "false"}),
        ("/console/partner-webhooks", {**WEBHOOK_FORM, "url": "https://other.example/"}),
        (f"/console/partner-webhooks/{webhook}/edit", {**WEBHOOK_FORM, "name": "Mine"}),
        (f"/console/partner-webhooks/{webhook}/active", {"active": "false"}),
        (f"/console/partner-webhooks/{webhook}/secret", {}),
    ):  # fmt: skip
        refused = await post(client, url, {"csrf_token": csrf, **data})
        assert refused.status == 403, url
    names = await database.conn.fetch(
        "SELECT name, active FROM telegram_channels UNION ALL "
        "SELECT name, active FROM partner_webhooks"
    )
    assert sorted((r["name"], r["active"]) for r in names) == [("OVL", True), ("Screens", True)]
    assert await actions(database) == ["regional_channel_added", "partner_webhook_added"]


async def test_every_form_carries_the_csrf_token_and_a_post_without_it_changes_nothing(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    supervisor = await make_staff(Role.SUPERVISOR)
    channel = await partners.add_regional_channel(
        database, supervisor, name="OVL", chat_id="@ovl_alerts", language="nl", lat=51.05,
        lon=3.72, radius_km=30,
    )  # fmt: skip
    webhook = await partners.add_partner_webhook(
        database, supervisor, name="Screens", url="https://screens.example/", fmt="json"
    )
    csrf = await logged_in(client, supervisor)
    for url in ("/console/partners", "/console/regional-channels/new",
                f"/console/regional-channels/{channel}/edit", "/console/partner-webhooks/new",
                f"/console/partner-webhooks/{webhook}/edit"):  # fmt: skip
        html = await (await client.get(url)).text()
        forms = re.findall(r"<form method=\"post\".*?</form>", html, re.S)
        assert len(forms) > 1, url  # the page's own forms besides the header's
        for found in forms:
            assert csrf_in(found) == csrf, (url, found[:80])
    before = await database.conn.fetchval("SELECT secret FROM partner_webhooks")
    for url, data in (
        ("/console/regional-channels", {**CHANNEL_FORM, "chat_id": "@other_alerts"}),
        (f"/console/regional-channels/{channel}/active", {"active": "false"}),
        (f"/console/partner-webhooks/{webhook}/secret", {}),
        (f"/console/partner-webhooks/{webhook}/edit", {**WEBHOOK_FORM, "name": "Forged"}),
    ):
        forged = await post(client, url, {**data, "csrf_token": "forged"})
        assert forged.status == 403, url
        assert (await post(client, url, data)).status == 403, url
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_channels") == 1
    row = await database.conn.fetchrow("SELECT name, secret FROM partner_webhooks")
    assert (row["name"], row["secret"]) == ("Screens", before)
    assert await database.conn.fetchval("SELECT bool_and(active) FROM telegram_channels")
