"""The Telegram bot: the real python-telegram-bot Application inside our app, against the sandbox.

Sign-up in each language, places typed or shared, settings, stop, help, export and deletion;
the webhook's secret; polling; and no bot token in any log line, even when Telegram is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import time as clock
from typing import Any

import pytest
from aiohttp import web

from alerts.app import create_app
from alerts.bot import steps
from alerts.bot.steps import CHOOSE_LANGUAGE
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language, language_name
from alerts.volunteers import registry as volunteers
from sandbox.telegram.records import SandboxUser
from sandbox.telegram.server import TelegramSandbox
from tests.support.bot import (
    GENT,
    SECRET,
    TOKEN,
    Client,
    Start,
    bot_settings,
    chat,
    sign_up,
    until,
)
from tests.support.bot import callbacks as _callbacks
from tests.support.processes import free_port

# Flood limits off for the conversations; test_flood_control_is_waited_out turns them on.
pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)


async def until_async(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)


@pytest.fixture
async def client(start: Start) -> Client:
    return await start()


# -- sign-up ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "gent"), [("nl", "Gent"), ("fr", "Gand"), ("de", "Gent"),
                                            ("en", "Ghent")])  # fmt: skip
async def test_sign_up_with_a_shared_location_in_each_language(
    client: Client, sandbox: TelegramSandbox, database: Database, lang: str, gent: str
) -> None:
    person = chat(sandbox, lang)

    asked = await person.send("/start")
    assert asked.text == CHOOSE_LANGUAGE
    assert _callbacks(asked) == ["lang:nl", "lang:fr", "lang:de", "lang:en"]

    await person.press(f"lang:{lang}")
    assert person.bot_messages()[0].text == f"{CHOOSE_LANGUAGE}\n\n✓ {language_name(lang)}"
    welcome = person.last
    assert in_language(lang, steps.ASK_PLACE["home"]) in (welcome.text or "")
    [[share]] = (welcome.reply_markup or {})["keyboard"]
    assert share["request_location"] is True and share["text"] == in_language(
        lang, "📍 Share my location"
    )

    radius = await person.share(*GENT)
    assert radius.text == in_language(lang, steps.CHOOSE_RADIUS, place=gent)
    assert _callbacks(radius) == ["radius:2", "radius:5", "radius:10", "radius:25", "radius:50"]

    summary = await person.press("radius:10")
    area = in_language(lang, "near %(place)s, within %(km)s km", place=gent, km="10")
    assert summary.text == in_language(
        lang,
        "Is this right?\n\nLanguage: %(language)s\nArea: %(area)s",
        language=language_name(lang),
        area=area,
    )

    done = await person.press("confirm:yes")
    assert done.text == in_language(lang, steps.SIGNED_UP)
    assert done.reply_markup == {"remove_keyboard": True}

    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.active and volunteer.language == lang
    [home] = await volunteers.areas_of(database, volunteer.id)
    assert (home.label, home.lat, home.lon, home.radius_km) == ("home", 51.05, 3.72, 10.0)


@pytest.mark.parametrize(("typed", "place"), [("9000", "Gent"), ("namur", "Namen")])
async def test_a_postcode_or_municipality_can_be_typed_instead(
    client: Client, sandbox: TelegramSandbox, database: Database, typed: str, place: str
) -> None:
    person = chat(sandbox, "nl")
    await person.send("/start")
    await person.press("lang:nl")

    asked = await person.send(typed)

    assert asked.text == in_language("nl", steps.CHOOSE_RADIUS, place=place)
    await person.press("radius:25")
    await person.press("confirm:yes")
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None
    [home] = await volunteers.areas_of(database, volunteer.id)
    assert home.radius_km == 25 and (round(home.lat, 2), round(home.lon, 2)) == (home.lat, home.lon)


async def test_an_unknown_place_gets_a_clear_answer_in_the_users_language(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = chat(sandbox, "fr")
    await person.send("/start")
    await person.press("lang:fr")

    answer = await person.send("Atlantide-sur-Mer")

    assert answer.text == in_language("fr", steps.PLACE_UNKNOWN)
    assert "\u00a0»" in (answer.text or "")  # French spacing
    # The conversation still waits for a place:
    assert (await person.send("Namur")).text == in_language(
        "fr", steps.CHOOSE_RADIUS, place="Namur"
    )


async def test_text_where_a_button_is_expected_is_answered_with_what_to_do(
    client: Client, sandbox: TelegramSandbox
) -> None:
    person = chat(sandbox, "de")
    await person.send("/start")
    assert (await person.send("Deutsch bitte")).text == in_language(
        "de", steps.REMINDERS["language"]
    )
    await person.press("lang:de")
    assert (await person.share(*GENT)).text == in_language("de", steps.CHOOSE_RADIUS, place="Gent")
    assert (await person.send("sehr weit")).text == in_language("de", steps.RADIUS_EXPECTED)
    assert (await person.send("500")).text == in_language("de", steps.RADIUS_EXPECTED)
    area = in_language("de", "near %(place)s, within %(km)s km", place="Gent", km="15")
    summary = in_language(
        "de",
        "Is this right?\n\nLanguage: %(language)s\nArea: %(area)s",
        language="Deutsch",
        area=area,
    )
    assert (await person.send("15 km")).text == summary
    assert (await person.send("ja")).text == in_language("de", steps.REMINDERS["confirm"])


async def test_a_stale_button_is_answered_not_obeyed(
    client: Client, sandbox: TelegramSandbox
) -> None:
    person = chat(sandbox)
    await person.send("/start")
    first = person.last
    await person.send("/start")
    await person.press("lang:en")  # on the second question: the conversation moves on

    update = sandbox.user_presses_button(person.user.id, first.message_id, "lang:nl")
    query_id = update["callback_query"]["id"]
    await until(lambda: sandbox.callback_answer(query_id) is not None)

    assert sandbox.callback_answer(query_id) == {
        "text": in_language("en", "This button no longer works. Send /settings or /start."),
        "show_alert": False,
    }  # fmt: skip
    assert (await person.send("9000")).text == in_language("en", steps.CHOOSE_RADIUS, place="Ghent")


# -- settings, stop, help ------------------------------------------------------------------------


async def test_settings_add_a_work_area_and_quiet_hours(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = await sign_up(sandbox, "nl")

    menu = await person.send("/settings")
    assert "Thuis: in de buurt van Gent, binnen 10 km" in (menu.text or "")
    assert "Werk: niet ingesteld" in (menu.text or "")
    asked = await person.press("set:work")
    assert asked.text == in_language("nl", steps.ASK_PLACE["work"])
    await person.send("Leuven")
    saved = await person.press("radius:5")
    area = in_language("nl", "near %(place)s, within %(km)s km", place="Leuven", km="5")
    assert saved.text == in_language("nl", steps.SAVED["work"], area=area)
    assert saved.reply_markup == {"remove_keyboard": True}

    await person.send("/settings")
    await person.press("set:quiet")
    done = await person.press("quiet:2200-0700")
    assert done.text == in_language("nl", "✅ Quiet hours: %(quiet)s.", quiet="22:00–07:00")

    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.quiet_hours is not None
    assert (volunteer.quiet_start, volunteer.quiet_end) == (clock(22), clock(7))
    areas = {a.label: a for a in await volunteers.areas_of(database, volunteer.id)}
    assert (areas["work"].lat, areas["work"].lon, areas["work"].radius_km) == (50.88, 4.7, 5)
    assert areas["home"].radius_km == 10


async def test_settings_change_the_language_the_radius_and_typed_quiet_hours(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = await sign_up(sandbox, "en")
    await person.send("/settings")
    await person.press("set:lang")
    assert (await person.press("lang:fr")).text == in_language(
        "fr", "✅ From now on I will write to you in English."
    )

    await person.send("/settings")
    await person.press("set:home")
    await person.press("area:home:radius")
    changed = await person.press("radius:25")
    assert changed.text == in_language(
        "fr",
        steps.SAVED["home"],
        area=in_language("fr", "near %(place)s, within %(km)s km", place="Gand", km="25"),
    )

    await person.send("/settings")
    await person.press("set:quiet")
    assert (await person.send("23h-6h30")).text == in_language(
        "fr", "✅ Quiet hours: %(quiet)s.", quiet="23:00–06:30"
    )
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.language == "fr"
    assert (volunteer.quiet_start, volunteer.quiet_end) == (clock(23), clock(6, 30))


async def test_stop_deactivates_in_one_step(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = await sign_up(sandbox, "de")

    answer = await person.send("/stop")

    assert answer.text == in_language("de", steps.STOPPED)
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and not volunteer.active
    assert volunteer.deactivated_reason == "opt_out"
    again = await person.send("/start")  # signing up again starts with the language
    assert again.text == CHOOSE_LANGUAGE


async def test_help_answers_in_the_users_language(
    client: Client, sandbox: TelegramSandbox, settings: Settings
) -> None:
    person = chat(sandbox, "fr")
    answer = await person.send("/help")
    assert answer.text == in_language(
        "fr", steps.HELP, organisation=settings.organisation("fr"), hotline=settings.hotline
    )
    assert (await person.send("/stop")).text == in_language("fr", steps.NOT_SIGNED_UP)
    assert (await person.send("bonjour")).text == in_language("fr", steps.NOT_UNDERSTOOD)


async def test_a_user_who_blocks_the_bot_is_deactivated(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = await sign_up(sandbox)

    sandbox.block_bot(person.user.id)

    async def deactivated() -> bool:
        volunteer = await volunteers.by_chat(database, person.user.id)
        return volunteer is not None and volunteer.deactivated_reason == "blocked_bot"

    await until_async(deactivated)


async def test_my_data_is_shown_and_deleted_on_request(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    person = await sign_up(sandbox, "en")
    await person.send("/settings")

    shown = await person.press("set:data")
    assert (shown.text or "").startswith(in_language("en", "This is everything we hold about you:"))
    assert '"lat": 51.05' in (shown.text or "") and '"radius_km": 10.0' in (shown.text or "")
    assert f'"telegram_chat_id": {person.user.id}' in (shown.text or "")
    await person.press("data:delete")
    gone = await person.press("data:delete-yes")

    assert gone.text == in_language(
        "en", "✅ All your data has been deleted. Send /start if you ever want to sign up again."
    )
    assert await volunteers.by_chat(database, person.user.id) is None
    rows = await database.conn.fetchval("SELECT count(*) FROM volunteer_areas")
    assert rows == 0


async def test_flood_control_is_waited_out(
    client: Client, sandbox: TelegramSandbox, database: Database
) -> None:
    sandbox.configure(limits_enabled=True)
    person = chat(sandbox)
    await person.send("/start")
    # The language button makes two calls at once (edit, then the next question): the second
    # meets Telegram's one-message-per-second limit and must be retried after retry_after.
    await person.press("lang:en")
    assert sandbox.counters().refused.get("per_chat", 0) >= 1
    assert in_language("en", steps.ASK_PLACE["home"]) in (person.last.text or "")


# -- the webhook and polling ---------------------------------------------------------------------


def start_update(user: SandboxUser, update_id: int = 900_001) -> dict[str, Any]:
    sender = {"id": user.id, "is_bot": False, "first_name": user.first_name,
              "language_code": "en"}  # fmt: skip
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": int(time.time()), "from": sender, "text": "/start",
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip


async def test_the_webhook_is_set_with_the_secret(client: Client, sandbox: TelegramSandbox) -> None:
    hook = sandbox.webhook()
    assert hook is not None and hook.secret_token == SECRET
    assert hook.url == f"http://127.0.0.1:{client.port}/telegram/webhook"
    assert set(sandbox.commands()) >= {'{"type": "default"}|', '{"type": "default"}|nl'}


WRONG_SECRETS = [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                 {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}]  # fmt: skip


@pytest.mark.parametrize("headers", WRONG_SECRETS)
async def test_an_update_without_the_right_secret_is_refused_and_not_processed(
    client: Client, sandbox: TelegramSandbox, database: Database, headers: dict[str, str]
) -> None:
    user = sandbox.create_user()

    answer = await client.post("/telegram/webhook", json=start_update(user), headers=headers)

    assert answer.status == 403
    await asyncio.sleep(0.3)
    assert sandbox.messages(user.id) == []
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_conversations") == 0


async def test_an_update_with_the_secret_is_processed(
    client: Client, sandbox: TelegramSandbox
) -> None:
    user = sandbox.create_user()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    answer = await client.post("/telegram/webhook", json=start_update(user), headers=headers)

    assert answer.status == 200
    await until(lambda: len(sandbox.messages(user.id)) == 1)
    assert sandbox.messages(user.id)[0].text == CHOOSE_LANGUAGE


async def test_polling_mode_works_without_a_webhook(
    start: Start, sandbox: TelegramSandbox, database: Database
) -> None:
    client = await start(telegram_mode="polling", telegram_webhook_secret="")
    person = chat(sandbox, "nl")

    asked = await person.send("/start")

    assert asked.text == CHOOSE_LANGUAGE and sandbox.webhook() is None
    assert sandbox.counters().accepted.get("getUpdates", 0) >= 1
    assert (await client.post("/telegram/webhook", json={})).status == 404


async def test_webhook_mode_refuses_to_start_without_a_secret(
    settings: Settings, sandbox: TelegramSandbox
) -> None:
    configured = bot_settings(settings, sandbox.url, free_port(), telegram_webhook_secret="")
    runner = web.AppRunner(create_app(configured))
    try:
        with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET must be set"):
            await runner.setup()
    finally:
        await runner.cleanup()


# -- the token never in a log line ---------------------------------------------------------------


def _logged(records: list[logging.LogRecord]) -> str:
    """Everything the records would put in a log line: messages, fields, tracebacks."""
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.extend(str(value) for value in vars(record).values())
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
    return "\n".join(parts)


async def test_a_network_error_logs_no_token(
    aiohttp_client: Any, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # The channels' make_bot keeps python-telegram-bot's logger at INFO once any test used it;
    # here its DEBUG line must come through, scrubbed, whatever ran before.
    caplog.set_level(logging.DEBUG, logger="telegram")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    configured = bot_settings(settings, closed, free_port(), telegram_mode="polling")
    client = await aiohttp_client(create_app(configured))

    await until(lambda: any(getattr(r, "action", "") == "telegram_unreachable"
                            for r in caplog.records))  # fmt: skip
    assert (await client.get("/healthz")).status == 200  # the service runs on
    await client.close()

    logged = _logged(caplog.records)
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert "Set Bot API URL: <redacted>" in logged  # python-telegram-bot's own line, scrubbed
    assert "Cannot connect to host" in logged  # the error itself is still explained


async def test_a_refused_token_is_not_logged_either(
    start: Start, sandbox: TelegramSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.configure(token="42:AAAnotherTokenThatTheSandboxExpects_xyz")

    await start(telegram_mode="polling")
    await until(lambda: any(getattr(r, "action", "") == "telegram_invalid_token"
                            for r in caplog.records))  # fmt: skip

    assert TOKEN.split(":")[1] not in _logged(caplog.records)
