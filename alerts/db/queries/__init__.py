"""Named SQL queries, loaded once from the `.sql` files beside this module.

Each query stands under a header line `-- name: query_name` followed by a one-line comment that
says what it does.
"""

from __future__ import annotations

import re
from importlib import resources

_HEADER = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    """The queries in `text`, by name."""
    parts = _HEADER.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            raise ValueError(f"query {name!r} is defined twice")
        queries[name] = body.strip()
    return queries


def load_queries() -> dict[str, str]:
    """Every named query of every `.sql` file in this package."""
    queries: dict[str, str] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            for name, body in parse_queries(entry.read_text(encoding="utf-8")).items():
                if name in queries:
                    raise ValueError(f"query {name!r} is defined twice")
                queries[name] = body
    return queries


QUERIES = load_queries()
