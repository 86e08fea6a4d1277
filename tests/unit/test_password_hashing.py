"""Staff passwords: Argon2id at the library's recommended cost in production; the tests (and the
processes they start) use the cheapest parameters, through a setting."""

from __future__ import annotations

import argon2
import pytest

from alerts.config import Settings, setting_from_env
from alerts.staff import auth


def test_the_production_default_is_the_librarys_recommended_cost() -> None:
    assert Settings().password_hash_profile == "standard"
    assert setting_from_env("password_hash_profile", {}) == "standard"
    standard, recommended = auth.hasher_for("standard"), argon2.PasswordHasher()
    assert standard.type is argon2.Type.ID
    assert (standard.time_cost, standard.memory_cost, standard.parallelism) == (
        recommended.time_cost, recommended.memory_cost, recommended.parallelism,
    )  # fmt: skip
    assert standard.memory_cost >= 19 * 1024 and standard.time_cost >= 2  # OWASP's floor


def test_the_tests_hash_with_the_cheap_profile() -> None:
    hashed = auth.hash_password("correct horse battery staple")
    assert argon2.extract_parameters(hashed) == argon2.profiles.CHEAPEST
    assert auth.hasher_for("standard").verify(hashed, "correct horse battery staple")


def test_an_unknown_profile_is_refused_with_its_variable() -> None:
    with pytest.raises(ValueError, match="PASSWORD_HASH_PROFILE: expected one of"):
        Settings.from_env({"PASSWORD_HASH_PROFILE": "weak"})
    with pytest.raises(ValueError, match="PASSWORD_HASH_PROFILE"):
        setting_from_env("password_hash_profile", {"PASSWORD_HASH_PROFILE": "weak"})
