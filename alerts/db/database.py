"""Database access: the asyncpg pool, migrations, the embedded PostgreSQL, error translation."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg

from alerts import errors
from alerts.db.queries import QUERIES

log = logging.getLogger(__name__)

# Serialises migrations when several processes start at once.
_MIGRATION_LOCK = 7_116_000


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors that a caller's input can cause into the service's own exceptions."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        raise errors.Conflict("This already exists.") from exc
    except (asyncpg.CheckViolationError, asyncpg.NotNullViolationError) as exc:
        raise errors.InvalidInput(f"A value is out of range ({exc.constraint_name}).") from exc
    except asyncpg.ForeignKeyViolationError as exc:
        raise errors.InvalidInput("A referenced record does not exist.") from exc
    except (asyncpg.DataError, asyncpg.exceptions.StringDataRightTruncationError) as exc:
        raise errors.InvalidInput("A value has the wrong form.") from exc


def rows_affected(status: str) -> int:
    """The row count of a command status such as 'DELETE 7' (what `Database.execute` returns)."""
    return int(status.rsplit(" ", 1)[-1])


class Database:
    """Named queries over a pool or a connection; one object for both."""

    def __init__(self, conn: asyncpg.Pool | asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch(self, name: str, *args: Any) -> list[asyncpg.Record]:
        with translate_errors():
            return list(await self.conn.fetch(QUERIES[name], *args))

    async def fetchrow(self, name: str, *args: Any) -> asyncpg.Record | None:
        with translate_errors():
            return await self.conn.fetchrow(QUERIES[name], *args)

    async def fetchval(self, name: str, *args: Any) -> Any:
        with translate_errors():
            return await self.conn.fetchval(QUERIES[name], *args)

    async def execute(self, name: str, *args: Any) -> str:
        with translate_errors():
            return await self.conn.execute(QUERIES[name], *args)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """A Database bound to one connection inside a transaction."""
        if isinstance(self.conn, asyncpg.Pool):
            async with self.conn.acquire() as conn, conn.transaction():
                yield Database(conn)
        else:
            async with self.conn.transaction():
                yield Database(self.conn)


def migration_files() -> list[tuple[str, str]]:
    """(name, SQL) of every migration, in order."""
    folder = resources.files("alerts.db") / "migrations"
    files = sorted((e for e in folder.iterdir() if e.name.endswith(".sql")), key=lambda e: e.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the migrations not yet applied; the names of those applied now."""
    applied_now = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in migration_files():
            if name not in done:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied_now.append(name)
    for name in applied_now:
        log.info("migration applied", extra={"action": "migrate", "migration": name})
    return applied_now


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """An asyncpg pool on `dsn`."""
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
    assert pool is not None
    return pool


class EmbeddedPostgres:
    """A PostgreSQL server of our own (pgserver) in a local folder, when DATABASE_URL is unset."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir).resolve() / "pgdata"
        self._server: Any = None

    def start(self) -> str:
        """Start the server (or join the running one) and return its URL."""
        self.path.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as on servers and in CI.
            warnings.simplefilter("ignore")
            import pgserver

            self._server = pgserver.get_server(self.path, cleanup_mode="stop")
        log.info("embedded postgres started", extra={"action": "embedded_pg_start"})
        return str(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


CleanupCtx = Callable[[Any], AsyncIterator[None]]
