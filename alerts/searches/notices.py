"""The search's messages to volunteers (the call-out with Coming / Not coming, a change, a
cancellation, the end) and their sending: each queued in `search_messages` in the transaction
that causes it, claimed `FOR UPDATE SKIP LOCKED` by `Notifier` (beside the dispatcher, in every
worker), made in the volunteer's language from the search as it is at the send, and sent by
Telegram (buttons) or by e-mail (a signed link to the search's phone page). No text is stored.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import telegram
from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from alerts import errors
from alerts.channels import mailer
from alerts.channels.telegram import make_bot
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import BRUSSELS, N_, gettext, language
from alerts.searches.models import Search
from alerts.searches.service import get
from alerts.volunteers.links import link_key

log = logging.getLogger(__name__)
BATCH = 50
MAX_ATTEMPTS = 5
CALLBACK = "search"  # the bot's buttons: search:<id>:<coming|not_coming|checkin|checkout>
SUBJECTS = {
    "callout": N_("Call-out: a field search for a missing child"),
    "changed": N_("The field search has changed"),
    "cancelled": N_("The field search is cancelled"),
    "ended": N_("The field search has ended: please check out"),
}


def _signature(settings: Settings, search_id: int, public_id: str) -> str:
    mac = hmac.new(link_key(settings), f"search:{search_id}:{public_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def page_url(settings: Settings, search_id: int, public_id: str, lang: str) -> str:
    """The signed link to the search's phone page of one volunteer."""
    query = urlencode({"lang": lang, "sig": _signature(settings, search_id, public_id)})
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/search/{search_id}/{public_id}?{query}"


def link_ok(settings: Settings, search_id: int, public_id: str, signature: str) -> bool:
    expected = _signature(settings, search_id, public_id).encode()
    return hmac.compare_digest(expected, signature.encode())


def when(search: Search, lang: str) -> str:
    return format_datetime(search.assembly_at.astimezone(BRUSSELS), "EEEE d MMMM HH:mm",
                           locale=lang)  # fmt: skip


def text(search: Search, kind: str, lang: str) -> str:
    """The message of `kind` in the language of the block."""
    place = gettext("Assembly point: %(place)s, %(when)s", place=search.assembly_place,
                    when=when(search, lang))  # fmt: skip
    if kind == "cancelled":
        return gettext("The field search of %(when)s is cancelled. Thank you for your help.",
                       when=when(search, lang))  # fmt: skip
    if kind == "ended":
        return gettext("The field search has ended. Thank you. If you are still checked in, "
                       "please check out now.")  # fmt: skip
    lines = [gettext(SUBJECTS[kind]), place]
    if search.bring:
        lines.append(gettext("Bring: %(bring)s", bring=search.bring))
    lines.append(gettext("Briefing: %(briefing)s", briefing=search.briefing))
    if search.coordinator:
        lines.append(gettext("Coordinator: %(name)s", name=search.coordinator))
    lines.append(gettext("Adults only. Do not touch or move anything you find: report it."))
    return "\n\n".join(lines)


def buttons(search: Search, kind: str, url: str) -> InlineKeyboardMarkup:
    prefix = f"{CALLBACK}:{search.id}"
    rows = []
    if kind in ("callout", "changed"):
        rows.append([InlineKeyboardButton(gettext("Coming"), callback_data=f"{prefix}:coming"),
                     InlineKeyboardButton(gettext("Not coming"),
                                          callback_data=f"{prefix}:not_coming")])  # fmt: skip
        rows.append([InlineKeyboardButton(gettext("Check in"), callback_data=f"{prefix}:checkin")])
    if kind == "ended":
        rows.append([InlineKeyboardButton(gettext("Check out"),
                                          callback_data=f"{prefix}:checkout")])  # fmt: skip
    if url.startswith("https://"):  # Telegram takes no other link on a button
        rows.append([InlineKeyboardButton(gettext("Open the search page"), url=url)])
    return InlineKeyboardMarkup(rows)


class Notifier:
    """Sends the due search messages; one per worker, sharing the queue through the database."""

    def __init__(self, db: Database, settings: Settings, bot: telegram.Bot | None) -> None:
        self.db, self.settings, self.bot = db, settings, bot

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.deliver_due()
            except Exception as exc:  # a database hiccup must not end the loop
                extra = {"action": "search_notices_failed", "error": type(exc).__name__}
                log.warning("search notices failed", extra=extra)
                sent = 0
            if sent < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.dispatch_poll_seconds)

    async def deliver_due(self) -> int:
        """Send the messages due now; how many were claimed. A closed case's open searches
        end first (whatever closed it), so their searchers are asked to check out."""
        await self.db.fetchval("searches_end_closed_cases")
        claimed = await self.db.fetch("search_messages_claim", BATCH)
        for row in claimed:
            state = await self._send(row["search_id"], row["volunteer_id"], row["kind"])
            if isinstance(state, float):  # Telegram's flood control: after its wait
                await self.db.execute("search_message_retry", row["id"], state)
            elif state == "retry" and row["attempts"] < MAX_ATTEMPTS:
                await self.db.execute("search_message_retry", row["id"], 30.0 * row["attempts"])
            else:
                await self.db.execute("search_message_done", row["id"],
                                      "sent" if state == "sent" else "failed")  # fmt: skip
        return len(claimed)

    async def _send(self, search_id: int, volunteer_id: int, kind: str) -> str | float:
        """'sent', 'failed', 'retry', or the seconds Telegram asks to wait."""
        who = await self.db.fetchrow("search_message_recipient", volunteer_id)
        if who is None:
            return "failed"
        search = await get(self.db, search_id)
        url = page_url(self.settings, search_id, who["public_id"], who["language"])
        with language(who["language"]) as lang:
            body = text(search, kind, lang)
            try:
                if who["telegram_chat_id"] is not None and self.bot is not None:
                    markup = buttons(search, kind, url)
                    await self.bot.send_message(who["telegram_chat_id"], body, reply_markup=markup)
                elif who["email"]:
                    mail = mailer.build_message(
                        self.settings, who["email"], gettext(SUBJECTS[kind]),
                        f"{body}\n\n{gettext('Answer and check in on this page:')}\n{url}\n",
                    )  # fmt: skip
                    await mailer.deliver(self.settings, mail)
                elif who["telegram_chat_id"] is not None:
                    return "retry"  # the bot could not start: the next worker's may
                else:
                    return "failed"
            except RetryAfter as exc:
                wait = exc.retry_after
                return float(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
            except Forbidden:
                return "failed"  # the volunteer blocked the bot
            except (TelegramError, errors.AlertsError) as exc:
                extra = {"action": "search_notice_retry", "error": type(exc).__name__}
                log.warning("search notice not sent", extra=extra)
                return "retry"
        return "sent"


@contextlib.asynccontextmanager
async def notifier(db: Database, settings: Settings) -> AsyncIterator[Notifier]:
    """A Notifier with its bot open (none when Telegram is not configured), until exit."""
    bot = make_bot(settings, pool_size=4) if settings.telegram_bot_token else None
    try:
        if bot is not None:
            await bot.initialize()
    except TelegramError:
        bot = None  # e-mails still go; Telegram messages wait for the next start
    try:
        yield Notifier(db, settings, bot)
    finally:
        if bot is not None:
            with contextlib.suppress(TelegramError):
                await bot.shutdown()
