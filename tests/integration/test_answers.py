"""Answers to an alert through its Telegram buttons (issue 21): "I can help", "I am nearby now",
"Not available", stored per case and volunteer (the last one counts), shown to staff as counts
per distance ring in the reach API, the console's figures and /metrics; a forwarded copy
answers for nobody; a revision keeps the buttons, the close takes them away and answers stop."""

from __future__ import annotations

from typing import Any

import pytest

from alerts.cases.models import Case
from alerts.channels.tg_texts import ending_notice
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import pipeline
from alerts.volunteers.answers import ANSWERS, CLOSED, NOT_YOURS, THANKS
from sandbox.demo_answers import Answering
from sandbox.telegram.records import JSON
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import Bearer, StaffFactory
from tests.support.approval import revise_approved
from tests.support.bot import TOKEN, Chat, Client, Start, bot_settings, callbacks, sign_up, until
from tests.support.console import logged_in
from tests.support.dispatch import active_case, dispatching, eventually

pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)
BUTTONS = ["ans:help", "ans:nearby", "ans:unavailable"]


def live(settings: Settings, sandbox: TelegramSandbox, client: Client) -> Settings:
    return bot_settings(settings, sandbox.url, client.server.port or 0, telegram_rate=200.0,
                        dispatch_poll_seconds=0.2)  # fmt: skip


async def alerted(
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    *people: Chat,
    **consent: Any,
) -> Case:
    """An approved case, its alert delivered to each of `people`."""
    case = await active_case(database, settings, make_staff, photo=False, consent=consent)
    async with dispatching(database, settings):
        await eventually(_have_alert(*people))
    return case


def _have_alert(*people: Chat) -> Any:
    async def check() -> bool:
        return all(any(callbacks(m) == BUTTONS for m in p.bot_messages()) for p in people)

    return check


def alert_of(person: Chat) -> Any:
    return next(m for m in person.bot_messages() if callbacks(m) == BUTTONS)


async def press(
    sandbox: TelegramSandbox, user_id: int, message_id: int, data: str, chat_id: int | None = None
) -> JSON:
    """Tap the button; the bot's answerCallbackQuery."""
    update = sandbox.user_presses_button(user_id, message_id, data, chat_id=chat_id)
    query_id = update["callback_query"]["id"]
    await until(lambda: sandbox.callback_answer(query_id) is not None)
    answer = sandbox.callback_answer(query_id)
    assert answer is not None
    return answer


async def answers(database: Database) -> list[dict[str, Any]]:
    rows = await database.conn.fetch("SELECT * FROM case_answers ORDER BY volunteer_id")
    return [dict(r) for r in rows]


def ring_of(km: float) -> str:
    return next(r for limit, r in ((2, "0-2"), (5, "2-5"), (10, "5-10"), (25, "10-25"))
                if km < limit) if km < 25 else "25+"  # fmt: skip


async def test_a_volunteer_answers_with_the_buttons_and_the_last_answer_counts(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory, bearer: Bearer,
) -> None:  # fmt: skip
    client = await start()
    person = await sign_up(sandbox, "fr")
    case = await alerted(database, live(settings, sandbox, client), make_staff, person)
    alert = alert_of(person)
    labels = [b["text"] for row in (alert.reply_markup or {})["inline_keyboard"] for b in row]
    assert labels == ["Je peux aider", "Je suis à proximité maintenant", "Pas disponible"]
    assert labels == [in_language("fr", label) for label in ANSWERS.values()]

    thanked = await press(sandbox, person.user.id, alert.message_id, "ans:help")
    assert thanked == {"text": in_language("fr", THANKS["help"]), "show_alert": False}
    thanked = await press(sandbox, person.user.id, alert.message_id, "ans:nearby")
    assert thanked["text"] == in_language("fr", THANKS["nearby"])
    [row] = await answers(database)
    km = await database.conn.fetchval(
        "SELECT sort_key FROM publications WHERE case_id = $1 AND channel = 'telegram_dm'", case.id
    )
    assert (row["case_id"], row["answer"], row["channel"]) == (case.id, "nearby", "telegram_dm")
    assert row["ring"] == ring_of(km)
    assert set(row) == {"case_id", "volunteer_id", "answer", "ring", "channel", "answered_at"}

    headers = await bearer(await make_staff())
    reach = await (await client.get(f"/api/cases/{case.id}/reach", headers=headers)).json()
    assert reach["answers"]["total"] == 1
    assert reach["answers"]["by_answer"] == {"help": 0, "nearby": 1, "unavailable": 0}
    rings = {r["ring"]: r for r in reach["answers"]["rings"]}
    assert list(rings) == ["0-2", "2-5", "5-10", "10-25", "25+"]
    assert rings[row["ring"]] == {"ring": row["ring"], "help": 0, "nearby": 1, "unavailable": 0}
    spec = await (await client.get("/api/openapi.json", headers=headers)).json()
    assert "answers" in spec["paths"]["/api/cases/{case_id}/reach"]["get"]["description"]

    metrics = await (await client.get("/metrics")).text()
    assert f'alerts_volunteer_answers{{answer="nearby",ring="{row["ring"]}"}} 1' in metrics
    assert 'alerts_volunteer_answers{answer="help",ring="0-2"} 0' in metrics

    await logged_in(client, await make_staff())
    page = await (await client.get(f"/console/cases/{case.id}/progress")).text()
    table = page.split('class="figures-table answers-table"')[1].split("</table>")[0]
    assert table.count('<td class="num">1</td>') == 2  # its ring, and the total
    # Staff never see who answered, nor where they are.
    for secret in (str(person.user.id), "51.05", "3.71"):
        assert secret not in page and secret not in str(reach)


