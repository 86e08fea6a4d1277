"""The Telegram sandbox's memory: configuration, chats, messages, files, updates, limits, clock.

Plain bookkeeping with no HTTP in it, so the Bot API methods, the user-play controls and the
aiohttp layer all share one consistent picture of "what Telegram has seen".
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from sandbox.telegram.faults import Faults
from sandbox.telegram.records import (
    JSON,
    ApiError,
    MessageContent,
    PhotoSize,
    SandboxChat,
    SandboxCounters,
    SandboxUser,
    StoredFile,
    StoredMessage,
    WebhookSettings,
    bad_request,
)

#: Telegram lets a bot delete a message only while it is younger than this.
DELETE_WINDOW_SECONDS = 48 * 3600

#: Update kinds Telegram sends when `allowed_updates` was never given.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "callback_query"}
    | {"inline_query", "chosen_inline_result", "my_chat_member", "poll", "poll_answer"}
    | {"shipping_query", "pre_checkout_query", "chat_join_request"}
)


@dataclass(frozen=True, kw_only=True)
class SandboxConfig:
    """How the sandbox behaves; Telegram's documented limits are the defaults.

    Sending methods (sendMessage, sendPhoto, forwardMessage, copyMessage) always count against
    the limits; edits count too when `count_edits` is on, as they do on Telegram. deleteMessage
    and the other methods never do.
    A call with `allow_paid_broadcast=true`, or every call while `paid_broadcast` is on, is held
    to `paid_broadcast_per_second` overall instead of `global_per_second`.
    """

    token: str = field(repr=False)
    bot_username: str = "alerts_sandbox_bot"
    bot_first_name: str = "Alerts sandbox"
    limits_enabled: bool = True
    global_per_second: int = 30
    private_chat_per_second: int = 1
    group_per_minute: int = 20
    # Telegram's paid broadcast lifts the overall rate for a fee; per-chat limits still apply.
    paid_broadcast: bool = False
    paid_broadcast_per_second: int = 1000
    count_edits: bool = True
    # Telegram backs off for longer; a short pause keeps webhook-failure tests quick.
    webhook_retry_seconds: float = 0.5
    max_upload_bytes: int = 10 * 1024 * 1024
    # Telegram sets a webhook only on an HTTPS URL on port 443, 80, 88 or 8443. For local
    # development only (the demo, the tests: a service on http://127.0.0.1 and any port), this
    # lets setWebhook take any http(s) URL. Off by default: the sandbox is as strict as Telegram.
    allow_insecure_webhooks: bool = False

    @property
    def bot_id(self) -> int:
        """The bot's user id: the numeric part of the token, as on Telegram."""
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() else 1


class SandboxClock:
    """Unix time as the sandbox sees it; tests move it forward instead of sleeping for days."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> int:
        return int(time.time() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class RateLimiter:
    """Telegram's flood limits as sliding windows, on the monotonic clock (immune to `advance`)."""

    def __init__(self) -> None:
        self._overall: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def admit(self, config: SandboxConfig, chat: SandboxChat, paid: bool) -> None:
        """Record one send to `chat`, or raise a 429 ApiError without recording anything."""
        if not config.limits_enabled:
            return
        now = time.monotonic()
        if chat.is_private:
            limit, span, reason = config.private_chat_per_second, 1.0, "per_chat"
        else:
            limit, span, reason = config.group_per_minute, 60.0, "group"
        stamps = self._chats.setdefault(chat.id, deque())
        _refuse_if_full(stamps, limit, span, now, reason)
        paid = paid or config.paid_broadcast
        overall = config.paid_broadcast_per_second if paid else config.global_per_second
        _refuse_if_full(self._overall, overall, 1.0, now, "global")
        stamps.append(now)
        self._overall.append(now)


def _refuse_if_full(stamps: deque[float], limit: int, span: float, now: float, why: str) -> None:
    while stamps and stamps[0] <= now - span:
        stamps.popleft()
    if len(stamps) >= limit:
        wait = max(1, math.ceil(stamps[-limit] + span - now))
        raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait, reason=why)


