"""Withdrawal: taking back everything a case published, on the dispatcher's own machinery.

Closing a case marks, in its transaction, every sent publication `withdrawing`
(alerts.outbox.fanout) and ends what we host ourselves (alerts.publication.materials, and
`end_hosted_leftovers` here for what an earlier revision still lists): alerts.outbox.pipeline
runs these steps. A consent that narrows (revoked, a lower level, the photo no longer allowed,
its end date reached) does the same for what falls outside it (`narrow`).

The rows in `withdrawing` are the withdrawal jobs. The dispatcher runs a withdrawal lane beside
each send lane (alerts.outbox.dispatcher): the same rate bucket shared by every process, the same
concurrency slots, the same wake-up on NOTIFY. A lane claims due rows with `FOR UPDATE SKIP
LOCKED` and a lease of DISPATCH_STALL_SECONDS (a worker that dies leaves its claims to come due
again: `kill -9` and a restart finish the job), and `Withdrawer` asks each row's channel to take
it back:

- Telegram: deleted when younger than 48 hours, else edited to the neutral notice and image;
- e-mail: a short "closed, please delete" message (the linked image answers 410 already);
- partner webhooks: the signed CAP `Cancel` or JSON cancel;
- the press: a removal request to every outlet that downloaded material (alerts.partners.press);
- posts staff put on social networks by hand: marked for manual action, for staff to confirm.

Every row ends in a terminal state: withdrawn, neutralised, or manual with the reason
(DESIGN.md invariant 5). Temporary failures are retried with backoff up to
DISPATCH_MAX_ATTEMPTS, then handed to a person. Running it again changes nothing: an ended row is
never claimed, a message already deleted counts as withdrawn, one already neutral as neutralised.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from alerts.cases import lifecycle as cases
from alerts.cases.consent import CHANNEL_LEVEL, allows
from alerts.cases.models import Case, Consent
from alerts.channels.base import (
    Channel,
    ChannelError,
    ChatMoved,
    Job,
    Limits,
    PermanentFailure,
    Published,
    RecipientGone,
    RetryAfter,
    SendResult,
    TemporaryFailure,
    WithdrawResult,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout
from alerts.outbox.claims import REPLACED, Backoff
from alerts.outbox.limits import Call, RateLimiter
from alerts.outbox.report import ManualPosts
from alerts.partners import channel_events, press

log = logging.getLogger(__name__)

# One notice per recipient and case: the newest row stands for the earlier revisions' rows.
ONE_NOTICE_CHANNELS = ("email", "webhook", "press", "peer")


@dataclass(frozen=True, kw_only=True)
class Taking:
    """A publication claimed for withdrawal, with what taking it back needs."""

    id: int
    case_id: int
    revision: int
    channel: str
    target: str
    language: str | None
    address: str | None
    external_id: str | None
    media: str | None
    sent_at: datetime | None
    attempts: int
    public_id: str
    approved_at: datetime | None
    webhook_secret: str | None = field(repr=False)
    webhook_format: str | None
    end_reason: str | None
    # Its case closed, and it is the newest message sent to its recipient: the ending goes with it.
    ends_appeal: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(**{f.name: row[f.name] for f in dataclasses.fields(cls)})

    def published(self) -> Published:
        return Published(
            publication_id=self.id, channel=self.channel, address=self.address or "",
            external_id=self.external_id or "", media=self.media,
            sent_at=self.sent_at or datetime.now(UTC), language=self.language or "en",
            target=self.target, case_id=self.case_id, case_public_id=self.public_id,
            revision=self.revision, issued_at=self.approved_at,
            webhook_secret=self.webhook_secret, webhook_format=self.webhook_format,
            replaced=self.end_reason == REPLACED,
            ending=self.ends_appeal and self.end_reason != REPLACED
            and self.channel in ("telegram_dm", "email"),
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Ended:
    """The publication's end: withdrawn, neutralised, or manual (`reason` says why)."""

    taking: Taking
    state: str
    reason: str
    attempted: bool = True

    @property
    def returns_token(self) -> bool:
        return not self.attempted


@dataclass(frozen=True, kw_only=True)
class Again(Backoff):
    """A withdrawal to try again (see Backoff)."""

    taking: Taking


Outcome = Ended | Again


class PressRemoval:
    """The press outlets that took material (`press`): asked to remove it, each once, by e-mail
    at EMAIL_RATE (alerts.partners.press)."""

    name = "press"

    def __init__(self, db: Database, settings: Settings) -> None:
        self.limits = Limits(bucket="email", per_second=settings.email_rate)
        self._db = db
        self._settings = settings
        self._locks: dict[int, asyncio.Lock] = {}

    async def send(self, job: Job) -> SendResult:
        raise PermanentFailure("the press room is not sent to")

    async def withdraw(self, published: Published) -> WithdrawResult:
        # send_removal_requests writes to every outlet of the case: one call at a time per case
        # in this process, so that two outlets' rows do not both mail everyone.
        async with self._locks.setdefault(published.case_id, asyncio.Lock()):
            case = await cases.get(self._db, published.case_id)
            report = await press.send_removal_requests(self._db, self._settings, case)
        contact_id = int(published.target.removeprefix("outlet:"))
        if contact_id in report.failed:
            raise TemporaryFailure("the removal request could not be sent")
        return WithdrawResult(state="withdrawn", reason="removal request sent")


