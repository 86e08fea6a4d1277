"""`python run.py demo`: the whole service on one machine, with people to alert, in one process.

It starts, on local ports:

- the service as `serve` runs it (web, dispatcher, Telegram bot in webhook mode), on HOST:PORT;
- the Telegram Bot API sandbox (sandbox/telegram/server.py) that the bot and the dispatcher
  talk to instead of Telegram, and the SMTP sink (sandbox/smtp_sink.py) that keeps every e-mail;
- an embedded PostgreSQL in DATA_DIR/demo/ (apart from `serve`'s DATA_DIR/pgdata, so that the
  demo's made-up volunteers and known accounts never land in a real database);

and adds two staff accounts, a few hundred volunteers (sandbox/demo_data.py) and the sandbox page
(`/sandbox`, sandbox/page.py). A restart finds the same people and adds nobody twice.

The staff passwords are made at the first start, kept in DATA_DIR/demo/demo.json (readable by
the owner only) and printed at every start: a fixed, published password would be a trap the day
someone starts the demo with HOST=0.0.0.0, and the accounts are real accounts of a real console.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from alerts.app import create_app
from alerts.config import Settings
from alerts.db.database import CleanupCtx, Database
from alerts.logs import setup_logging
from alerts.staff import auth
from alerts.staff.models import Role
from alerts.web import keys, workers
from sandbox import demo_answers, demo_data, demo_rounds, demo_searches
from sandbox import page as sandbox_page
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.control import SandboxControlError
from sandbox.telegram.server import SandboxConfig, TelegramSandbox

log = logging.getLogger(__name__)

STAFF = (
    ("alice", "Alice Peeters", Role.CASE_MANAGER, "case manager"),
    ("bob", "Bob Lambert", Role.SUPERVISOR, "supervisor"),
)
STATE_FILE = "demo.json"
# Letters and digits nobody confuses when typing a password read from a terminal.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BOT_ID = 7_116_000
VOLUNTEERS = web.AppKey("demo_volunteer_counts", dict)


@dataclass(frozen=True, kw_only=True)
class DemoState:
    """What the demo keeps between starts: the staff passwords and the key of signed links."""

    passwords: dict[str, str]
    secret_key: str

    @classmethod
    def load(cls, folder: Path) -> DemoState:
        """The state kept in `folder`, made (and saved, owner-only) on the first start."""
        path = folder / STATE_FILE
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            state = cls(passwords=dict(data["passwords"]), secret_key=str(data["secret_key"]))
            if set(state.passwords) == {username for username, *_ in STAFF}:
                return state
        state = cls(
            passwords={username: new_password() for username, *_ in STAFF},
            secret_key=secrets.token_urlsafe(32),
        )
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataclasses.asdict(state), indent=2), encoding="utf-8")
        path.chmod(0o600)
        return state


def new_password() -> str:
    """Twelve random characters in three groups, e.g. `k7pq-3mzx-w9ht`."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def main(settings: Settings) -> None:
    """Run the demo until Ctrl+C (or SIGTERM)."""
    if settings.database_url:
        sys.exit(
            "The demo runs on its own embedded database (made-up volunteers, demo accounts): "
            "unset DATABASE_URL to start it."
        )
    if "LOG_FORMAT" not in os.environ:  # a person reads this terminal: short lines, problems only
        setup_logging(os.environ.get("LOG_LEVEL", "WARNING"), "text")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(settings))


async def run(settings: Settings) -> None:
    """Start everything, print the addresses, run until a signal, stop everything."""
    _check_port(settings.host, settings.port)
    folder = Path(settings.data_dir) / "demo"
    state = DemoState.load(folder)
    token = f"{BOT_ID}:{secrets.token_urlsafe(32)}"
    async with (
        SmtpSink() as sink,
        # The demo's service listens on plain http://127.0.0.1:PORT: local development only.
        TelegramSandbox(SandboxConfig(token=token, allow_insecure_webhooks=True)) as sandbox,
    ):
        demo = demo_settings(settings, folder, state, token, sandbox, sink)
        app = service_app(demo, sandbox, sink, state)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, demo.host, demo.port)
            await site.start()
            print(banner(demo, state, app[VOLUNTEERS], folder), flush=True)
            await _until_stopped()
        finally:
            await runner.cleanup()


def _check_port(host: str, port: int) -> None:
    """Exit with a clear line, before the database starts, when the port is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            sys.exit(
                f"Cannot listen on {host}:{port} ({err.strerror}). Is the demo already running? "
                "Otherwise choose another port: PORT=8090 ./scripts/demo"
            )


def demo_settings(
    settings: Settings,
    folder: Path,
    state: DemoState,
    token: str,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
) -> Settings:
    """`settings` pointed at the sandboxes and the demo's own folder."""
    base = settings.public_base_url
    if "PUBLIC_BASE_URL" not in os.environ:
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
        base = f"http://{host}:{settings.port}"
    return dataclasses.replace(
        settings, data_dir=str(folder), public_base_url=base,
        secret_key=settings.secret_key or state.secret_key,
        telegram_bot_token=token, telegram_api_url=sandbox.base_url,
        telegram_file_url=sandbox.base_file_url, telegram_mode="webhook",
        telegram_webhook_secret=secrets.token_urlsafe(24), smtp_url=sink.url,
    )  # fmt: skip


