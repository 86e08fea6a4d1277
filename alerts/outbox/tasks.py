"""The volunteers' task messages (poster rounds: `alerts.rounds.notices`; field searches:
`alerts.searches.notices`), sent beside the dispatcher in every worker by one `TaskSender`.

Each kind of task has its own queue table, filled in the transaction that causes the message and
claimed here `FOR UPDATE SKIP LOCKED`, so any number of workers share it. A queue makes the
message in the volunteer's language at the send (no text is stored); this module sends it.
Every message takes its token from the process's share of the limit the dispatchers' alerts
share ('telegram' or 'email', `alerts.outbox.limits`; the dispatcher's own limiter when both run
in one worker), so a round's invitations or a call-out in the middle of a fan-out never push the
bot over Telegram's limit, and a 429 pauses everyone who sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

import telegram
from telegram.error import TelegramError

from alerts import errors
from alerts.channels import mailer
from alerts.channels.base import (
    ChannelError,
    PermanentFailure,
    RecipientGone,
    RetryAfter,
    TemporaryFailure,
)
from alerts.channels.telegram import make_bot
from alerts.channels.tg_errors import translate
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import language
from alerts.outbox.limits import RateLimiter
from alerts.rounds.notices import POSTER_QUEUE
from alerts.searches.notices import SEARCH_QUEUE
from alerts.volunteers.task_messages import TaskMessage

log = logging.getLogger(__name__)
BATCH = 50
MAX_ATTEMPTS = 5
SWEEP_SECONDS = 5.0  # how often a running sender lets each queue look for work to queue
# Telegram takes about one message a second in a private chat, and answers a faster one with a
# 429 that pauses the whole bot: a task message waits this long after the service's last
# message to the volunteer, and until their alert, when one is due, has gone.
PER_CHAT_SECONDS = 1.2


class TaskQueue(Protocol):
    """A kind of task message: its name (for the logs) and its table's queries."""

    name: str
    claim: str  # claim up to $1 due messages: id, volunteer_id, kind, attempts, and the task
    retry: str  # try message $1 again in $2 seconds
    done: str  # record message $1 'sent' or 'failed'

    async def prepare(self, db: Database, settings: Settings) -> None:
        """Queue what is due (a sweep of the open rounds, the searches of closed cases)."""

    async def compose(
        self, db: Database, settings: Settings, row: Any, who: Any
    ) -> TaskMessage | None:
        """The message of a claimed row for recipient `who`, in the current language; None
        when it must not go any more: an appeal (an invitation, a call-out) whose case closed
        or whose task ended since it was queued. Closing always wins: only the messages that
        end a task (a takedown, a search's end or cancellation) go after a close."""


QUEUES: tuple[TaskQueue, ...] = (SEARCH_QUEUE, POSTER_QUEUE)


