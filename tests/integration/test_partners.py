"""Regional Telegram channels and partner webhooks: managed over the API by supervisors, read by
case managers, validated before anything is written, audited; what deactivating one does to the
fan-out; a webhook secret shown once and, replaced, used at once for the signature."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.geocoding import GeocodingService
from alerts.partners import registry as partners
from alerts.partners.webhooks import verify_signature
from alerts.staff import audit
from alerts.staff.models import Role, Staff
from tests.support.app import StaffFactory
from tests.support.dispatch import active_case, dispatching, eventually, publications, with_channels

os.environ.setdefault("PTB_TIMEDELTA", "true")
Client = TestClient[Any, Any]
Bearer = Callable[[Staff], Awaitable[dict[str, str]]]
CHANNEL = {"name": "Oost-Vlaanderen", "chat_id": "@oostvlaanderen_alerts", "language": "nl",
           "lat": 51.05, "lon": 3.72, "radius_km": 40}  # fmt: skip
WEBHOOK = {"name": "Station screens", "url": "https://screens.example/hook", "format": "cap"}
LIEGE = (50.6326, 5.5797)


async def answer(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def audited(db: Database) -> list[tuple[str, dict[str, Any]]]:
    """The audit log's actions on channels and webhooks, oldest first."""
    rows = await audit.entries(db, None, limit=100)
    return [(r["action"], r["details"]) for r in reversed(rows)
            if r["action"].startswith(("regional_channel", "partner_webhook"))]  # fmt: skip


async def counts(db: Database) -> tuple[int, int]:
    return (
        await db.conn.fetchval("SELECT count(*) FROM telegram_channels"),
        await db.conn.fetchval("SELECT count(*) FROM partner_webhooks"),
    )


# -- regional channels over the API --------------------------------------------------------------


