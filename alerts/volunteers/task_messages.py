"""One message of a volunteer's task (a poster round's invitation or takedown, a field search's
call-out or end), as its queue makes it in the volunteer's language at the send. The shared
sender (`alerts.outbox.tasks`) sends it by Telegram, with its buttons, or by e-mail, with the
signed link to the task's phone page; it takes each message's token from the channel's shared
rate, as the dispatcher does for alerts."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup


@dataclass(frozen=True, kw_only=True)
class TaskMessage:
    subject: str
    text: str
    buttons: InlineKeyboardMarkup
    url: str  # the signed link to the volunteer's phone page of the task
    page_line: str  # in an e-mail, the line before that link
