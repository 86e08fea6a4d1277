"""Sending one claimed message: the checks right before the send (the case still active and at
this revision, the volunteer still in, the consent still allowing the channel), the wait for its
token's slot, the per-recipient limit, the channel call, and the outcome the dispatcher records.

A `Sender` records nothing itself: the dispatcher (alerts.outbox.dispatcher) hands each outcome
to alerts.outbox.claims' `Recorder`. It reports the lane's rate token (alerts.outbox.limits):
answered once the channel was called, whatever came of it; given back when it was not.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import replace

from alerts.cases.consent import PublicView
from alerts.channels.base import (
    Channel,
    ChannelError,
    ChatMoved,
    Deferred,
    Job,
    PermanentFailure,
    RecipientGone,
    RetryAfter,
    SendResult,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.errors import NotPublishable
from alerts.outbox.claims import CaseGate, Claim, Delivered, Ended, Outcome, Retry
from alerts.outbox.fanout import VOLUNTEER_CHANNELS
from alerts.outbox.limits import Call, RateLimiter
from alerts.partners import channel_events
from alerts.volunteers import registry as volunteers

log = logging.getLogger(__name__)

_BACKOFF_BASE, _BACKOFF_CAP = 2.0, 600.0


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: exponential, capped, with jitter."""
    delay = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.5)


