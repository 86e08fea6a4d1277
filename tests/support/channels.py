"""The channels for real, for the dispatcher and withdrawal tests: the Telegram Bot API sandbox,
the SMTP sink, settings that send through them and a database pool a running dispatcher shares
with the test; cases published and closed with every hook; sandbox users as volunteers.

tests/conftest.py registers the fixtures here for every test. A test module sets more of the
sandbox's configuration with `pytestmark = pytest.mark.sandbox(count_edits=False)`; the mark's
options replace the defaults (the dispatcher tests' token, no overall limit to speak of)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import pytest

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database, create_pool
from alerts.outbox import pipeline
from alerts.publication import materials
from alerts.staff.models import Staff
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import SANDBOX_API, SandboxConfig, TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.dispatch import (
    GENT,
    TOKEN,
    active_case,
    add_volunteer,
    moved,
    publications,
    states,
    with_channels,
)

TERMINAL = {"withdrawn", "neutralised", "manual", "cancelled"}
Check = Callable[[], Awaitable[bool]]


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The test's database, through a pool large enough for a running dispatcher too."""
    pool = await create_pool(database_url, min_size=2, max_size=20)
    yield Database(pool)
    await materials.drain()  # the images rendered after an approval's commit
    await pool.close()


@pytest.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[TelegramSandbox]:
    """The Telegram Bot API sandbox without Telegram's overall limit, taking webhooks on the
    tests' plain http://127.0.0.1 (Telegram, and the sandbox by default, want HTTPS on port 443,
    80, 88 or 8443), and with the options of the test's `sandbox` mark."""
    mark = request.node.get_closest_marker("sandbox")
    options = {"token": TOKEN, "global_per_second": 1000, "allow_insecure_webhooks": True,
               **(mark.kwargs if mark else {})}  # fmt: skip
    async with TelegramSandbox(SandboxConfig(**options)) as running:
        yield running


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    """An SMTP server that keeps what it receives."""
    async with SmtpSink() as running:
        yield running


@pytest.fixture
def live(settings: Settings, sandbox: TelegramSandbox, sink: SmtpSink) -> Settings:
    """Settings that send Telegram messages to the sandbox and e-mails to the sink."""
    return sending_to(settings, sandbox, sink)


def sending_to(
    settings: Settings, sandbox: TelegramSandbox, sink: SmtpSink | None = None
) -> Settings:
    """`settings` with the channels on, Telegram going to `sandbox`, and e-mail (at 100 a
    second) to `sink` when there is one."""
    mail: dict[str, Any] = {"smtp_url": sink.url, "email_rate": 100.0} if sink else {}
    return with_channels(
        settings, telegram_api_url=sandbox.base_url, telegram_file_url=sandbox.base_file_url,
        **mail,
    )  # fmt: skip


# -- volunteers and what the bot sent them -----------------------------------------------------


async def users_at(
    sandbox: TelegramSandbox,
    db: Database,
    points: Iterable[tuple[float, float]],
    *,
    language: str = "nl",
    **options: Any,
) -> list[int]:
    """A sandbox user and a Telegram volunteer (with `options`) at each point; their chat ids."""
    chats = []
    for point in points:
        user = sandbox.create_user(language_code=language)
        await add_volunteer(db, point, chat_id=user.id, language=language, **options)
        chats.append(user.id)
    return chats


async def users(
    sandbox: TelegramSandbox, db: Database, kms: Iterable[float], language: str = "nl"
) -> list[int]:
    """A sandbox user and a Telegram volunteer at each distance from Gent; their chat ids."""
    return await users_at(sandbox, db, [moved(GENT, km) for km in kms], language=language)


def bot_messages(sandbox: TelegramSandbox, chat_id: int) -> list[Any]:
    return [m for m in sandbox.messages(chat_id) if m.from_bot]


def messaged(sandbox: TelegramSandbox, chats: list[int]) -> list[int]:
    """The chats of `chats` the bot has sent a message to."""
    return [chat for chat in chats if bot_messages(sandbox, chat)]


def reaching(sandbox: TelegramSandbox, chats: list[int], at_least: int) -> Check:
    """For `eventually`: the bot has sent a message to at least `at_least` of `chats`."""

    async def check() -> bool:
        return len(messaged(sandbox, chats)) >= at_least

    return check


def before_each(
    sandbox: TelegramSandbox, method: str, first: Callable[[Any], Awaitable[None]]
) -> None:
    """Make the sandbox await `first(params)` before it answers each call of Bot API `method`
    (`send_photo`, ...)."""
    api = sandbox.app[SANDBOX_API]
    original: Callable[..., Awaitable[Any]] = getattr(api, method)

    async def answer(params: Any) -> Any:
        await first(params)
        return await original(params)

    api._methods[method.replace("_", "").lower()] = (method, answer)


# -- cases and their publications --------------------------------------------------------------


async def published(
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    **options: Any,
) -> Case:
    """An approved case: its fan-out planned and its materials published."""
    return await active_case(db, settings, make_staff, **options)


async def close(db: Database, staff: Staff, case_id: int) -> Case:
    """Close the case (found safe) through the pipeline: fan-out, materials, withdrawal."""
    return await pipeline.close(db, staff, case_id, "found_safe")


def all_sent(db: Database, case_id: int) -> Check:
    """For `eventually`: the case has publications, and every one is sent."""

    async def check() -> bool:
        return set(await states(db, case_id)) == {"sent"}

    return check


def states_are(db: Database, case_id: int, wanted: set[str]) -> Check:
    """For `eventually`: every publication of the case is in one of the `wanted` states."""

    async def check() -> bool:
        return {r["state"] for r in await publications(db, case_id)} <= wanted

    return check


def ended(db: Database, case_id: int) -> Check:
    return states_are(db, case_id, TERMINAL)
