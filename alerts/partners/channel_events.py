"""What Telegram tells the dispatcher about a regional channel, recorded in the registry.

A basic group upgraded to a supergroup gets a new chat id: Telegram answers any call naming the
old one with 400 "group chat was upgraded to a supergroup chat" and the new id
(`migrate_to_chat_id`). `moved` records it on the regional channel (`telegram_channels.chat_id`)
and on its posts not sent yet, so that they, and every case after them, go to the new chat.

A group or channel the bot was removed from answers 403 ("bot was kicked from the supergroup
chat", "bot is not a member of the channel chat"): `removed` deactivates the regional channel
and cancels its posts not sent yet, as a supervisor's deactivation does; a supervisor
reactivates it once the bot is back. Both are audited (by nobody: Telegram said so).
"""

from __future__ import annotations

import logging

from alerts.db.database import Database, rows_affected
from alerts.staff import audit

log = logging.getLogger(__name__)


async def moved(db: Database, old: str, new: str) -> list[int]:
    """Record that the chat `old` is now `new`; the regional channels moved."""
    async with db.transaction() as tx:
        channels = [row["id"] for row in await tx.fetch("move_telegram_channel", old, new)]
        posts = rows_affected(await tx.execute("move_unsent_channel_posts", old, new))
        for channel_id in channels:
            await audit.record(tx, None, "regional_channel_moved", None, channel=channel_id,
                               reason="group upgraded to a supergroup", posts=posts)  # fmt: skip
    log.info("regional channel moved to a supergroup", extra={
        "action": "partners.channel_moved", "channels": channels, "posts": posts})  # fmt: skip
    return channels


async def removed(db: Database, chat: str, why: str) -> list[int]:
    """Deactivate the regional channels at `chat`, which the bot can no longer write to (`why`:
    Telegram's words); the channels deactivated."""
    async with db.transaction() as tx:
        channels = [row["id"] for row in await tx.fetch("deactivate_telegram_channels_at", chat)]
        for channel_id in channels:
            cancelled = rows_affected(await tx.execute(
                "cancel_pending_publications_of_target", "telegram_channel",
                f"channel/{channel_id}"))  # fmt: skip
            await audit.record(tx, None, "regional_channel_deactivated", None,
                               channel=channel_id, cancelled=cancelled, reason=why)  # fmt: skip
    if channels:
        log.warning("regional channel deactivated: the bot was removed", extra={
            "action": "partners.channel_removed", "channels": channels})  # fmt: skip
    return channels
