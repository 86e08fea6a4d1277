"""The sandbox is as strict as Telegram where the service could be wrong: setWebhook only on
HTTPS and ports 443, 80, 88, 8443 (unless `allow_insecure_webhooks`, for local development); a
group upgraded to a supergroup answers 400 with `migrate_to_chat_id`; the other 403 reasons in
Telegram's words. Driven by the real python-telegram-bot client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram.error import ChatMigrated, Forbidden

from sandbox.telegram.server import SandboxConfig, SandboxControlError, TelegramSandbox

TOKEN = "123456789:AAHsandboxTokenForTests_0123456789ab"
pytestmark = pytest.mark.sandbox(token=TOKEN, allow_insecure_webhooks=False)
HTTPS_ONLY = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
PORTS = "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as client:
        yield client


async def raw_call(sandbox: TelegramSandbox, method: str, **params: Any) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.base_url}{TOKEN}/{method}", json=params) as response,
    ):
        body: dict[str, Any] = await response.json()
        assert body.get("error_code", 200) == response.status
        return body


def test_the_sandbox_is_strict_unless_told_otherwise() -> None:
    assert SandboxConfig(token=TOKEN).allow_insecure_webhooks is False


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1:8080/telegram/webhook", HTTPS_ONLY),
        ("http://alerts.example/telegram/webhook", HTTPS_ONLY),
        ("https://alerts.example:8080/telegram/webhook", PORTS),
        ("https://alerts.example:8444/telegram/webhook", PORTS),
    ],
)
async def test_set_webhook_refuses_plain_http_and_other_ports(
    sandbox: TelegramSandbox, url: str, refusal: str
) -> None:
    answer = await raw_call(sandbox, "setWebhook", url=url)
    assert answer == {"ok": False, "error_code": 400, "description": refusal}
    assert sandbox.webhook() is None


@pytest.mark.parametrize("port", ["", ":443", ":80", ":88", ":8443"])
async def test_set_webhook_takes_https_on_telegrams_ports(
    sandbox: TelegramSandbox, bot: telegram.Bot, port: str
) -> None:
    url = f"https://alerts.example{port}/telegram/webhook"
    assert await bot.set_webhook(url, secret_token="s3cret")
    hook = sandbox.webhook()
    assert hook is not None and hook.url == url


@pytest.mark.sandbox(token=TOKEN, allow_insecure_webhooks=True)
async def test_local_development_may_allow_a_plain_http_webhook(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    assert await bot.set_webhook("http://127.0.0.1:8080/telegram/webhook")


async def test_a_group_upgraded_to_a_supergroup_answers_with_its_new_id(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    group = sandbox.create_group("Oost-Vlaanderen", chat_type="group")
    await bot.send_message(group.id, "before")
    supergroup = sandbox.upgrade_group(group.id)
    assert supergroup.type == "supergroup" and supergroup.id != group.id

    answer = await raw_call(sandbox, "sendMessage", chat_id=group.id, text="after")
    assert answer == {
        "ok": False, "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": supergroup.id},
    }  # fmt: skip
    with pytest.raises(ChatMigrated) as migrated:
        await bot.delete_message(group.id, 1)  # every method naming the old id
    assert migrated.value.new_chat_id == supergroup.id
    sent = await bot.send_message(supergroup.id, "after")
    assert sent.chat.id == supergroup.id and sent.message_id == 1
    assert not sandbox.messages(group.id)[0].deleted
    # The bot hears of it as Telegram tells it: a service message in each chat.
    moves = [u["message"] for u in sandbox.pending_updates() if "message" in u]
    assert moves[-2]["migrate_to_chat_id"] == supergroup.id
    assert moves[-1]["migrate_from_chat_id"] == group.id


async def test_a_supergroup_cannot_be_upgraded(sandbox: TelegramSandbox) -> None:
    with pytest.raises(SandboxControlError):
        sandbox.upgrade_group(sandbox.create_group("Already super").id)


@pytest.mark.parametrize(
    ("chat_type", "kicked", "refusal"),
    [
        ("group", True, "Forbidden: bot was kicked from the group chat"),
        ("supergroup", True, "Forbidden: bot was kicked from the supergroup chat"),
        ("channel", True, "Forbidden: bot was kicked from the channel chat"),
        ("supergroup", False, "Forbidden: bot is not a member of the supergroup chat"),
        ("channel", False, "Forbidden: bot is not a member of the channel chat"),
    ],
)
async def test_a_chat_the_bot_was_removed_from_answers_403(
    sandbox: TelegramSandbox, bot: telegram.Bot, chat_type: str, kicked: bool, refusal: str
) -> None:
    chat = sandbox.create_group("Oost-Vlaanderen", chat_type=chat_type)
    await bot.send_message(chat.id, "before")
    sandbox.remove_bot(chat.id, kicked=kicked)
    for call in (bot.send_message(chat.id, "after"), bot.delete_message(chat.id, 1)):
        with pytest.raises(Forbidden) as refused:
            await call
        assert refused.value.message == refusal


async def test_a_deleted_account_and_a_block_answer_403_in_telegrams_words(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    gone, blocking = sandbox.create_user(), sandbox.create_user()
    sandbox.deactivate_user(gone.id)
    sandbox.block_bot(blocking.id)
    for user, refusal in ((gone, "Forbidden: user is deactivated"),
                          (blocking, "Forbidden: bot was blocked by the user")):  # fmt: skip
        with pytest.raises(Forbidden) as refused:
            await bot.send_message(user.id, "hello")
        assert refused.value.message == refusal


async def test_the_control_routes_play_the_same(sandbox: TelegramSandbox) -> None:
    group = sandbox.create_group("Oost-Vlaanderen", chat_type="group")
    channel = sandbox.create_group("Kanaal", chat_type="channel")
    user = sandbox.create_user()
    base = f"{sandbox.url}/sandbox/api"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/chats/{group.id}/upgrade") as response:
            new = (await response.json())["id"]
        async with http.post(f"{base}/chats/{channel.id}/remove-bot", json={"kicked": False}):
            pass
        async with http.post(f"{base}/users/{user.id}/deactivate"):
            pass
    assert (await raw_call(sandbox, "getChat", chat_id=group.id))["parameters"] == {
        "migrate_to_chat_id": new
    }
    assert (await raw_call(sandbox, "getChat", chat_id=channel.id))["error_code"] == 403
    assert (await raw_call(sandbox, "sendMessage", chat_id=user.id, text="x"))["error_code"] == 403