class SandboxState:
    """Everything the fake Telegram remembers for one bot."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        # Update ids keep growing across resets so a long-lived poller's offset stays valid.
        self._next_update_id = 1
        self.updates_event = asyncio.Event()
        # Like the configuration, a fault in force outlives a reset.
        self.faults = Faults()
        self.reset()

    def reset(self) -> None:
        self.clock = SandboxClock()
        self.limiter = RateLimiter()
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.photos: dict[str, tuple[PhotoSize, ...]] = {}
        self.updates: deque[JSON] = deque()
        self.allowed_updates = DEFAULT_ALLOWED_UPDATES
        self.webhook: WebhookSettings | None = None
        self.blocked: set[int] = set()
        self.deactivated: set[int] = set()  # users who deleted their account
        self.removed: dict[int, str] = {}  # group or channel -> "kicked" or "left" (the bot)
        self.migrated: dict[int, int] = {}  # group -> the supergroup it was upgraded to
        self.commands: dict[str, list[JSON]] = {}
        self.callback_queries: dict[str, JSON | None] = {}  # query id -> the bot's answer
        self.poll_generation = 0
        self.accepted: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.wake()

    def wake(self) -> None:
        """Wake long-polls and the webhook pusher: updates or the webhook changed."""
        self.updates_event.set()
        self.updates_event = asyncio.Event()

    @property
    def bot_json(self) -> JSON:
        return {
            "id": self.config.bot_id,
            "is_bot": True,
            "first_name": self.config.bot_first_name,
            "username": self.config.bot_username,
        }

    def counters(self) -> SandboxCounters:
        return SandboxCounters(dict(self.accepted), dict(self.refused), dict(self.errors))

    def chat(self, chat_id: int) -> SandboxChat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def reachable(self, chat: SandboxChat) -> SandboxChat:
        """`chat`, or Telegram's refusal to let the bot act in it: a group upgraded to a
        supergroup (400 with `migrate_to_chat_id`), a group or channel the bot was removed from
        (403)."""
        moved = self.migrated.get(chat.id)
        if moved is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=moved)  # fmt: skip
        how = self.removed.get(chat.id)
        if how == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if how == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def chat_by_username(self, username: str) -> SandboxChat:
        for chat in self.chats.values():
            if chat.username and chat.username.lower() == username.lower():
                return chat
        raise bad_request("chat not found")

    def add_message(
        self,
        chat: SandboxChat,
        sender: SandboxUser | None,
        content: MessageContent,
        *,
        protect_content: bool = False,
        reply_to: int | None = None,
    ) -> StoredMessage:
        history = self.messages.setdefault(chat.id, {})
        # Message ids are per chat and shared by both sides of the conversation.
        message_id = len(history) + 1
        message = StoredMessage(
            chat, message_id, self.clock.now(), sender, [content], [], protect_content, reply_to
        )
        history[message_id] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted_date is not None else message

    def message_json(self, message: StoredMessage, *, nested: bool = False) -> JSON:
        """The message in the Bot API's shape, with the message it replies to one level deep."""
        out: JSON = {"message_id": message.message_id, "date": message.date}
        if message.sender is not None:
            out["from"] = message.sender.to_json()
        elif message.chat.type == "channel":
            out["sender_chat"] = message.chat.to_json()
        else:
            out["from"] = self.bot_json
        out["chat"] = message.chat.to_json()
        if message.edit_dates:
            out["edit_date"] = message.edit_dates[-1]
        if message.protect_content:
            out["has_protected_content"] = True
        out.update(message.content.to_json())
        if message.reply_to is not None and not nested:
            target = self.find_message(message.chat.id, message.reply_to)
            if target is not None:
                out["reply_to_message"] = self.message_json(target, nested=True)
        return out

    def store_photo(self, data: bytes, width: int, height: int) -> tuple[PhotoSize, ...]:
        """Register an uploaded photo as Telegram does: a few sizes, each with its own file_id."""
        unique = hashlib.sha256(data).hexdigest()[:16]
        sizes: list[PhotoSize] = []
        longest = max(width, height)
        for side in sorted({s for s in (90, 320, 800) if s < longest} | {min(longest, 1280)}):
            scale = side / longest
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            file_id = "AgAC" + secrets.token_urlsafe(24)
            path = f"photos/file_{len(self.files)}.jpg"
            self.files[file_id] = StoredFile(file_id, f"AQAD{unique}{side}", path, data)
            sizes.append(PhotoSize(file_id, f"AQAD{unique}{side}", w, h, len(data)))
        group = tuple(sizes)
        for size in group:
            self.photos[size.file_id] = group
        return group

    def push_update(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.wake()
        return update

    def take_updates(self, offset: int | None, limit: int) -> list[JSON]:
        """Confirm updates before `offset` (Telegram's semantics) and return the next few."""
        if offset is not None and offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
        elif offset is not None:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        # Telegram never delivers kinds the bot did not ask for, so drop them for good.
        taken: list[JSON] = []
        index = 0
        while index < len(self.updates) and len(taken) < limit:
            update = self.updates[index]
            if _kind(update) in self.allowed_updates:
                taken.append(update)
                index += 1
            else:
                del self.updates[index]
        return taken

    def confirm_update(self, update_id: int) -> None:
        while self.updates and self.updates[0]["update_id"] <= update_id:
            self.updates.popleft()


def _kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")
