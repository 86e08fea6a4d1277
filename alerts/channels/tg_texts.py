"""What a Telegram message says: the alert's text or caption within Telegram's limits, and the
neutral notice and picture that replace a withdrawn alert."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from alerts.cases.consent import PublicView
from alerts.channels.base import PermanentFailure
from alerts.i18n import gettext, language, pgettext
from alerts.publication.texts import render_text, utf16_length
from alerts.volunteers.answers import ANSWERS

CAPTION_LIMIT, TEXT_LIMIT = 1024, 4096
# Facts dropped, least important first, when the opt-out line would overflow a caption.
_TRIM_ORDER = ("description", "marks", "clothing", "build", "eyes", "hair")


def neutral_notice(lang: str) -> str:
    """What a withdrawn alert's message says once neutralised, in the recipient's language."""
    with language(lang):
        return pgettext(
            "telegram notice", "This alert has been withdrawn. Thank you for your help."
        )


def ending_notice(lang: str) -> str:
    """What a volunteer reads when the case of an alert they received is closed, in their
    language: the appeal has ended; never how it ended."""
    with language(lang):
        return pgettext(
            "telegram notice",
            "The appeal we sent you has ended. Thank you for your help. Please delete any copies "
            "you shared and take down any posters you put up.",
        )


def replaced_notice(lang: str) -> str:
    """What an alert's message says once a protected copy replaced it (forwarding withdrawn) and
    Telegram would no longer delete it, in the recipient's language."""
    with language(lang):
        return pgettext("telegram notice", "This alert has been replaced by the message below.")


@functools.cache
def answer_keyboard(lang: str) -> InlineKeyboardMarkup:
    """The answer buttons under an alert to a volunteer, in their language. The callback data
    names only the answer: the bot records it for the chat the button was pressed in, and only
    when the message is the alert it sent there (alerts.bot.answers)."""
    with language(lang):
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(gettext(label), callback_data=f"ans:{answer}")]
             for answer, label in ANSWERS.items()]
        )  # fmt: skip


@functools.cache
def answer_keyboard_json(lang: str) -> str:
    """`answer_keyboard(lang)` as the Bot API's `reply_markup` form field."""
    return json.dumps(answer_keyboard(lang).to_dict())  # as python-telegram-bot encodes it


def fitted(view: PublicView, lang: str, kind: str, footer: str, limit: int) -> str:
    """The channel text of `view` plus `footer`, within `limit`, dropping minor facts if needed."""
    for trimmed in _trimmed(view):
        text = render_text(trimmed, lang, kind).text + footer
        if utf16_length(text) <= limit:
            return text
    raise PermanentFailure(f"{kind}: the text does not fit in {limit} characters")


def _trimmed(view: PublicView) -> Iterator[PublicView]:
    yield view
    for name in _TRIM_ORDER:
        changes: dict[str, Any] = {name: ""}
        view = replace(view, **changes)
        yield view


@functools.cache
def neutral_jpeg() -> bytes:
    """A plain grey picture that replaces a withdrawn photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 320), (200, 200, 200)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()
