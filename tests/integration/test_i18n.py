"""Translations: complete catalogs, the domain's messages translated, the language chosen well."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from alerts import errors
from alerts.cases.fields import PARSERS, TEXT_LIMITS, parse_close_reason
from alerts.cases.lifecycle import TRANSITIONS, check_transition
from alerts.cases.models import CaseState
from alerts.i18n import choose_language, in_language
from tests.support.paths import ROOT

TRANSLATED = ("nl", "fr", "de")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalog(path: Path, lang: str | None = None) -> Catalog:
    """The catalog at `path`, read strictly: an entry without its msgstr (as a careless merge
    leaves) is an error, not an empty translation."""
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, abort_invalid=True)


def template_ids() -> set[str]:
    return {
        m.id for m in catalog(ROOT / "alerts/i18n/messages.pot") if m.id and isinstance(m.id, str)
    }


def catalogs_of(lang: str) -> list[Catalog]:
    """Every catalog of `lang` (one .po file per audience), as the service merges them."""
    folder = ROOT / "alerts/i18n/translations" / lang / "LC_MESSAGES"
    return [catalog(po, lang) for po in sorted(folder.glob("*.po"))]


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_every_catalog_is_well_formed(lang: str) -> None:
    assert all(len(po) for po in catalogs_of(lang))  # read strictly, every file


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation(lang: str) -> None:
    messages = [m for po in catalogs_of(lang) for m in po if m.id]
    assert {m.id for m in messages} == template_ids()
    seen: dict[Any, Any] = {}
    for message in messages:
        assert message.string and message.string.strip(), f"{lang}: {message.id!r} is empty"
        assert not message.fuzzy, f"{lang}: {message.id!r} is fuzzy"
        # One key is a context and a msgid: the same words may read differently elsewhere.
        key = (message.context, message.id)
        assert seen.setdefault(key, message.string) == message.string, message.id
        placeholders = set(PLACEHOLDER.findall(str(message.id)))
        assert placeholders == set(PLACEHOLDER.findall(str(message.string))), message.id


def test_the_template_holds_every_message_in_the_code() -> None:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map)
        if isinstance(message, str)
    }
    assert found == template_ids(), "run pybabel extract (see babel.cfg)"


def _messages_of(parse: Any, *values: Any) -> set[str]:
    messages = set()
    for value in values:
        try:
            parse(value)
        except errors.InvalidInput as exc:
            messages.add(exc.message)
    return messages


def domain_messages() -> set[str]:
    """The messages the domain builds at run time, in every form a staff member can meet."""
    found = {(cls.__doc__ or "").strip() for cls in _subclasses(errors.AlertsError)}
    for name, parse in PARSERS.items():
        found |= _messages_of(
            parse, 10**9, -(10**9), "not a number", "x" * 3000, True, None, "1800-01-01T00:00"
        )
        if name in TEXT_LIMITS:
            found |= _messages_of(parse, "a\x01b")
    found |= _messages_of(parse_close_reason, "bogus")
    for action, allowed in TRANSITIONS.items():
        for state in CaseState:
            if state not in allowed:
                found |= _transition_message(action, state)
    # Unknown language codes come only from API clients: the console offers known ones.
    return {m for m in found if not m.startswith("Unknown language:")}


def _transition_message(action: str, state: CaseState) -> set[str]:
    class Stub:
        pass

    stub = Stub()
    stub.state = state  # type: ignore[attr-defined]
    try:
        check_transition(stub, action)  # type: ignore[arg-type]
    except errors.IllegalTransition as exc:
        return {exc.message}
    return set()


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_domain_messages_are_translated(lang: str) -> None:
    messages = domain_messages()
    assert len(messages) > 30
    untranslated = sorted(m for m in messages if in_language(lang, m) == m)
    assert untranslated == []


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("nl-BE,nl;q=0.9", "nl"),
        ("fr-BE", "fr"),
        ("de-CH", "de"),
        ("ja", "en"),
        ("ja,fr;q=0.5,nl;q=0.7", "nl"),
        (None, "en"),
        ("garbage;q=x", "en"),
    ],
)
def test_the_language_follows_accept_language(accept: str | None, expected: str) -> None:
    assert choose_language(None, accept) == expected


def test_an_explicit_choice_wins_over_the_browser() -> None:
    assert choose_language("de", "nl-BE,nl;q=0.9") == "de"
    assert choose_language("xx", "fr-BE") == "fr"


@pytest.mark.parametrize(
    ("lang", "title", "button"),
    [
        ("nl", "Aanmelden bij de dossierconsole", "Aanmelden"),
        ("fr", "Se connecter à la console des dossiers", "Se connecter"),
        ("de", "Bei der Fallkonsole anmelden", "Anmelden"),
        ("en", "Log in to the case console", "Log in"),
    ],
)
async def test_the_login_page_renders_in_each_language(
    client: TestClient[Any, Any], lang: str, title: str, button: str
) -> None:
    page = await client.get("/login", params={"lang": lang})
    html = await page.text()
    assert page.status == 200 and f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html and f">{button}</button>" in html
    assert f'name="lang" value="{lang}"' in html  # a failed attempt keeps the language


async def test_the_login_page_follows_the_browser_language(client: TestClient[Any, Any]) -> None:
    page = await client.get("/login", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    html = await page.text()
    assert '<html lang="nl">' in html and "Gebruikersnaam" in html
    assert 'name="lang"' not in html


def test_every_audited_action_has_a_label() -> None:
    """The audit page names each action in words: none may show as a raw code."""
    import ast
    from pathlib import Path

    from alerts.web.console.forms import LABELS

    actions: set[str] = set()
    for path in Path("alerts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) > 2
            ):
                arg = node.args[2]
                options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                actions |= {o.value for o in options if isinstance(o, ast.Constant)}
    assert len(actions) > 15
    assert actions - set(LABELS["action"]) == set()
