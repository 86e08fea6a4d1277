"""The text of a case for each channel, in one language, always inside the channel's limit.

Texts are rendered from a `PublicView` only, with the jinja2 templates in templates/messages/
(their words through gettext, in the text's language) and the labels of alerts/posters/labels.py.
When a text is too long for its channel, the least important facts go first (description,
marks, clothing, ...); then the name and the place are cut with an ellipsis. The case URL
and the hotline are never cut: they are how people help.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.cases.consent import PublicView
from alerts.i18n import NO_BREAK_SPACE, install, language
from alerts.posters.labels import Fact, facts, format_when, languages

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "messages"

# Least important first. What is left after these (the place and the name) is cut, not dropped.
DROP_ORDER = (
    "description",
    "marks",
    "clothing",
    "build",
    "eyes",
    "hair",
    "height",
    "sex",
    "last_seen",
    "age",
)
DETAIL_KEYS = ("sex", "height", "build", "hair", "eyes", "clothing", "marks")

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")  # each sent as an escape plus a character: 2 units

X_URL = re.compile(r"https?://\S+")
X_URL_WEIGHT = 23
# Code points X counts once; every other one (CJK, emoji, most symbols) counts twice.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

SMS_LIMITS: Mapping[str, int] = {"gsm7": 160, "ucs2": 70}


@dataclass(frozen=True, kw_only=True)
class RenderedText:
    """A channel's text: `text` (HTML for Telegram), and for e-mail a subject and an HTML body."""

    kind: str
    lang: str
    text: str
    subject: str | None = None
    html: str | None = None


def sms_length(text: str) -> tuple[str, int]:
    """The encoding an SMS of `text` needs ('gsm7' or 'ucs2') and its length in that encoding."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return "gsm7", sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return "ucs2", utf16_length(text)


def utf16_length(text: str) -> int:
    """The length in UTF-16 code units, as Telegram and UCS-2 SMS count (an emoji is 2)."""
    return len(text.encode("utf-16-le")) // 2


def x_length(text: str) -> int:
    """The length X counts for a post: every URL 23, a CJK character or an emoji 2, others 1."""
    text = unicodedata.normalize("NFC", text)
    urls = X_URL.findall(text)
    rest = X_URL.sub("", text)
    light = sum(1 for char in rest if any(low <= ord(char) <= high for low, high in X_LIGHT_RANGES))
    return X_URL_WEIGHT * len(urls) + light + 2 * (len(rest) - light)


# Stand-ins for letters outside GSM-7 that NFKD does not reduce to one (ł, œ, typography).
GSM7_STAND_INS: Mapping[str, str] = {
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "œ": "oe",
    "Œ": "OE",
    "ĳ": "ij",
    "Ĳ": "IJ",
    "ç": "c",
    "·": ".",
    "…": "...",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
}


def to_gsm7(text: str) -> str:
    """`text` with letters outside GSM-7 replaced by their plain form (Ż→Z, ê→e, ł→l).

    What has no plain form (an emoji, a CJK character) is kept, so the text stays UCS-2.
    """
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
        elif char in GSM7_STAND_INS:
            out.append(GSM7_STAND_INS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in GSM7_BASIC)
            out.append(base or char)
    return "".join(out)


def _sms_fits(out: RenderedText) -> bool:
    encoding, units = sms_length(out.text)
    return units <= SMS_LIMITS[encoding]


def _as_gsm7(out: RenderedText) -> RenderedText:
    return replace(out, text=to_gsm7(out.text))


@dataclass(frozen=True)
class _Channel:
    template: str
    fits: Callable[[RenderedText], bool]
    ellipsis: str = "…"
    # A second form to try before giving up content (for SMS: the text spelt in GSM-7).
    fallback: Callable[[RenderedText], RenderedText] | None = None


def _within(limit: int, measure: Callable[[str], int]) -> Callable[[RenderedText], bool]:
    return lambda out: measure(out.text) <= limit


def _subject_within(limit: int) -> Callable[[RenderedText], bool]:
    return lambda out: len(out.subject or "") <= limit


CHANNELS: Mapping[str, _Channel] = {
    # Telegram counts its limits after parsing the HTML; counting the HTML source is stricter.
    "telegram_message": _Channel("telegram_message.html", _within(4096, utf16_length)),
    "telegram_caption": _Channel("telegram_caption.html", _within(1024, utf16_length)),
    "x": _Channel("x.txt", _within(280, x_length)),
    "facebook": _Channel("facebook.txt", _within(63206, utf16_length)),
    "instagram": _Channel("instagram.txt", _within(2200, utf16_length)),
    # Mail bodies have no useful limit; a subject longer than this is cut by most clients.
    "email": _Channel("email.txt", _subject_within(150)),
    # One letter outside GSM-7 (ł, ê, the French middle dot) cuts an SMS from 160 characters
    # to 70. Before dropping facts, the text is tried spelt in GSM-7 (Łucja → Lucja), as SMS
    # gateways do: a name without its accent helps more than no name. "…" is not GSM-7.
    "sms": _Channel("sms.txt", _sms_fits, ellipsis="...", fallback=_as_gsm7),
}
KINDS = tuple(CHANNELS)


@dataclass(frozen=True, kw_only=True)
class _Content:
    """What a text may say: the view's facts for one language, reduced step by step to fit."""

    name: str | None
    found: Mapping[str, Fact]


