"""Where cases go beyond the volunteers: regional Telegram channels and partner webhooks.

Staff register them; the fan-out (alerts.outbox.fanout) queues a post for each active regional
channel whose circle holds a case's last-seen point (level 2 and up), and a call for each active
partner webhook (level 3). Case managers may read them; only supervisors and admins change them,
and every change is audited.

A webhook's secret is made here (`secrets.token_urlsafe`) and handed out once, when the webhook
is added and when the secret is replaced; the lists never carry it. The dispatcher reads it from
the table when it claims a message, so a message not sent yet is signed with the new secret.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from alerts import errors
from alerts.db.database import Database, rows_affected
from alerts.db.rows import Row
from alerts.geo.geocoding import GeocodingService
from alerts.partners.fields import (
    CHANNEL_CHANGES,
    NEW_CHANNEL,
    WEBHOOK_CHANGES,
    locate_centre,
    parse_channel,
    parse_webhook,
)
from alerts.staff import audit
from alerts.staff.models import Staff

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Row)


@dataclass(frozen=True, kw_only=True)
class RegionalChannel(Row):
    """A regional Telegram channel and what it received: `sent` posts (an edit of a post is not
    a post), the state and time of its latest publication, the latest error."""

    id: int
    name: str
    chat_id: str
    language: str
    lat: float
    lon: float
    radius_km: float
    active: bool
    created_at: datetime
    sent: int
    last_state: str | None
    last_at: datetime | None
    last_error: str | None
    exercises: bool = False  # it takes exercise cases too


@dataclass(frozen=True, kw_only=True)
class PartnerWebhook(Row):
    """A partner webhook, without its secret, and what it received (as `RegionalChannel`)."""

    id: int
    name: str
    url: str
    format: str
    language: str
    active: bool
    created_at: datetime
    sent: int
    last_state: str | None
    last_at: datetime | None
    last_error: str | None
    exercises: bool = False  # it takes exercise cases too


@dataclass(frozen=True, kw_only=True)
class IssuedSecret:
    """A webhook and its new secret, to show once to the staff member who asked for it."""

    webhook: PartnerWebhook
    secret: str = field(repr=False)


async def _listed(db: Database, row: type[R], query: str, only: int | None = None) -> list[R]:
    """The rows of a list query (`list_telegram_channels`, `list_partner_webhooks`): every one,
    or only the one with id `only`."""
    return [row.from_row(r) for r in await db.fetch(query, only)]


def _found(rows: list[R], missing: str) -> R:
    """The one row asked for; NotFound saying `missing` when there is none."""
    if not rows:
        raise errors.NotFound(missing)
    return rows[0]


def new_secret() -> str:
    """A fresh webhook secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


# -- who may change them ------------------------------------------------------------------


def may_change(staff: Staff) -> None:
    """Refuse (Forbidden) anyone but supervisors and admins: case managers may only look."""
    if not staff.is_supervisor:
        raise errors.Forbidden(
            "Only supervisors and admins can change regional channels and partner webhooks."
        )


# -- regional channels -------------------------------------------------------------------------


async def list_regional_channels(db: Database) -> list[RegionalChannel]:
    """Every regional channel, the active ones first, by name."""
    return await _listed(db, RegionalChannel, "list_telegram_channels")


async def get_regional_channel(db: Database, channel_id: int) -> RegionalChannel:
    """Regional channel `channel_id`; NotFound when there is none."""
    rows = await _listed(db, RegionalChannel, "list_telegram_channels", channel_id)
    return _found(rows, "No such regional channel.")


async def add_regional_channel(
    db: Database,
    staff: Staff,
    *,
    name: str,
    chat_id: str,
    language: str,
    lat: float,
    lon: float,
    radius_km: float,
) -> int:
    """Register a regional Telegram channel covering a circle; its id."""
    may_change(staff)
    given = {"name": name, "chat_id": chat_id, "language": language, "lat": lat, "lon": lon,
             "radius_km": radius_km}  # fmt: skip
    fields = parse_channel(given, creating=True)
    try:
        async with db.transaction() as tx:
            channel_id: int = await tx.fetchval(
                "add_telegram_channel", *(fields[k] for k in NEW_CHANNEL), staff.id
            )
            await audit.record(tx, staff.id, "regional_channel_added", None, channel=channel_id)
    except errors.Conflict:
        raise errors.Conflict(
            "A regional channel with this chat id exists already.", field="chat_id"
        ) from None
    log.info("regional channel added",
             extra={"action": "partners.channel_added", "channel_id": channel_id})  # fmt: skip
    return channel_id


