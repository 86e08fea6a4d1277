"""Every named query of alerts/db/queries is valid against the migrated schema, and used."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

from alerts.db.queries import QUERIES
from tests.support.paths import ROOT

# Where a query may be used: the service, the demo and sandboxes, the benchmarks, and the tests
# that read rows through a named query.
FOLDERS = ("alerts", "sandbox", "bench", "tests")


def _sources() -> str:
    files = [ROOT / "run.py", *(p for d in FOLDERS for p in (ROOT / d).rglob("*.py"))]
    this = Path(__file__).resolve()
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p.resolve() != this)


async def test_every_named_query_prepares_against_the_migrated_schema(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    failures = {}
    try:
        for name, sql in QUERIES.items():
            try:
                await conn.prepare(sql)
            except asyncpg.PostgresError as exc:
                failures[name] = f"{type(exc).__name__}: {exc}"
    finally:
        await conn.close()
    assert not failures, failures


def test_every_named_query_is_used() -> None:
    sources = _sources()
    unused = [name for name in QUERIES if not re.search(rf"[\"']{name}[\"']", sources)]
    assert not unused, f"named queries no code uses: {unused}"
