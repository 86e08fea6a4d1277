"""The sandbox keeps Telegram's protect_content: a protected message cannot be forwarded or
copied, an unprotected one can, and no edit changes which it is (python-telegram-bot client)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import BadRequest

from sandbox.telegram.server import TelegramSandbox
from tests.support.images import jpeg

TOKEN = "123456789:AAHsandboxTokenForTests_0123456789ab"
pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as client:
        yield client


async def test_an_unprotected_message_is_forwarded_and_copied(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    elsewhere = sandbox.create_group("Elsewhere")
    sent = await bot.send_message(user.id, "Missing: Lotte")
    assert not sent.has_protected_content

    forwarded = await bot.forward_message(elsewhere.id, user.id, sent.message_id)
    copied = await bot.copy_message(elsewhere.id, user.id, sent.message_id)

    assert forwarded.text == "Missing: Lotte"
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.date.timestamp() == sent.date.timestamp()
    texts = [m.text for m in sandbox.messages(elsewhere.id)]
    assert texts == ["Missing: Lotte", "Missing: Lotte"]
    assert copied.message_id == 2


@pytest.mark.parametrize("photo", [False, True], ids=["text", "photo"])
async def test_a_protected_message_is_neither_forwarded_nor_copied(
    sandbox: TelegramSandbox, bot: telegram.Bot, photo: bool
) -> None:
    user = sandbox.create_user()
    elsewhere = sandbox.create_group("Elsewhere")
    if photo:
        sent = await bot.send_photo(user.id, jpeg(), caption="Missing", protect_content=True)
    else:
        sent = await bot.send_message(user.id, "Missing", protect_content=True)
    assert sent.has_protected_content
    assert sandbox.message(user.id, sent.message_id).protect_content

    with pytest.raises(BadRequest, match="^The message can't be forwarded$"):
        await bot.forward_message(elsewhere.id, user.id, sent.message_id)
    with pytest.raises(BadRequest, match="^The message can't be copied$"):
        await bot.copy_message(elsewhere.id, user.id, sent.message_id)
    assert sandbox.messages(elsewhere.id) == []
    errors = sandbox.counters().errors
    assert errors["Bad Request: the message can't be forwarded"] == 1
    assert errors["Bad Request: the message can't be copied"] == 1


async def test_no_edit_changes_the_protection_either_way(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    """The Bot API's edit methods take no protect_content; one passed anyway is ignored."""
    user = sandbox.create_user()
    open_one = await bot.send_message(user.id, "Missing")
    closed_one = await bot.send_message(user.id, "Missing", protect_content=True)

    edited = await bot.edit_message_text(
        "Missing (update)", user.id, open_one.message_id, api_kwargs={"protect_content": True}
    )
    reopened = await bot.edit_message_text(
        "Missing (update)", user.id, closed_one.message_id, api_kwargs={"protect_content": False}
    )

    assert not edited.has_protected_content and reopened.has_protected_content
    assert not sandbox.message(user.id, open_one.message_id).protect_content
    assert sandbox.message(user.id, closed_one.message_id).protect_content
    forwarded = await bot.forward_message(user.id, user.id, open_one.message_id)
    assert forwarded.text == "Missing (update)"
    with pytest.raises(BadRequest, match="can't be forwarded"):
        await bot.forward_message(user.id, user.id, closed_one.message_id)


async def test_a_deleted_or_unknown_message_is_not_found(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    sent = await bot.send_message(user.id, "Missing")
    await bot.delete_message(user.id, sent.message_id)

    with pytest.raises(BadRequest, match="Message to forward not found"):
        await bot.forward_message(user.id, user.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(user.id, user.id, 99)