class Sender:
    """One dispatcher's way of sending: a claimed row in, its outcome out."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        channels: Mapping[str, Channel],
        limiter: RateLimiter,
        gate: CaseGate,
    ) -> None:
        self.db, self.settings, self.channels = db, settings, channels
        self.limiter, self.gate = limiter, gate

    async def attempt(self, claim: Claim) -> Outcome:
        """The outcome of sending `claim`, reserved on its lane's rate share: sent, to retry, or
        ended without a send (nothing is recorded here). Its token is taken right before the
        call and reported here."""
        channel = self.channels.get(claim.channel)
        call = Call()
        try:
            return await self._attempt(claim, call)
        except BaseException:
            call.unsure = True  # a crash or a cancel in the middle of the call
            raise
        finally:
            if channel is not None:
                call.report(self.limiter, channel.limits.bucket)

    async def _attempt(self, claim: Claim, call: Call) -> Outcome:
        # Everything slow (the case, its view, the photo, a channel's own limit) is done before
        # the token is taken: a token is counted from then until a window after the answer.
        prepared = await self.prepare(claim)
        if not isinstance(prepared, PublicView):
            return prepared
        channel = self.channels[claim.channel]
        per_target = None
        if channel.limits.per_target is not None:
            per_target = f"{claim.channel}:{claim.address}"
            wait = await self.limiter.take_one(per_target, channel.limits.per_target)
            if wait is not None:
                return Retry(claim=claim, delay=wait, error=None, attempted=False)
        if not await self.limiter.acquire(channel.limits.bucket):
            # No token in time (this process's share lapsed: the database is unreachable):
            # back to the queue rather than sent when another process may have taken it over.
            return Retry(claim=claim, delay=0.0, error=None, attempted=False, late=True)
        call.acquired = True
        status = await self.gate.status(claim.case_id)  # again, right before the send
        if status is None or status.state != "active":
            outcome: Outcome = Ended(claim=claim, state="cancelled", reason="case_closed",
                                     attempted=True)  # fmt: skip
        else:
            outcome = await self._send(channel, claim, prepared, call)
        if per_target is not None and (not call.made or outcome.returns_token):
            await self.limiter.give_back(per_target, 1)  # nothing reached the channel
        return outcome

    async def prepare(self, claim: Claim) -> PublicView | Outcome:
        """The view to send, or the outcome when nothing is to be sent (now)."""
        if claim.case_state != "active":
            # Claimed after the close's commit: whatever the cache says, never sent.
            return Ended(claim=claim, state="cancelled", reason="case_closed")
        status = await self.gate.status(claim.case_id)
        if status is not None and status.state == "active" and claim.revision > status.revision:
            # Read before this revision was committed: its view would be the previous one's.
            status = await self.gate.status(claim.case_id, fresh=True)
        if status is None or status.state != "active":
            return Ended(claim=claim, state="cancelled", reason="case_closed")
        if claim.revision < status.revision:
            return Ended(claim=claim, state="cancelled", reason="superseded")
        if claim.channel in VOLUNTEER_CHANNELS and not claim.volunteer_active:
            return Ended(claim=claim, state="cancelled", reason="opted_out")
        if claim.edits_id is not None and claim.previous_state in ("pending", "sending"):
            # The message this one edits is still on its way: edit it once it has arrived.
            return Retry(claim=claim, delay=1.0, error=None, attempted=False)
        try:
            return await self.gate.view(claim.case_id, status, claim.channel)
        except NotPublishable:
            return Ended(claim=claim, state="cancelled", reason="consent")

    async def _send(self, channel: Channel, claim: Claim, view: PublicView, call: Call) -> Outcome:
        call.made = True
        try:
            result = await self._call(channel, claim, claim.job(view))
        except Deferred:
            return Retry(claim=claim, delay=0.0, error=None, attempted=False, late=True)
        except RetryAfter as err:
            if err.whole_channel:
                await self.limiter.pause(channel.limits.bucket, err.seconds)
            return Retry(claim=claim, delay=err.seconds, error=err.detail, attempted=False)
        except RecipientGone as err:
            return Ended(claim=claim, state="failed", reason="recipient_gone", error=err.detail,
                         attempted=True, withdraw_previous=err.withdraw_previous)  # fmt: skip
        except PermanentFailure as err:
            return Ended(claim=claim, state="failed", reason="refused", error=err.detail,
                         attempted=True, withdraw_previous=err.withdraw_previous)  # fmt: skip
        except ChannelError as err:
            call.unsure = True  # no answer (a timeout, the network): it may be taken later
            if claim.attempts >= self.settings.dispatch_max_attempts:
                return Ended(claim=claim, state="failed", reason="gave_up", error=err.detail,
                             attempted=True, withdraw_previous=err.withdraw_previous)  # fmt: skip
            return Retry(claim=claim, delay=backoff(claim.attempts), error=err.detail)
        return Delivered(claim=claim, result=result)

    async def _call(self, channel: Channel, claim: Claim, job: Job) -> SendResult:
        """`channel.send(job)`; a regional group upgraded to a supergroup is followed to its new
        chat id, recorded in the registry, and the post sent there at once."""
        try:
            return await channel.send(job)
        except ChatMoved as moved:
            if claim.channel != "telegram_channel":
                raise
            address = moved.address
        await channel_events.moved(self.db, claim.address, address)
        # The earlier revision's post stays in the old group, out of the bot's reach (its
        # message ids mean other messages in the supergroup): the alert is posted anew.
        anew = replace(job, address=address, previous_external_id=None, previous_media=None,
                       previous_protected=None)  # fmt: skip
        return await channel.send(anew)

    async def recipient_gone(self, claim: Claim, error: str | None = None) -> None:
        """Stop writing to a recipient Telegram refuses with 403 (`claim` ended
        `recipient_gone`, `error` its words): the volunteer who blocked the bot or deleted their
        account is deactivated; a regional channel the bot was removed from too."""
        if claim.volunteer_id is not None and claim.channel == "telegram_dm":
            deleted = error is not None and "user is deactivated" in error
            reason = "account_deleted" if deleted else "blocked_bot"
            await volunteers.deactivate(self.db, claim.volunteer_id, reason)
        elif claim.channel == "telegram_channel":
            await channel_events.removed(self.db, claim.address, error or "Forbidden")
        log.info("recipient gone", extra={"action": "dispatch.recipient_gone",
                                          "channel": claim.channel})  # fmt: skip