async def test_attack_a_forwarded_alert_answers_for_nobody(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    owner, other = await sign_up(sandbox, "nl"), await sign_up(sandbox, "nl")
    settings = live(settings, sandbox, client)
    await alerted(database, settings, make_staff, owner, other, forwarding=True)
    alert = alert_of(owner)
    # The owner forwards their alert into a group the other volunteer is in; the other one
    # forwards it on into their own chat with the bot. Both copies carry the buttons.
    group = sandbox.create_group("Buurt")
    shared = sandbox.user_forwards(owner.user.id, owner.user.id, alert.message_id, chat_id=group.id)
    copy_id = shared["message"]["message_id"]
    refused = await press(sandbox, other.user.id, copy_id, "ans:help", chat_id=group.id)
    assert refused == {"text": in_language("nl", NOT_YOURS), "show_alert": True}
    mine = sandbox.user_forwards(other.user.id, group.id, copy_id)
    refused = await press(sandbox, other.user.id, mine["message"]["message_id"], "ans:help")
    assert refused["text"] == in_language("nl", NOT_YOURS)
    assert await answers(database) == []
    # Their own alert answers for them, and for them alone.
    await press(sandbox, other.user.id, alert_of(other).message_id, "ans:unavailable")
    [row] = await answers(database)
    volunteer = await database.conn.fetchval(
        "SELECT id FROM volunteers WHERE telegram_chat_id = $1", other.user.id
    )
    assert (row["volunteer_id"], row["answer"]) == (volunteer, "unavailable")


async def test_a_revision_keeps_the_buttons_and_the_close_ends_the_answers(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    person = await sign_up(sandbox, "de")
    settings = live(settings, sandbox, client)
    case = await alerted(database, settings, make_staff, person)
    manager = await make_staff()
    async with dispatching(database, settings):
        await revise_approved(database, settings, manager, case.id, {"clothing": "rote Jacke"})
        await eventually(lambda: _edited(person))
    [alert] = person.bot_messages()[-1:]
    assert "rote Jacke" in (alert.text or "") and callbacks(alert) == BUTTONS
    await press(sandbox, person.user.id, alert.message_id, "ans:help")

    # Closed, before any dispatcher took the alert back: the button says the appeal ended.
    await pipeline.close(database, manager, case.id, "found_safe")
    refused = await press(sandbox, person.user.id, alert.message_id, "ans:unavailable")
    assert refused == {"text": in_language("de", CLOSED), "show_alert": True}
    assert [r["answer"] for r in await answers(database)] == ["help"]
    async with dispatching(database, settings):
        await eventually(lambda: _ended(person))
    first, ending = person.bot_messages()[-2:]
    assert first.deleted and ending.text == ending_notice("de") and not ending.reply_markup


async def _edited(person: Chat) -> bool:
    return any(len(m.history) > 1 for m in person.bot_messages() if callbacks(m) == BUTTONS)


async def _ended(person: Chat) -> bool:
    return person.last.text == ending_notice("de")


async def test_the_demos_volunteers_answer_some_alerts_through_the_buttons(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    people = [await sign_up(sandbox, "nl") for _ in range(5)]
    await alerted(database, live(settings, sandbox, client), make_staff, *people)
    demo = Answering(sandbox, [p.user.id for p in people])
    assert demo.step(now=0.0) == 0  # planned, a few seconds after the alert arrived
    pressed = demo.step(now=60.0)
    assert 0 < pressed < len(people) and demo.step(now=120.0) == 0  # each alert once
    await eventually(lambda: _answered(database, pressed))


async def _answered(database: Database, count: int) -> bool:
    return len(await answers(database)) == count
