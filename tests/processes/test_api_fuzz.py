"""Schemathesis against /api/openapi.json: bad input gets a 4xx JSON error, never a 500."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from pathlib import Path

from alerts.db import database as db
from alerts.staff import auth, tokens
from alerts.staff.models import Role
from tests.support.processes import serving

CONFIG = Path(__file__).with_name("schemathesis.toml")


async def _token(database_url: str) -> str:
    pool = await db.create_pool(database_url, min_size=1, max_size=2)
    try:
        database = db.Database(pool)
        await auth.create_staff(
            database, username="fuzzer", display_name="Fuzzer", role=Role.SUPERVISOR,
            password="a long enough password",
        )  # fmt: skip
        case = await database.conn.fetchval(
            "INSERT INTO cases (public_id, reference, kind, created_by) "
            "VALUES ('fuzzcase', '2026-00001', 'runaway', 1) RETURNING id"
        )
        assert case == 1
        issued = await tokens.create(
            database, username="fuzzer", name="schemathesis", scopes=tuple(tokens.Scope)
        )
        return issued.secret
    finally:
        await pool.close()


async def test_schemathesis_finds_no_server_error(database_url: str) -> None:
    token = await _token(database_url)
    st = shutil.which("st", path=os.path.dirname(sys.executable)) or "st"
    env = {"DATABASE_URL": database_url, "SECURE_COOKIES": "false", "LOG_LEVEL": "CRITICAL"}
    async with serving(env) as base:
        process = await asyncio.create_subprocess_exec(
            st, "--config-file", str(CONFIG), "run", f"{base}/api/openapi.json", "--url", base,
            "-H", f"Authorization: Bearer {token}",
            "--checks", "all",
            "--max-examples", "20", "--max-time", "45", "--workers", "1", "--seed", "116000",
            "--suppress-health-check", "all", "--warnings", "off",
            "--phases", "examples,coverage,fuzzing,stateful", "--mode", "all",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), 180)
    report = out.decode()
    if os.environ.get("API_FUZZ_REPORT"):  # the whole report, to read a failure at leisure
        Path(os.environ["API_FUZZ_REPORT"]).write_text(report)  # noqa: ASYNC240
    assert process.returncode == 0, report[-6000:]
    # Every operation was exercised, none silently skipped.
    selected = re.search(r"Selected: (\d+)/(\d+)", report)
    tested = re.search(r"Tested: (\d+)", report)
    assert selected and tested, report[-2000:]
    assert selected[1] == selected[2] == tested[1] and int(tested[1]) >= 10
