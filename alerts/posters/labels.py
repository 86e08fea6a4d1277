"""What the materials say about a case, in each language: the labels of the facts, the words
around them, and the value formats.

Posters, images, channel texts, feeds and the case page take their words from here, so a case
reads the same on paper, in a post and in a message. The words are gettext messages (English
as the id, translated in the catalogs); a material in several languages renders each word once
per language with `language(lang)`, and joins them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, format_datetime
from babel.units import format_unit

from alerts.cases.consent import PublicView
from alerts.i18n import BRUSSELS, N_, gettext, language, pgettext

LOCALES: Mapping[str, str] = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}

# Words used by several materials. Values (names, clothing, ...) are printed as the case
# manager wrote them; only the words around them are translated.
HEADLINE = N_("MISSING")
SEEN_QUESTION = N_("Have you seen this child?")
CALL = N_("Call %(hotline)s")
REFERENCE = N_("Reference")
# The colon after a label: French sets a space before it.
COLON = N_(":")
# An exercise says so on every material, first and large (issue 20, item 4).
EXERCISE = N_("EXERCISE")
EXERCISE_NOTE = N_("This is an exercise, not a real alert.")

# The order in which facts are shown, most important first; channel texts drop from the end.
FACT_KEYS = (
    "age",
    "last_seen",
    "place",
    "sex",
    "height",
    "build",
    "hair",
    "eyes",
    "clothing",
    "marks",
    "description",
)

# The label of each fact in the current language. Two are worded differently on the materials
# than in the console (the French "Vu·e", the Dutch "Kenmerken"), hence their context.
FACT_LABELS: Mapping[str, Callable[[], str]] = {
    "age": lambda: gettext("Age"),
    "last_seen": lambda: pgettext("material", "Last seen"),
    "place": lambda: gettext("Place"),
    "sex": lambda: gettext("Sex"),
    "height": lambda: gettext("Height"),
    "build": lambda: gettext("Build"),
    "hair": lambda: gettext("Hair"),
    "eyes": lambda: gettext("Eyes"),
    "clothing": lambda: gettext("Clothing"),
    "marks": lambda: pgettext("material", "Distinguishing marks"),
    "description": lambda: gettext("Description"),
}

# Babel date patterns: the full date and time of the last sighting, and a short one for SMS.
_PATTERNS: Mapping[str, str] = {
    # Translators: a Babel date pattern; letters are fields, quoted text is printed as is.
    "when": N_("EEEE d MMMM y 'at' HH:mm"),
    # Translators: a Babel date pattern for an SMS; letters are fields, quoted text as is.
    "when_short": N_("d/M HH:mm"),
}

_SEX_CODES: Mapping[str, str] = {
    "f": N_("girl"), "female": N_("girl"), "m": N_("boy"), "male": N_("boy"),
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One consented field of a case, ready to print: its key, translated label and value."""

    key: str
    label: str
    value: str


def languages(lang: str | Sequence[str]) -> tuple[str, ...]:
    """The languages of a material as a tuple: ('nl',) for 'nl', ('nl', 'fr') for a pair."""
    langs = (lang,) if isinstance(lang, str) else tuple(lang)
    unknown = [code for code in langs if code not in LOCALES]
    if not langs or unknown:
        raise ValueError(f"unsupported language {lang!r}")
    return langs


def in_each(langs: Sequence[str], words: Callable[[], str], sep: str = " / ") -> str:
    """`words()` said in each of `langs`, joined by `sep` (once when the languages agree)."""
    texts: list[str] = []
    for lang in langs:
        with language(lang):
            text = words()
        if text not in texts:
            texts.append(text)
    return sep.join(texts)


def label(message: str, langs: Sequence[str], sep: str = " / ", **values: str) -> str:
    """The gettext `message` in each of `langs`, joined by `sep` (once when they agree)."""
    return in_each(langs, lambda: gettext(message, **values), sep)


def _plain(text: str) -> str:
    # Babel puts (narrow) no-break spaces in some formats; they would force UCS-2 in an SMS.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def format_when(moment: datetime, lang: str, pattern: str = "when") -> str:
    """`moment` as a date and time in Brussels, written the way `lang` writes it."""
    with language(lang):
        written = gettext(_PATTERNS[pattern])
    return _plain(format_datetime(moment, written, tzinfo=BRUSSELS, locale=LOCALES[lang]))


def format_day(moment: datetime, lang: str) -> str:
    """The date of `moment` in Brussels, in long form for `lang`."""
    local = moment.astimezone(BRUSSELS) if moment.tzinfo else moment
    return _plain(format_date(local.date(), "long", locale=LOCALES[lang]))


def format_age(age: int, lang: str) -> str:
    """'12 jaar', '12 ans', '12 Jahre', '12 years'."""
    return _plain(format_unit(age, "duration-year", length="long", locale=LOCALES[lang]))


def format_sex(sex: str, lang: str) -> str:
    """The sex as a word of `lang` when it is a known code, else as written."""
    word = _SEX_CODES.get(sex.strip().lower())
    if word is None:
        return sex.strip()
    with language(lang):
        return gettext(word)


def _per_language(langs: Sequence[str], render: dict[str, str], sep: str) -> str:
    texts: list[str] = []
    for lang in langs:
        if render[lang] not in texts:
            texts.append(render[lang])
    return sep.join(texts)


def _values(view: PublicView, lang: str) -> dict[str, str]:
    """Every fact of `view` formatted for `lang`; empty strings for what is absent."""
    return {
        "age": format_age(view.age, lang) if view.age is not None else "",
        "last_seen": format_when(view.last_seen_at, lang) if view.last_seen_at else "",
        "place": view.place(lang).strip(),
        "sex": format_sex(view.sex, lang) if view.sex and view.sex.strip() else "",
        "height": f"{view.height_cm} cm" if view.height_cm else "",
        "build": view.build.strip(),
        "hair": view.hair.strip(),
        "eyes": view.eyes.strip(),
        "clothing": view.clothing.strip(),
        "marks": view.marks.strip(),
        "description": view.description.strip(),
    }


def facts(view: PublicView, langs: Sequence[str]) -> tuple[Fact, ...]:
    """The facts of `view` that have a value, in FACT_KEYS order, labelled in `langs`.

    With two languages a translated value is given in both (a date on one line each, short
    values joined by a slash); free text written by the case manager is printed once.
    """
    per_lang = {lang: _values(view, lang) for lang in langs}
    out: list[Fact] = []
    for key in FACT_KEYS:
        sep = "\n" if key == "last_seen" else " / "
        value = _per_language(langs, {lang: per_lang[lang][key] for lang in langs}, sep)
        if value:
            out.append(Fact(key=key, label=in_each(langs, FACT_LABELS[key]), value=value))
    return tuple(out)


def headline_word(view: PublicView) -> str:
    """The headline word in the current language: 'MISSING', or 'EXERCISE · MISSING'."""
    word = gettext(HEADLINE)
    return f"{gettext(EXERCISE)} · {word}" if view.exercise else word