class Withdrawer:
    """Takes back the claimed rows of the dispatcher's withdrawal lanes."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        channels: Mapping[str, Channel],
        limiter: RateLimiter,
        worker: str,
        backoff: Callable[[int], float],
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels: dict[str, Channel] = {
            **channels, "press": PressRemoval(db, settings), "social": ManualPosts(),
        }  # fmt: skip
        self.limiter = limiter
        self.worker = worker
        self.backoff = backoff

    async def claim(self, channels: list[str], limit: int) -> list[Any]:
        """Up to `limit` due withdrawals on `channels`, leased to this worker."""
        return await self.db.fetch(
            "claim_withdrawals", self.worker, channels, limit,
            self.settings.dispatch_stall_seconds, list(ONE_NOTICE_CHANNELS),
        )  # fmt: skip

    async def attempt(self, row: Any) -> Outcome:
        """Take the claimed row back, reserved on its lane's rate share; its token is taken
        right before the call and reported here, as a send's (alerts.outbox.sender)."""
        taking = Taking.from_row(row)
        channel = self.channels.get(taking.channel)
        call = Call()
        try:
            return await self._attempt(taking, call)
        except Exception:
            call.unsure = True
            log.exception("withdrawal crashed", extra={"action": "withdrawal.crashed",
                                                       "publication": taking.id})  # fmt: skip
            return self._again(taking, "internal error")
        finally:
            if channel is not None:
                call.report(self.limiter, channel.limits.bucket)

    async def _attempt(self, taking: Taking, call: Call) -> Outcome:
        channel = self.channels.get(taking.channel)
        if channel is None:
            return Ended(taking=taking, state="manual", attempted=False,
                         reason=f"no channel {taking.channel!r} here to take it back")  # fmt: skip
        # A Telegram alert's withdrawal with the ending (issue 21) is a delete, which Telegram's
        # sending limits do not count, then the ending, a message of its own: the lane's one
        # token covers that message, and ends when its answer came, as any send's. (A second
        # token taken here livelocked against the lane's blocks when the window was full, and
        # was spent before the ending went out.)
        key = None
        if channel.limits.per_target is not None:
            key = f"{taking.channel}:{taking.address}"
            wait = await self.limiter.take_one(key, channel.limits.per_target)
            if wait is not None:
                return Again(taking=taking, delay=wait, error=None, attempted=False)
        if not await self.limiter.acquire(channel.limits.bucket):
            outcome: Outcome = Again(taking=taking, delay=0.0, error=None, attempted=False,
                                     late=True)  # fmt: skip
        else:
            call.acquired = True
            outcome = await self._withdraw(channel, taking, call)
        if key is not None and isinstance(outcome, Again) and not outcome.attempted:
            await self.limiter.give_back(key, 1)
        return outcome

    async def _withdraw(self, channel: Channel, taking: Taking, call: Call) -> Outcome:
        call.made = True
        try:
            result = await channel.withdraw(taking.published())
        except RetryAfter as err:
            if err.whole_channel:
                await self.limiter.pause(channel.limits.bucket, err.seconds)
            return Again(taking=taking, delay=err.seconds, error=err.detail, attempted=False)
        except ChatMoved as moved:
            if taking.channel == "telegram_channel":
                await channel_events.moved(self.db, taking.address or "", moved.address)
            return Ended(taking=taking, state="manual", reason=f"{moved.detail}: the bot cannot "
                         "reach what it sent before the upgrade; delete it by hand")  # fmt: skip
        except RecipientGone as err:
            return Ended(taking=taking, state="manual",
                         reason=f"cannot be taken back: {err.detail}")  # fmt: skip
        except PermanentFailure as err:
            return Ended(taking=taking, state="manual", reason=f"refused: {err.detail}")
        except ChannelError as err:
            call.unsure = True
            return self._again(taking, err.detail)
        return Ended(taking=taking, state=result.state, reason=result.reason or result.state)

    def _again(self, taking: Taking, error: str) -> Outcome:
        if taking.attempts >= self.settings.dispatch_max_attempts:
            return Ended(taking=taking, state="manual",
                         reason=f"gave up after {taking.attempts} attempts: {error}")  # fmt: skip
        return Again(taking=taking, delay=self.backoff(taking.attempts), error=error)

    async def settle(self, bucket: str, outcome: Outcome) -> None:
        """Record the outcome (the lease brings the row back if this fails)."""
        taking = outcome.taking
        try:
            if isinstance(outcome, Ended):
                await self.db.fetchrow(
                    "record_withdrawal_done", taking.id, self.worker, outcome.state,
                    outcome.reason, list(ONE_NOTICE_CHANNELS),
                )  # fmt: skip
                _log_end(taking, outcome)
            else:
                await self.db.execute(
                    "record_withdrawal_retry", taking.id, self.worker, outcome.delay,
                    outcome.error, outcome.attempted,
                )  # fmt: skip
        except Exception as err:
            log.error("withdrawal not recorded", exc_info=True, extra={
                "action": "withdrawal.record_failed", "error": type(err).__name__})  # fmt: skip

    async def sweep(self, stall: float) -> None:
        """Sends caught by a close with nobody left to record them: stalled claims of closed
        cases (a dead dispatcher: whether they arrived is unknown, a person is told), and rows
        put back in the queue after the close (never delivered)."""
        stalled = _count(await self.db.execute("end_stalled_sends_of_closed_cases", stall))
        unsent = _count(await self.db.execute("cancel_unsent_of_closed_cases"))
        if stalled or unsent:
            log.warning("sends of closed cases ended", extra={
                "action": "withdrawal.swept", "manual": stalled, "cancelled": unsent})  # fmt: skip


