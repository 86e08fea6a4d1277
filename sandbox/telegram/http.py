"""JSON endpoints under `/sandbox/api/` that drive the sandbox's users from a browser or a script.

They mirror the Python methods of SandboxControl one to one. They have no authentication: the
sandbox only ever listens on a developer's machine or inside the test suite.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web

from sandbox.telegram.control import SandboxControl, SandboxControlError
from sandbox.telegram.records import SandboxChat

PREFIX = "/sandbox/api"
# The token and the webhook timing are not for a browser to change.
_CONFIGURABLE = frozenset(
    {"limits_enabled", "global_per_second", "private_chat_per_second", "group_per_minute"}
    | {"paid_broadcast", "paid_broadcast_per_second", "count_edits"}
)

View = Callable[[web.Request], Awaitable[Any]]


def _json_view(view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Render the view's result as JSON and a caller's mistake as a 400 with the reason."""

    @wraps(view)
    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            result = await view(request)
        except (SandboxControlError, KeyError, ValueError, TypeError) as err:
            return web.json_response({"error": f"{type(err).__name__}: {err}"}, status=400)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response(result)

    return handler


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def _optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


async def _user_action(request: web.Request) -> tuple[int, dict[str, Any], int | None]:
    """What a user's action names: the user (in the path), the JSON body, and the chat it
    happens in (the body's `chat_id`; None for the user's private chat with the bot)."""
    user_id, body = int(request.match_info["user_id"]), await _body(request)
    return user_id, body, _optional_int(body.get("chat_id"))


def _chat_json(chat: SandboxChat, control: SandboxControl) -> dict[str, Any]:
    return chat.to_json() | {"blocked": chat.id in control.state.blocked}


