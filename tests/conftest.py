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


# The kinds of tests whose files take longest, run first: pytest-xdist hands out whole files in
# this order, and a long file left for the end would keep one worker busy while the other waits.
_FIRST = ("tests/processes/", "tests/browser/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        return next((i for i, prefix in enumerate(_FIRST) if path.startswith(prefix)), len(_FIRST))

    items.sort(key=rank)  # stable: the order within each kind is kept
