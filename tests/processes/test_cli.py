"""The command line as an operator uses it: serve on the embedded PostgreSQL, create accounts."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.support.processes import run_cli, serving


async def test_serve_starts_on_embedded_postgres_and_staff_can_log_in(pg_tmp_path: Path) -> None:
    env = {"DATABASE_URL": "", "DATA_DIR": str(pg_tmp_path), "SECURE_COOKIES": "false"}
    password = b"a long enough password\n"
    out = await run_cli("create-staff", "alice", "--role", "supervisor", env=env, stdin=password)
    assert "Created supervisor account 'alice'" in out
    token = (await run_cli("create-token", "alice", env=env)).strip().splitlines()[-1]
    assert token.startswith("alrt_")
    async with serving(env) as base, aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as health:
            assert (await health.json())["database"] == "ok"
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(
            f"{base}/api/cases", json={"kind": "runaway"}, headers=headers
        ) as r:
            assert r.status == 201
    assert (pg_tmp_path / "pgdata").is_dir()


async def test_create_staff_refuses_a_short_password(pg_tmp_path: Path) -> None:
    import asyncio
    import os
    import sys

    from tests.support.paths import ROOT

    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "create-staff", "bob", cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "", "DATA_DIR": str(pg_tmp_path)},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate(b"short\n")
    assert process.returncode != 0 and b"at least 12 characters" in err


async def test_set_totp_prints_a_provisioning_uri(pg_tmp_path: Path) -> None:
    env = {"DATABASE_URL": "", "DATA_DIR": str(pg_tmp_path)}
    await run_cli("create-staff", "carol", env=env, stdin=b"a long enough password\n")
    out = await run_cli("set-totp", "carol", env=env)
    assert "otpauth://totp/" in out and "carol" in out
    assert "TOTP is off" in await run_cli("set-totp", "carol", "--off", env=env)