async def register_regional_channel(
    db: Database, geocoder: GeocodingService, staff: Staff, data: Mapping[str, Any]
) -> RegionalChannel:
    """Register the regional channel `data` describes (as the API or the console's form sends
    it; a `place` is geocoded into the centre); the channel."""
    may_change(staff)
    fields = parse_channel(await locate_centre(geocoder, data), creating=True)
    return await get_regional_channel(db, await add_regional_channel(db, staff, **fields))


async def update_regional_channel(
    db: Database,
    geocoder: GeocodingService,
    staff: Staff,
    channel_id: int,
    data: Mapping[str, Any],
) -> RegionalChannel:
    """Change the name, language, centre, radius or active flag of a regional channel as
    `data` says; the channel. Its unsent posts take the new language; deactivating it cancels
    them (what was sent stays, and is withdrawn when its case closes)."""
    may_change(staff)
    changes = parse_channel(await locate_centre(geocoder, data), creating=False)
    target = f"channel/{channel_id}"
    async with db.transaction() as tx:
        before = await tx.fetchrow("lock_telegram_channel", channel_id)
        if before is None:
            raise errors.NotFound("No such regional channel.")
        await tx.execute(
            "update_telegram_channel", channel_id, *(changes.get(k) for k in CHANNEL_CHANGES)
        )
        edited = [k for k in CHANNEL_CHANGES if k in changes and changes[k] != before[k]]
        if "language" in edited:
            await tx.execute("retarget_pending_publications", "telegram_channel", target,
                             changes["language"], before["chat_id"])  # fmt: skip
        await _record_edits(tx, staff, "regional_channel", "telegram_channel", target, changes,
                            edited, channel=channel_id)  # fmt: skip
    log.info(
        "regional channel changed",
        extra={"action": "partners.channel_changed", "channel_id": channel_id, "fields": edited},
    )
    return await get_regional_channel(db, channel_id)


async def _record_edits(
    tx: Database,
    staff: Staff,
    kind: str,
    channel: str,
    target: str,
    changes: Mapping[str, Any],
    edited: list[str],
    /,
    **ref: int,
) -> None:
    """Audit what changed of a regional channel or partner webhook (`kind`, named in the audit
    entry by `ref`); deactivating it cancels its unsent publications."""
    if fields := [k for k in edited if k != "active"]:  # `exercises` is audited as an edit
        await audit.record(tx, staff.id, f"{kind}_edited", None, **ref, fields=fields)
    if "active" in edited:
        cancelled = await _stop_or_start(tx, channel, target, changes["active"])
        state = "reactivated" if changes["active"] else "deactivated"
        await audit.record(tx, staff.id, f"{kind}_{state}", None, **ref, cancelled=cancelled)


async def _stop_or_start(tx: Database, channel: str, target: str, active: bool) -> int:
    """The unsent publications cancelled: all of `target`'s when it is deactivated."""
    if active:
        return 0  # only cases approved or revised from now on reach it
    return rows_affected(await tx.execute("cancel_pending_publications_of_target", channel, target))


# -- partner webhooks --------------------------------------------------------------------------


async def list_partner_webhooks(db: Database) -> list[PartnerWebhook]:
    """Every partner webhook (never its secret), the active ones first, by name."""
    return await _listed(db, PartnerWebhook, "list_partner_webhooks")


async def get_partner_webhook(db: Database, webhook_id: int) -> PartnerWebhook:
    """Partner webhook `webhook_id` (never its secret); NotFound when there is none."""
    rows = await _listed(db, PartnerWebhook, "list_partner_webhooks", webhook_id)
    return _found(rows, "No such partner webhook.")


