"""The round's messages to volunteers (the invitation with Accept / Decline, the request to
replace, the takedown task and its reminder, each listing the volunteer's own places) and their
sending: queued in `poster_messages` in the transaction that causes them, claimed `FOR UPDATE
SKIP LOCKED` by `Notifier` (beside the dispatcher, in every worker; each round first runs the
sweep, `service.sweep`), made in the volunteer's language at the send, and sent by Telegram
(buttons) or e-mail (a signed link to the round's phone page). No text is stored.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Sequence
from urllib.parse import urlencode

import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from alerts import errors
from alerts.channels import mailer
from alerts.channels.telegram import make_bot
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import N_, gettext, language
from alerts.publication.materials import public_address
from alerts.rounds import service
from alerts.rounds.models import Place, Round, Zone
from alerts.volunteers.links import link_key

log = logging.getLogger(__name__)
BATCH = 50
SWEEP_SECONDS = 5.0  # how often a running notifier sweeps the rounds (each reads a view)
MAX_ATTEMPTS = 5
CALLBACK = "pr"  # the bot's buttons: pr:<round>:<accepted|declined|replaced|removed:<place>>
SUBJECTS = {
    "invite": N_("Poster round: can you put up posters of a missing child near you?"),
    "replace": N_("The poster has changed: please replace yours"),
    "takedown": N_("The appeal has ended: please take your posters down"),
    "reminder": N_("Reminder: some of your posters are still up"),
}
BODIES = {
    "invite": N_("The hotline asks volunteers near the place to put up posters. If you accept, "
                 "you get a zone of your own and the link to print the poster."),
    "replace": N_("What the poster shows has changed. Please print the new version, replace "
                  "each of your posters with it, and confirm: %(url)s"),
    "takedown": N_("Please take down the posters at each of your places and confirm each "
                   "removal. Thank you for your help."),
    "reminder": N_("Please take them down now and confirm each removal."),
}  # fmt: skip
ZONE = N_("Your zone %(label)s: between %(inner)s and %(outer)s km from the place, from "
          "%(start)s° to %(end)s° (north is 0°).")  # fmt: skip
PRINT = N_("Print the poster: %(url)s")
HOW = N_("Then share the location of each place where you put posters up (📎 → Location), or "
         "record it on your page.")  # fmt: skip
PLACE = N_("%(count)s at %(lat)s, %(lon)s")


def _signature(settings: Settings, round_id: int, public_id: str) -> str:
    mac = hmac.new(link_key(settings), f"posters:{round_id}:{public_id}".encode(),
                   hashlib.sha256)  # fmt: skip
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def page_url(settings: Settings, round_id: int, public_id: str, lang: str) -> str:
    """The signed link to the round's phone page of one volunteer."""
    query = urlencode({"lang": lang, "sig": _signature(settings, round_id, public_id)})
    return (
        f"{settings.public_base_url.rstrip('/')}/volunteer/posters/{round_id}/{public_id}?{query}"
    )


def link_ok(settings: Settings, round_id: int, public_id: str, signature: str) -> bool:
    expected = _signature(settings, round_id, public_id).encode()
    return hmac.compare_digest(expected, signature.encode())


def print_url(settings: Settings, found: Round, lang: str) -> str:
    """The poster of the case's current revision in `lang` (else the case's first language)."""
    langs = found.case_languages or ["nl"]
    chosen = lang if lang in langs else langs[0]
    return public_address(settings.public_base_url, found.case_public_id, f"poster-{chosen}.pdf")


def zone_text(zone: Zone) -> str:
    return gettext(ZONE, label=zone.label, inner=zone.inner_km, outer=zone.outer_km,
                   start=zone.from_deg, end=zone.to_deg)  # fmt: skip


def accepted_text(settings: Settings, found: Round, zone: Zone | None, lang: str) -> str:
    """What a volunteer who accepted reads: their zone, the print link, how to record."""
    lines = [zone_text(zone)] if zone else []
    lines += [gettext(PRINT, url=print_url(settings, found, lang)), gettext(HOW)]
    return "\n\n".join(lines)


def places_text(places: Sequence[Place]) -> str:
    return "\n".join(f"• {gettext(PLACE, count=p.count, lat=f'{p.lat:.5f}', lon=f'{p.lon:.5f}')}"
                     for p in places if p.up)  # fmt: skip


def text(settings: Settings, found: Round, kind: str, places: Sequence[Place], lang: str) -> str:
    """The message of `kind` in the language of the block."""
    body = gettext(BODIES[kind], url=print_url(settings, found, lang)) if kind == "replace" \
        else gettext(BODIES[kind])  # fmt: skip
    lines = [gettext(SUBJECTS[kind]), body]
    if kind in ("takedown", "reminder"):
        lines.append(places_text(places))
    return "\n\n".join(lines)


