"""alerts/db/schema.sql is the schema the migrations produce: applied to one empty database, and
the migrations to another, both catalogs hold the same tables, columns, constraints, indexes,
sequences, functions and triggers."""

from __future__ import annotations

from importlib import resources
from typing import Any

import asyncpg

from alerts.db import database as db
from tests.support.database import empty_database

# Each query gives rows that name an object of the public schema and describe it, in the
# server's own words (so two servers of one version print the same text for the same thing).
CATALOG = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
               character_maximum_length, numeric_precision, is_identity, is_generated,
               generation_expression
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "tables": """
        SELECT c.relname, c.relkind, c.relpersistence
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "sequences": """
        SELECT sequence_name, data_type, start_value, increment, maximum_value, cycle_option
        FROM information_schema.sequences WHERE sequence_schema = 'public'""",
    "sequence owners": """
        SELECT s.relname, t.relname, a.attname
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE s.relnamespace = 'public'::regnamespace AND d.deptype IN ('a', 'i')""",
    "functions": """
        SELECT proname, pg_get_function_identity_arguments(oid), pg_get_functiondef(oid)
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal""",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'",
    "types": """
        SELECT t.typname, t.typtype, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text
        FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
        GROUP BY t.typname, t.typtype""",
}


async def catalog(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """What CATALOG describes, each kind sorted."""
    return {
        kind: sorted((tuple(row) for row in await conn.fetch(query)), key=repr)
        for kind, query in CATALOG.items()
    }


async def test_schema_sql_is_what_the_migrations_produce(pg_server_dsn: str) -> None:
    schema = resources.files("alerts.db").joinpath("schema.sql").read_text(encoding="utf-8")
    async with empty_database(pg_server_dsn) as migrated, empty_database(pg_server_dsn) as loaded:
        await db.migrate(migrated)
        await loaded.execute(schema)
        expected, found = await catalog(migrated), await catalog(loaded)
    assert expected["tables"] and expected["columns"] and expected["functions"]
    for kind in CATALOG:
        missing = set(expected[kind]) - set(found[kind])
        extra = set(found[kind]) - set(expected[kind])
        assert not missing and not extra, f"{kind}: not in schema.sql {missing}; only there {extra}"
