"""Telegram file ids of the photos the dispatchers upload: a photo is uploaded once per case
revision, by one sender across every process, and sent by its `file_id` after that."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from alerts.db.database import Database


@dataclass(frozen=True, kw_only=True)
class FileKey:
    case_id: int
    revision: int
    material: str

    @property
    def lock_name(self) -> str:
        return f"{self.case_id}/{self.revision}/{self.material}"


class _Upload:
    """The file_id of a material: found (another process uploaded it) or set by the uploader."""

    def __init__(self, file_id: str | None) -> None:
        self.file_id = file_id
        self.found = file_id is not None


class FileIds:
    """Telegram file ids of uploaded photos, in memory and in the database (shared)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: dict[FileKey, str] = {}
        self._locks: dict[FileKey, asyncio.Lock] = {}

    async def get(self, key: FileKey) -> str | None:
        if key not in self._known:
            found = await self._db.fetchval(
                "telegram_file_get", key.case_id, key.revision, key.material
            )
            if found is not None:
                self._known[key] = found
        return self._known.get(key)

    @contextlib.asynccontextmanager
    async def first_upload(self, key: FileKey) -> AsyncIterator[_Upload]:
        """Held by one sender across every process while it uploads; a later holder finds the
        file_id and sends by it instead."""
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key in self._known:
                yield _Upload(self._known[key])
                return
            async with self._db.transaction() as tx:
                await tx.execute("telegram_file_lock", key.lock_name)
                upload = _Upload(
                    await tx.fetchval("telegram_file_get", key.case_id, key.revision, key.material)
                )
                yield upload
                if upload.file_id is not None and not upload.found:
                    await tx.execute(
                        "telegram_file_put", key.case_id, key.revision, key.material,
                        upload.file_id,
                    )  # fmt: skip
            if upload.file_id is not None:
                self._known[key] = upload.file_id
