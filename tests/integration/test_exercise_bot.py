"""The bot's settings offer exercises (issue 20, item 4): off by default, one button switches
them on and off, in the volunteer's language."""

from __future__ import annotations

import pytest

from alerts.bot.settings_menu import EXERCISES_OFF, EXERCISES_ON
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.volunteers import registry as volunteers
from sandbox.telegram.server import TelegramSandbox
from tests.support.bot import TOKEN, Client, Start, callbacks, sign_up

pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)


@pytest.fixture
async def client(start: Start) -> Client:
    return await start()


@pytest.mark.parametrize("lang", ["nl", "de"])
async def test_the_settings_switch_exercises_on_and_off(
    client: Client, sandbox: TelegramSandbox, database: Database, lang: str
) -> None:
    person = await sign_up(sandbox, lang)
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.exercises is False  # off by default
    menu = await person.send("/settings")
    assert "set:exercises" in callbacks(menu)
    on = await person.press("set:exercises")
    assert on.text == in_language(lang, EXERCISES_ON)
    assert {"nl": "OEFENING", "de": "ÜBUNG"}[lang] in (on.text or "")
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.exercises is True
    await person.send("/settings")
    off = await person.press("set:exercises")
    assert off.text == in_language(lang, EXERCISES_OFF)
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None and volunteer.exercises is False
