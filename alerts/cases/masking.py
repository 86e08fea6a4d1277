"""Masking, in free text written by staff, what the consent withholds (pure, no I/O).

Case managers write the description, the clothing and the marks by hand. Below exact place
precision such text can still carry a street and house number ("last seen at Veldstraat 45"),
below the full name a surname ("Lotte Vermeulen's bike"). `mask()` replaces each with a neutral
marker in the text's own language; `segments()` gives the same cut for the approver's highlight.

Street addresses are recognised by their street word in Dutch, French, German and English, and
only with a house number beside it (before or after, with a letter, a range or a box), so that
ordinary words ("weg", "place", "rue" alone) are left as they are. A street named without a number,
or a place without a street word ("Meir 12"), is not recognised: the approver reads the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from alerts.cases.models import Case, Consent, NameMode, PlacePrecision
from alerts.i18n import LANGUAGES, N_, in_language

ADDRESS, PLACE, NAME = "address", "place", "name"

# What the public reads instead (public.po), and why the approver sees a word masked.
MARKERS = {
    ADDRESS: N_("[place withheld]"),
    PLACE: N_("[place withheld]"),
    NAME: N_("[name withheld]"),
}
REASONS = {
    ADDRESS: N_(
        "Street and house number: the consent shows only the municipality or the province."
    ),
    PLACE: N_(
        "The exact last-seen place: the consent shows only the municipality or the province."
    ),
    NAME: N_("A name the consent does not allow to be shown."),
}

_S = r"[ \t\u00a0]"  # a space within a line: an address never runs across lines
_CAP = r"[A-ZÀ-ÖØ-Þ]"
_WORD = rf"{_CAP}[^\W\d_]*(?:[-'’.][^\W\d_]+){{0,4}}\.?"  # a capitalised word: Loi, Sint-Jans, St.
_BOX = r"(?:(?i:bus|boîte|boite|bte|bt|box|b)\.?" + _S + r"*\d{1,4}[A-Za-z]?)"
_UNITS = r"km|m|cm|min|minuten|minutes|uur|u|h|heures|stunden|hours|dagen|jours|tage|days"
_NUMBER = (
    rf"\d{{1,4}}[A-Za-z]?(?:{_S}?[-–/]{_S}?\d{{1,4}}[A-Za-z]?)?"  # 45, 45A, 12-14, 3/2
    rf"(?:{_S}*,?{_S}*{_BOX})?"  # bus 3, boîte 2, box 4
    r"(?![\w%°])(?![.,:]\d)"  # not 12.5, 14:30, 45%, 3°
    rf"(?!{_S}*(?i:{_UNITS})(?!\w))"  # not a distance or a time: "a side street 2 km on"
)
# Dutch and German street names are single words ending in their street word: Veldstraat,
# Hauptstraße, Kerkplein. The unambiguous endings in any case; the ones that end ordinary words
# too (bring, Harvest) only capitalised and after at least three letters.
_STRONG = r"straat|straße|strasse|str\.|str|steenweg|laan|plein|dreef|kaai|gasse|allee|platz"
_WEAK = r"weg|lei|dijk|markt|baan|singel|gracht|kade|damm|ring"
_COMPOUND = (
    rf"(?<![\w'’-])(?:(?i:[^\W\d_][\w'’-]*?(?:{_STRONG}))"
    rf"|{_CAP}[\w'’-]{{2,}}?(?:{_WEAK}))"
)
# Street words standing alone after a capitalised name: Grote Markt 7, Kölner Straße 12,
# Baker Street 12. Capitalised, so that "weg 3" (Dutch: away) is not an address.
_AFTER_NAME = (
    r"(?:Straat|Straße|Strasse|Str\.|Steenweg|Laan|Plein|Dreef|Kaai|Lei|Dijk|Markt|Baan|Weg"
    r"|Platz|Allee|Gasse|Ring|Damm|Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Close|Square)"
)
# French street words come first: rue de la Loi 16, 16 rue de la Loi, av. Louise 54.
_BEFORE_NAME = (
    r"(?i:rue|avenue|av\.|boulevard|bd\.?|bld\.?|chaussée|chée|place|pl\.|quai|allée|impasse"
    r"|chemin|square|drève|clos|sentier|rempart|parvis|galerie|passage|route|rond-point)"
)
_PARTICLE = r"(?:(?:de|du|des|la|le|les|aux|au|à|sur|en|et|van|von|der|den|of|the)" + _S + r"+)"
_FR_NAME = rf"(?:{_PARTICLE}|[lLdD]['’])*{_WORD}(?:{_S}+(?:{_PARTICLE}|[lLdD]['’])*{_WORD}){{0,4}}"
# English numbers come first: 221B Baker Street, 12 Abbey Rd.
_EN_AFTER = (
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Close|Square|Sq\.?|Place"
    r"|Crescent|Terrace|Boulevard|Blvd\.?|Gardens|Mews)"
)

_ADDRESS = re.compile(
    "|".join(
        [
            rf"{_COMPOUND}{_S}+{_NUMBER}",
            rf"(?<![\w'’-])(?:{_WORD}{_S}+){{1,2}}{_AFTER_NAME}{_S}+{_NUMBER}",
            rf"(?<![\w'’-]){_BEFORE_NAME}{_S}+{_FR_NAME},?{_S}+{_NUMBER}",
            rf"(?<![\w'’-]){_NUMBER},?{_S}+{_BEFORE_NAME}{_S}+{_FR_NAME}",
            rf"(?<![\w'’-]){_NUMBER}{_S}+(?:{_WORD}{_S}+){{1,3}}{_EN_AFTER}(?!\w)",
        ]
    )
)

# Name parts that are ordinary words alone: masked only as part of the whole name.
_PARTICLES = {
    "van", "von", "de", "den", "der", "del", "della", "des", "di", "da", "do", "dos", "du",
    "el", "la", "le", "les", "lo", "ten", "ter", "te", "het", "'t", "zu", "af", "al", "bin",
    "ben", "mc", "st", "st.", "y", "e",
}  # fmt: skip

# A few words common in one language only, to write the marker in the text's language.
_COMMON = {
    "nl": "de het een en van op aan met bij naar heeft zijn haar hij zij niet laatst gezien"
    " werd naar draagt ook maar nog om uit",
    "fr": "le la les des du et est au aux avec une un il elle sur dans pour vu vue été pas"
    " son sa ses porte qui près",
    "de": "der das und ist mit bei ein eine einen zuletzt gesehen hat sie er nicht im am auf"
    " zu den dem trägt auch nach",
    "en": "the and at with of was seen last wearing he she his has on her from near left",
}
_COMMON_WORDS = {lang: set(words.split()) for lang, words in _COMMON.items()}


@dataclass(frozen=True, kw_only=True)
class Withheld:
    """What the consent withholds from free text."""

    names: tuple[str, ...] = ()  # the name, each whole (first name, surname), to mask
    places: tuple[str, ...] = ()  # the exact last-seen place as recorded
    addresses: bool = False  # street and number, below exact place precision

    def __bool__(self) -> bool:
        return bool(self.names or self.places or self.addresses)


@dataclass(frozen=True)
class Segment:
    """A piece of free text: shown as it is, or masked (and why: ADDRESS, PLACE or NAME)."""

    text: str
    masked: bool = False
    why: str = ""


def withheld(case: Case, consent: Consent) -> Withheld:
    """What `consent` withholds of `case` in free text."""
    names = []
    if consent.name_mode is not NameMode.FULL:
        names.append(case.last_name)
    if consent.name_mode is NameMode.NONE:
        names.append(case.first_name)
    below_exact = consent.place_precision is not PlacePrecision.EXACT
    place = case.last_seen_place.strip()
    return Withheld(
        names=tuple(n.strip() for n in names if n.strip()),
        places=(place,) if below_exact and place else (),
        addresses=below_exact,
    )


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Each whole name and each of its parts that is not a particle, as whole words in any
    case, with a possessive or genitive ending (Vermeulen's, Peeters', Müllers)."""
    found: set[str] = set()
    for name in names:
        parts = [p for p in re.split(r"[\s\-]+", name) if p]
        if len(parts) > 1:
            found.add(r"[\s\-]+".join(re.escape(p) for p in parts))
        found |= {
            re.escape(p) for p in parts if len(p) >= 2 and p.lower().rstrip(".") not in _PARTICLES
        }
    if not found:
        return None
    alternatives = "|".join(sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:['’]s|s)?(?!\w)", re.IGNORECASE)


def _spans(text: str, what: Withheld) -> list[tuple[int, int, str]]:
    """The masked spans of `text`, sorted, overlaps merged (the first reason kept)."""
    found: list[tuple[int, int, str]] = []
    for place in what.places:
        words = r"\s+".join(re.escape(w) for w in place.split())
        pattern = rf"(?<!\w){words}(?!\w)"
        found += [(m.start(), m.end(), PLACE) for m in re.finditer(pattern, text, re.IGNORECASE)]
    if what.addresses:
        found += [(m.start(), m.end(), ADDRESS) for m in _ADDRESS.finditer(text)]
    names = _name_pattern(what.names)
    if names is not None:
        found += [(m.start(), m.end(), NAME) for m in names.finditer(text)]
    merged: list[tuple[int, int, str]] = []
    for start, end, why in sorted(found):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, why))
    return merged


