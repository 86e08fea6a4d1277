"""Field searches through the bot (issue 21): the opt-in from /settings, where the button is the
confirmation of age, and the call-out's buttons: Coming, Check in, and after the end Check out,
through the real python-telegram-bot Application against the sandbox."""

from __future__ import annotations

import pytest

from alerts.bot import search_buttons
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import tasks
from alerts.searches import optin, service
from alerts.volunteers import registry as volunteers
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.bot import TOKEN, Client, Start, bot_settings, callbacks, sign_up
from tests.support.factories import approved
from tests.support.searches import field_search


@pytest.fixture
async def client(start: Start) -> Client:
    return await start()


@pytest.mark.sandbox(token=TOKEN, limits_enabled=False)
async def test_a_volunteer_opts_in_answers_checks_in_and_out_from_the_bot(
    client: Client,
    sandbox: TelegramSandbox,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    person = await sign_up(sandbox, "nl")
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None
    menu = await person.send("/settings")
    assert "fs:menu" in callbacks(menu)
    about = await person.press("fs:menu")
    assert "fs:on" in callbacks(about) and "volwassenen" in (about.text or "")  # in Dutch
    assert not await optin.opted_in(database, volunteer.id)  # not before the age is confirmed
    await person.press("fs:on")
    assert await optin.opted_in(database, volunteer.id)

    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    configured = bot_settings(settings, sandbox.url, client.server.port or 0)
    async with tasks.sender(database, configured, per_chat_seconds=0) as notifier:
        assert await notifier.deliver_due() == 1
        assert f"search:{search.id}:coming" in callbacks(person.last)
        coming = await person.press(f"search:{search.id}:coming")
        assert in_language("nl", search_buttons.DONE["coming"]) in (coming.text or "")
        await person.press(f"search:{search.id}:checkin")
        member = await service.member_of(database, search.id, volunteer.id)
        assert member.answer == "coming" and member.checked_in
        await service.change(database, manager, search.id, state="ended")
        assert await notifier.deliver_due() == 1
        assert f"search:{search.id}:checkout" in callbacks(person.last)
        await person.press(f"search:{search.id}:checkout")
    member = await service.member_of(database, search.id, volunteer.id)
    assert not member.checked_in and member.checked_out_at is not None
    # The search is over: a check-in is refused, in the volunteer's language.
    refused = await person.press(f"search:{search.id}:checkin")
    assert refused.text == in_language("nl", "This search has ended or was cancelled.")
