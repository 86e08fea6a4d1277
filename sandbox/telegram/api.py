"""The Bot API methods the sandbox answers, with Telegram's validation, errors and limits."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from PIL import Image, UnidentifiedImageError

from sandbox.telegram import forwards
from sandbox.telegram.params import (
    ApiParams,
    UploadedFile,
    caption_fields,
    link_preview_disabled,
    refuse_insecure_webhook,
    reply_markup,
    text_fields,
)
from sandbox.telegram.records import (
    JSON,
    ApiError,
    MessageContent,
    PhotoSize,
    SandboxChat,
    StoredMessage,
    WebhookSettings,
    bad_request,
)
from sandbox.telegram.state import DELETE_WINDOW_SECONDS, SandboxState

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


Handler = Callable[[ApiParams], Awaitable[Any]]


class BotApi:
    """Dispatches `/bot<token>/<method>` calls to Telegram-like behaviour on a SandboxState."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getChat": self.get_chat,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendChatAction": self.send_chat_action,
            "forwardMessage": lambda p: forwards.forward_message(self, p),
            "copyMessage": lambda p: forwards.copy_message(self, p),
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageMedia": self.edit_message_media,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "getFile": self.get_file,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "getUpdates": self.get_updates,
        }
        # Telegram's method names are case-insensitive.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def call(self, method: str, params: ApiParams) -> Any:
        """The method's result, or an ApiError; every outcome is counted for the tests."""
        name, handler = self._methods.get(method.lower(), (method, None))
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as err:
            if err.code == 429:
                self.state.refused[err.reason] += 1
            else:
                self.state.errors[err.description] += 1
            raise
        self.state.accepted[name] += 1
        return result

    # -- bot and chats -------------------------------------------------------------------------

    async def get_me(self, p: ApiParams) -> JSON:
        return self.state.bot_json | {"can_join_groups": True, "supports_inline_queries": False}

    async def get_chat(self, p: ApiParams) -> JSON:
        return self._chat(p).to_json()

    async def send_chat_action(self, p: ApiParams) -> bool:
        self._writable_chat(p)
        return True

    def _chat(self, p: ApiParams) -> SandboxChat:
        raw = p.string("chat_id")
        if not raw:
            raise bad_request("chat_id is empty")
        if raw.startswith("@"):
            return self.state.reachable(self.state.chat_by_username(raw[1:]))
        try:
            chat_id = int(raw)
        except ValueError:
            raise bad_request("chat not found") from None
        return self.state.reachable(self.state.chat(chat_id))

    def _writable_chat(self, p: ApiParams) -> SandboxChat:
        chat = self._chat(p)
        if chat.id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.id in self.state.deactivated:
            raise ApiError(403, "Forbidden: user is deactivated")
        return chat

    def _admit(self, chat: SandboxChat, p: ApiParams) -> None:
        self.state.limiter.admit(self.state.config, chat, p.flag("allow_paid_broadcast"))

    # -- sending -------------------------------------------------------------------------------

    async def send_message(self, p: ApiParams) -> JSON:
        chat = self._writable_chat(p)
        content = MessageContent(
            **text_fields(p),
            reply_markup=reply_markup(p),
            link_preview_disabled=link_preview_disabled(p),
        )
        return self._deliver(chat, content, p)

    async def send_photo(self, p: ApiParams) -> JSON:
        chat = self._writable_chat(p)
        photo = self._photo(p, p.string("photo"), p.file("photo"))
        caption = caption_fields(p.string("caption"), p.string("parse_mode"))
        content = MessageContent(photo=photo, reply_markup=reply_markup(p), **caption)
        return self._deliver(chat, content, p)

    def _deliver(self, chat: SandboxChat, content: MessageContent, p: ApiParams) -> JSON:
        reply_to = self._reply_target(chat, p)
        self._admit(chat, p)
        message = self.state.add_message(
            chat, None, content, protect_content=p.flag("protect_content"), reply_to=reply_to
        )
        return self.state.message_json(message)

    def _reply_target(self, chat: SandboxChat, p: ApiParams) -> int | None:
        reply = p.json("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        message_id = reply.get("message_id") or p.integer("reply_to_message_id")
        if message_id is None:
            return None
        if self.state.find_message(chat.id, int(message_id)) is not None:
            return int(message_id)
        if reply.get("allow_sending_without_reply") or p.flag("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _photo(
        self, p: ApiParams, ref: str | None, upload: UploadedFile | None
    ) -> tuple[PhotoSize, ...]:
        """The photo's sizes from an upload, an `attach://` part or a known file_id."""
        if upload is None and ref and ref.startswith("attach://"):
            upload = p.file(ref.removeprefix("attach://"))
            if upload is None:
                raise bad_request("can't parse InputMedia: media not found")
        if upload is not None:
            return self._store_upload(upload)
        if not ref:
            raise bad_request("there is no photo in the request")
        sizes = self.state.photos.get(ref)
        if sizes is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return sizes

    def _store_upload(self, upload: UploadedFile) -> tuple[PhotoSize, ...]:
        if len(upload.data) > self.state.config.max_upload_bytes:
            raise bad_request("file is too big")
        try:
            with Image.open(io.BytesIO(upload.data)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError):
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return self.state.store_photo(upload.data, width, height)

    # -- editing and deleting --------------------------------------------------------------------

    async def edit_message_text(self, p: ApiParams) -> JSON:
        message = self._message_to_edit(p)
        if message.content.text is None:
            raise bad_request("there is no text in the message to edit")
        new = replace(
            message.content,
            **text_fields(p),
            reply_markup=reply_markup(p),
            link_preview_disabled=link_preview_disabled(p),
        )
        return self._apply_edit(message, new, p)

    async def edit_message_caption(self, p: ApiParams) -> JSON:
        message = self._message_to_edit(p)
        if not message.content.photo:
            raise bad_request("there is no caption in the message to edit")
        caption = caption_fields(p.string("caption"), p.string("parse_mode"))
        new = replace(message.content, reply_markup=reply_markup(p), **caption)
        return self._apply_edit(message, new, p)

    async def edit_message_media(self, p: ApiParams) -> JSON:
        message = self._message_to_edit(p)
        media = p.json("media")
        if not isinstance(media, dict) or "media" not in media:
            raise bad_request("can't parse InputMedia: media not found")
        if media.get("type") != "photo":
            raise bad_request("the sandbox edits photo media only")
        if not message.content.photo:
            raise bad_request("there is no media in the message to edit")
        photo = self._photo(p, str(media["media"]), None)
        caption = caption_fields(media.get("caption"), media.get("parse_mode"))
        new = replace(message.content, photo=photo, reply_markup=reply_markup(p), **caption)
        return self._apply_edit(message, new, p)

    async def edit_message_reply_markup(self, p: ApiParams) -> JSON:
        message = self._message_to_edit(p)
        new = replace(message.content, reply_markup=reply_markup(p))
        return self._apply_edit(message, new, p)

    def _message_to_edit(self, p: ApiParams) -> StoredMessage:
        chat = self._chat(p)
        message_id = p.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self.state.find_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message.sender is not None:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: StoredMessage, new: MessageContent, p: ApiParams) -> JSON:
        # No edit method takes protect_content: a message stays as protected as it was sent.
        if new == message.content:
            raise bad_request(NOT_MODIFIED)
        if self.state.config.count_edits:
            self._admit(message.chat, p)
        message.versions.append(new)
        message.edit_dates.append(self.state.clock.now())
        return self.state.message_json(message)

    async def delete_message(self, p: ApiParams) -> bool:
        chat = self._chat(p)
        message = self.state.find_message(chat.id, p.integer("message_id") or 0)
        if message is None:
            raise bad_request("message to delete not found")
        now = self.state.clock.now()
        if now - message.date >= DELETE_WINDOW_SECONDS:
            raise bad_request("message can't be deleted")
        message.deleted_date = now
        return True

    # -- files, buttons, commands --------------------------------------------------------------

    async def get_file(self, p: ApiParams) -> JSON:
        stored = self.state.files.get(p.string("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def answer_callback_query(self, p: ApiParams) -> bool:
        query_id = p.string("callback_query_id") or ""
        if query_id not in self.state.callback_queries or self.state.callback_queries[query_id]:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        answer = {"text": p.string("text"), "show_alert": p.flag("show_alert")}
        self.state.callback_queries[query_id] = answer
        return True

    async def set_my_commands(self, p: ApiParams) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.state.commands[_commands_key(p)] = commands
        return True

    async def get_my_commands(self, p: ApiParams) -> list[JSON]:
        return self.state.commands.get(_commands_key(p), [])

    # -- updates -------------------------------------------------------------------------------

    async def set_webhook(self, p: ApiParams) -> bool:
        url = p.string("url") or ""
        if not url:
            return await self.delete_webhook(p)
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: invalid webhook URL specified")
        if not self.state.config.allow_insecure_webhooks:
            refuse_insecure_webhook(url)
        secret = p.string("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        self._set_allowed_updates(p)
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        max_connections = p.integer("max_connections") or 40
        self.state.webhook = WebhookSettings(url, secret, max_connections)
        self.state.wake()
        return True

    async def delete_webhook(self, p: ApiParams) -> bool:
        self.state.webhook = None
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.state.wake()
        return True

    async def get_webhook_info(self, p: ApiParams) -> JSON:
        hook = self.state.webhook
        info: JSON = {"url": hook.url if hook else "", "has_custom_certificate": False}
        info["pending_update_count"] = len(self.state.updates)
        if hook is not None:
            info["max_connections"] = hook.max_connections
            info["allowed_updates"] = sorted(self.state.allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def get_updates(self, p: ApiParams) -> list[JSON]:
        """Pending updates, waiting up to `timeout` seconds for one (long polling)."""
        self._refuse_polling_under_webhook()
        self._set_allowed_updates(p)
        offset, limit = p.integer("offset"), min(max(p.integer("limit") or 100, 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(p.integer("timeout") or 0, 0)
        # A newer getUpdates ends this one, as on Telegram: only one poller per bot.
        self.state.poll_generation += 1
        generation = self.state.poll_generation
        self.state.wake()
        while True:
            updates = self.state.take_updates(offset, limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0:
                return updates
            event = self.state.updates_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if generation != self.state.poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            # A webhook set meanwhile takes over delivery; returning updates too would duplicate.
            self._refuse_polling_under_webhook()

    def _refuse_polling_under_webhook(self) -> None:
        if self.state.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )

    def _set_allowed_updates(self, p: ApiParams) -> None:
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list) and allowed:
            self.state.allowed_updates = frozenset(str(kind) for kind in allowed)


def _commands_key(p: ApiParams) -> str:
    scope = p.json("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{p.string('language_code') or ''}"
