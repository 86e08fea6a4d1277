"""The search's messages to volunteers (the call-out with Coming / Not coming, a change, a
cancellation, the end): each queued in `search_messages` in the transaction that causes it,
made here in the volunteer's language from the search as it is at the send (`SEARCH_QUEUE`),
and sent by the shared task sender (`alerts.outbox.tasks`, beside the dispatcher in every
worker, within the channels' shared rates) by Telegram with buttons or by e-mail with the
signed link to the search's phone page. No text is stored.
"""

from __future__ import annotations

from typing import Any

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import BRUSSELS, N_, gettext
from alerts.searches.models import Search
from alerts.searches.service import get
from alerts.volunteers.links import task_url
from alerts.volunteers.task_messages import TaskMessage

PURPOSE = "search"  # the phone page's path and its links' signatures
CALLBACK = "search"  # the bot's buttons: search:<id>:<coming|not_coming|checkin|checkout>
APPEALS = ("callout", "changed")  # what calls searchers out: never once the search is over
SUBJECTS = {
    "callout": N_("Call-out: a field search for a missing child"),
    "changed": N_("The field search has changed"),
    "cancelled": N_("The field search is cancelled"),
    "ended": N_("The field search has ended: please check out"),
}


def page_url(settings: Settings, search_id: int, public_id: str, lang: str) -> str:
    """The signed link to the search's phone page of one volunteer."""
    return task_url(settings, PURPOSE, search_id, public_id, lang)


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


class SearchQueue:
    """The search messages' queue (`search_messages`), for the shared task sender."""

    name = "search"
    claim, retry, done = "search_messages_claim", "search_message_retry", "search_message_done"

    async def prepare(self, db: Database, settings: Settings) -> None:
        """A closed case's open searches end first (whatever closed it), so that their
        searchers are asked to check out."""
        await db.fetchval("searches_end_closed_cases")

    async def compose(
        self, db: Database, settings: Settings, row: Any, who: Any
    ) -> TaskMessage | None:
        search = await get(db, row["search_id"])
        if row["kind"] in APPEALS and not search.open:
            return None  # the case closed or the search ended: nobody is called any more
        lang = who["language"]
        url = page_url(settings, search.id, who["public_id"], lang)
        return TaskMessage(
            subject=gettext(SUBJECTS[row["kind"]]), text=text(search, row["kind"], lang),
            buttons=buttons(search, row["kind"], url), url=url,
            page_line=gettext("Answer and check in on this page:"),
        )  # fmt: skip


SEARCH_QUEUE = SearchQueue()
