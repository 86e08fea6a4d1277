"""Consent changes withdraw what the new consent no longer allows, at once and automatically:
the photo taken away, the level lowered, the consent revoked or past its end date (the
scheduler), and sends that were in flight when it narrowed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.cases import lifecycle as cases
from alerts.cases.fields import parse_consent
from alerts.cases.models import CaseKind
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.outbox import report as withdrawal_report
from alerts.outbox.scheduler import Job, Scheduler
from alerts.partners import registry as partners
from alerts.publication import materials
from alerts.staff.models import Role
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import Bearer, StaffFactory
from tests.support.approval import approve_change
from tests.support.channels import TERMINAL, bot_messages, published, states_are, users
from tests.support.console import logged_in
from tests.support.dispatch import GENT, add_volunteer, dispatching, eventually, moved, publications
from tests.support.factories import CONSENT
from tests.support.images import jpeg

os.environ.setdefault("PTB_TIMEDELTA", "true")
pytestmark = pytest.mark.sandbox(count_edits=False)  # the withdrawal follows the send at once


def nothing_withdrawing(db: Database, case_id: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        rows = await publications(db, case_id)
        return not any(r["state"] in ("withdrawing", "pending", "sending") for r in rows)

    return check


async def _messaged(sandbox: TelegramSandbox, chat: int) -> bool:
    return bool(bot_messages(sandbox, chat))


async def statuses(client: TestClient[Any, Any], public_id: str, *paths: str) -> list[int]:
    return [(await client.get(f"/alerts/{public_id}{path}")).status for path in paths]


async def test_consent_revoked_for_photos_only_withdraws_the_photo_bearing_material(
    client: TestClient[Any, Any],
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:
    [texted] = await users(sandbox, db, [1])
    await add_volunteer(db, moved(GENT, 2), email="v2@example.org")
    case = await published(db, live, make_staff, photo=False, languages=["nl"])
    manager = await make_staff()
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        # The dispatcher caches the case's state for 0.1 s, and takes a claim of a newer revision
        # than the one cached for the cached one: let it expire (a fan-out matter, not this one).
        await asyncio.sleep(0.15)
        change = await pipeline.add_photo(db, live, manager, case.id, jpeg())
        await approve_change(db, live, await make_staff(Role.SUPERVISOR), change)
        await eventually(states_are(db, case.id, {"sent", "superseded"}))
        # Signs up now, during the alert (issue 21): gets revision 2, with the photo.
        [pictured] = await users(sandbox, db, [3])
        await eventually(lambda: _messaged(sandbox, pictured))
        await eventually(states_are(db, case.id, {"sent", "superseded"}))
        assert bot_messages(sandbox, pictured)[0].photo_file_id
        assert (await statuses(client, case.public_id, "/photo.jpg", "/poster-nl.pdf")) == [200] * 2
        mails = len(sink.messages)
        await pipeline.change_consent(db, live, manager, case.id, {**CONSENT, "photo": False})
        await eventually(nothing_withdrawing(db, case.id))
    # The photo message is gone, replaced by the alert without the photo (revision 3); the
    # text message, the e-mails and the page stay.
    photo_message, *later = bot_messages(sandbox, pictured)
    assert photo_message.deleted and photo_message.photo_file_id
    assert [(m.deleted, bool(m.photo_file_id)) for m in later] == [(False, False)]
    [kept] = bot_messages(sandbox, texted)
    assert not kept.deleted and not kept.photo_file_id and "/stop" in (kept.text or "")
    assert len(sink.messages) == mails + 1  # the update of revision 3; e-mails carry no photo
    rows = {
        (r["channel"], r["target"], r["revision"]): r
        for r in await publications(db, case.id, hosted=True)
    }
    assert rows["telegram_dm", f"volunteer/{await _volunteer(db, pictured)}", 2]["end_reason"] == (
        "consent no longer allows the photo: deleted"
    )
    assert rows["case_page", "page", 3]["state"] == "sent"
    assert rows["case_page", "photo.jpg", 2]["state"] == "withdrawn"
    assert ("case_page", "photo.jpg", 3) not in rows
    hosted = [r for key, r in rows.items() if key[0] in ("poster", "image") and key[2] == 2]
    assert hosted and {r["state"] for r in hosted} == {"withdrawn"}
    assert {r["state"] for key, r in rows.items() if key[0] == "email"} <= {"sent", "superseded"}
    # The renders that embed the photo are gone; revision 3's are made without it.
    await pipeline.end_consents(db)
    await materials.drain()
    assert not await db.conn.fetchval(
        "SELECT count(*) FROM materials WHERE case_id = $1 AND revision < 3", case.id
    )
    assert (await statuses(client, case.public_id, "/photo.jpg")) != [200]
    poster = await client.get(f"/alerts/{case.public_id}/poster-nl.pdf")
    assert poster.status == 200 and b"/Subtype /Image" not in await poster.read()
    page = await client.get(f"/alerts/{case.public_id}")
    assert page.status == 200 and "photo.jpg" not in await page.text()


async def _volunteer(db: Database, chat_id: int) -> int:
    found: int = await db.conn.fetchval(
        "SELECT id FROM volunteers WHERE telegram_chat_id = $1", chat_id
    )
    return found


async def test_lowering_the_level_withdraws_what_it_no_longer_allows(
    client: TestClient[Any, Any],
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    [volunteer] = await users(sandbox, db, [1])
    channel = sandbox.create_group("Oost-Vlaanderen", chat_type="channel")
    await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id=str(channel.id),
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip
    case = await published(db, live, make_staff, languages=["nl"], consent={"level": 3})
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        answer = await client.put(f"/api/cases/{case.id}/consent", json={**CONSENT, "level": 1},
                                  headers=await bearer(await make_staff()))  # fmt: skip
        assert answer.status == 200
        await eventually(nothing_withdrawing(db, case.id))
    assert [m.deleted for m in bot_messages(sandbox, channel.id)] == [True]
    assert [m.deleted for m in bot_messages(sandbox, volunteer)] == [False]  # level 1 allows it
    rows = await publications(db, case.id, hosted=True)
    by_channel: dict[str, set[str]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], set()).add(row["state"])
    assert by_channel["telegram_channel"] == {"withdrawn"}
    assert by_channel["poster"] == by_channel["image"] == by_channel["feed"] == {"withdrawn"}
    # The direct message stays, edited to revision 2 (what the new consent shows).
    assert by_channel["telegram_dm"] == {"sent", "superseded"}
    assert by_channel["press"] == {"withdrawn"}
    assert (await statuses(client, case.public_id, "/poster-nl.pdf")) == [410]


async def test_revoking_the_consent_withdraws_everything_and_the_case_stays_open(
    client: TestClient[Any, Any],
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    [volunteer] = await users(sandbox, db, [1])
    await add_volunteer(db, moved(GENT, 2), email="v2@example.org")
    case = await published(db, live, make_staff, languages=["nl"])
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        csrf = await logged_in(client, await make_staff())  # API tokens work on /api/ only
        revoked = await client.post(f"/console/cases/{case.id}/consent/revoke",
                                    data={"csrf_token": csrf}, allow_redirects=False)  # fmt: skip
        assert revoked.status == 303
        await eventually(states_are(db, case.id, TERMINAL))
    assert [m.deleted for m in bot_messages(sandbox, volunteer)] == [True]
    assert any(m.subject.startswith("Oproep ingetrokken") for m in sink.messages)
    assert (await cases.get(db, case.id)).state == "active"
    assert (await statuses(client, case.public_id, "", "/poster-nl.pdf")) == [410, 410]
    summary = withdrawal_report.summarise(await publications(db, case.id, hosted=True))
    assert summary.fully_withdrawn and summary.manual_actions == 0
    again = await client.post(f"/api/cases/{case.id}/consent/revoke",
                              headers=await bearer(await make_staff()))  # fmt: skip
    assert again.status == 409  # nothing left to revoke


async def test_a_consent_reaching_its_end_date_is_withdrawn_by_the_scheduler(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    [volunteer] = await users(sandbox, db, [1])
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    case = await published(db, live, make_staff, consent={"valid_until": until})
    scheduler = Scheduler(db, live)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        assert (await scheduler.run_due())["consents"]["cases"] == 0
        # The end date comes (an hour later, here at once).
        await db.conn.execute(
            "UPDATE consents SET valid_until = now() - interval '1 second' WHERE case_id = $1",
            case.id,
        )
        await db.conn.execute("UPDATE scheduler_runs SET last_run_at = now() - interval '1 hour'")
        assert (await scheduler.run_due())["consents"]["cases"] == 1
        await eventually(states_are(db, case.id, TERMINAL))
    assert [m.deleted for m in bot_messages(sandbox, volunteer)] == [True]
    [row] = await publications(db, case.id)
    assert row["end_reason"] == "consent reached its end date: deleted"
    assert await scheduler.run_due() == {}  # neither job is due again yet


async def test_a_photo_message_sent_while_the_consent_narrowed_is_withdrawn_next_round(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    [volunteer] = await users(sandbox, db, [1])
    case = await published(db, live, make_staff)
    manager = await make_staff()
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        # As if the photo message was recorded only after the consent's transaction committed:
        # the consent row alone, without the narrowing that transaction made.
        values = parse_consent({**CONSENT, "photo": False}, CaseKind(case.kind), datetime.now(UTC))
        await db.execute(
            "add_consent", case.id, values["given_by"], values["relation"], values["given_at"],
            manager.id, values["valid_until"], values["level"], values["photo"],
            values["name_mode"].value, values["place_precision"].value, values["forwarding"],
        )  # fmt: skip
        assert bot_messages(sandbox, volunteer)[0].photo_file_id
        assert (await pipeline.end_consents(db)).cases == 1
        await eventually(states_are(db, case.id, TERMINAL))
        assert (await pipeline.end_consents(db)).cases == 0
    assert [m.deleted for m in bot_messages(sandbox, volunteer)] == [True]


async def test_two_schedulers_never_run_a_job_at_the_same_time(
    db: Database, live: Settings
) -> None:
    runs: list[str] = []

    async def slow(database: Database, settings: Settings) -> dict[str, Any]:
        runs.append("start")
        await asyncio.sleep(0.3)
        runs.append("end")
        return {}

    job = Job(name="test-job", every=3600.0, work=slow)
    first, second = Scheduler(db, live, [job]), Scheduler(db, live, [job])
    results = await asyncio.gather(first.run_job(job), second.run_job(job))
    assert runs == ["start", "end"] and results.count(None) == 1
    assert await first.run_job(job) is None  # ran an hour ago at most: not due
