"""What Telegram says about a chat, and what the dispatcher does with it (against the sandbox):
a regional group upgraded to a supergroup is followed to its new chat id, recorded in the
registry, instead of being retried eight times and failing; a regional channel the bot was
removed from is deactivated; a volunteer whose account is gone is deactivated."""

from __future__ import annotations

import pytest

from alerts.config import Settings
from alerts.db.database import Database
from alerts.partners import registry as partners
from alerts.staff.models import Role
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.channels import all_sent, close, ended, states_are
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
)


async def regional(db: Database, make_staff: StaffFactory, chat_id: int) -> int:
    """A regional channel around Gent posting to Telegram chat `chat_id`; its id."""
    return await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id=str(chat_id),
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip


def from_bot(sandbox: TelegramSandbox, chat_id: int) -> list[object]:
    return [m for m in sandbox.messages(chat_id) if m.from_bot]


async def test_a_regional_group_upgraded_to_a_supergroup_is_followed_to_its_new_chat(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    group = sandbox.create_group("Oost-Vlaanderen", chat_type="group")
    channel_id = await regional(db, make_staff, group.id)
    first = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(all_sent(db, first.id))
        supergroup = sandbox.upgrade_group(group.id)

        # A new case: its post answers "group chat was upgraded" and goes to the supergroup.
        second = await active_case(db, live, make_staff)
        await eventually(all_sent(db, second.id), within=5)
        [post] = await publications(db, second.id)
        assert post["address"] == str(supergroup.id) and post["attempts"] == 1
        channel = await partners.get_regional_channel(db, channel_id)
        assert channel.chat_id == str(supergroup.id) and channel.active

        # An edit of the first case's post, which stays in the old group: posted anew there.
        await revise_approved(db, live, await make_staff(), first.id, {"clothing": "red coat"})
        await eventually(lambda: _sent_at(db, first.id, 2), within=5)
    assert len(from_bot(sandbox, supergroup.id)) == 2
    [old_post] = from_bot(sandbox, group.id)
    assert not old_post.edited  # nothing was sent to the old id after the upgrade

    async with dispatching(db, live):
        await close(db, await make_staff(), first.id)
        await eventually(ended(db, first.id))
    rows = {r["revision"]: r for r in await publications(db, first.id)}
    assert rows[2]["state"] == "withdrawn"  # deleted in the supergroup
    # The post in the old group is out of the bot's reach: a person is told, and the message
    # with the same id in the supergroup (another case's post) is left alone.
    assert rows[1]["state"] == "manual" and "supergroup" in rows[1]["end_reason"]
    assert [m.deleted for m in from_bot(sandbox, supergroup.id)] == [False, True]


async def _sent_at(db: Database, case_id: int, revision: int) -> bool:
    rows = [r for r in await publications(db, case_id) if r["revision"] == revision]
    return bool(rows) and all(r["state"] == "sent" for r in rows)


@pytest.mark.parametrize(
    ("chat_type", "kicked", "words"),
    [
        ("supergroup", True, "Forbidden: bot was kicked from the supergroup chat"),
        ("group", True, "Forbidden: bot was kicked from the group chat"),
        ("channel", False, "Forbidden: bot is not a member of the channel chat"),
        ("supergroup", False, "Forbidden: bot is not a member of the supergroup chat"),
    ],
)
async def test_a_regional_channel_the_bot_was_removed_from_is_deactivated(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    make_staff: StaffFactory,
    chat_type: str,
    kicked: bool,
    words: str,
) -> None:
    chat = sandbox.create_group("Oost-Vlaanderen", chat_type=chat_type)
    channel_id = await regional(db, make_staff, chat.id)
    sandbox.remove_bot(chat.id, kicked=kicked)
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"failed"}), within=5)
    [post] = await publications(db, case.id)
    assert post["attempts"] == 1 and post["last_error"] == words
    channel = await partners.get_regional_channel(db, channel_id)
    assert not channel.active  # the next cases do not try it again
    later = await active_case(db, live, make_staff)
    assert await publications(db, later.id) == []


async def test_a_volunteer_whose_telegram_account_is_deleted_is_deactivated(
    db: Database, live: Settings, sandbox: TelegramSandbox, make_staff: StaffFactory
) -> None:
    gone, blocked = sandbox.create_user(), sandbox.create_user()
    for user in (gone, blocked):
        await add_volunteer(db, moved(GENT, 1), chat_id=user.id)
    sandbox.deactivate_user(gone.id)
    sandbox.block_bot(blocked.id)
    case = await active_case(db, live, make_staff)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"failed"}), within=5)
    errors = {r["address"]: r["last_error"] for r in await publications(db, case.id)}
    assert errors == {
        str(gone.id): "Forbidden: user is deactivated",
        str(blocked.id): "Forbidden: bot was blocked by the user",
    }
    stopped = "SELECT telegram_chat_id, deactivated_reason FROM volunteers WHERE NOT active"
    reasons = dict(await db.conn.fetch(stopped))
    assert reasons == {gone.id: "account_deleted", blocked.id: "blocked_bot"}
