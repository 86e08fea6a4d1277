"""forwardMessage and copyMessage: passing a message on, refused for protected content.

A message sent with `protect_content` cannot be forwarded, copied or saved: the Bot API answers
400 "Bad Request: the message can't be forwarded" (or "... copied"), and the apps offer no
forward button. The protection is set when the message is sent; no edit method takes it, so an
edit never changes it (alerts.channels.telegram replaces such a message instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.telegram.params import ApiParams
from sandbox.telegram.records import JSON, SandboxChat, StoredMessage, bad_request

if TYPE_CHECKING:
    from sandbox.telegram.api import BotApi

FORWARD_REFUSED = "the message can't be forwarded"
COPY_REFUSED = "the message can't be copied"


async def forward_message(api: BotApi, p: ApiParams) -> JSON:
    """The forwarded copy in `chat_id` of message `message_id` of `from_chat_id`."""
    source = _source(api, p, "message to forward not found", FORWARD_REFUSED)
    target = api._writable_chat(p)
    api._admit(target, p)
    copy = api.state.add_message(
        target, None, source.content, protect_content=p.flag("protect_content")
    )
    return api.state.message_json(copy) | {"forward_origin": _origin(api, source)}


async def copy_message(api: BotApi, p: ApiParams) -> JSON:
    """The id of a copy (no link to the original) of the message in `chat_id`."""
    source = _source(api, p, "message to copy not found", COPY_REFUSED)
    target = api._writable_chat(p)
    api._admit(target, p)
    copy = api.state.add_message(
        target, None, source.content, protect_content=p.flag("protect_content")
    )
    return {"message_id": copy.message_id}


def _source(api: BotApi, p: ApiParams, missing: str, refused: str) -> StoredMessage:
    chat = _from_chat(api, p)
    message = api.state.find_message(chat.id, p.integer("message_id") or 0)
    if message is None:
        raise bad_request(missing)
    if message.protect_content:
        raise bad_request(refused)
    return message


def _from_chat(api: BotApi, p: ApiParams) -> SandboxChat:
    raw = p.string("from_chat_id")
    if not raw:
        raise bad_request("chat_id is empty")
    if raw.startswith("@"):
        return api.state.chat_by_username(raw[1:])
    try:
        return api.state.chat(int(raw))
    except ValueError:
        raise bad_request("chat not found") from None


def _origin(api: BotApi, message: StoredMessage) -> JSON:
    if message.chat.type == "channel":
        return {"type": "channel", "date": message.date, "chat": message.chat.to_json(),
                "message_id": message.message_id}  # fmt: skip
    sender = message.sender.to_json() if message.sender else api.state.bot_json
    return {"type": "user", "date": message.date, "sender_user": sender}
