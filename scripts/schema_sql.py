"""Write alerts/db/schema.sql: the schema the migrations produce, as pg_dump prints it.

    python scripts/schema_sql.py [postgresql://postgres@127.0.0.1:5432/postgres]

Migrates a scratch database on that server (default: TEST_DATABASE_URL, else DATABASE_URL), dumps
its schema with `pg_dump` (PG_DUMP names another one; it must be the server's version or newer),
and drops the scratch database. tests/integration/test_schema.py checks that the file and the
migrations give the same catalog; run this after adding a migration.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.db.database import migrate  # noqa: E402 - after the checkout is on the path

TARGET = ROOT / "alerts" / "db" / "schema.sql"
HEADER = """\
-- The schema the migrations in alerts/db/migrations produce, for reading (the service itself
-- migrates). Written by scripts/schema_sql.py; tests/integration/test_schema.py checks it.
"""
# pg_dump's session settings and comments: the same for every schema, and version-dependent.
_NOISE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|--|\\(un)?restrict )")


def with_database(dsn: str, name: str) -> str:
    head, sep, query = dsn.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}{sep}{query}"


async def dump(dsn: str) -> str:
    """The schema of a freshly migrated database on the server of `dsn`, as pg_dump prints it."""
    name = f"alerts_schema_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(with_database(dsn, name))
        try:
            await migrate(conn)
        finally:
            await conn.close()
        command = [os.environ.get("PG_DUMP", "pg_dump"), "--schema-only", "--no-owner",
                   "--no-privileges", "--no-comments", with_database(dsn, name)]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await process.communicate()
        if process.returncode:
            raise SystemExit(f"pg_dump failed: {err.decode()}")
        return out.decode()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def cleaned(text: str) -> str:
    """`text` without pg_dump's settings and comments, with single blank lines."""
    lines = [line for line in text.splitlines() if not _NOISE.match(line)]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return f"{HEADER}\n{body}\n"


def main() -> None:
    dsn = (sys.argv[1:] or [os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]])[0]
    TARGET.write_text(cleaned(asyncio.run(dump(dsn))), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
