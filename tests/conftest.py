"""Registers the fixtures of tests/support for every test, and sets the environment the tests and
the processes they start share."""

from __future__ import annotations

import os

import pytest

# Before anything hashes a password: every staff account of the tests (and of the processes they
# start, which inherit the environment) would otherwise cost a full Argon2 hash.
os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast-insecure-for-tests")
# python-telegram-bot 22 warns on every RetryAfter without it; warnings are errors here.
os.environ.setdefault("PTB_TIMEDELTA", "true")

pytest_plugins = [
    "tests.support.database",
    "tests.support.app",
    "tests.support.channels",
    "tests.support.bot",
    "tests.support.faults",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sandbox(**options): SandboxConfig options for the `sandbox` fixture"
    )
