"""The withdrawal report of a case, and the publications a person handles: posts staff put on
social networks by hand (recorded here, handed to a person by the `ManualPosts` channel when the
case is withdrawn), and the confirmation that something marked for manual action is gone.

A case is "fully withdrawn" only when every publication has reached an end state: withdrawn,
neutralised, manual (a person must act; the reason says why), or never sent (cancelled,
failed), and every physical poster of its poster rounds is confirmed removed or marked for
manual action with its reason (alerts.rounds). A manual row counts as ended for the report,
and stays listed as a manual action until a staff member confirms its removal (then it is
withdrawn, and the confirmation is audited).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import CaseState
from alerts.channels.base import (
    Job,
    Limits,
    PermanentFailure,
    Published,
    SendResult,
    WithdrawResult,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.rounds.service import PosterCounts
from alerts.staff import audit
from alerts.staff.models import Staff
from alerts.volunteers.pseudonyms import pseudonym

log = logging.getLogger(__name__)

END_STATES = frozenset({"withdrawn", "neutralised", "manual", "cancelled", "failed"})
_MAX_URL = 500
MAX_REASON = 500


@dataclass(frozen=True, kw_only=True)
class Summary:
    """How far the withdrawal of a case got."""

    fully_withdrawn: bool
    total: int
    ended: int
    manual_actions: int
    counts: Mapping[str, int]
    posters: PosterCounts | None = None


def summarise(rows: Iterable[Mapping[str, Any]], posters: PosterCounts | None = None) -> Summary:
    """The summary of a case's publication rows (each with its `state`), and its posters."""
    return summarise_counts(Counter(row["state"] for row in rows), posters)


def summarise_counts(counts: Mapping[str, int], posters: PosterCounts | None = None) -> Summary:
    """The summary of a case's publications counted per state; with its physical posters
    (poster rounds), fully withdrawn only when none is outstanding."""
    total = sum(counts.values())
    ended = sum(n for state, n in counts.items() if state in END_STATES)
    return Summary(
        fully_withdrawn=ended == total and (posters is None or posters.withdrawn), total=total,
        ended=ended, manual_actions=counts.get("manual", 0), counts=dict(sorted(counts.items())),
        posters=posters,
    )  # fmt: skip


class ManualPosts:
    """Posts staff put on social networks by hand (`social`): a person must remove them."""

    name = "social"
    limits = Limits(bucket="manual", per_second=100.0)

    async def send(self, job: Job) -> SendResult:
        raise PermanentFailure("social posts are made by hand")

    async def withdraw(self, published: Published) -> WithdrawResult:
        return WithdrawResult(
            state="manual", reason="posted by hand: remove the post, then confirm it here"
        )


def _post_url(url: Any) -> str:
    """The address of a post, checked: an absolute http(s) URL."""
    text = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(text)
    if len(text) > _MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.InvalidInput("Give the address of the post, starting with https://.",
                                  field="url")  # fmt: skip
    return text


async def record_manual_post(db: Database, staff: Staff, case_id: int, url: Any) -> int:
    """Record a post staff put on a social network by hand: withdrawal lists it for a person
    to remove. Its publication id (the same one when it was recorded already)."""
    address = _post_url(url)
    async with db.transaction() as tx:
        case = await cases.get(tx, case_id, for_update=True)
        if case.state is not CaseState.ACTIVE:
            raise errors.Conflict("A post can only be recorded while the case is active.")
        publication_id = await tx.fetchval("record_manual_post", case.id, case.revision, address)
        if publication_id is None:
            raise errors.Conflict("This post is already recorded.")
        await audit.record(tx, staff.id, "social_post_recorded", case.id,
                           publication=publication_id)  # fmt: skip
    log.info(
        "social post recorded",
        extra={
            "action": "withdrawal.social_post",
            "case_id": case_id,
            "publication": publication_id,
        },
    )
    return int(publication_id)


async def confirm_removal(db: Database, staff: Staff, case_id: int, publication_id: int) -> None:
    """A staff member confirms that a publication marked for manual action was removed."""
    async with db.transaction() as tx:
        confirmed = await tx.fetchval("confirm_manual_removal", publication_id, case_id, staff.id)
        if confirmed is None:
            raise errors.Conflict(
                "Only a publication marked for manual action can be confirmed as removed."
            )
        await audit.record(tx, staff.id, "manual_removal_confirmed", case_id,
                           publication=publication_id)  # fmt: skip
    log.info(
        "manual removal confirmed",
        extra={"action": "withdrawal.confirmed", "case_id": case_id, "publication": publication_id},
    )


async def reveal_contact(
    db: Database, settings: Settings, staff: Staff, case_id: int, publication_id: int,
    reason: Any,
) -> dict[str, Any]:  # fmt: skip
    """The contact of the volunteer a publication went to, for a supervisor who must reach that
    one person, with the reason why: audited. Nobody else reads a volunteer's address."""
    if not staff.is_supervisor:
        raise errors.Forbidden("Only supervisors can reveal a volunteer's contact.")
    why = reason.strip() if isinstance(reason, str) else ""
    if not why or len(why) > MAX_REASON:
        raise errors.InvalidInput(
            "Say why you must contact this volunteer (at most 500 characters).", field="reason"
        )
    row = await db.fetchrow("publication_volunteer_contact", case_id, publication_id)
    if row is None:
        raise errors.NotFound("No such message to a volunteer in this case.")
    if row["email"] is None and row["telegram_chat_id"] is None:
        raise errors.Gone("This volunteer has deleted their data.")
    reference = pseudonym(settings, row["target"])
    await audit.record(db, staff.id, "volunteer_contact_revealed", case_id,
                       volunteer=reference, publication=publication_id, reason=why)  # fmt: skip
    log.info("volunteer contact revealed", extra={"action": "volunteer_contact_revealed",
                                                  "case_id": case_id})  # fmt: skip
    chat = row["telegram_chat_id"]
    return {"volunteer": reference, "email": row["email"],
            "telegram_chat_id": str(chat) if chat is not None else None}  # fmt: skip
