"""What the materials say about a case, in each language: the label table and the value formats.

Posters, images and channel texts all take their words from here, so a case reads the same on
paper, in a post and in a message, and a translation is fixed in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, format_datetime
from babel.units import format_unit

from alerts.cases.consent import PublicView
from alerts.i18n import BRUSSELS

LOCALES: Mapping[str, str] = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}

# One row per text, one column per language. Keep it small: values (names, clothing, ...) are
# printed as the case manager wrote them; only the words around them are translated here.
LABELS: Mapping[str, Mapping[str, str]] = {
    "headline": {"nl": "VERMIST", "fr": "DISPARU·E", "de": "VERMISST", "en": "MISSING"},
    # The middle dot is not in the GSM-7 alphabet: it would push a French SMS to UCS-2 (70 chars).
    "sms_headline": {"nl": "VERMIST", "fr": "DISPARITION", "de": "VERMISST", "en": "MISSING"},
    "seen_question": {
        "nl": "Hebt u dit kind gezien?",
        "fr": "Avez-vous vu cet enfant ?",
        "de": "Haben Sie dieses Kind gesehen?",
        "en": "Have you seen this child?",
    },
    "call": {
        "nl": "Bel {hotline}",
        "fr": "Appelez le {hotline}",
        "de": "Rufen Sie {hotline} an",
        "en": "Call {hotline}",
    },
    "official": {
        "nl": "Officiële affiche — controleer de echtheid op {url}",
        "fr": "Affiche officielle — vérifiez son authenticité sur {url}",
        "de": "Offizielles Plakat — prüfen Sie die Echtheit unter {url}",
        "en": "Official poster — check it is genuine at {url}",
    },
    "more_info": {
        "nl": "Meer informatie en een waarneming melden:",
        "fr": "Plus d'informations et signaler une observation :",
        "de": "Weitere Informationen und Hinweise melden:",
        "en": "More information and report a sighting:",
    },
    # French sets a space before a colon.
    "colon": {"nl": ":", "fr": " :", "de": ":", "en": ":"},
    "age": {"nl": "Leeftijd", "fr": "Âge", "de": "Alter", "en": "Age"},
    "last_seen": {
        "nl": "Laatst gezien",
        "fr": "Vu·e pour la dernière fois",
        "de": "Zuletzt gesehen",
        "en": "Last seen",
    },
    # As "last_seen", without the middle dot that is not in the GSM-7 alphabet.
    "sms_last_seen": {
        "nl": "Laatst gezien",
        "fr": "Vu(e) en dernier",
        "de": "Zuletzt gesehen",
        "en": "Last seen",
    },
    "place": {"nl": "Plaats", "fr": "Lieu", "de": "Ort", "en": "Place"},
    "sex": {"nl": "Geslacht", "fr": "Sexe", "de": "Geschlecht", "en": "Sex"},
    "height": {"nl": "Lengte", "fr": "Taille", "de": "Größe", "en": "Height"},
    "build": {"nl": "Gestalte", "fr": "Corpulence", "de": "Statur", "en": "Build"},
    "hair": {"nl": "Haar", "fr": "Cheveux", "de": "Haare", "en": "Hair"},
    "eyes": {"nl": "Ogen", "fr": "Yeux", "de": "Augen", "en": "Eyes"},
    "clothing": {"nl": "Kleding", "fr": "Vêtements", "de": "Kleidung", "en": "Clothing"},
    "marks": {
        "nl": "Kenmerken",
        "fr": "Signes particuliers",
        "de": "Besondere Merkmale",
        "en": "Distinguishing marks",
    },
    "description": {
        "nl": "Beschrijving",
        "fr": "Description",
        "de": "Beschreibung",
        "en": "Description",
    },
    "reference": {"nl": "Referentie", "fr": "Référence", "de": "Referenz", "en": "Reference"},
    "issued": {"nl": "Uitgegeven op", "fr": "Émis le", "de": "Ausgestellt am", "en": "Issued on"},
    "girl": {"nl": "meisje", "fr": "fille", "de": "Mädchen", "en": "girl"},
    "boy": {"nl": "jongen", "fr": "garçon", "de": "Junge", "en": "boy"},
    # Babel patterns: the full date and time of the last sighting, and a short one for SMS.
    "when": {
        "nl": "EEEE d MMMM y 'om' HH:mm",
        "fr": "EEEE d MMMM y 'à' HH'h'mm",
        "de": "EEEE, d. MMMM y 'um' HH:mm 'Uhr'",
        "en": "EEEE d MMMM y 'at' HH:mm",
    },
    "when_short": {"nl": "d/M HH:mm", "fr": "d/M HH'h'mm", "de": "d.M. HH:mm", "en": "d/M HH:mm"},
}

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

_SEX_CODES: Mapping[str, str] = {"f": "girl", "female": "girl", "m": "boy", "male": "boy"}


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


def label(key: str, langs: Sequence[str], sep: str = " / ", **values: str) -> str:
    """The text `key` in each of `langs`, joined by `sep` (once when the languages agree)."""
    texts: list[str] = []
    for lang in langs:
        text = LABELS[key][lang].format(**values)
        if text not in texts:
            texts.append(text)
    return sep.join(texts)


def _plain(text: str) -> str:
    # Babel puts (narrow) no-break spaces in some formats; they would force UCS-2 in an SMS.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def format_when(moment: datetime, lang: str, pattern: str = "when") -> str:
    """`moment` as a date and time in Brussels, written the way `lang` writes it."""
    text = format_datetime(moment, LABELS[pattern][lang], tzinfo=BRUSSELS, locale=LOCALES[lang])
    return _plain(text)


def format_day(moment: datetime, lang: str) -> str:
    """The date of `moment` in Brussels, in long form for `lang`."""
    local = moment.astimezone(BRUSSELS) if moment.tzinfo else moment
    return _plain(format_date(local.date(), "long", locale=LOCALES[lang]))


def format_age(age: int, lang: str) -> str:
    """'12 jaar', '12 ans', '12 Jahre', '12 years'."""
    return _plain(format_unit(age, "duration-year", length="long", locale=LOCALES[lang]))


def format_sex(sex: str, lang: str) -> str:
    """The sex as a word of `lang` when it is a known code, else as written."""
    key = _SEX_CODES.get(sex.strip().lower())
    return LABELS[key][lang] if key else sex.strip()


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
            out.append(Fact(key=key, label=label(key, langs), value=value))
    return tuple(out)
