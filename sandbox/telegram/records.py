"""Values the Telegram sandbox stores and answers with, each able to render its Bot API JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API failure, answered as `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        reason: str = "",
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.reason = reason
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass(frozen=True)
class SandboxUser:
    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    last_name: str | None = None

    def to_json(self) -> JSON:
        out: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class SandboxChat:
    id: int
    type: str  # private, group, supergroup or channel
    title: str | None = None
    first_name: str | None = None
    username: str | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_json(self) -> JSON:
        out: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class PhotoSize:
    file_id: str
    file_unique_id: str
    width: int
    height: int
    file_size: int

    def to_json(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": self.file_size,
        }


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class MessageContent:
    """One version of what a message shows; an edit appends a new version."""

    text: str | None = None
    text_markup: str | None = None  # as sent, before parse_mode was applied
    entities: tuple[JSON, ...] = ()
    caption: str | None = None
    caption_markup: str | None = None
    caption_entities: tuple[JSON, ...] = ()
    photo: tuple[PhotoSize, ...] = ()
    location: tuple[float, float] | None = None
    reply_markup: JSON | None = None
    link_preview_disabled: bool = False

    @property
    def photo_file_id(self) -> str | None:
        return self.photo[-1].file_id if self.photo else None

    def to_json(self) -> JSON:
        out: JSON = {}
        if self.text is not None:
            out["text"] = self.text
            if self.entities:
                out["entities"] = list(self.entities)
        if self.photo:
            out["photo"] = [size.to_json() for size in self.photo]
        if self.caption is not None:
            out["caption"] = self.caption
            if self.caption_entities:
                out["caption_entities"] = list(self.caption_entities)
        if self.location is not None:
            out["location"] = {"latitude": self.location[0], "longitude": self.location[1]}
        # Telegram echoes only inline keyboards; reply keyboards live on the client.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            out["reply_markup"] = self.reply_markup
        if self.link_preview_disabled:
            out["link_preview_options"] = {"is_disabled": True}
        return out


@dataclass(frozen=True)
class MessageSnapshot:
    """A message as tests and the demo read it back: current content plus its whole history."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    from_user_id: int | None
    content: MessageContent
    history: tuple[MessageContent, ...]  # every version, oldest first, the current one last
    edit_date: int | None
    protect_content: bool
    reply_to_message_id: int | None
    deleted_date: int | None

    @property
    def text(self) -> str | None:
        return self.content.text

    @property
    def text_markup(self) -> str | None:
        return self.content.text_markup

    @property
    def caption(self) -> str | None:
        return self.content.caption

    @property
    def photo_file_id(self) -> str | None:
        return self.content.photo_file_id

    @property
    def reply_markup(self) -> JSON | None:
        return self.content.reply_markup

    @property
    def deleted(self) -> bool:
        return self.deleted_date is not None

    @property
    def edited(self) -> bool:
        return self.edit_date is not None

    def to_json(self) -> JSON:
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "from_bot": self.from_bot,
            "from_user_id": self.from_user_id,
            "text": self.text,
            "text_markup": self.text_markup,
            "caption": self.caption,
            "photo_file_id": self.photo_file_id,
            "content": self.content.to_json(),
            "history": [version.to_json() for version in self.history],
            "edited": self.edited,
            "edit_date": self.edit_date,
            "protect_content": self.protect_content,
            "reply_to_message_id": self.reply_to_message_id,
            "deleted": self.deleted,
            "deleted_date": self.deleted_date,
        }


# Mutable on purpose: a stored message is an entity whose versions and deletion mark accumulate.
@dataclass(slots=True)
class StoredMessage:
    chat: SandboxChat
    message_id: int
    date: int
    sender: SandboxUser | None  # None: the bot sent it
    versions: list[MessageContent]
    edit_dates: list[int] = field(default_factory=list)
    protect_content: bool = False
    reply_to: int | None = None
    deleted_date: int | None = None

    @property
    def content(self) -> MessageContent:
        return self.versions[-1]

    def snapshot(self) -> MessageSnapshot:
        return MessageSnapshot(
            chat_id=self.chat.id,
            message_id=self.message_id,
            date=self.date,
            from_bot=self.sender is None,
            from_user_id=self.sender.id if self.sender else None,
            content=self.content,
            history=tuple(self.versions),
            edit_date=self.edit_dates[-1] if self.edit_dates else None,
            protect_content=self.protect_content,
            reply_to_message_id=self.reply_to,
            deleted_date=self.deleted_date,
        )


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret_token: str | None = field(default=None, repr=False)
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class SandboxCounters:
    """Read-only copy of the counters: accepted calls per method, refusals per limit and errors."""

    accepted: Mapping[str, int]
    refused: Mapping[str, int]  # 429s by reason: global, per_chat, group
    errors: Mapping[str, int]  # other failures by description

    def to_json(self) -> JSON:
        return {
            "accepted": dict(self.accepted),
            "refused": dict(self.refused),
            "errors": dict(self.errors),
        }
