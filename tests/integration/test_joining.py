"""Joining during an alert (issue 21): a volunteer who signs up, or moves an area into reach,
while a case near them is active gets its alert, through the same consent, rows and checks as the
fan-out, and never twice: by the bot (sign-up and a new area) and by the e-mail sign-up (once
confirmed)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import Database
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.bot import GENT, TOKEN, Chat, Start, bot_settings, callbacks, chat, sign_up
from tests.support.dispatch import active_case, dispatching, eventually

pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)
ARLON = (49.6833, 5.8167)  # 200 km from Gent: out of reach
BUTTONS = ["ans:help", "ans:nearby", "ans:unavailable"]


def alerts_of(person: Chat) -> list[Any]:
    return [m for m in person.bot_messages() if callbacks(m) == BUTTONS]


async def sign_up_at(sandbox: TelegramSandbox, point: tuple[float, float]) -> Chat:
    person = chat(sandbox, "nl")
    await person.send("/start")
    await person.press("lang:nl")
    await person.share(*point)
    await person.press("radius:10")
    await person.press("confirm:yes")
    return person


async def settled(database: Database) -> bool:
    """No join waits for a dispatcher, and no batch for its expansion."""
    return not await database.conn.fetchval(
        "SELECT EXISTS (SELECT FROM fanout_joins) OR EXISTS (SELECT FROM fanout_batches)"
    )


async def rows_of(database: Database, case_id: int, chat_id: int) -> int:
    count: int = await database.conn.fetchval(
        "SELECT count(*) FROM publications p JOIN volunteers v ON v.id = p.volunteer_id "
        "WHERE p.case_id = $1 AND v.telegram_chat_id = $2",
        case_id, chat_id,
    )  # fmt: skip
    return count


async def test_a_bot_sign_up_during_an_alert_gets_it_once_and_one_far_away_does_not(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    live = bot_settings(settings, sandbox.url, client.server.port or 0, telegram_rate=200.0,
                        dispatch_poll_seconds=0.2)  # fmt: skip
    case = await active_case(database, live, make_staff, photo=False)
    async with dispatching(database, live):
        person = await sign_up(sandbox, "nl")  # at Gent, 10 km
        far = await sign_up_at(sandbox, ARLON)
        await eventually(lambda: _has(person, 1))
        # Moving within reach again (a wider radius) sends nothing more.
        await person.send("/settings")
        await person.press("set:home")
        await person.press("area:home:radius")
        await person.press("radius:25")
        await eventually(lambda: settled(database))
    assert len(alerts_of(person)) == 1 and alerts_of(far) == []
    assert await rows_of(database, case.id, person.user.id) == 1
    assert await rows_of(database, case.id, far.user.id) == 0


async def test_a_volunteer_who_moves_an_area_into_reach_gets_the_alert(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    live = bot_settings(settings, sandbox.url, client.server.port or 0, telegram_rate=200.0,
                        dispatch_poll_seconds=0.2)  # fmt: skip
    person = await sign_up_at(sandbox, ARLON)
    case = await active_case(database, live, make_staff, photo=False)
    async with dispatching(database, live):
        await eventually(lambda: settled(database))
        assert alerts_of(person) == []
        await person.send("/settings")
        await person.press("set:work")
        await person.share(*GENT)
        await person.press("radius:5")
        await eventually(lambda: _has(person, 1))
    [alert] = alerts_of(person)
    assert "116\u00a0000" in (alert.text or "")
    assert await rows_of(database, case.id, person.user.id) == 1


async def _has(person: Chat, count: int) -> bool:
    return len(alerts_of(person)) >= count


async def test_an_email_sign_up_during_an_alert_gets_it_once_confirmed(
    database: Database, settings: Settings, sink: SmtpSink, make_staff: StaffFactory,
    aiohttp_client: Any,
) -> None:  # fmt: skip
    mail = dataclasses.replace(settings, smtp_url=sink.url, email_rate=100.0,
                               secret_key="join-key", dispatch_poll_seconds=0.2)  # fmt: skip
    case = await active_case(database, mail, make_staff, photo=False)
    client: TestClient[Any, Any] = await aiohttp_client(create_app(mail))
    page = await (await client.get("/volunteer", params={"lang": "fr"})).text()
    form = {"email": "joris@example.org", "language": "fr", "place": "9000", "radius": "10",
            "csrf_token": _csrf(page)}  # fmt: skip
    assert (await client.post("/volunteer?lang=fr", data=form)).status == 200
    async with dispatching(database, mail):
        await eventually(lambda: settled(database))
        # Not confirmed yet: no alert.
        [confirm] = [m for m in sink.messages if m.rcpt_tos == ("joris@example.org",)]
        link = re.search(r"https?://\S+(/volunteer/confirm/\S+)", confirm.text or "")
        assert link, confirm.text
        confirm_page = await (await client.get(link.group(1))).text()
        done = await client.post(link.group(1), data={"csrf_token": _csrf(confirm_page)})
        assert done.status == 200
        await eventually(lambda: _alert_mails(sink, case.reference))
        await eventually(lambda: settled(database))
    alert = [m for m in sink.messages if "/volunteer/answer/" in (m.text or "")]
    assert len(alert) == 1 and alert[0].rcpt_tos == ("joris@example.org",)


async def _alert_mails(sink: SmtpSink, reference: str) -> bool:
    return any("/volunteer/answer/" in (m.text or "") for m in sink.messages)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)