class ControlRoutes:
    """The handlers, bound to one SandboxControl."""

    def __init__(self, control: SandboxControl) -> None:
        self.control = control

    def register(self, router: web.UrlDispatcher) -> None:
        routes = [
            ("GET", "/chats", self.list_chats),
            ("POST", "/users", self.create_user),
            ("POST", "/groups", self.create_group),
            ("GET", "/chats/{chat_id}/messages", self.list_messages),
            ("POST", "/users/{user_id}/text", self.user_text),
            ("POST", "/users/{user_id}/location", self.user_location),
            ("POST", "/users/{user_id}/reply", self.user_reply),
            ("POST", "/users/{user_id}/press", self.user_press),
            ("POST", "/users/{user_id}/photo", self.user_photo),
            ("POST", "/users/{user_id}/block", self.user_block),
            ("POST", "/users/{user_id}/unblock", self.user_unblock),
            ("POST", "/users/{user_id}/deactivate", self.user_deactivate),
            ("POST", "/chats/{chat_id}/upgrade", self.chat_upgrade),
            ("POST", "/chats/{chat_id}/remove-bot", self.chat_remove_bot),
            ("GET", "/updates", self.pending_updates),
            ("GET", "/counters", self.counters),
            ("GET", "/config", self.read_config),
            ("PATCH", "/config", self.change_config),
            ("GET", "/faults", self.read_faults),
            ("POST", "/faults", self.start_fault),
            ("DELETE", "/faults", self.end_fault),
            ("POST", "/clock", self.advance_clock),
            ("POST", "/age", self.age_messages),
            ("POST", "/reset", self.reset),
            ("GET", "/files/{file_id}", self.file),
        ]
        for method, path, view in routes:
            router.add_route(method, PREFIX + path, _json_view(view))

    async def list_chats(self, request: web.Request) -> Any:
        return [_chat_json(chat, self.control) for chat in self.control.chats()]

    async def create_user(self, request: web.Request) -> Any:
        body = await _body(request)
        user = self.control.create_user(
            _optional_int(body.get("user_id")),
            str(body.get("first_name") or "Volunteer"),
            language_code=body.get("language_code", "en"),
            username=body.get("username"),
            last_name=body.get("last_name"),
        )
        return user.to_json()

    async def create_group(self, request: web.Request) -> Any:
        body = await _body(request)
        chat = self.control.create_group(
            str(body["title"]),
            chat_type=str(body.get("type", "supergroup")),
            chat_id=_optional_int(body.get("chat_id")),
            username=body.get("username"),
        )
        return _chat_json(chat, self.control)

    async def list_messages(self, request: web.Request) -> Any:
        chat_id = int(request.match_info["chat_id"])
        return [message.to_json() for message in self.control.messages(chat_id)]

    async def user_text(self, request: web.Request) -> Any:
        user_id, body, chat_id = await _user_action(request)
        return self.control.user_sends_text(user_id, str(body["text"]), chat_id=chat_id)

    async def user_location(self, request: web.Request) -> Any:
        user_id, body, chat_id = await _user_action(request)
        lat, lon = float(body["latitude"]), float(body["longitude"])
        return self.control.user_shares_location(user_id, lat, lon, chat_id=chat_id)

    async def user_reply(self, request: web.Request) -> Any:
        user_id, body, chat_id = await _user_action(request)
        message_id, text = int(body["message_id"]), str(body["text"])
        return self.control.user_replies(user_id, message_id, text, chat_id=chat_id)

    async def user_press(self, request: web.Request) -> Any:
        user_id, body, chat_id = await _user_action(request)
        message_id, data = int(body["message_id"]), str(body["data"])
        return self.control.user_presses_button(user_id, message_id, data, chat_id=chat_id)

    async def user_photo(self, request: web.Request) -> Any:
        """A photo as a multipart `photo` file, or as JSON `{"photo_base64": ...}`."""
        user_id = int(request.match_info["user_id"])
        if request.content_type == "multipart/form-data":
            form = await request.post()
            upload = form["photo"]
            if not isinstance(upload, web.FileField):
                raise ValueError("photo must be a file")
            data, fields = upload.file.read(), dict(form)
        else:
            fields = await _body(request)
            try:
                data = base64.b64decode(str(fields["photo_base64"]), validate=True)
            except binascii.Error as err:
                raise ValueError("photo_base64 is not base64") from err
        caption = fields.get("caption")
        return self.control.user_sends_photo(
            user_id,
            data,
            caption=str(caption) if caption else None,
            chat_id=_optional_int(fields.get("chat_id")),
        )

    async def user_block(self, request: web.Request) -> Any:
        return self.control.block_bot(int(request.match_info["user_id"]))

    async def user_unblock(self, request: web.Request) -> Any:
        return self.control.unblock_bot(int(request.match_info["user_id"]))

    async def user_deactivate(self, request: web.Request) -> Any:
        self.control.deactivate_user(int(request.match_info["user_id"]))
        return {"deactivated": True}

    async def chat_upgrade(self, request: web.Request) -> Any:
        """The basic group becomes a supergroup; the new chat."""
        chat = self.control.upgrade_group(int(request.match_info["chat_id"]))
        return _chat_json(chat, self.control)

    async def chat_remove_bot(self, request: web.Request) -> Any:
        """The bot is removed: `{"kicked": true}` (the default) or no longer a member."""
        body = await _body(request)
        kicked = bool(body.get("kicked", True))
        self.control.remove_bot(int(request.match_info["chat_id"]), kicked=kicked)
        return {"removed": "kicked" if kicked else "left"}

    async def pending_updates(self, request: web.Request) -> Any:
        return self.control.pending_updates()

    async def counters(self, request: web.Request) -> Any:
        return self.control.counters().to_json()

    async def read_config(self, request: web.Request) -> Any:
        config = dataclasses.asdict(self.control.config)
        config.pop("token")
        return config

    async def change_config(self, request: web.Request) -> Any:
        changes = await _body(request)
        refused = set(changes) - _CONFIGURABLE
        if refused:
            raise SandboxControlError(f"not configurable here: {sorted(refused)}")
        self.control.configure(**changes)
        return await self.read_config(request)

    async def read_faults(self, request: web.Request) -> Any:
        return self.control.state.faults.to_json()

    async def start_fault(self, request: web.Request) -> Any:
        """`{"mode": "unreachable"|"slow"|"429"|"500", "seconds": 60, "delay": 2,
        "retry_after": 5}`; without `seconds` the fault lasts until `DELETE /faults`. An
        unreachable sandbox refuses connections, this endpoint's too: it needs `seconds`."""
        body = await _body(request)
        mode = str(body["mode"])
        seconds = None if body.get("seconds") is None else float(body["seconds"])
        if mode == "unreachable" and seconds is None:
            raise ValueError("an unreachable sandbox cannot be reached to end it: give seconds")
        self.control.fail(
            mode, seconds=seconds, delay=float(body.get("delay", 2.0)),
            retry_after=int(body.get("retry_after", 5)),
        )  # fmt: skip
        return self.control.state.faults.to_json()

    async def end_fault(self, request: web.Request) -> Any:
        self.control.recover()
        return self.control.state.faults.to_json()

    async def advance_clock(self, request: web.Request) -> Any:
        body = await _body(request)
        self.control.advance_clock(float(body["seconds"]))
        return {"offset_seconds": self.control.state.clock.offset}

    async def age_messages(self, request: web.Request) -> Any:
        body = await _body(request)
        aged = self.control.age_messages(
            int(body["seconds"]), chat_id=_optional_int(body.get("chat_id"))
        )
        return {"aged": aged}

    async def reset(self, request: web.Request) -> Any:
        self.control.reset()
        return {"reset": True}

    async def file(self, request: web.Request) -> Any:
        data = self.control.file_bytes(request.match_info["file_id"])
        return web.Response(body=data, content_type="image/jpeg")
