"""Every word a person reads, through gettext: Babel catalogs for nl, fr, de and en.

One way to render in a chosen language: `with language("fr"): ...` sets the language for the
block (a context variable, so concurrent requests and tasks never see each other's), and
`gettext`, `ngettext`, `pgettext` and the templates' `_()` read it. A request, an e-mail, a bot
message or a poster is rendered in its reader's language, not the one of whoever caused it.

The catalogs are the `.po` files under `translations/<lang>/LC_MESSAGES/`; every `.po` file of a
language is read and merged, compiled in memory at first use (no build step, so a wheel or a
checkout runs as it is). `messages.pot` beside this module is what `pybabel extract` makes from
the code and the templates (see babel.cfg).
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import resources
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale, negotiate_locale
from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "fr", "de", "en")
# The hotline's time zone: a time a person reads or types without an offset is in it.
BRUSSELS = ZoneInfo("Europe/Brussels")
NO_BREAK_SPACE = "\u00a0"


def unbroken(text: str) -> str:
    """`text` (a phone number: "116 000") that never breaks across two lines, in a browser, a
    poster or a message: its spaces made no-break spaces."""
    return text.replace(" ", NO_BREAK_SPACE)


DEFAULT_LANGUAGE = "en"


_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@contextlib.contextmanager
def language(code: str | None) -> Iterator[str]:
    """Render the block in `code` (English when it is not one of LANGUAGES); yields the code."""
    chosen = code if code in LANGUAGES else DEFAULT_LANGUAGE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def current() -> str:
    """The language of the block being rendered."""
    return _current.get()


@functools.cache
def translations(lang: str) -> NullTranslations:
    """Every catalog of `lang`, merged and compiled in memory from the .po files."""
    folder = resources.files("alerts.i18n") / "translations" / lang / "LC_MESSAGES"
    if lang not in LANGUAGES or not folder.is_dir():
        return NullTranslations()
    merged: Translations | None = None
    for po in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if po.name.endswith(".po"):
            with po.open("rb") as fh:
                catalog = pofile.read_po(fh, locale=lang)
            buffer = io.BytesIO()
            mofile.write_mo(buffer, catalog)
            buffer.seek(0)
            found = Translations(buffer)
            merged = found if merged is None else merged.merge(found)
    return merged if merged is not None else NullTranslations()


def preload() -> None:
    """Compile every language's catalogs now (about 0.15 s here), at start-up, rather than in
    the middle of the first request or of the first messages a dispatcher sends on its rate."""
    for lang in LANGUAGES:
        translations(lang)


def gettext(message: str, **values: object) -> str:
    """`message` in the current language, with `%(name)s` placeholders filled from `values`."""
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural form for `n`; `%(n)s` and `values` filled in."""
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"n": n, **values}


def pgettext(context: str, message: str, **values: object) -> str:
    """`message` in the current language, told apart from the same words in another `context`."""
    text = str(translations(current()).pgettext(context, message))
    return text % values if values else text


def N_(message: str) -> str:  # noqa: N802 - the marker's conventional name
    """Mark `message` for extraction; translated later, where it is shown."""
    return message


def in_language(lang: str | None, message: str, **values: object) -> str:
    """`message` in `lang`, whatever the current language is."""
    with language(lang):
        return gettext(message, **values)


def install(env: jinja2.Environment) -> None:
    """Give `env`'s templates `_()`, `gettext()`, `ngettext()` and `{% trans %}` in the current
    language (old-style: `_("%(n)s items")|format(n=3)`)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: translations(current()).gettext(message),
        ngettext=lambda s, p, n: translations(current()).ngettext(s, p, n),
        pgettext=lambda c, message: translations(current()).pgettext(c, message),
        newstyle=False,
    )


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