async def add_partner_webhook(
    db: Database,
    staff: Staff,
    *,
    name: str,
    url: str,
    fmt: str,
    language: str = "en",
    secret: str | None = None,
) -> int:
    """Register a partner webhook (format `json` or `cap`) signing with `secret` (a new one
    when not given); its id."""
    may_change(staff)
    fields = parse_webhook({"name": name, "url": url, "format": fmt, "language": language},
                           creating=True)  # fmt: skip
    try:
        async with db.transaction() as tx:
            webhook_id: int = await tx.fetchval(
                "add_partner_webhook", fields["name"], fields["url"], secret or new_secret(),
                fields["format"], fields["language"], staff.id,
            )  # fmt: skip
            await audit.record(tx, staff.id, "partner_webhook_added", None, webhook=webhook_id)
    except errors.Conflict:
        raise _url_taken() from None
    log.info("partner webhook added",
             extra={"action": "partners.webhook_added", "webhook_id": webhook_id})  # fmt: skip
    return webhook_id


def _url_taken() -> errors.Conflict:
    return errors.Conflict("A partner webhook with this address exists already.", field="url")


async def register_partner_webhook(
    db: Database, staff: Staff, data: Mapping[str, Any]
) -> IssuedSecret:
    """Register the partner webhook `data` describes (as the API or the console's form sends
    it) with a new secret; the webhook and its secret, which nobody can read again."""
    may_change(staff)
    fields = parse_webhook(data, creating=True)
    secret = new_secret()
    webhook_id = await add_partner_webhook(
        db, staff, name=fields["name"], url=fields["url"], fmt=fields["format"],
        language=fields["language"], secret=secret,
    )  # fmt: skip
    return IssuedSecret(webhook=await get_partner_webhook(db, webhook_id), secret=secret)


async def update_partner_webhook(
    db: Database, staff: Staff, webhook_id: int, data: Mapping[str, Any]
) -> PartnerWebhook:
    """Change the name, address, format, language or active flag of a partner webhook as
    `data` says; the webhook. Its unsent calls go to the new address in the new language;
    deactivating it cancels them."""
    may_change(staff)
    changes = parse_webhook(data, creating=False)
    target = f"webhook/{webhook_id}"
    try:
        async with db.transaction() as tx:
            before = await tx.fetchrow("lock_partner_webhook", webhook_id)
            if before is None:
                raise errors.NotFound("No such partner webhook.")
            await tx.execute(
                "update_partner_webhook", webhook_id, *(changes.get(k) for k in WEBHOOK_CHANGES)
            )
            edited = [k for k in WEBHOOK_CHANGES if k in changes and changes[k] != before[k]]
            if "url" in edited or "language" in edited:
                await tx.execute("retarget_pending_publications", "webhook", target,
                                 changes.get("language", before["language"]),
                                 changes.get("url", before["url"]))  # fmt: skip
            await _record_edits(tx, staff, "partner_webhook", "webhook", target, changes,
                                edited, webhook=webhook_id)  # fmt: skip
    except errors.Conflict:
        raise _url_taken() from None
    log.info(
        "partner webhook changed",
        extra={"action": "partners.webhook_changed", "webhook_id": webhook_id, "fields": edited},
    )
    return await get_partner_webhook(db, webhook_id)


async def rotate_partner_webhook_secret(
    db: Database, staff: Staff, webhook_id: int
) -> IssuedSecret:
    """Replace a partner webhook's secret with a new one at once; the webhook and the new
    secret, which nobody can read again. Calls not sent yet are signed with it."""
    may_change(staff)
    secret = new_secret()
    async with db.transaction() as tx:
        if await tx.fetchrow("lock_partner_webhook", webhook_id) is None:
            raise errors.NotFound("No such partner webhook.")
        await tx.execute("set_partner_webhook_secret", webhook_id, secret)
        await audit.record(tx, staff.id, "partner_webhook_secret_rotated", None,
                           webhook=webhook_id)  # fmt: skip
    log.info("partner webhook secret replaced",
             extra={"action": "partners.secret_rotated", "webhook_id": webhook_id})  # fmt: skip
    return IssuedSecret(webhook=await get_partner_webhook(db, webhook_id), secret=secret)