def buttons(found: Round, kind: str, places: Sequence[Place], url: str) -> InlineKeyboardMarkup:
    prefix = f"{CALLBACK}:{found.id}"
    rows = []
    if kind == "invite":
        rows.append([InlineKeyboardButton(gettext("I put posters up"),
                                          callback_data=f"{prefix}:accepted"),
                     InlineKeyboardButton(gettext("Not this time"),
                                          callback_data=f"{prefix}:declined")])  # fmt: skip
    elif kind == "replace":
        rows.append([InlineKeyboardButton(gettext("✅ Replaced"),
                                          callback_data=f"{prefix}:replaced")])  # fmt: skip
    else:
        for number, place in enumerate(places, 1):
            if place.up:
                label = gettext("✅ Removed: place %(number)s", number=number)
                rows.append(
                    [InlineKeyboardButton(label, callback_data=f"{prefix}:removed:{place.id}")]
                )
    if url.startswith("https://"):  # Telegram takes no other link on a button
        rows.append([InlineKeyboardButton(gettext("Open the poster page"), url=url)])
    return InlineKeyboardMarkup(rows)


class Notifier:
    """Sends the due poster messages; one per worker, sharing the queue through the database."""

    def __init__(self, db: Database, settings: Settings, bot: telegram.Bot | None) -> None:
        self.db, self.settings, self.bot = db, settings, bot

    async def run(self, stop: asyncio.Event) -> None:
        next_sweep = 0.0
        while not stop.is_set():
            sweep = time.monotonic() >= next_sweep  # a view per open round: not every poll
            next_sweep = time.monotonic() + SWEEP_SECONDS if sweep else next_sweep
            try:
                sent = await self.deliver_due(sweep=sweep)
            except Exception as exc:  # a database hiccup must not end the loop
                extra = {"action": "poster_notices_failed", "error": type(exc).__name__}
                log.warning("poster notices failed", extra=extra)
                sent = 0
            if sent < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.dispatch_poll_seconds)

    async def deliver_due(self, *, sweep: bool = True) -> int:
        """Sweep the rounds (replacements, takedowns) unless told not to, then send the messages
        due now; how many were claimed."""
        if sweep:
            await service.sweep(self.db, self.settings)
        claimed = await self.db.fetch("poster_messages_claim", BATCH)
        for row in claimed:
            state = await self._send(row["round_id"], row["volunteer_id"], row["kind"])
            if isinstance(state, float):  # Telegram's flood control: after its wait
                await self.db.execute("poster_message_retry", row["id"], state)
            elif state == "retry" and row["attempts"] < MAX_ATTEMPTS:
                await self.db.execute("poster_message_retry", row["id"], 30.0 * row["attempts"])
            else:
                await self.db.execute("poster_message_done", row["id"],
                                      "sent" if state == "sent" else "failed")  # fmt: skip
        return len(claimed)

    async def _send(self, round_id: int, volunteer_id: int, kind: str) -> str | float:
        """'sent', 'failed', 'retry', or the seconds Telegram asks to wait."""
        who = await self.db.fetchrow("search_message_recipient", volunteer_id)
        if who is None:
            return "failed"
        found = await service.get(self.db, round_id)
        member = await service.member_of(self.db, round_id, volunteer_id)
        places = await service.places_of(self.db, member)
        url = page_url(self.settings, round_id, who["public_id"], who["language"])
        with language(who["language"]) as lang:
            body = text(self.settings, found, kind, places, lang)
            try:
                if who["telegram_chat_id"] is not None and self.bot is not None:
                    markup = buttons(found, kind, places, url)
                    await self.bot.send_message(who["telegram_chat_id"], body, reply_markup=markup)
                elif who["email"]:
                    page = gettext("Answer and record your posters on this page:")
                    subject, text_body = gettext(SUBJECTS[kind]), f"{body}\n\n{page}\n{url}\n"
                    mail = mailer.build_message(self.settings, who["email"], subject, text_body)
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
                extra = {"action": "poster_notice_retry", "error": type(exc).__name__}
                log.warning("poster notice not sent", extra=extra)
                return "retry"
        return "sent"


@contextlib.asynccontextmanager
async def notifier(db: Database, settings: Settings) -> AsyncIterator[Notifier]:
    """A Notifier with its bot open (none when Telegram is not configured), until exit."""
    bot = make_bot(settings, pool_size=2) if settings.telegram_bot_token else None
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
