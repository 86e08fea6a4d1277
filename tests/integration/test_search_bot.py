"""Field searches through the bot (issue 21): the opt-in from /settings, where the button is the
confirmation of age, the call-out's buttons: Coming, Check in, and after the end Check out, and
a shared location as the searcher's position (a check-in with it, then updates; gone at the
check-out), through the real python-telegram-bot Application against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from tests.support.dispatch import GENT, eventually, moved
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


def _shares_location(reply_markup: dict[str, object] | None) -> bool:
    rows = (reply_markup or {}).get("keyboard", [])
    assert isinstance(rows, list)
    return any(button.get("request_location") for row in rows for button in row)


async def _position(database: Database, search_id: int, volunteer_id: int) -> tuple[object, ...]:
    row = await database.conn.fetchrow(
        "SELECT lat, lon, position_at FROM search_members"
        " WHERE search_id = $1 AND volunteer_id = $2", search_id, volunteer_id,
    )  # fmt: skip
    return tuple(row)


async def _at(database: Database, search_id: int, volunteer_id: int, point: object) -> bool:
    return (await _position(database, search_id, volunteer_id))[:2] == pytest.approx(point)


@pytest.mark.sandbox(token=TOKEN, limits_enabled=False)
async def test_a_shared_location_checks_in_with_a_position_that_the_check_out_erases(
    client: Client,
    sandbox: TelegramSandbox,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    person = await sign_up(sandbox, "fr")
    volunteer = await volunteers.by_chat(database, person.user.id)
    assert volunteer is not None
    await optin.set_field_searches(database, volunteer.id, True, adult=True)
    case, manager = await approved(database, settings, make_staff)
    soon = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    search = await field_search(database, manager, case, assembly_at=soon)
    configured = bot_settings(settings, sandbox.url, client.server.port or 0)
    here, further = moved(GENT, 0.3), moved(GENT, 0.6)
    async with tasks.sender(database, configured, per_chat_seconds=0) as notifier:
        assert await notifier.deliver_due() == 1
        # Before answering coming, a location checks in nobody and is not kept.
        await person.share(*here)
        assert await _position(database, search.id, volunteer.id) == (None, None, None)
        await person.press(f"search:{search.id}:coming")
        # At the assembly point: the location checks in, with the position, for staff only.
        checked_in = await person.share(*here)
        assert checked_in.text == in_language("fr", search_buttons.CHECKED_IN_THERE)
        assert _shares_location(checked_in.reply_markup)  # a button to share it again
        member = await service.member_of(database, search.id, volunteer.id)
        assert member.checked_in and (member.lat, member.lon) == pytest.approx(here)
        # Shared again while checked in: the position moves on (it is never a track).
        updated = await person.share(*further)
        assert updated.text == in_language("fr", search_buttons.POSITION_UPDATED)
        member = await service.member_of(database, search.id, volunteer.id)
        assert (member.lat, member.lon) == pytest.approx(further)
        board = await service.board(database, settings, manager, case, search)
        assert [(s.lat, s.lon) for s in board.searchers] == [pytest.approx(further)]
        # A live location moving on moves the position, without a word in the chat.
        shared = [m for m in sandbox.messages(person.user.id) if not m.from_bot][-1]
        said = len(person.bot_messages())
        sandbox.user_moves_live_location(person.user.id, shared.message_id, *here)
        await eventually(lambda: _at(database, search.id, volunteer.id, here))
        assert len(person.bot_messages()) == said
        await service.change(database, manager, search.id, state="ended")
        assert await notifier.deliver_due() == 1
        # The search is over: a location no longer moves the position nor checks anyone in.
        await person.share(*further)
        member = await service.member_of(database, search.id, volunteer.id)
        assert (member.lat, member.lon) == pytest.approx(here)
        out = await person.press(f"search:{search.id}:checkout")
        assert (out.reply_markup or {}).get("remove_keyboard") is True
    # Checked out: the position is gone, and a location shared now is not kept either.
    assert await _position(database, search.id, volunteer.id) == (None, None, None)
    await person.share(*further)
    sandbox.user_moves_live_location(person.user.id, shared.message_id, *further)
    await person.send("/help")  # the bot has taken the live location's move before this
    assert await _position(database, search.id, volunteer.id) == (None, None, None)
    assert not (await service.member_of(database, search.id, volunteer.id)).checked_in
