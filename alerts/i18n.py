"""Translations (Babel catalogs for nl, fr, de, en) and choosing a person's language."""

from __future__ import annotations

import functools
import io
from importlib import resources

from babel import Locale, negotiate_locale
from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

from alerts.models import LANGUAGES

DEFAULT_LANGUAGE = "en"


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalog for `lang`, compiled in memory from its .po file (no build step needed)."""
    po = resources.files("alerts") / "translations" / lang / "LC_MESSAGES" / "messages.po"
    if lang not in LANGUAGES or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = pofile.read_po(fh, locale=lang)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """The first of: an explicit choice, the best Accept-Language match, English."""
    if requested in LANGUAGES:
        return requested
    if accept_language:
        preferred = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                continue
            preferred.append((weight, tag.strip().replace("-", "_")))
        ordered = [tag for _, tag in sorted(preferred, key=lambda p: -p[0])]
        found = negotiate_locale(ordered, list(LANGUAGES), sep="_")
        if found:
            return found.split("_")[0]
    return DEFAULT_LANGUAGE


def language_name(lang: str) -> str:
    """The language's own name for itself (Nederlands, français, Deutsch, English)."""
    return str(Locale.parse(lang).get_display_name(lang)).capitalize()
