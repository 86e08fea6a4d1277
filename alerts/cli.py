"""The command line: serve, demo, migrate, create-staff, create-token, list-tokens,
revoke-token, set-totp, purge, telegram-sandbox; run as `community-alerts`, `python -m alerts`
or `python run.py`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from alerts import i18n
from alerts.app import _database_ctx as database_ctx
from alerts.app import create_app
from alerts.config import Settings
from alerts.db import database as db
from alerts.errors import AlertsError
from alerts.i18n import LANGUAGES
from alerts.logs import setup_logging
from alerts.outbox import retention
from alerts.staff import auth, tokens
from alerts.staff.models import Role
from alerts.web import keys, workers


async def _with_database(settings: Settings, work: Callable[[db.Database], Awaitable[Any]]) -> Any:
    """Run `work` against the configured (or embedded) database, migrated first."""
    embedded = None
    dsn = settings.database_url
    if not dsn:
        embedded = db.EmbeddedPostgres(settings.data_dir)
        dsn = embedded.start()
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn)
        return await work(db.Database(pool))
    finally:
        await pool.close()
        if embedded is not None:
            embedded.stop()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if not parts or parts - SERVE_PARTS:
        sys.exit(f"--only takes a comma-separated list among {', '.join(sorted(SERVE_PARTS))}.")
    i18n.preload()
    app = create_app(settings) if "web" in parts else _worker_app(settings)
    if "dispatch" in parts:
        workers.setup(app)  # the send and withdrawal lanes; the scheduler, one process at a time
    if "web" not in parts:
        asyncio.run(_run_without_web(app))
        return
    print(f"Serving on http://{settings.host}:{settings.port}/  (console: /console)", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)


def _worker_app(settings: Settings) -> web.Application:
    """The database alone (no routes, no Telegram bot) for the workers to run on."""
    app = web.Application()
    app[keys.SETTINGS] = settings
    app.cleanup_ctx.append(database_ctx(settings))
    return app


async def _run_without_web(app: web.Application) -> None:
    """Start `app`'s workers (its cleanup contexts) without listening; stop on SIGTERM/SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    # The sandbox is imported here, not at the top: the service's packages never depend on it.
    from sandbox import demo

    demo.main(settings)


def cmd_telegram_sandbox(settings: Settings, args: argparse.Namespace) -> None:
    from sandbox.telegram.server import run_standalone

    token = settings.telegram_bot_token or "123456789:" + "sandbox" * 5
    with contextlib.suppress(KeyboardInterrupt):
        insecure = args.allow_insecure_webhooks
        asyncio.run(run_standalone(args.host, args.port, token, allow_insecure_webhooks=insecure))


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    async def work(database: db.Database) -> list[str]:
        return []  # _with_database has already migrated

    asyncio.run(_with_database(settings, work))
    print("The database schema is up to date.")


def _password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            sys.exit(f"The environment variable {args.password_env} is empty.")
        return value
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        sys.exit("The passwords differ.")
    return first


def cmd_create_staff(settings: Settings, args: argparse.Namespace) -> None:
    password = _password(args)

    async def work(database: db.Database) -> int:
        return await auth.create_staff(
            database, username=args.username, display_name=args.name or args.username,
            role=Role(args.role), password=password, language=args.language, email=args.email,
        )  # fmt: skip

    asyncio.run(_with_database(settings, work))
    print(f"Created {args.role} account {args.username!r}.")


def cmd_set_totp(settings: Settings, args: argparse.Namespace) -> None:
    async def work(database: db.Database) -> str | None:
        return await auth.set_totp(
            database, args.username, issuer=settings.organisation_name, enable=not args.off
        )

    uri = asyncio.run(_with_database(settings, work))
    if uri is None:
        print(f"TOTP is off for {args.username!r}.")
    else:
        print("Add this to an authenticator app (as a QR code or by hand), then log in with it:")
        print(uri)


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> None:
    async def work(database: db.Database) -> tokens.Issued:
        return await tokens.create(
            database, username=args.username, name=args.name, days=args.days,
            scopes=args.scopes.split(","),
        )  # fmt: skip

    issued = asyncio.run(_with_database(settings, work))
    token = issued.token
    until = f"{token.expires_at:%Y-%m-%d %H:%M %Z}"
    print(f"API token {token.id} for {token.username!r}, scopes {','.join(token.scopes)}, "
          f"valid until {until} (shown once; store it safely):")  # fmt: skip
    print(issued.secret)


