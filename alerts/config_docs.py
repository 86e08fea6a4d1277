"""The settings as documentation: every variable with its default and help, and the Markdown
table the README carries (`python -m alerts.config_docs` prints it; tests/unit/test_settings.py
checks that the README has it)."""

from __future__ import annotations

import dataclasses
from typing import Any

from alerts.config import Settings


def _text(value: Any) -> str:
    """One item of a tuple setting as written in the environment (`3:24` for a pair)."""
    return ":".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def documented_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default as text, help) for every setting, in declaration order."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default
        text = ",".join(_text(d) for d in default) if isinstance(default, tuple) else str(default)
        if isinstance(default, bool):
            text = str(default).lower()
        rows.append((f.metadata["env"], text, f.metadata["help"]))
    return rows


def settings_table() -> str:
    """The Markdown table of every setting, as the README carries it."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for env, default, help_text in documented_settings():
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{env}` | {shown} | {help_text} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_table())