def segments(text: str, what: Withheld) -> list[Segment]:
    """`text` cut into what is shown and what is masked, in order; joined, they are `text`."""
    if not what or not text:
        return [Segment(text)] if text else []
    out: list[Segment] = []
    at = 0
    for start, end, why in _spans(text, what):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], masked=True, why=why))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def guess_language(text: str, fallback: str) -> str:
    """The language `text` is most likely written in, by its common words; `fallback` when it
    has none of them (or as many of two languages')."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in common for w in words) for lang, common in _COMMON_WORDS.items()}
    best = max(scores.values())
    leaders = [lang for lang in LANGUAGES if scores.get(lang) == best]
    if best == 0 or (len(leaders) > 1 and fallback in leaders):
        return fallback
    return leaders[0]


def case_language(case: Case) -> str:
    """The language a marker is written in when the text itself does not tell."""
    return case.languages[0] if case.languages else "en"


def marker(why: str, lang: str) -> str:
    """What the public reads where something was masked, in `lang`."""
    return in_language(lang, MARKERS[why])


def mask(text: str, what: Withheld, fallback_language: str) -> str:
    """`text` with what `what` withholds replaced by a marker in the text's language."""
    parts = segments(text, what)
    if not any(part.masked for part in parts):
        return text
    lang = guess_language(text, fallback_language)
    return "".join(marker(p.why, lang) if p.masked else p.text for p in parts)


# The free-text fields of a case, as the approver reads them (every one reaches the public).
FREE_TEXT = ("description", "clothing", "marks", "build", "hair", "eyes")


@dataclass(frozen=True, kw_only=True)
class FreeText:
    """One free-text field for the approver: cut into segments, and as the public reads it."""

    field: str
    segments: list[Segment]
    published: str

    @property
    def reasons(self) -> list[tuple[str, list[str]]]:
        """Each reason something was masked, with the words masked for it, in order."""
        found: dict[str, list[str]] = {}
        for part in self.segments:
            if part.masked and part.text not in found.setdefault(part.why, []):
                found[part.why].append(part.text)
        return list(found.items())


def review(case: Case, consent: Consent) -> list[FreeText]:
    """The case's free-text fields that have text, with what `consent` withholds marked."""
    what, lang = withheld(case, consent), case_language(case)
    return [
        FreeText(
            field=name,
            segments=segments(getattr(case, name), what),
            published=mask(getattr(case, name), what, lang),
        )
        for name in FREE_TEXT
        if getattr(case, name).strip()
    ]