async def test_a_supervisor_adds_edits_and_deactivates_a_regional_channel_over_the_api(
    client: Client, make_staff: StaffFactory, bearer: Bearer, db: Database
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    # A postcode instead of coordinates: geocoded into the centre, as the volunteer sign-up does.
    body = {**CHANNEL, "chat_id": "https://t.me/OostVlaanderen_Alerts", "place": "9000"}
    del body["lat"], body["lon"]
    added = await answer(await client.post("/api/regional-channels", json=body, headers=headers),
                         201)  # fmt: skip
    assert added["chat_id"] == "@oostvlaanderen_alerts"  # the link, as Telegram reads it
    assert (added["lat"], added["lon"]) == (51.05, 3.7167) and added["radius_km"] == 40
    assert added["active"] and added["sent"] == 0 and added["last_error"] is None
    url = f"/api/regional-channels/{added['id']}"
    edited = await answer(
        await client.patch(url, json={"name": "OVL", "radius_km": 25.5, "language": "fr"},
                           headers=headers), 200,
    )  # fmt: skip
    assert (edited["name"], edited["radius_km"], edited["language"]) == ("OVL", 25.5, "fr")
    stopped = await answer(await client.patch(url, json={"active": False}, headers=headers), 200)
    assert not stopped["active"]
    listed = await answer(await client.get("/api/regional-channels", headers=headers), 200)
    assert [c["name"] for c in listed["channels"]] == ["OVL"]
    assert await audited(db) == [
        ("regional_channel_added", {"channel": added["id"]}),
        ("regional_channel_edited", {"channel": added["id"],
                                     "fields": ["name", "language", "radius_km"]}),
        ("regional_channel_deactivated", {"channel": added["id"], "cancelled": 0}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"chat_id": "12345678"}, "chat_id", "starts with a minus sign"),  # a person, not a channel
        ({"chat_id": "oostvlaanderen"}, "chat_id", "@username"),
        ({"chat_id": "@abc"}, "chat_id", "@username"),
        ({"radius_km": 0}, "radius_km", "between 0.1 and 500"),
        ({"radius_km": 501}, "radius_km", "between 0.1 and 500"),
        ({"radius_km": "far"}, "radius_km", "Must be a number"),
        ({"language": "es"}, "language", "one of: nl, fr, de, en"),
        ({"lat": 91}, "lat", "between -90 and 90"),
        ({"lon": None}, "lon", "both the latitude and the longitude"),
        ({"lat": None, "lon": None}, "place", "Give the centre"),
        ({"lat": None, "lon": None, "place": "Atlantis"}, "place", "not found"),
        ({"name": "  "}, "name", "Must not be blank"),
        ({"name": "x" * 101}, "name", "At most 100 characters"),
        ({"name": "a\x00b"}, "name", "control characters"),
        ({"active": True}, "active", "Unknown field"),
    ],
)
async def test_a_bad_regional_channel_is_refused_with_a_clear_message_and_nothing_written(
    client: Client,
    make_staff: StaffFactory,
    bearer: Bearer,
    db: Database,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    body = {k: v for k, v in {**CHANNEL, **change}.items() if v is not None}
    error = await answer(await client.post("/api/regional-channels", json=body, headers=headers),
                         422)  # fmt: skip
    assert error["field"] == field and message in error["error"]
    assert await counts(db) == (0, 0) and await audited(db) == []


async def test_a_chat_id_registered_twice_is_a_conflict_not_an_error(
    client: Client, make_staff: StaffFactory, bearer: Bearer, db: Database
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    await answer(await client.post("/api/regional-channels", json=CHANNEL, headers=headers), 201)
    again = {**CHANNEL, "name": "Again", "chat_id": "@OostVlaanderen_Alerts"}
    error = await answer(await client.post("/api/regional-channels", json=again, headers=headers),
                         409)  # fmt: skip
    assert error == {"error": "A regional channel with this chat id exists already.",
                     "status": 409, "field": "chat_id"}  # fmt: skip
    assert await counts(db) == (1, 0) and len(await audited(db)) == 1
    channel_id = await db.conn.fetchval("SELECT id FROM telegram_channels")
    refused = await client.patch(f"/api/regional-channels/{channel_id}",
                                 json={"chat_id": "@other_alerts"}, headers=headers)  # fmt: skip
    assert "cannot be changed" in (await answer(refused, 422))["error"]
    await answer(await client.patch("/api/regional-channels/999", json={}, headers=headers), 404)
    await answer(await client.patch("/api/regional-channels/x1", json={}, headers=headers), 404)


async def test_case_managers_read_channels_and_webhooks_but_cannot_change_them(
    client: Client, make_staff: StaffFactory, bearer: Bearer, db: Database
) -> None:
    supervisor = await make_staff(Role.SUPERVISOR)
    channel_id = await partners.add_regional_channel(db, supervisor, **CHANNEL)
    webhook_id = await partners.add_partner_webhook(
        db, supervisor, name="Screens", url=WEBHOOK["url"], fmt="json"
    )
    before = await db.conn.fetchval("SELECT secret FROM partner_webhooks")
    manager = await bearer(await make_staff())
    listed = await answer(await client.get("/api/regional-channels", headers=manager), 200)
    assert [c["id"] for c in listed["channels"]] == [channel_id]
    listed = await answer(await client.get("/api/partner-webhooks", headers=manager), 200)
    assert [w["id"] for w in listed["webhooks"]] == [webhook_id]
    for method, url, body in (
        ("POST", "/api/regional-channels", {**CHANNEL, "chat_id": "@other_alerts"}),
        ("PATCH", f"/api/regional-channels/{channel_id}", {"active": False}),
        ("POST", "/api/partner-webhooks", {**WEBHOOK, "url": "https://other.example/"}),
        ("PATCH", f"/api/partner-webhooks/{webhook_id}", {"name": "Mine"}),
        ("POST", f"/api/partner-webhooks/{webhook_id}/secret", {}),
    ):
        refused = await answer(await client.request(method, url, json=body, headers=manager), 403)
        assert "Only supervisors and admins" in refused["error"], url
    assert await counts(db) == (1, 1)
    row = await db.conn.fetchrow("SELECT active, name, secret FROM partner_webhooks")
    assert (row["name"], row["secret"]) == ("Screens", before)
    assert await db.conn.fetchval("SELECT bool_and(active) FROM telegram_channels")
    assert [action for action, _ in await audited(db)] == [
        "regional_channel_added", "partner_webhook_added"
    ]  # fmt: skip


# -- partner webhooks over the API ---------------------------------------------------------------


async def test_a_webhook_secret_is_shown_when_made_and_never_again(
    client: Client, make_staff: StaffFactory, bearer: Bearer, db: Database
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    added = await answer(await client.post("/api/partner-webhooks", json=WEBHOOK, headers=headers),
                         201)  # fmt: skip
    secret = added.pop("secret")
    assert len(secret) >= 43
    assert await db.conn.fetchval("SELECT secret FROM partner_webhooks") == secret
    assert added["language"] == "en" and added["format"] == "cap" and added["active"]
    url = f"/api/partner-webhooks/{added['id']}"
    edited = await answer(await client.patch(url, json={"format": "json", "language": "nl"},
                                             headers=headers), 200)  # fmt: skip
    listing = await client.get("/api/partner-webhooks", headers=headers)
    for response_text in (await listing.text(), str(edited)):
        assert secret not in response_text and "secret" not in response_text

    rotated = await answer(await client.post(f"{url}/secret", headers=headers), 200)
    assert rotated["secret"] != secret and rotated["id"] == added["id"]
    assert await db.conn.fetchval("SELECT secret FROM partner_webhooks") == rotated["secret"]
    assert await audited(db) == [
        ("partner_webhook_added", {"webhook": added["id"]}),
        ("partner_webhook_edited", {"webhook": added["id"], "fields": ["format", "language"]}),
        ("partner_webhook_secret_rotated", {"webhook": added["id"]}),
    ]
    log = await (await client.get("/api/audit", headers=headers)).text()
    assert secret not in log and rotated["secret"] not in log


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"url": "ftp://screens.example/hook"}, "url", "starting with https://"),
        ({"url": "screens.example/hook"}, "url", "starting with https://"),
        ({"url": "https://"}, "url", "starting with https://"),
        ({"url": "https://screens.example:99999/"}, "url", "starting with https://"),
        ({"url": "https://screens.example/a b"}, "url", "starting with https://"),
        ({"url": "https://x.example/" + "a" * 500}, "url", "At most 500 characters"),
        ({"format": "xml"}, "format", "one of: json, cap"),
        ({"language": "es"}, "language", "one of: nl, fr, de, en"),
        ({"secret": "mine-mine-mine-mine"}, "secret", "Unknown field"),
    ],
)
async def test_a_bad_webhook_is_refused_with_a_clear_message_and_nothing_written(
    client: Client,
    make_staff: StaffFactory,
    bearer: Bearer,
    db: Database,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    body = {**WEBHOOK, **change}
    error = await answer(await client.post("/api/partner-webhooks", json=body, headers=headers),
                         422)  # fmt: skip
    assert error["field"] == field and message in error["error"]
    assert await counts(db) == (0, 0) and await audited(db) == []


async def test_an_address_registered_twice_is_a_conflict(
    client: Client, make_staff: StaffFactory, bearer: Bearer, db: Database
) -> None:
    headers = await bearer(await make_staff(Role.SUPERVISOR))
    first = await answer(await client.post("/api/partner-webhooks", json=WEBHOOK, headers=headers),
                         201)  # fmt: skip
    other = {**WEBHOOK, "url": "https://other.example/hook"}
    second = await answer(await client.post("/api/partner-webhooks", json=other, headers=headers),
                          201)  # fmt: skip
    again = await client.post("/api/partner-webhooks", json=WEBHOOK, headers=headers)
    assert (await answer(again, 409))["field"] == "url"
    change = {"url": WEBHOOK["url"], "name": "Moved"}
    moved = await client.patch(f"/api/partner-webhooks/{second['id']}", json=change,
                               headers=headers)  # fmt: skip
    assert (await answer(moved, 409))["error"] == (
        "A partner webhook with this address exists already."
    )
    rows = await db.conn.fetch("SELECT id, name, url FROM partner_webhooks ORDER BY id")
    assert [(r["name"], r["url"]) for r in rows] == [
        ("Station screens", WEBHOOK["url"]), ("Station screens", other["url"])
    ]  # fmt: skip
    assert [a for a, _ in await audited(db)] == ["partner_webhook_added"] * 2
    assert first["id"] != second["id"]


# -- what the fan-out and the dispatcher make of it ---------------------------------------------


async def test_a_deactivated_regional_channel_gets_no_post(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = with_channels(settings)
    supervisor = await make_staff(Role.SUPERVISOR)
    geocoder = GeocodingService()
    kept = await partners.add_regional_channel(db, supervisor, **CHANNEL)
    stopped = await partners.add_regional_channel(
        db, supervisor, **{**CHANNEL, "name": "Gent", "chat_id": "-1001234567890"}
    )
    elsewhere = await partners.add_regional_channel(
        db, supervisor, **{**CHANNEL, "name": "Liège", "chat_id": "@liege_alerts",
                           "lat": LIEGE[0], "lon": LIEGE[1]},
    )  # fmt: skip
    first = await active_case(db, on, make_staff, consent={"level": 2})
    planned = {r["target"]: r for r in await publications(db, first.id)
               if r["channel"] == "telegram_channel"}  # fmt: skip
    assert set(planned) == {f"channel/{kept}", f"channel/{stopped}"}
    assert f"channel/{elsewhere}" not in planned

    # Deactivating cancels what it has not received yet; a new language reaches what is unsent.
    await partners.update_regional_channel(db, geocoder, supervisor, stopped, {"active": "false"})
    await partners.update_regional_channel(db, geocoder, supervisor, kept, {"language": "de"})
    rows = {r["target"]: r for r in await publications(db, first.id)}
    assert rows[f"channel/{stopped}"]["state"] == "cancelled"
    assert rows[f"channel/{stopped}"]["end_reason"] == "target_deactivated"
    assert rows[f"channel/{kept}"]["state"] == "pending"
    assert rows[f"channel/{kept}"]["language"] == "de"
    deactivated = ("regional_channel_deactivated", {"channel": stopped, "cancelled": 1})
    assert deactivated in await audited(db)

    second = await active_case(db, on, make_staff, consent={"level": 2})
    targets = {r["target"] for r in await publications(db, second.id)
               if r["channel"] == "telegram_channel"}  # fmt: skip
    assert targets == {f"channel/{kept}"}

    await partners.update_regional_channel(db, geocoder, supervisor, stopped, {"active": True})
    third = await active_case(db, on, make_staff, consent={"level": 2})
    targets = {r["target"] for r in await publications(db, third.id)
               if r["channel"] == "telegram_channel"}  # fmt: skip
    assert targets == {f"channel/{kept}", f"channel/{stopped}"}
    channels = {c.id: c for c in await partners.list_regional_channels(db)}
    assert channels[stopped].active and channels[stopped].last_state == "pending"
    assert channels[stopped].sent == 0


class Partner:
    """A partner's endpoint that keeps what it receives."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        return web.Response()


@pytest.fixture
async def partner() -> AsyncIterator[tuple[Partner, str]]:
    endpoint = Partner()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield endpoint, str(server.make_url("/hook"))


async def test_a_replaced_secret_signs_the_next_call_and_the_old_one_no_longer_verifies(
    db: Database, settings: Settings, make_staff: StaffFactory, partner: tuple[Partner, str]
) -> None:
    endpoint, url = partner
    on = with_channels(settings)
    supervisor = await make_staff(Role.SUPERVISOR)
    issued = await partners.register_partner_webhook(
        db, supervisor, {"name": "Screens", "url": url, "format": "json"}
    )
    old = issued.secret
    # Approved before the rotation, sent after it: the dispatcher signs with the stored secret
    # when it sends, so the partner needs only the new one.
    case = await active_case(db, on, make_staff, kind="third_party_abduction",
                             consent={"level": 3})  # fmt: skip
    [row] = [r for r in await publications(db, case.id) if r["channel"] == "webhook"]
    assert row["target"] == f"webhook/{issued.webhook.id}" and row["state"] == "pending"
    new = (await partners.rotate_partner_webhook_secret(db, supervisor, issued.webhook.id)).secret
    assert new != old

    async def delivered() -> bool:
        return bool(endpoint.requests)

    async with dispatching(db, on):
        await eventually(delivered, within=10)
    [(headers, body)] = endpoint.requests
    stamp, signature = headers["X-Alerts-Timestamp"], headers["X-Alerts-Signature"]
    assert verify_signature(new, stamp, body, signature)
    assert not verify_signature(old, stamp, body, signature)
    assert b"Lotte" in body  # the level-3 case's JSON, as the consent allows

    async def recorded() -> bool:
        [webhook] = await partners.list_partner_webhooks(db)
        return webhook.sent == 1

    await eventually(recorded)
    [webhook] = await partners.list_partner_webhooks(db)
    assert webhook.last_state == "sent" and webhook.last_error is None and webhook.last_at


async def test_a_deactivated_webhook_gets_no_public_case(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = with_channels(settings)
    supervisor = await make_staff(Role.SUPERVISOR)
    webhook = await partners.add_partner_webhook(db, supervisor, name="Screens",
                                                 url=WEBHOOK["url"], fmt="cap")  # fmt: skip
    await partners.update_partner_webhook(db, supervisor, webhook, {"active": False})
    case = await active_case(db, on, make_staff, kind="third_party_abduction",
                             consent={"level": 3})  # fmt: skip
    assert [r for r in await publications(db, case.id) if r["channel"] == "webhook"] == []
    await partners.update_partner_webhook(db, supervisor, webhook, {"active": True})
    case = await active_case(db, on, make_staff, kind="third_party_abduction",
                             consent={"level": 3})  # fmt: skip
    hooks = [r["target"] for r in await publications(db, case.id) if r["channel"] == "webhook"]
    assert hooks == [f"webhook/{webhook}"]