def render_text(view: PublicView, lang: str, kind: str) -> RenderedText:
    """The text of `view` for channel `kind` in `lang`, inside the channel's limit.

    Raises ValueError for an unknown kind or language, or when even the headline, hotline and
    case URL alone exceed the limit.
    """
    channel = CHANNELS.get(kind)
    if channel is None:
        raise ValueError(f"unknown text kind {kind!r}")
    (lang,) = languages(lang)
    full = _Content(name=view.name, found={f.key: f for f in facts(view, (lang,))})
    with language(lang):
        for content in _reductions(full, channel.ellipsis):
            out = _render(view, lang, kind, channel, content)
            if channel.fits(out):
                return out
            if channel.fallback and channel.fits(fallback := channel.fallback(out)):
                return fallback
    raise ValueError(f"{kind}: the case URL and hotline alone exceed the channel's limit")


def _reductions(full: _Content, ellipsis: str) -> Iterator[_Content]:
    """The content in full, then with fewer facts, then with the name and place ever shorter."""
    content = full
    yield content
    for key in DROP_ORDER:
        if key in content.found:
            content = replace(content, found={k: f for k, f in content.found.items() if k != key})
            yield content
    longest = max(len(content.name or ""), len(_value(content, "place")))
    for length in range(longest - 1, -1, -1):
        yield _shortened(content, length, ellipsis)


def _value(content: _Content, key: str) -> str:
    fact = content.found.get(key)
    return fact.value if fact else ""


def _cut(text: str, length: int, ellipsis: str) -> str:
    if len(text) <= length:
        return text
    if length <= len(ellipsis):
        return ""
    return text[: length - len(ellipsis)].rstrip() + ellipsis


def _shortened(content: _Content, length: int, ellipsis: str) -> _Content:
    found = dict(content.found)
    if "place" in found:
        place = _cut(found["place"].value, length, ellipsis)
        if place:
            found["place"] = replace(found["place"], value=place)
        else:
            del found["place"]
    name = _cut(content.name or "", length, ellipsis) or None
    return _Content(name=name, found=found)


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Telegram's HTML parse mode and e-mail HTML get every value escaped; plain texts not.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install(env)  # the words: _() in the language of the block rendering
    return env


def _context(view: PublicView, lang: str, content: _Content) -> dict[str, Any]:
    found = content.found
    return {
        "name": content.name,
        "age": _value(content, "age"),
        "when": _value(content, "last_seen"),
        "when_short": (
            format_when(view.last_seen_at, lang, "when_short")
            if view.last_seen_at and "last_seen" in found
            else ""
        ),
        "place": _value(content, "place"),
        "details": [found[key] for key in DETAIL_KEYS if key in found],
        "description": _value(content, "description"),
        "url": view.case_url,
        "hotline": view.hotline,
        "reference": view.reference,
        "lang": lang,
        "exercise": view.exercise,
    }


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _render(
    view: PublicView, lang: str, kind: str, channel: _Channel, content: _Content
) -> RenderedText:
    env = _environment()
    context = _context(view, lang, content)
    if kind == "sms":  # GSM-7 has no no-break space: one would make the SMS UCS-2, half as long
        context["hotline"] = context["hotline"].replace(NO_BREAK_SPACE, " ")
    text = _tidy(env.get_template(channel.template).render(context))
    if kind != "email":
        return RenderedText(kind=kind, lang=lang, text=text)
    subject = " ".join(env.get_template("email_subject.txt").render(context).split())
    html = env.get_template("email.html").render(context).strip()
    return RenderedText(kind=kind, lang=lang, text=text, subject=subject, html=html)
