"""What an approver sees before approving: the materials as they will be published, rendered.

From the public views of a case now and after its approval (or after a proposed change, see
alerts/cases/proposals.py): page 1 of the poster as a PNG (the poster is rasterised like the
post images), the Telegram message and the e-mail in each language, and the words that differ
between before and after, marked. The case page itself is rendered by the web layer from the
same views.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from alerts.cases.consent import PublicView
from alerts.posters.images import rasterise
from alerts.posters.poster import poster_sheet
from alerts.publication.texts import render_text

Views = Mapping[str, PublicView | None]


@dataclass(frozen=True, kw_only=True)
class Texts:
    """The texts of one side (before or after) in one language; None where nothing is sent."""

    telegram: str | None
    email_subject: str | None
    email: str | None


def texts(views: Views, lang: str) -> Texts:
    """The Telegram message and the e-mail the volunteers get in `lang`."""
    telegram = views.get("telegram_dm")
    email = views.get("email")
    mail = render_text(email, lang, "email") if email is not None else None
    message = render_text(telegram, lang, "telegram_message").text if telegram else None
    return Texts(
        # As the app shows it: Telegram's HTML (bold, links) without its tags.
        telegram=html.unescape(re.sub(r"<[^>]+>", "", message)) if message else None,
        email_subject=mail.subject if mail else None,
        email=mail.text if mail else None,
    )


def poster_page(views: Views, lang: str, organisation: str) -> bytes | None:
    """Page 1 of the poster in `lang` as a PNG (595 × 842 px), or None when there is no poster
    (CPU-bound: run it in a thread)."""
    view = views.get("poster")
    if view is None or lang not in view.languages:
        return None
    return rasterise(poster_sheet(view, lang, organisation=organisation))


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]+")


def marked(before: str | None, after: str | None) -> tuple[str, str]:
    """`before` and `after` as HTML (escaped), the words taken away in <del>, the words added in
    <mark>."""
    old, new = _TOKEN.findall(before or ""), _TOKEN.findall(after or "")
    left: list[str] = []
    right: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        gone, added = html.escape("".join(old[a1:a2])), html.escape("".join(new[b1:b2]))
        if op == "equal":
            left.append(gone)
            right.append(added)
            continue
        if gone.strip():
            left.append(f"<del>{gone}</del>")
        else:
            left.append(gone)
        if added.strip():
            right.append(f"<mark>{added}</mark>")
        else:
            right.append(added)
    return "".join(left), "".join(right)
