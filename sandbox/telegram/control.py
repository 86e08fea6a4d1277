"""Playing Telegram's users and reading what the bot did: the sandbox's control surface.

Each user action becomes a real Bot API `Update`, queued for getUpdates or pushed to the webhook,
so the bot code under test cannot tell the sandbox from Telegram.
"""

from __future__ import annotations

import dataclasses
import io
import secrets
from typing import Any

from PIL import Image, UnidentifiedImageError

from sandbox.telegram.faults import Fault
from sandbox.telegram.records import (
    JSON,
    MessageContent,
    MessageSnapshot,
    SandboxChat,
    SandboxCounters,
    SandboxUser,
    WebhookSettings,
)
from sandbox.telegram.state import SandboxConfig, SandboxState

_FIRST_USER_ID = 100_000_001
_GROUP_IDS = {
    "group": -500_000_000,
    "supergroup": -1_001_000_000_000,
    "channel": -1_002_000_000_000,
}


class SandboxControlError(ValueError):
    """A control call that cannot happen on Telegram (unknown user, missing button, ...)."""


class SandboxControl:
    """User-play and inspection methods over one SandboxState."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # -- configuration and time ----------------------------------------------------------------

    @property
    def config(self) -> SandboxConfig:
        return self.state.config

    def configure(self, **changes: Any) -> SandboxConfig:
        """Change settings at run time, e.g. `configure(limits_enabled=False)` for benchmarks."""
        try:
            self.state.config = dataclasses.replace(self.state.config, **changes)
        except TypeError as err:
            raise SandboxControlError(str(err)) from None
        return self.state.config

    def reset(self) -> None:
        """Forget every chat, message, file, update and counter; the configuration stays."""
        self.state.reset()

    def fail(
        self,
        mode: str,
        *,
        seconds: float | None = None,
        delay: float = 2.0,
        retry_after: int = 5,
    ) -> Fault:
        """Make Telegram unreachable, slow (`delay` seconds a call), answer 429 (with
        `retry_after`) or 500, for `seconds` or until `recover()` (sandbox.telegram.faults)."""
        try:
            return self.state.faults.start(
                mode, seconds=seconds, delay=delay, retry_after=retry_after
            )
        except ValueError as err:
            raise SandboxControlError(str(err)) from None

    def recover(self) -> None:
        """End the fault in force."""
        self.state.faults.end()

    def fault(self) -> Fault | None:
        """The fault in force, if any."""
        return self.state.faults.current

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock forward: every message gets older at once."""
        self.state.clock.advance(seconds)

    def age_messages(self, seconds: int, chat_id: int | None = None) -> int:
        """Shift the date of messages (of one chat, or all) back; the number of messages aged."""
        aged = 0
        for cid, history in self.state.messages.items():
            if chat_id is None or cid == chat_id:
                for message in history.values():
                    message.date -= seconds
                    aged += 1
        return aged

    # -- people and chats ----------------------------------------------------------------------

    def create_user(
        self,
        user_id: int | None = None,
        first_name: str = "Volunteer",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> SandboxUser:
        """A Telegram user with a private chat the bot can write to (chat id = user id)."""
        if user_id is None:
            user_id = _FIRST_USER_ID + len(self.state.users)
            while user_id in self.state.chats:
                user_id += 1
        if user_id <= 0 or user_id in self.state.chats:
            raise SandboxControlError(f"user id {user_id} is taken or invalid")
        user = SandboxUser(user_id, first_name, language_code, username, last_name)
        self.state.users[user_id] = user
        self.state.chats[user_id] = SandboxChat(
            user_id, "private", first_name=first_name, username=username
        )
        return user

    def create_group(
        self,
        title: str,
        *,
        chat_type: str = "supergroup",
        chat_id: int | None = None,
        username: str | None = None,
    ) -> SandboxChat:
        """A group, supergroup or channel the bot is a member (or admin) of."""
        if chat_type not in _GROUP_IDS:
            raise SandboxControlError(f"unknown chat type {chat_type!r}")
        if chat_id is None:
            chat_id = _GROUP_IDS[chat_type] - len(self.state.chats)
        if chat_id >= 0 or chat_id in self.state.chats:
            raise SandboxControlError(f"chat id {chat_id} is taken or invalid")
        chat = SandboxChat(chat_id, chat_type, title=title, username=username)
        self.state.chats[chat_id] = chat
        return chat

    def chats(self) -> list[SandboxChat]:
        return list(self.state.chats.values())

    # -- what happens to chats -----------------------------------------------------------------

    def upgrade_group(self, chat_id: int) -> SandboxChat:
        """A basic group becomes a supergroup with a new id, as Telegram does when it grows or
        its settings change: every call naming the old id then answers 400 "group chat was
        upgraded to a supergroup chat" with `migrate_to_chat_id`; the messages sent before stay
        in the old group, out of the bot's reach. The bot hears of it as two service messages."""
        old = self.state.chats.get(chat_id)
        if old is None or old.type != "group" or chat_id in self.state.migrated:
            raise SandboxControlError(f"chat {chat_id} is not a basic group")
        new = self.create_group(old.title or "", chat_type="supergroup")
        self.state.migrated[chat_id] = new.id
        now = self.state.clock.now()
        for chat, field, other in ((old, "migrate_to_chat_id", new.id),
                                   (new, "migrate_from_chat_id", chat_id)):  # fmt: skip
            message_id = len(self.state.messages.get(chat.id, {})) + 1
            self.state.push_update("message", {"message_id": message_id, "date": now,
                                               "chat": chat.to_json(), field: other})  # fmt: skip
        return new

    def remove_bot(self, chat_id: int, *, kicked: bool = True) -> None:
        """The bot is removed from a group, supergroup or channel: kicked by an admin (403 "bot
        was kicked from the ... chat") or no longer a member (403 "bot is not a member of the
        ... chat")."""
        chat = self.state.chats.get(chat_id)
        if chat is None or chat.is_private:
            raise SandboxControlError(f"chat {chat_id} is not a group or channel")
        self.state.removed[chat_id] = "kicked" if kicked else "left"

    def deactivate_user(self, user_id: int) -> None:
        """The user deletes their Telegram account: sends to them answer 403 "user is
        deactivated"."""
        self.state.deactivated.add(self._chat_for(user_id, None).id)

    def user(self, user_id: int) -> SandboxUser:
        user = self.state.users.get(user_id)
        if user is None:
            raise SandboxControlError(f"no user {user_id}")
        return user

    # -- what users do -------------------------------------------------------------------------

    def user_sends_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> JSON:
        """The user writes `text` (a leading `/command` is marked as a bot_command entity)."""
        return self._user_message(user_id, chat_id, _text_content(text))

    def user_shares_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> JSON:
        content = MessageContent(location=(float(latitude), float(longitude)))
        return self._user_message(user_id, chat_id, content)

    def user_moves_live_location(
        self, user_id: int, message_id: int, latitude: float, longitude: float,
        *, chat_id: int | None = None,
    ) -> JSON:  # fmt: skip
        """A live location the user shares moves on: Telegram edits their location message and
        sends the bot an `edited_message` update with the new point."""
        self._active_user(user_id)
        chat = self._chat_for(user_id, chat_id)
        message = self.state.find_message(chat.id, message_id)
        if message is None or message.sender is None or message.content.location is None:
            raise SandboxControlError(f"no location of the user's in message {message_id}")
        message.versions.append(MessageContent(location=(float(latitude), float(longitude))))
        message.edit_dates.append(self.state.clock.now())
        return self.state.push_update("edited_message", self.state.message_json(message))

    def user_replies(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> JSON:
        """The user answers one of the chat's messages (Telegram's reply, with the quote)."""
        chat = self._chat_for(user_id, chat_id)
        if self.state.find_message(chat.id, message_id) is None:
            raise SandboxControlError(f"no message {message_id} in chat {chat.id}")
        return self._user_message(user_id, chat_id, _text_content(text), reply_to=message_id)

    def user_sends_photo(
        self, user_id: int, photo: bytes, *, caption: str | None = None, chat_id: int | None = None
    ) -> JSON:
        try:
            with Image.open(io.BytesIO(photo)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError) as err:
            raise SandboxControlError("not an image") from err
        sizes = self.state.store_photo(photo, width, height)
        return self._user_message(user_id, chat_id, MessageContent(photo=sizes, caption=caption))

    def user_presses_button(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> JSON:
        """The user taps an inline button of a bot message: a `callback_query` update."""
        user = self._active_user(user_id)
        chat = self._chat_for(user_id, chat_id)
        message = self.state.find_message(chat.id, message_id)
        markup = (message.content.reply_markup or {}) if message else {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        if message is None or not any(b.get("callback_data") == data for b in buttons):
            raise SandboxControlError(f"message {message_id} has no button with that data")
        query_id = str(secrets.randbits(62))
        self.state.callback_queries[query_id] = None
        return self.state.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_json(),
                "message": self.state.message_json(message),
                "chat_instance": str(abs(hash((chat.id, self.config.bot_id)))),
                "data": data,
            },
        )

    def user_forwards(
        self, user_id: int, from_chat_id: int, message_id: int, *, chat_id: int | None = None
    ) -> JSON:
        """The user forwards a message of one of their chats into a chat (by default their
        chat with the bot): another message, in that chat, with the same content. Refused for
        a message sent with `protect_content`, whose forward button the apps do not show. The
        inline keyboard comes along, as the apps show it on a forwarded bot message."""
        source = self.state.find_message(self._chat_for(user_id, from_chat_id).id, message_id)
        if source is None:
            raise SandboxControlError(f"no message {message_id} in chat {from_chat_id}")
        if source.protect_content:
            raise SandboxControlError("the message can't be forwarded")
        target = self._chat_for(user_id, chat_id)
        user = self._active_user(user_id)
        copy = self.state.add_message(target, user, source.content)
        origin = source.sender.to_json() if source.sender else self.state.bot_json
        forwarded = self.state.message_json(copy) | {
            "forward_origin": {"type": "user", "date": source.date, "sender_user": origin}
        }
        return self.state.push_update("message", forwarded)

    def block_bot(self, user_id: int) -> JSON:
        """The user blocks the bot: sends now fail with 403, and the bot hears about it."""
        self.state.blocked.add(self._chat_for(user_id, None).id)
        return self._membership_update(user_id, "member", "kicked")

    def unblock_bot(self, user_id: int) -> JSON:
        self.state.blocked.discard(self._chat_for(user_id, None).id)
        return self._membership_update(user_id, "kicked", "member")

    def _membership_update(self, user_id: int, old: str, new: str) -> JSON:
        user, bot = self.user(user_id), self.state.bot_json
        new_member: JSON = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        return self.state.push_update(
            "my_chat_member",
            {
                "chat": self.state.chats[user_id].to_json(),
                "from": user.to_json(),
                "date": self.state.clock.now(),
                "old_chat_member": {"user": bot, "status": old},
                "new_chat_member": new_member,
            },
        )

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        content: MessageContent,
        reply_to: int | None = None,
    ) -> JSON:
        user = self._active_user(user_id)
        chat = self._chat_for(user_id, chat_id)
        message = self.state.add_message(chat, user, content, reply_to=reply_to)
        return self.state.push_update("message", self.state.message_json(message))

    def _active_user(self, user_id: int) -> SandboxUser:
        if user_id in self.state.blocked:
            raise SandboxControlError(f"user {user_id} blocked the bot; unblock first")
        return self.user(user_id)

    def _chat_for(self, user_id: int, chat_id: int | None) -> SandboxChat:
        self.user(user_id)
        chat = self.state.chats.get(user_id if chat_id is None else chat_id)
        if chat is None or (chat.is_private and chat.id != user_id):
            raise SandboxControlError(f"user {user_id} cannot write in chat {chat_id}")
        return chat

    # -- reading back --------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[MessageSnapshot]:
        """Every message of the chat, oldest first, deleted ones included (marked)."""
        return [m.snapshot() for m in self.state.messages.get(chat_id, {}).values()]

    def message(self, chat_id: int, message_id: int) -> MessageSnapshot:
        stored = self.state.messages.get(chat_id, {}).get(message_id)
        if stored is None:
            raise SandboxControlError(f"no message {message_id} in chat {chat_id}")
        return stored.snapshot()

    def pending_updates(self) -> list[JSON]:
        return list(self.state.updates)

    def callback_answer(self, query_id: str) -> JSON | None:
        """The bot's answerCallbackQuery for that query, or None while unanswered."""
        return self.state.callback_queries.get(query_id)

    def commands(self) -> dict[str, list[JSON]]:
        return dict(self.state.commands)

    def counters(self) -> SandboxCounters:
        return self.state.counters()

    def webhook(self) -> WebhookSettings | None:
        return self.state.webhook

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.state.files.get(file_id)
        if stored is None:
            raise SandboxControlError(f"no file {file_id}")
        return stored.data


def _text_content(text: str) -> MessageContent:
    entities: tuple[JSON, ...] = ()
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities = ({"type": "bot_command", "offset": 0, "length": len(command)},)
    return MessageContent(text=text, text_markup=text, entities=entities)
