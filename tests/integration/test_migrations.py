"""The numbered migrations apply cleanly to an empty database, once."""

from __future__ import annotations

import uuid

import asyncpg

from alerts.db import database as db
from tests.support.database import admin, with_database


async def test_migrations_apply_cleanly_to_an_empty_database(pg_server_dsn: str) -> None:
    name = f"alerts_empty_migration_{uuid.uuid4().hex[:8]}"  # other runs may share the server
    await admin(pg_server_dsn, f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(with_database(pg_server_dsn, name))
        try:
            applied = await db.migrate(conn)
            assert applied == [n for n, _ in db.migration_files()]
            assert await db.migrate(conn) == []  # a second run changes nothing
            tables = {
                r["tablename"]
                for r in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public'"
                )
            }
            assert {"cases", "consents", "staff", "publications", "audit_log"} <= tables
        finally:
            await conn.close()
    finally:
        await admin(pg_server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_named_query_parses() -> None:
    from alerts.db.queries import QUERIES

    assert QUERIES and all(q.strip().endswith(";") for q in QUERIES.values())