class TaskSender:
    """Sends the due task messages of `queues`, each at a token of the channel's shared rate."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        bot: telegram.Bot | None,
        queues: Sequence[TaskQueue] = QUEUES,
        per_chat_seconds: float = PER_CHAT_SECONDS,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.db, self.settings, self.bot, self.queues = db, settings, bot, tuple(queues)
        self.per_chat_seconds = per_chat_seconds  # 0: no hold (tests that step through a task)
        # The dispatcher's limiter when it runs in this process: its shares are the process's.
        self.limiter, self._own_limiter = limiter or RateLimiter(db), limiter is None

    async def configure(self) -> None:
        """Hold the shares of the limits, at the rates the dispatcher's channels use (already
        held when the limiter is the dispatcher's)."""
        if self.bot is not None:
            await self.limiter.share("telegram", self.settings.telegram_rate)
        if self.settings.smtp_url:
            await self.limiter.share("email", self.settings.email_rate)

    async def close(self) -> None:
        if self._own_limiter:
            await self.limiter.close()

    async def run(self, stop: asyncio.Event) -> None:
        next_sweep = 0.0
        while not stop.is_set():
            sweep = time.monotonic() >= next_sweep  # a sweep reads views: not at every poll
            next_sweep = time.monotonic() + SWEEP_SECONDS if sweep else next_sweep
            try:
                sent = await self.deliver_due(sweep=sweep)
            except Exception as exc:  # a database hiccup must not end the loop
                log.warning("task messages failed", extra={
                    "action": "tasks.failed", "error": type(exc).__name__})  # fmt: skip
                sent = 0
            if sent < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.dispatch_poll_seconds)

    async def deliver_due(self, *, sweep: bool = True) -> int:
        """Let each queue queue what is due (unless `sweep` is off), then send the messages due
        now; how many were claimed."""
        claimed = 0
        for queue in self.queues:
            if sweep:
                await queue.prepare(self.db, self.settings)
            rows = await self.db.fetch(queue.claim, BATCH)
            for row in rows:
                outcome = await self._send(queue, row)
                await self._record(queue, row, outcome)
            claimed += len(rows)
        return claimed

    async def _record(self, queue: TaskQueue, row: Any, outcome: str | float) -> None:
        if isinstance(outcome, float):  # flood control, Telegram's or ours: after the wait
            await self.db.execute(queue.retry, row["id"], outcome)
        elif outcome == "retry" and row["attempts"] < MAX_ATTEMPTS:
            await self.db.execute(queue.retry, row["id"], 30.0 * row["attempts"])
        else:
            state = outcome if outcome in ("sent", "cancelled") else "failed"
            await self.db.execute(queue.done, row["id"], state)

    async def _send(self, queue: TaskQueue, row: Any) -> str | float:
        """'sent', 'cancelled', 'failed', 'retry', or the seconds to wait (Telegram asked, or
        the volunteer's chat is busy)."""
        who = await self.db.fetchrow("task_message_recipient", row["volunteer_id"])
        if who is None:
            return "failed"
        chat, email = who["telegram_chat_id"], who["email"]
        if chat is not None and self.bot is not None:
            bucket = "telegram"
            hold = self.per_chat_seconds and await self.db.fetchval(
                "task_recipient_busy", who["id"], self.per_chat_seconds
            )
            if hold > 0:
                return float(hold)  # their alert first, and a second between messages
        elif email and self.settings.smtp_url:
            bucket = "email"
        elif chat is not None or email:
            return "retry"  # its channel is not up in this worker: the next one's may be
        else:
            return "failed"
        with language(who["language"]):
            message = await queue.compose(self.db, self.settings, row, who)
            if message is None:
                return "cancelled"  # the case closed, or the task ended, since it was queued
            await self._token(bucket)
            unsure = True  # until an answer came back: the channel may count the call late
            try:
                if bucket == "telegram":
                    await self._telegram(chat, message)
                else:
                    body = f"{message.text}\n\n{message.page_line}\n{message.url}\n"
                    mail = mailer.build_message(self.settings, email, message.subject, body)
                    await mailer.deliver(self.settings, mail)
                unsure = False
            except TelegramError as exc:
                refusal = translate(exc)
                unsure = isinstance(refusal, TemporaryFailure)
                return await self._refused(queue, exc, refusal)
            except errors.AlertsError as exc:
                self._warn("tasks.retry", queue, exc)
                return "retry"
            finally:
                self.limiter.answered(bucket, unsure=unsure)
        return "sent"

    async def _telegram(self, chat_id: int, message: TaskMessage) -> None:
        assert self.bot is not None
        # Under a paid broadcast the dispatcher's rate is the paid one: these messages must be
        # sent as paid too, or Telegram would count them against its free limit.
        await self.bot.send_message(
            chat_id, message.text, reply_markup=message.buttons,
            allow_paid_broadcast=self.settings.telegram_paid_broadcast or None,
        )  # fmt: skip

    async def _refused(
        self, queue: TaskQueue, exc: TelegramError, refusal: ChannelError
    ) -> str | float:
        """What Telegram's refusal means for the row; a 429 pauses the shared limit for all."""
        if isinstance(refusal, RetryAfter):
            await self.limiter.pause("telegram", refusal.seconds)
            return refusal.seconds
        self._warn("tasks.refused", queue, exc)
        if isinstance(refusal, RecipientGone | PermanentFailure):
            return "failed"  # the volunteer blocked the bot, or Telegram will never take it
        return "retry"

    @staticmethod
    def _warn(action: str, queue: TaskQueue, exc: Exception) -> None:
        extra = {"action": action, "queue": queue.name, "error": type(exc).__name__}
        log.warning("task message not sent", extra=extra)

    async def _token(self, bucket: str) -> None:
        """Wait for one token of this process's share of limit `bucket` (the dispatchers'
        lanes hold the other shares, or this same one); reported by `answered` after the call."""
        while True:
            grant = await self.limiter.take(bucket, 1)
            if grant.tokens:
                if grant.due[0] > 0:
                    await asyncio.sleep(grant.due[0])
                return
            await asyncio.sleep(grant.wait)


@contextlib.asynccontextmanager
async def sender(
    db: Database,
    settings: Settings,
    queues: Sequence[TaskQueue] = QUEUES,
    per_chat_seconds: float = PER_CHAT_SECONDS,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[TaskSender]:
    """A TaskSender with its bot open (none when Telegram is not configured), until exit."""
    bot = make_bot(settings, pool_size=4) if settings.telegram_bot_token else None
    try:
        if bot is not None:
            await bot.initialize()
    except TelegramError:
        bot = None  # e-mails still go; Telegram messages wait for the next start
    try:
        running = TaskSender(db, settings, bot, queues, per_chat_seconds, limiter)
        await running.configure()
        try:
            yield running
        finally:
            await running.close()
    finally:
        if bot is not None:
            with contextlib.suppress(TelegramError):
                await bot.shutdown()
