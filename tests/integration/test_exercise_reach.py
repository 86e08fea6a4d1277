"""Who an exercise reaches (issue 20, item 4): only the volunteers, regional channels and partner
webhooks that take exercises (off by default), through the real dispatcher, the Telegram sandbox,
the SMTP sink and partners' endpoints; what they get says EXERCISE (the Telegram message, the
e-mail in the sink, the CAP status Exercise, valid by capvalidator); and it is withdrawn like any
case. The volunteers' switch: the bot's settings button and the web data page."""

from __future__ import annotations

import html as markup
import os
import re
from collections.abc import AsyncIterator
from typing import Any

import capvalidator
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from lxml import etree

from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.geocoding import GeocodingService
from alerts.outbox import pipeline
from alerts.partners import registry as partners
from alerts.staff.models import Role
from alerts.volunteers import manage_links
from alerts.volunteers import registry as volunteers
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import all_sent, bot_messages, ended, users_at
from tests.support.console import csrf_in
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    publications,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


class Partner:
    """A partner's endpoint that keeps every body it receives."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        return web.Response()


@pytest.fixture
async def two_partners() -> AsyncIterator[list[tuple[Partner, str]]]:
    endpoints = [Partner(), Partner()]
    app = web.Application()
    for name, endpoint in zip("ab", endpoints, strict=True):
        app.router.add_post(f"/{name}", endpoint.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield [(e, str(server.make_url(f"/{n}"))) for n, e in zip("ab", endpoints, strict=True)]


async def test_an_exercise_reaches_only_who_takes_exercises_and_is_withdrawn_like_any_case(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
    two_partners: list[tuple[Partner, str]],
) -> None:
    [takes, declines] = await users_at(sandbox, db, [moved(GENT, 1), moved(GENT, 2)])
    await volunteers.set_exercises(db, (await volunteers.by_chat(db, takes)).id, True)  # type: ignore[union-attr]
    mail_takes = await add_volunteer(db, moved(GENT, 3), email="takes@example.org")
    await add_volunteer(db, moved(GENT, 4), email="declines@example.org")
    await volunteers.set_exercises(db, mail_takes, True)
    supervisor = await make_staff(Role.SUPERVISOR)
    groups = [sandbox.create_group(name, chat_type="channel") for name in ("OVL-a", "OVL-b")]
    channels = [
        await partners.add_regional_channel(
            db,
            supervisor,
            name=group.title,
            chat_id=str(group.id),
            language="nl",
            lat=GENT[0],
            lon=GENT[1],
            radius_km=30,
        )  # fmt: skip
        for group in groups
    ]
    geocoder = GeocodingService()
    await partners.update_regional_channel(
        db, geocoder, supervisor, channels[0], {"exercises": True}
    )
    hooks = [
        (await partners.register_partner_webhook(
            db, supervisor, {"name": f"Partner {n}", "url": url, "format": "cap"})).webhook.id
        for n, (_, url) in enumerate(two_partners)
    ]  # fmt: skip
    await partners.update_partner_webhook(db, supervisor, hooks[0], {"exercises": "true"})

    case = await active_case(
        db, live, make_staff, exercise=True, kind="third_party_abduction", consent={"level": 3}
    )
    async with dispatching(db, live):
        await eventually(all_sent(db, case.id))
        # A real case still reaches everyone: the switch only narrows exercises.
        real = await active_case(
            db, live, make_staff, kind="third_party_abduction", consent={"level": 3}
        )
        await eventually(all_sent(db, real.id))
        real_targets = {r["target"] for r in await publications(db, real.id)}
        exercise_rows = await publications(db, case.id)
        await partners.update_partner_webhook(db, supervisor, hooks[0], {"exercises": False})
        manager = await make_staff()
        await pipeline.close(db, manager, case.id, "found_safe")
        await eventually(ended(db, case.id))
        await eventually(lambda: _count(two_partners[0][0].bodies, 3))

    targets = {r["target"] for r in exercise_rows}
    assert len(real_targets) == 8  # 2 + 2 volunteers, 2 channels, 2 webhooks
    takes_id = (await volunteers.by_chat(db, takes)).id  # type: ignore[union-attr]
    assert targets == {f"volunteer/{takes_id}", f"volunteer/{mail_takes}",
                       f"channel/{channels[0]}", f"webhook/{hooks[0]}"}  # fmt: skip
    # Telegram: the volunteer and the channel that take exercises, and they read OEFENING.
    [message] = [m for m in bot_messages(sandbox, takes) if "OEFENING" in _words(m)]
    assert _words(message).startswith("OEFENING · VERMIST")
    assert len(bot_messages(sandbox, declines)) == 1  # the real case only
    assert not any("OEFENING" in _words(m) for m in bot_messages(sandbox, declines))
    assert any("OEFENING" in _words(m) for m in bot_messages(sandbox, groups[0].id))
    assert not any("OEFENING" in _words(m) for m in bot_messages(sandbox, groups[1].id))
    # E-mail: in the sink, to the volunteer who takes exercises only.
    exercise_mails = [m for m in sink.messages if "OEFENING" in m.subject]
    assert [m.rcpt_tos for m in exercise_mails] == [("takes@example.org",)]
    [mail] = exercise_mails
    assert mail.subject.startswith("OEFENING · VERMIST")
    assert mail.text and "Dit is een oefening, geen echte oproep." in mail.text
    assert mail.html and "OEFENING — Dit is een oefening" in mail.html
    # Partners: A got the exercise's Alert and Cancel, status Exercise, valid; B only the real one.
    a, b = (endpoint.bodies for endpoint, _ in two_partners)
    statuses = [etree.fromstring(body).findtext("cap:status", namespaces=NS) for body in a]
    assert sorted(statuses) == ["Actual", "Exercise", "Exercise"]
    types = {etree.fromstring(body).findtext("cap:msgType", namespaces=NS): status
             for body, status in zip(a, statuses, strict=True) if status == "Exercise"}  # fmt: skip
    assert types == {"Alert": "Exercise", "Cancel": "Exercise"}
    for body in a + b:
        result = capvalidator.check_schema(body)
        assert result.passed, result.message
    assert [etree.fromstring(x).findtext("cap:status", namespaces=NS) for x in b] == ["Actual"]
    # Withdrawn like any case: every publication ended, the Telegram messages deleted.
    assert {r["state"] for r in await publications(db, case.id)} <= {"withdrawn", "neutralised"}
    assert message.deleted or message.edited
    [post] = [m for m in bot_messages(sandbox, groups[0].id) if "OEFENING" in _words(m)]
    assert post.deleted or post.edited


def _words(message: Any) -> str:
    return str(message.caption or message.text or "")


async def _count(bodies: list[bytes], n: int) -> bool:
    return len(bodies) >= n


async def test_volunteers_switch_exercises_on_and_off_on_their_data_page(
    client: TestClient[Any, Any], database: Database
) -> None:
    volunteer_id = await add_volunteer(database, GENT, email="v@example.org")
    volunteer = await volunteers.by_public_id(
        database,
        await database.conn.fetchval(
            "SELECT public_id FROM volunteers WHERE id = $1", volunteer_id
        ),
    )
    assert volunteer is not None and volunteer.exercises is False  # off by default
    granted = await manage_links.request_link(database, "v@example.org", "test-client")
    assert granted is not None
    url = f"/volunteer/data/{granted.token}"
    page = markup.unescape(await (await client.get(f"{url}?lang=fr")).text())
    assert "Alertes d'exercice" in page and "Activer" in page
    form = {"csrf_token": csrf_in(page), "exercises": "on"}
    answer = await client.post(f"{url}/exercises?lang=fr", data=form, allow_redirects=False)
    assert answer.status == 303
    assert (await volunteers.by_public_id(database, volunteer.public_id)).exercises  # type: ignore[union-attr]
    page = await (await client.get(f"{url}?lang=fr")).text()
    assert re.search(r"<strong>activées?</strong>|Désactiver", page)
    # Without the form's token, nothing changes.
    forged = await client.post(f"{url}/exercises", data={"exercises": "off"})
    assert forged.status == 403
    assert (await volunteers.by_public_id(database, volunteer.public_id)).exercises  # type: ignore[union-attr]
