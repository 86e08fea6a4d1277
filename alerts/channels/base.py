"""The one small interface every outside channel implements: send, withdraw, limits.

The dispatcher hands a channel a `Job` (one publication row, with the consent-filtered view of
the case for that channel) and gets back a `SendResult` or one of the `ChannelError`s below,
which tell it what to do next: retry later, pause the whole channel, give up, or stop writing
to that recipient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from alerts.cases.consent import PublicView


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How fast a channel may go; the dispatcher enforces it across every process.

    Channels with the same `bucket` share one rate (Telegram direct messages and channel posts
    both count against the bot's overall limit). `per_target` (count, seconds), when set, is
    enforced per recipient through a bucket of its own: meant for channels with few targets
    (20 posts a minute in a regional channel), not for a million volunteers, whose one message
    each leaves Telegram's 1-a-second-per-chat limit to its 429 and retry_after.
    """

    bucket: str
    per_second: float
    per_target: tuple[int, float] | None = None


@dataclass(frozen=True, kw_only=True)
class Job:
    """One message to deliver: a claimed publication row and what it may show."""

    publication_id: int
    case_id: int
    revision: int
    channel: str
    target: str
    address: str
    language: str
    view: PublicView
    # The earlier revision's message this one replaces (edited in place where the channel can).
    previous_external_id: str | None = None
    previous_media: str | None = None
    # Whether that earlier message was sent protected from forwarding (None: not known).
    previous_protected: bool | None = None
    volunteer_public_id: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_format: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendResult:
    """What went out: its id on the channel, the text sent, and whether it replaced the
    previous message in place (then the older publication row ends as superseded) or was sent
    anew beside it because an edit could not make it what the consent asks (`withdraw_previous`:
    the older message is then taken back). `protected`: sent protected from forwarding (None
    where the channel has no such thing)."""

    external_id: str
    body: str
    media: str | None = None
    replaced_previous: bool = False
    withdraw_previous: bool = False
    protected: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Published:
    """A message that went out and may have to be taken back, with what taking it back needs:
    the case's public id and revision (the CAP Cancel's references), the partner's secret."""

    publication_id: int
    channel: str
    address: str
    external_id: str
    media: str | None
    sent_at: datetime
    language: str
    target: str = ""
    case_id: int = 0
    case_public_id: str = ""
    revision: int = 0
    issued_at: datetime | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_format: str | None = None
    # Taken back because a new message (protected from forwarding) replaced it: the alert goes on.
    replaced: bool = False
    # Taken back because its case closed (not replaced, not narrowed): a volunteer is told the
    # appeal has ended.
    ending: bool = False


@dataclass(frozen=True, kw_only=True)
class WithdrawResult:
    """`withdrawn` (gone), `neutralised` (replaced by a neutral notice) or `manual` (a person
    must act; `reason` says why)."""

    state: str
    reason: str | None = None


class Channel(Protocol):
    """An outside channel behind the dispatcher."""

    name: str
    limits: Limits

    async def send(self, job: Job) -> SendResult: ...

    async def withdraw(self, published: Published) -> WithdrawResult: ...


class ChannelError(Exception):
    """The channel could not deliver the message. `withdraw_previous`: the message was to
    replace an earlier one the consent no longer allows as it is; failing for good, it leaves
    that earlier one to be taken back all the same."""

    withdraw_previous = False

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or (self.__doc__ or "").strip()
        super().__init__(self.detail)


class TemporaryFailure(ChannelError):
    """The channel failed for now (network, server error); retry with backoff."""


class RetryAfter(ChannelError):
    """The channel asks us to slow down: nothing goes to it (or, when not `whole_channel`, to
    this recipient) before `seconds` have passed."""

    def __init__(
        self, seconds: float, detail: str | None = None, *, whole_channel: bool = True
    ) -> None:
        super().__init__(detail)
        self.seconds = seconds
        self.whole_channel = whole_channel


class PermanentFailure(ChannelError):
    """The channel refused the message for good; retrying would not help."""


class RecipientGone(PermanentFailure):
    """The recipient refuses our messages (blocked the bot, deleted their account; the bot was
    removed from the group or channel); stop writing to them."""


class ChatMoved(PermanentFailure):
    """The chat lives on under another address (a Telegram group upgraded to a supergroup):
    send there instead, and remember it. What was sent to the old address is out of reach."""

    def __init__(self, address: str, detail: str | None = None) -> None:
        super().__init__(detail)
        self.address = address


class Deferred(ChannelError):
    """The message had to wait for another (the first upload of its photo); send it again in
    a fresh slot rather than in a bunch with the messages after it."""
