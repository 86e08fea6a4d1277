"""The Telegram sandbox, driven by the real python-telegram-bot client, must pass for Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from sandbox.telegram.server import SandboxControlError, TelegramSandbox
from tests.support.images import jpeg

TOKEN = "123456789:AAHsandboxTokenForTests_0123456789ab"
pytestmark = pytest.mark.sandbox(token=TOKEN, webhook_retry_seconds=0.05, global_per_second=30)
HOURS_48 = 48 * 3600


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession, sandbox: TelegramSandbox, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{sandbox.base_url}{TOKEN}/{method}", **kwargs) as response:
        return response.status, await response.json()


# -- the bot, the token and the answer's shape -------------------------------------------------


async def test_get_me_answers_the_bot_behind_the_token(bot: telegram.Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "alerts_sandbox_bot"


async def test_an_unknown_token_is_unauthorized(sandbox: TelegramSandbox) -> None:
    other = "987654321:AAHsomeoneElsesTokenxxxxxxxxxxxxxxxx"
    stranger = telegram.Bot(other, base_url=sandbox.base_url)
    try:
        with pytest.raises(InvalidToken):
            await stranger.initialize()  # it calls getMe
    finally:
        await stranger.shutdown()


async def test_answers_have_telegrams_exact_shape(
    sandbox: TelegramSandbox, http: aiohttp.ClientSession
) -> None:
    user = sandbox.create_user()

    assert await raw_call(http, sandbox, "sendMessage", json={"text": "hi"}) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    status, body = await raw_call(http, sandbox, "sendMessage", data={"chat_id": "-1", "text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await raw_call(http, sandbox, "nosuchMethod")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.get(f"{sandbox.base_url}wrong:token/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    # JSON body with native types, and the query string, both work.
    status, body = await raw_call(
        http, sandbox, "SENDMESSAGE", json={"chat_id": user.id, "text": "a"}
    )
    assert status == 200 and body["ok"] is True and body["result"]["text"] == "a"
    async with http.get(f"{sandbox.base_url}{TOKEN}/getMe?x=1") as response:
        assert (await response.json())["result"]["is_bot"] is True


# -- sending and reading back ------------------------------------------------------------------


async def test_a_sent_message_is_stored_as_telegram_would_show_it(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user(first_name="Ana", language_code="nl")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Gezien", callback_data="seen:1")]])

    sent = await bot.send_message(
        user.id,
        "<b>Vermist</b>: Lotte &amp; Tom",
        parse_mode="HTML",
        protect_content=True,
        reply_markup=keyboard,
        disable_web_page_preview=True,
    )

    assert sent.text == "Vermist: Lotte & Tom"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 7
    assert sent.has_protected_content
    assert sent.reply_markup == keyboard
    [stored] = sandbox.messages(user.id)
    assert stored.message_id == sent.message_id == 1
    assert stored.from_bot and stored.protect_content and not stored.edited
    assert stored.text == "Vermist: Lotte & Tom"
    assert stored.text_markup == "<b>Vermist</b>: Lotte &amp; Tom"
    assert stored.reply_markup == keyboard.to_dict()
    assert stored.content.link_preview_disabled
    assert abs(stored.date - sent.date.timestamp()) < 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "message text is empty"),
        ("x" * 4097, "message is too long"),
        ("a<br>b", "unsupported start tag"),
        ("<b>open", "can't find end tag"),
    ],
)
async def test_invalid_texts_are_refused_like_telegram(
    sandbox: TelegramSandbox, bot: telegram.Bot, text: str, error: str
) -> None:
    user = sandbox.create_user()

    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.send_message(user.id, text, parse_mode="HTML")
    assert sandbox.messages(user.id) == []


async def test_the_4096_limit_counts_characters_after_html_parsing(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()

    sent = await bot.send_message(user.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")

    assert sent.text == "x" * 4096


async def test_unknown_chat_is_not_found(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(42, "hello")


async def test_an_uploaded_photo_is_resent_by_file_id(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    first, second = sandbox.create_user(), sandbox.create_user()
    image = jpeg(1600, 1200, color="red")

    uploaded = await bot.send_photo(first.id, image, caption="Lotte, 14")
    largest = uploaded.photo[-1]
    resent = await bot.send_photo(second.id, largest.file_id, caption="Lotte, 14")

    assert (largest.width, largest.height) == (1280, 960)
    assert uploaded.photo[0].width <= 90
    assert [p.file_unique_id for p in resent.photo] == [p.file_unique_id for p in uploaded.photo]
    assert sandbox.messages(second.id)[0].photo_file_id == largest.file_id
    assert sandbox.file_bytes(largest.file_id) == image
    downloaded = await (await bot.get_file(largest.file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_photos_that_are_not_images_or_unknown_ids_are_refused(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()

    with pytest.raises(BadRequest, match="(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(user.id, b"definitely not a jpeg")
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(user.id, "AgACnotAFileIdTheSandboxGaveOut")
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_photo(user.id, jpeg(640, 480, color="red"), caption="x" * 1025)


# -- editing and deleting ----------------------------------------------------------------------


async def test_edits_keep_their_history_and_identical_edits_are_refused(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    sandbox.configure(limits_enabled=False)
    user = sandbox.create_user()
    sent = await bot.send_message(user.id, "Vermist: Lotte")

    edited = await bot.edit_message_text("Teruggevonden", chat_id=user.id, message_id=sent.id)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Teruggevonden", chat_id=user.id, message_id=sent.id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=99)

    assert isinstance(edited, telegram.Message)  # edits of inline messages answer True
    assert edited.text == "Teruggevonden" and edited.edit_date is not None
    stored = sandbox.message(user.id, sent.id)
    assert stored.edited
    assert [version.text for version in stored.history] == ["Vermist: Lotte", "Teruggevonden"]


async def test_an_edit_without_reply_markup_drops_the_keyboard_as_on_telegram(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    sandbox.configure(limits_enabled=False)
    user = sandbox.create_user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Gezien", callback_data="seen")]])
    sent = await bot.send_message(user.id, "Vermist: Lotte", reply_markup=keyboard)

    await bot.edit_message_text("Ingetrokken", chat_id=user.id, message_id=sent.id)
    assert sandbox.message(user.id, sent.id).reply_markup is None
    await bot.edit_message_reply_markup(user.id, sent.id, reply_markup=keyboard)
    assert sandbox.message(user.id, sent.id).reply_markup == keyboard.to_dict()
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.id, reply_markup=keyboard)


async def test_caption_and_media_of_a_photo_can_be_edited(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    sandbox.configure(limits_enabled=False)
    user = sandbox.create_user()
    sent = await bot.send_photo(user.id, jpeg(640, 480, color="red"), caption="Lotte, 14")

    await bot.edit_message_caption(chat_id=user.id, message_id=sent.id, caption="Update")
    with pytest.raises(BadRequest, match="(?i)no text in the message"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=sent.id)
    neutral = InputMediaPhoto(jpeg(640, 480, color="grey"), caption="Deze oproep is ingetrokken.")
    replaced = await bot.edit_message_media(neutral, chat_id=user.id, message_id=sent.id)
    assert isinstance(replaced, telegram.Message)
    again = InputMediaPhoto(replaced.photo[-1].file_id, caption="Deze oproep is ingetrokken.")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_media(again, chat_id=user.id, message_id=sent.id)

    stored = sandbox.message(user.id, sent.id)
    assert [v.caption for v in stored.history] == [
        "Lotte, 14",
        "Update",
        "Deze oproep is ingetrokken.",
    ]
    assert stored.photo_file_id == replaced.photo[-1].file_id != sent.photo[-1].file_id


async def test_delete_works_within_48_hours_and_is_refused_after(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    sandbox.configure(limits_enabled=False)
    user = sandbox.create_user()
    fresh = await bot.send_message(user.id, "Vermist: Lotte")
    old = await bot.send_message(user.id, "Vermist: Tom")
    older = await bot.send_message(user.id, "Vermist: Sam")

    assert await bot.delete_message(user.id, fresh.id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(user.id, fresh.id)
    sandbox.age_messages(HOURS_48 + 1, chat_id=user.id)
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await bot.delete_message(user.id, old.id)
    sandbox.advance_clock(3600)
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await bot.delete_message(user.id, older.id)

    first = sandbox.message(user.id, fresh.id)
    assert first.deleted and first.text == "Vermist: Lotte"
    assert not sandbox.message(user.id, old.id).deleted


# -- limits ------------------------------------------------------------------------------------


async def test_a_second_message_within_a_second_to_one_chat_is_refused(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    await bot.send_message(user.id, "first")

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(user.id, "second")

    assert refused.value.retry_after == timedelta(seconds=1)
    assert sandbox.counters().refused == {"per_chat": 1}
    assert sandbox.counters().accepted["sendMessage"] == 1


async def test_more_than_30_messages_a_second_are_refused_for_the_overall_limit(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    users = [sandbox.create_user() for _ in range(31)]

    results = await asyncio.gather(
        *(bot.send_message(u.id, "Alert") for u in users), return_exceptions=True
    )

    refusals = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refusals) == 1 and refusals[0].retry_after == timedelta(seconds=1)
    assert sandbox.counters().refused == {"global": 1}


async def test_a_group_takes_20_messages_a_minute(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    group = sandbox.create_group("Vrijwilligers Gent", chat_type="supergroup")
    for n in range(20):
        await bot.send_message(group.id, f"Alert {n}")

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(group.id, "one too many")

    assert refused.value.retry_after in {timedelta(seconds=s) for s in range(55, 61)}
    assert sandbox.counters().refused == {"group": 1}


async def test_paid_broadcast_lifts_the_overall_rate_but_not_the_per_chat_one(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    users = [sandbox.create_user() for _ in range(60)]
    sandbox.configure(paid_broadcast=True)

    await asyncio.gather(*(bot.send_message(u.id, "Alert") for u in users[:40]))
    sandbox.configure(paid_broadcast=False)
    await asyncio.gather(
        *(bot.send_message(u.id, "Alert", allow_paid_broadcast=True) for u in users[40:])
    )
    # Paid or not, one chat takes one message a second: two sent together, one is refused (sent
    # together, so that a slow machine cannot space them a second apart).
    solo = sandbox.create_user()
    both = await asyncio.gather(
        *(bot.send_message(solo.id, text, allow_paid_broadcast=True) for text in ("a", "b")),
        return_exceptions=True,
    )
    assert sorted(type(answer).__name__ for answer in both) == ["Message", "RetryAfter"]

    assert sandbox.counters().accepted["sendMessage"] == 61
    assert sandbox.counters().refused == {"per_chat": 1}


async def test_a_user_who_blocked_the_bot_answers_403(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    sandbox.block_bot(user.id)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "Alert")
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"

    sandbox.unblock_bot(user.id)
    await bot.send_message(user.id, "Welcome back")


# -- updates: polling and webhook --------------------------------------------------------------


async def test_get_updates_returns_what_users_did(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user(first_name="Ana", language_code="fr")
    sandbox.user_sends_text(user.id, "/start nl")
    sandbox.user_shares_location(user.id, 51.0543, 3.7174)

    start, location = await bot.get_updates()

    assert start.message is not None and start.message.text == "/start nl"
    assert start.message.from_user is not None
    assert start.message.from_user.language_code == "fr"
    assert start.message.entities[0].type == "bot_command"
    assert location.message is not None and location.message.location is not None
    assert (location.message.location.latitude, location.message.location.longitude) == (
        51.0543,
        3.7174,
    )
    assert location.update_id == start.update_id + 1
    assert await bot.get_updates(offset=location.update_id + 1) == ()
    assert sandbox.pending_updates() == []


async def test_a_live_location_that_moves_on_is_an_edited_message(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    shared = sandbox.user_shares_location(user.id, 51.0543, 3.7174)
    sandbox.user_moves_live_location(user.id, shared["message"]["message_id"], 51.06, 3.72)

    first, moved = await bot.get_updates()

    assert first.message is not None and moved.edited_message is not None
    assert moved.edited_message.message_id == first.message.message_id
    assert moved.edited_message.edit_date is not None
    assert moved.edited_message.location is not None
    assert (moved.edited_message.location.latitude, moved.edited_message.location.longitude) == (
        51.06,
        3.72,
    )


async def test_a_long_poll_wakes_up_when_a_user_writes(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.05)

    sandbox.user_sends_text(user.id, "hello")

    [update] = await asyncio.wait_for(poll, 2)
    assert update.message is not None and update.message.text == "hello"


async def test_replies_and_button_presses_become_updates(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Stop", callback_data="stop")]])
    alert = await bot.send_message(user.id, "Vermist: Lotte", reply_markup=keyboard)
    sandbox.user_replies(user.id, alert.id, "Ik zag haar aan het station")
    sandbox.user_presses_button(user.id, alert.id, "stop")

    reply, press = await bot.get_updates()
    assert reply.message is not None and reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.message_id == alert.id
    query = press.callback_query
    assert query is not None and query.data == "stop" and query.message is not None
    await bot.answer_callback_query(query.id, text="Afgemeld")

    assert sandbox.callback_answer(query.id) == {"text": "Afgemeld", "show_alert": False}
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)


class WebhookReceiver:
    """A small server standing in for our webhook endpoint; it can fail the next few calls."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
        self.failures_left = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.received.put((secret, await request.json()))
        return web.Response()


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/telegram/webhook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    yield receiver
    await runner.cleanup()