def _log_end(taking: Taking, outcome: Ended) -> None:
    extra = {"action": "withdrawal.ended", "publication": taking.id, "case_id": taking.case_id,
             "channel": taking.channel, "state": outcome.state}  # fmt: skip
    if outcome.state == "manual":
        log.warning("publication needs a person", extra={**extra, "reason": outcome.reason})
    else:
        log.debug("publication taken back", extra=extra)


# -- what closing and consent changes write -------------------------------------------------------


async def end_hosted_leftovers(db: Database, case: Case) -> None:
    """Inside the close transaction: everything we host, earlier revisions included, is withdrawn
    (the dispatcher's rows are marked `withdrawing` by alerts.outbox.fanout.stop)."""
    ended = _count(await db.execute("withdraw_hosted_leftovers", case.id))
    log.info("hosted publications withdrawn", extra={
        "action": "withdrawal.closed", "case_id": case.id, "rows": ended})  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Narrowed:
    """What a narrower consent ended: hosted rows withdrawn, unsent rows cancelled, sent rows
    queued for withdrawal."""

    hosted: int
    cancelled: int
    withdrawing: int


async def narrow(
    db: Database,
    case_id: int,
    previous: Consent | None,
    consent: Consent | None,
    now: datetime,
    *,
    in_flight_only: bool = False,
) -> Narrowed:
    """Withdraw what `consent` no longer allows of the case: every channel it does not allow,
    and, when it takes away the photo `previous` allowed, the photo-bearing material (Telegram
    photo messages, posters, images, the page's photo and preview image, the press outlets and
    social posts that carry them). With `in_flight_only` (the scheduler's second look), only the
    Telegram photo messages sent fresh after a consent forbade the photo."""
    disallowed = [channel for channel in CHANNEL_LEVEL if not allows(consent, channel, now)]
    in_force = consent is not None and consent.in_force(now)
    photo_allowed = in_force and consent is not None and consent.photo
    photo_gone = previous is not None and previous.photo and not photo_allowed
    photo_messages = photo_gone or (in_flight_only and in_force and not photo_allowed)
    row = await db.fetchrow(
        "withdraw_out_of_scope", case_id, disallowed, photo_gone and not in_flight_only,
        photo_messages, in_flight_only, narrowing_reason(consent, now, photo_gone),
    )  # fmt: skip
    assert row is not None
    narrowed = Narrowed(hosted=row["hosted"], cancelled=row["cancelled"],
                        withdrawing=row["withdrawing"])  # fmt: skip
    if photo_gone and not in_flight_only:
        await db.fetchrow("delete_photo_material", case_id)
    if not in_flight_only:
        await fanout.narrow(db, case_id, disallowed)
    if narrowed.withdrawing:
        await db.execute("notify_dispatchers", "")
    log.info("consent narrowed", extra={"action": "withdrawal.consent", "case_id": case_id,
                                        **dataclasses.asdict(narrowed)})  # fmt: skip
    return narrowed


def narrowing_reason(consent: Consent | None, now: datetime, photo_gone: bool) -> str:
    if consent is None or consent.revoked_at is not None:
        return "consent revoked"
    if not consent.in_force(now):
        return "consent reached its end date"
    return "consent no longer allows the photo" if photo_gone else "consent lowered"


@dataclass(frozen=True, kw_only=True)
class Reconciled:
    """What a reconciliation found: cases with something withdrawn, renders deleted."""

    cases: int
    materials: int


def _count(status: str) -> int:
    """The row count of a command status such as 'UPDATE 7'."""
    return int(status.rsplit(" ", 1)[-1])
