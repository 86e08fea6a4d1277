"""The service as a wheel: built offline from a copy of the checkout, installed (not editable) in a
fresh virtual environment, and `community-alerts serve` started in a folder outside the checkout
on its embedded PostgreSQL answers /healthz, a translated page and a static file.

The build runs without isolation (no network), so it needs this environment's setuptools to be
77 or later (the `test` extra asks for it); with an older one the test is skipped, except in CI
(CI=true), where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.processes import free_port

# Not copied to build from: the checkout's environments, state, caches and what is no package.
TOP_LEVEL_SKIPPED = {".git", ".venv", "var", "build", "tests", "bench", "test-artifacts"}
ANYWHERE_SKIPPED = ("__pycache__", "*.pyc", "*.egg-info", ".*_cache")
# What the service reads at run time, by kind: each must be in the wheel.
DATA_KINDS = {
    "templates": "alerts/templates/base.html",
    "static files": "alerts/templates/static/vendor/leaflet/leaflet.js",
    "fonts": "alerts/posters/fonts/DejaVuSans.ttf",
    "translations": "alerts/i18n/translations/fr/LC_MESSAGES/messages.po",
    "migrations": "alerts/db/migrations/0001_initial.sql",
    "named queries": "alerts/db/queries/cases.sql",
    "gazetteer": "alerts/geo/data/be_municipalities.csv",
    "sandbox templates": "sandbox/templates/sandbox/page.html",
}
# Files of the packages that stay out of the wheel on purpose (the translators' template).
NOT_SHIPPED = ("*.pot",)


def _setuptools_or_skip() -> None:
    if int(version("setuptools").split(".")[0]) >= 77:
        return
    reason = "setuptools 77 or later is needed to build the wheel offline: pip install -e '.[test]'"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _copy_ignored(folder: str, names: list[str]) -> set[str]:
    ignored = shutil.ignore_patterns(*ANYWHERE_SKIPPED)(folder, names)
    if Path(folder).resolve() == ROOT:
        ignored |= TOP_LEVEL_SKIPPED & set(names)
    return set(ignored)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout: the build writes build/ and *.egg-info, and stale files there
    would hide a file missing from the package data."""
    _setuptools_or_skip()
    copy = tmp_path_factory.mktemp("source") / "community-alerts"
    shutil.copytree(ROOT, copy, ignore=_copy_ignored)
    return copy


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from `source`, offline."""
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--wheel-dir", str(out), str(source), timeout=180)  # fmt: skip
    (built,) = out.glob("community_alerts-*.whl")
    return built


def test_the_wheel_holds_every_file_the_service_reads(source: Path, wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing_kinds = {kind: path for kind, path in DATA_KINDS.items() if path not in names}
    assert not missing_kinds
    assert any(name.startswith("alerts/templates/static/") for name in names)
    for suffix in (".html", ".css", ".js", ".ttf", ".po", ".sql", ".csv", ".png"):
        assert any(name.endswith(suffix) for name in names), suffix
    # Not one file of the packages left behind (a data file added without its package-data).
    packaged = {
        path.relative_to(source).as_posix()
        for package in ("alerts", "sandbox")
        for path in (source / package).rglob("*")
        if path.is_file() and not any(path.match(pattern) for pattern in NOT_SHIPPED)
    }
    assert packaged - names == set()


def test_the_installed_wheel_serves_from_any_folder(wheel: Path, pg_tmp_path: Path) -> None:
    venv = _fresh_venv(pg_tmp_path / "venv")
    _run(str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
         "--ignore-installed", "--quiet", str(wheel), timeout=120)  # fmt: skip
    elsewhere = pg_tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(str(venv / "bin" / "python"), "-c", "import alerts; print(alerts.__file__)",
                 cwd=elsewhere, timeout=30)  # fmt: skip
    assert Path(where.strip()).is_relative_to(venv)  # the wheel's code, not the checkout's
    port = free_port()
    with _serving(venv / "bin" / "community-alerts", elsewhere, port) as (process, log):
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, process, log, wait=120)
        status, body = _get(f"{base}/login?lang=fr")
        assert status == 200 and "Se connecter à la console des dossiers" in body
        status, body = _get(f"{base}/static/vendor/leaflet/leaflet.js")
        assert status == 200 and "Leaflet" in body
    assert process.returncode == 0, log.read_text()[-3000:]
    # DATA_DIR unset: the embedded PostgreSQL lives in ./var of the folder serve was started in,
    # and stopped with it.
    pgdata = elsewhere / "var" / "pgdata"
    assert pgdata.is_dir() and not (pgdata / "postmaster.pid").exists()


def _fresh_venv(path: Path) -> Path:
    """A new virtual environment that sees this one's packages but not its editable checkout."""
    _run(sys.executable, "-m", "venv", "--without-pip", str(path), timeout=60)
    own = Path(sysconfig.get_path("purelib", vars={"base": str(path), "platbase": str(path)}))
    ours = dict.fromkeys(folder for folder in sys.path if Path(folder).name == "site-packages")
    # Plain path lines: the folders join sys.path, but their own .pth files (the editable
    # install's finder among them) are not run, so `alerts` can only come from the wheel.
    (own / "test-environment.pth").write_text("".join(f"{folder}\n" for folder in ours))
    return path


def _run(*args: str, timeout: float, cwd: Path | None = None) -> str:
    """Run a command to its end with no PYTHONPATH; its standard output (fails on an error)."""
    done = subprocess.run(
        args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DATA_DIR"}}
    return {**env, "DATABASE_URL": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@contextlib.contextmanager
def _serving(command: Path, cwd: Path, port: int) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`command serve` running in `cwd` until the block ends, then stopped as systemd would."""
    log = cwd.parent / "serve.log"
    env = {**_clean_env(), "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(command), "serve"], cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            yield process, log
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        with contextlib.suppress(OSError):
            if _get(f"{base}/healthz")[0] == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"no /healthz within {wait} s: {log.read_text()[-3000:]}")


def _get(url: str) -> tuple[int, str]:
    """The status and text of a GET on the local server."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        try:
            return error.code, error.read().decode()
        finally:
            error.close()
