"""Settings: read from the environment with clear errors, and documented in the README."""

from __future__ import annotations

import pytest

from alerts.config import Settings
from alerts.config_docs import settings_table
from tests.support.paths import ROOT

README = ROOT / "README.md"


def test_readme_settings_table_matches_the_code() -> None:
    assert settings_table() in README.read_text(encoding="utf-8"), (
        "README.md's settings table is out of date: paste `python -m alerts.config_docs` into it"
    )


def test_environment_values_are_parsed() -> None:
    settings = Settings.from_env(
        {"PORT": "9000", "FOUR_EYES": "false", "DEFAULT_LANGUAGES": "nl,fr"}
    )
    assert settings.port == 9000 and settings.four_eyes is False
    assert settings.default_languages == ("nl", "fr")


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("PORT", "eighty", "PORT"),
        ("FOUR_EYES", "perhaps", "FOUR_EYES: expected a boolean"),
        ("DEFAULT_LANGUAGES", "nl,es", "DEFAULT_LANGUAGES: languages must be among"),
    ],
)
def test_bad_values_name_the_variable(env: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({env: value})