def cmd_list_tokens(settings: Settings, args: argparse.Namespace) -> None:
    found = asyncio.run(_with_database(settings, tokens.list_tokens))
    if not found:
        print("No API token.")
        return
    print("id\tstaff\tname\tscopes\tstate\tcreated\texpires\tlast used")
    for t in found:
        when = [f"{d:%Y-%m-%d %H:%M}" if d else "never" for d in (t.created_at, t.expires_at,
                                                                  t.last_used_at)]  # fmt: skip
        print("\t".join([str(t.id), t.username, t.name, ",".join(t.scopes), t.state, *when]))


def cmd_revoke_token(settings: Settings, args: argparse.Namespace) -> None:
    async def work(database: db.Database) -> tokens.ApiToken:
        return await tokens.revoke(database, args.id)

    token = asyncio.run(_with_database(settings, work))
    print(f"API token {token.id} ({token.name!r} for {token.username!r}) is revoked.")


def cmd_purge(settings: Settings, args: argparse.Namespace) -> None:
    async def work(database: db.Database) -> retention.PurgeReport:
        return await retention.purge(database, settings)

    report = asyncio.run(_with_database(settings, work))
    totals = report.totals()
    print(f"Purged {totals.pop('cases')} case(s) closed more than {settings.retention_days} "
          "days ago.")  # fmt: skip
    for name, count in totals.items():
        print(f"  {name.replace('_', ' ')}: {count}")
    if report.waiting:
        print(f"{len(report.waiting)} case(s) wait for their withdrawal to finish.")


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; `prog` names the program in its usage line (default: argv[0])."""
    top = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service and the dispatchers")
    serve.add_argument(
        "--only", default="web,dispatch", help="what to run: web, dispatch or both (default)"
    )
    sub.add_parser(
        "demo", help="run everything on this machine: sandboxes, demo staff and volunteers"
    )
    sandbox = sub.add_parser(
        "telegram-sandbox", help="run the local Telegram Bot API sandbox (TELEGRAM_BOT_TOKEN)"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument(
        "--allow-insecure-webhooks", action="store_true",
        help="take setWebhook on plain HTTP and any port (local development; Telegram does not)",
    )  # fmt: skip
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("purge", help="purge the personal data of cases closed RETENTION_DAYS ago")
    staff = sub.add_parser("create-staff", help="create a staff account")
    staff.add_argument("username")
    staff.add_argument("--role", choices=[r.value for r in Role], default="case_manager")
    staff.add_argument("--name", help="display name")
    staff.add_argument("--language", choices=LANGUAGES)
    staff.add_argument("--email", help="where reminders of the cases' level ends go")
    staff.add_argument(
        "--password-env", help="read the password from this environment variable (else prompt)"
    )
    totp = sub.add_parser("set-totp", help="turn TOTP on (prints the otpauth:// URI) or off")
    totp.add_argument("username")
    totp.add_argument("--off", action="store_true", help="turn TOTP off")
    token = sub.add_parser("create-token", help="create an API token acting for a staff account")
    token.add_argument("username")
    token.add_argument("--name", default="integration", help="what the token is for")
    token.add_argument(
        "--days", type=int, default=tokens.DEFAULT_DAYS,
        help=f"how long it works (default {tokens.DEFAULT_DAYS}, at most {tokens.MAX_DAYS})",
    )  # fmt: skip
    token.add_argument(
        "--scopes", default=",".join(tokens.DEFAULT_SCOPES),
        help="comma-separated among read, write, approve (default read,write; approve lets it "
        "approve and close cases)",
    )  # fmt: skip
    sub.add_parser("list-tokens", help="list the API tokens (never their secrets)")
    revoke = sub.add_parser("revoke-token", help="revoke an API token: it stops working at once")
    revoke.add_argument("id", type=int, help="the token's id (see list-tokens)")
    return top


COMMANDS = {
    "serve": cmd_serve,
    "demo": cmd_demo,
    "migrate": cmd_migrate,
    "create-staff": cmd_create_staff,
    "create-token": cmd_create_token,
    "list-tokens": cmd_list_tokens,
    "revoke-token": cmd_revoke_token,
    "purge": cmd_purge,
    "set-totp": cmd_set_totp,
    "telegram-sandbox": cmd_telegram_sandbox,
}
SERVE_PARTS = frozenset({"web", "dispatch"})


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Run the command in `argv` (default: sys.argv); exits with a message on a clear error."""
    args = parser(prog).parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        sys.exit(f"Configuration error: {exc}")
    setup_logging(settings.log_level, settings.log_format)
    try:
        COMMANDS[args.command](settings, args)
    except AlertsError as exc:  # a clear line for the operator
        sys.exit(f"Error: {exc.message}")
