"""The round's messages to volunteers (the invitation with Accept / Decline, the request to
replace, the takedown task and its reminder, each listing the volunteer's own places): queued in
`poster_messages` in the transaction that causes them (or by the sweep, `service.sweep`, which
the sender runs every few seconds), made here in the volunteer's language at the send
(`POSTER_QUEUE`), and sent by the shared task sender (`alerts.outbox.tasks`, beside the
dispatcher in every worker, within the channels' shared rates) by Telegram with buttons or by
e-mail with the signed link to the round's phone page. No text is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import N_, gettext
from alerts.publication.materials import public_address
from alerts.rounds import service
from alerts.rounds.models import Place, Round, Zone
from alerts.volunteers.links import task_url
from alerts.volunteers.task_messages import TaskMessage

PURPOSE = "posters"  # the phone page's path and its links' signatures
CALLBACK = "pr"  # the bot's buttons: pr:<round>:<accepted|declined|replaced|removed:<place>>
APPEALS = ("invite", "replace")  # what asks for posters up: never once the round is over
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


def page_url(settings: Settings, round_id: int, public_id: str, lang: str) -> str:
    """The signed link to the round's phone page of one volunteer."""
    return task_url(settings, PURPOSE, round_id, public_id, lang)


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


class PosterQueue:
    """The poster messages' queue (`poster_messages`), for the shared task sender."""

    name = "poster"
    claim, retry, done = "poster_messages_claim", "poster_message_retry", "poster_message_done"

    async def prepare(self, db: Database, settings: Settings) -> None:
        """Move the rounds on: replacements after a changed poster, takedowns after a close."""
        await service.sweep(db, settings)

    async def compose(
        self, db: Database, settings: Settings, row: Any, who: Any
    ) -> TaskMessage | None:
        found = await service.get(db, row["round_id"])
        if row["kind"] in APPEALS and not found.open:
            return None  # the case closed or the round ended: no more asking
        member = await service.member_of(db, found.id, row["volunteer_id"])
        places = await service.places_of(db, member)
        lang, kind = who["language"], row["kind"]
        url = page_url(settings, found.id, who["public_id"], lang)
        return TaskMessage(
            subject=gettext(SUBJECTS[kind]), text=text(settings, found, kind, places, lang),
            buttons=buttons(found, kind, places, url), url=url,
            page_line=gettext("Answer and record your posters on this page:"),
        )  # fmt: skip


POSTER_QUEUE = PosterQueue()