async def test_a_webhook_receives_updates_with_the_secret_token(
    sandbox: TelegramSandbox,
    bot: telegram.Bot,
    webhook: WebhookReceiver,
) -> None:
    user = sandbox.create_user()
    await bot.set_webhook(webhook.url, secret_token="s3cret-Token_1")

    sandbox.user_sends_text(user.id, "/start")
    secret, payload = await asyncio.wait_for(webhook.received.get(), 5)

    assert secret == "s3cret-Token_1"
    update = Update.de_json(payload, bot)
    assert update.message is not None and update.message.text == "/start"
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == webhook.url and info.pending_update_count == 0

    await bot.delete_webhook()
    sandbox.user_sends_text(user.id, "after")
    [polled] = await bot.get_updates()
    assert polled.message is not None and polled.message.text == "after"


async def test_a_failing_webhook_is_retried_and_the_error_reported(
    sandbox: TelegramSandbox,
    bot: telegram.Bot,
    webhook: WebhookReceiver,
) -> None:
    webhook.failures_left = 2
    user = sandbox.create_user()
    await bot.set_webhook(webhook.url)

    sandbox.user_shares_location(user.id, 50.85, 4.35)
    secret, payload = await asyncio.wait_for(webhook.received.get(), 5)

    assert secret is None and payload["message"]["location"]["latitude"] == 50.85
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_commands_are_stored(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Inschrijven"), ("stop", "Uitschrijven")])

    assert [c.command for c in await bot.get_my_commands()] == ["start", "stop"]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Not-Valid", "x")])


# -- the control endpoints ---------------------------------------------------------------------


async def test_control_endpoints_play_users_over_http(
    sandbox: TelegramSandbox, bot: telegram.Bot, http: aiohttp.ClientSession
) -> None:
    api = f"{sandbox.url}/sandbox/api"

    async def call(method: str, path: str, **kwargs: Any) -> Any:
        async with http.request(method, api + path, **kwargs) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    user = await call("POST", "/users", json={"first_name": "Ana", "language_code": "nl"})
    await call("POST", f"/users/{user['id']}/text", json={"text": "/start"})
    await call("POST", f"/users/{user['id']}/location", json={"latitude": 51, "longitude": 3.7})
    form = aiohttp.FormData()
    form.add_field(
        "photo", jpeg(640, 480, color="red"), filename="sighting.jpg", content_type="image/jpeg"
    )
    form.add_field("caption", "Gezien")
    await call("POST", f"/users/{user['id']}/photo", data=form)
    text, location, photo = await bot.get_updates()

    assert text.message is not None and text.message.text == "/start"
    assert photo.message is not None and photo.message.caption == "Gezien"
    messages = await call("GET", f"/chats/{user['id']}/messages")
    assert [m["from_bot"] for m in messages] == [False, False, False]
    config = await call("PATCH", "/config", json={"limits_enabled": False})
    assert config["limits_enabled"] is False and "token" not in config
    assert not sandbox.config.limits_enabled
    counters = await call("GET", "/counters")
    assert counters["accepted"]["getUpdates"] == 1
    async with http.post(api + "/users/999/text", json={"text": "x"}) as response:
        assert response.status == 400
    async with http.patch(api + "/config", json={"token": "x"}) as response:
        assert response.status == 400
    await call("POST", "/reset")
    assert await call("GET", "/chats") == []


async def test_control_methods_refuse_what_telegram_users_cannot_do(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user()
    alert = await bot.send_message(user.id, "no buttons here")

    attempts: list[Callable[[], object]] = [
        lambda: sandbox.user_presses_button(user.id, alert.id, "stop"),
        lambda: sandbox.user_replies(user.id, 99, "?"),
        lambda: sandbox.create_user(user.id),
    ]
    for attempt in attempts:
        with pytest.raises(SandboxControlError):
            attempt()