def service_app(
    settings: Settings, sandbox: TelegramSandbox, sink: SmtpSink, state: DemoState
) -> web.Application:
    """The service as `run.py serve` builds it, with the demo's people and the sandbox page."""
    app = create_app(settings)
    app.cleanup_ctx.append(_seed(sandbox, state))
    # Some of the demo's Telegram volunteers answer the alerts they get (issue 21).
    chats = [chat for chat in demo_data.by_chat_id() if chat > 0]
    app.cleanup_ctx.append(demo_answers.answering(sandbox, chats))
    workers.setup(app)  # the send and withdrawal lanes, consent end dates, the daily purge
    app.cleanup_ctx.append(demo_searches.answering)  # sample searchers answer call-outs
    app.cleanup_ctx.append(demo_rounds.acting)  # sample volunteers put posters up, take them down
    sandbox_page.setup(app, sandbox, sink)
    return app


def _seed(sandbox: TelegramSandbox, state: DemoState) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        db = app[keys.DB]
        await seed_staff(db, state.passwords)
        await seed_volunteers(db)
        await db.execute("demo_forget_telegram_files")
        await seed_sandbox_users(db, sandbox)
        counts = await db.fetchrow("demo_count_volunteers")
        assert counts is not None
        app[VOLUNTEERS] = dict(counts)
        yield

    return ctx


async def seed_staff(db: Database, passwords: dict[str, str]) -> None:
    """The demo's staff accounts, with the kept passwords (and unlocked, after a restart)."""
    for username, name, role, _ in STAFF:
        password = passwords[username]
        row = await db.fetchrow("staff_by_username", username)
        if row is None:
            await auth.create_staff(
                db, username=username, display_name=name, role=role, password=password
            )
            continue
        await db.execute("set_password", row["id"], auth.hash_password(password))
        await db.execute("record_login_success", row["id"])


async def seed_volunteers(db: Database) -> None:
    """Add the demo's volunteers who are not in the database yet."""
    people = demo_data.volunteers()
    await db.execute(
        "demo_add_volunteers",
        [secrets.token_urlsafe(16) for _ in people],
        [v.chat_id for v in people],
        [v.email for v in people],
        [v.language for v in people],
        [v.place.lat for v in people],
        [v.place.lon for v in people],
        [v.radius_km for v in people],
    )


async def seed_sandbox_users(db: Database, sandbox: TelegramSandbox) -> None:
    """A sandbox user for every Telegram volunteer: the sandbox forgets them at every stop."""
    named = demo_data.by_chat_id()
    for row in await db.fetch("demo_volunteers"):
        chat = row["telegram_chat_id"]
        if chat is None or chat <= 0:
            continue
        person = named.get(chat)
        with contextlib.suppress(SandboxControlError):  # taken: created a moment ago
            sandbox.create_user(
                chat,
                person.name if person else "Volunteer",
                language_code=row["language"],
            )


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


ADDRESSES = (
    ("Console", "/console", "case managers and supervisors: draft, approve, close"),
    ("Sandbox", "/sandbox", "what each volunteer received on Telegram and by e-mail"),
    ("Press room", "/press", "posters and texts of public alerts"),
    ("Volunteer sign-up", "/volunteer", "the confirmation e-mail appears on the sandbox page"),
    ("Metrics", "/metrics", "Prometheus figures"),
)
TRY_IT = (
    "  Try it: log in as alice, draft a case in Gent with a photo, record the consent (level 2 "
    "or 3) and submit;\n"
    "  log in as bob (a private window) and approve; watch the sandbox page. README.md walks "
    "you through.\n"
    "  Stop with Ctrl+C. To start afresh, delete the folder above. (Safari keeps you on the "
    "login page? Start with SECURE_COOKIES=false.)"
)


def banner(settings: Settings, state: DemoState, counts: dict[str, int], folder: Path) -> str:
    """What a new user needs: the addresses, the accounts, the people, where the data is."""
    base = settings.public_base_url.rstrip("/")
    width = max(len(base + path) for _, path, _ in ADDRESSES)
    lines = ["", "The community alerts demo is running.", ""]
    lines += [
        f"  {name + ':':<19}{base + path:<{width}}   ({what})" for name, path, what in ADDRESSES
    ]
    lines += ["", f"  Staff accounts (passwords made at the first start, kept in {folder}):"]
    for username, _, _, title in STAFF:
        lines.append(f"    {title + ':':<14}{username} / {state.passwords[username]}")
    lines += [
        "",
        f"  Volunteers: {counts['telegram']} on Telegram (the sandbox), {counts['email']} by "
        "e-mail (the sink), spread over Belgium.",
        TRY_IT,
        "",
    ]
    return "\n".join(lines)
