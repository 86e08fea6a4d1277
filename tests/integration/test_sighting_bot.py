"""Sightings through the bot, against the Telegram sandbox: /sighting with a shared location, a
text and a photo; a reply to an alert; the choice between alerts; the same checks as the web
form; and the volunteer conversation left alone for everything else."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from alerts.bot import steps
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from sandbox.telegram.server import TelegramSandbox
from tests.support import images
from tests.support.app import StaffFactory
from tests.support.bot import GENT, TOKEN, Chat, Start, bot_settings, chat, sign_up, until
from tests.support.dispatch import active_case, dispatching, eventually
from tests.support.factories import approved

pytestmark = pytest.mark.sandbox(token=TOKEN, limits_enabled=False, global_per_second=30)
ARLON = (49.6833, 5.8167)  # far from Gent: no alert there


@pytest.fixture
async def case(database: Database, settings: Settings, make_staff: StaffFactory) -> Case:
    found, _ = await approved(database, settings, make_staff, languages=("nl",))
    return found


# What the bot says, in English: each is compared in the reporter's language.
DONE = (
    "Thank you. Your report was sent to the case managers. Your reference number: "
    "%(reference)s. If you remember anything else, call %(hotline)s and give this number. If "
    "the child is in danger, call 112."
)
WHERE = "Where did you see the child? Share the location (📎 → Location) or type the place."
WHAT = (
    "What did you see? Tell us when (if it was not just now), what the child was doing and "
    "wearing, which way they went and who was with them."
)
PHOTO = "Do you have a photo? Send it now, or tap “Send without a photo”."
WHICH = "Which alert is your sighting about?"
CANCEL = "Cancel"
TOO_LONG = "At most %(limit)s characters."
AGAIN = "%(problem)s Please try again."
NONE_NEAR = (
    "There is no active alert near this place. If you think you saw a missing child, call "
    "%(hotline)s. If the child is in danger, call 112."
)


async def rows(database: Database) -> list[dict[str, Any]]:
    return [dict(r) for r in await database.conn.fetch("SELECT * FROM sightings ORDER BY id")]


async def thanked(person: Chat, lang: str) -> str:
    """Wait for the thanks (sent after the button's answer); its text."""
    opening = in_language(lang, DONE, reference="\x00", hotline="")
    opening = opening.split("\x00")[0]
    await until(lambda: (person.last.text or "").startswith(opening))
    return person.last.text or ""


async def photo(person: Chat, data: bytes) -> str:
    before = len(person.bot_messages())
    person.sandbox.user_sends_photo(person.user.id, data)
    await until(lambda: len(person.bot_messages()) > before)
    return person.last.text or ""


async def test_a_sighting_with_a_location_a_text_and_a_photo(
    start: Start, sandbox: TelegramSandbox, database: Database, case: Case
) -> None:
    await start()
    person = chat(sandbox, "nl")
    where = await person.send("/sighting")
    assert where.text == in_language("nl", WHERE)
    [[share]] = (where.reply_markup or {})["keyboard"]
    assert share["request_location"] is True
    what = await person.share(51.0549, 3.7215)
    assert what.text == in_language("nl", WHAT)
    words = "Meisje met rode jas\n  aan de Korenmarkt, richting station 🚉 "
    asked = await person.send(words)
    assert asked.text == in_language("nl", PHOTO)
    thanks = await photo(person, images.jpeg(640, 480, gps=True))
    [row] = await rows(database)
    assert thanks == in_language("nl", DONE, reference=row["reference"],
                                       hotline="116\u00a0000")  # fmt: skip
    assert (row["case_id"], row["source"], row["language"]) == (case.id, "telegram", "nl")
    assert (row["lat"], row["lon"], row["point_source"]) == (51.0549, 3.7215, "telegram")
    assert row["point_precision"] == "exact"  # a shared location is the point itself
    assert row["seen"] == words and row["contact_name"] is None
    assert str(person.user.id) not in row["client_key"] and len(row["client_key"]) == 32
    with Image.open(io.BytesIO(row["photo"])) as kept:
        assert kept.format == "JPEG" and not kept.getexif()
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_sightings") == 0


async def test_a_reply_to_an_alert_reports_on_that_alert(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory,
) -> None:  # fmt: skip
    client = await start()
    person = await sign_up(sandbox, "fr")
    live = bot_settings(settings, sandbox.url, client.server.port or 0, telegram_rate=200.0,
                        dispatch_poll_seconds=0.2)  # fmt: skip
    alerted = await active_case(database, live, make_staff, photo=False)
    async with dispatching(database, live):
        await eventually(lambda: _has_alert(person))
    alert = person.bot_messages()[-1]
    before = len(person.bot_messages())
    sandbox.user_replies(person.user.id, alert.message_id, "Je l'ai vue au Kouter il y a 5 min")
    await until(lambda: len(person.bot_messages()) > before)
    assert person.last.text == in_language("fr", WHERE)
    assert (await person.send("Kouter, 9000 Gent")).text == in_language("fr", PHOTO)
    await person.press("sight:nophoto")
    done = await thanked(person, "fr")
    [row] = await rows(database)
    assert row["case_id"] == alerted.id and row["point_source"] == "geocoded"
    # The offline gazetteer found "Kouter, 9000 Gent" to Gent's centre: no finer than that.
    assert row["point_precision"] == "municipality"
    assert (row["place"], row["seen"]) == (
        "Kouter, 9000 Gent",
        "Je l'ai vue au Kouter il y a 5 min",
    )
    assert row["reference"] in done and row["photo"] is None


async def _has_alert(person: Chat) -> bool:
    return any(m.reply_to_message_id is None and "116\u00a0000" in (m.caption or m.text or "")
               for m in person.bot_messages()[-1:])  # fmt: skip


async def test_the_alert_is_chosen_the_text_checked_and_other_messages_left_alone(
    start: Start, sandbox: TelegramSandbox, database: Database, settings: Settings,
    make_staff: StaffFactory, case: Case,
) -> None:  # fmt: skip
    await start()
    other, _ = await approved(database, settings, make_staff, languages=("nl",),
                              first_name="Sem", last_seen_place="Gent-Dampoort")  # fmt: skip
    person = chat(sandbox, "de")
    await person.send("/sighting")
    which = await person.share(*GENT)
    assert which.text == in_language("de", WHICH)
    labels = [b["text"] for row in (which.reply_markup or {})["inline_keyboard"] for b in row]
    assert labels[-1] == in_language("de", CANCEL) and len(labels) == 3
    assert any(label.startswith("Sem") for label in labels)
    await person.press(f"sight:case:{other.public_id}")
    # The button is answered first, the next question follows.
    await until(lambda: person.last.text == in_language("de", WHAT))
    refused = await person.send("x" * 2001)
    problem = in_language("de", TOO_LONG, limit="2000")
    assert refused.text == in_language("de", AGAIN, problem=problem)
    await person.send("Ein Junge mit blauem Rucksack")
    await person.press("sight:nophoto")
    await thanked(person, "de")
    assert [row["case_id"] for row in await rows(database)] == [other.id]
    # Far from every alert: nothing to report on, and the hotline to call.
    await person.send("/sighting")
    nothing = await person.share(*ARLON)
    assert nothing.text == in_language("de", NONE_NEAR, hotline="116\u00a0000")
    # Outside a report, the volunteer conversation answers as before.
    assert (await person.send("Hallo")).text == in_language("de", steps.NOT_UNDERSTOOD)
    assert (await person.send("/sighting")).text == in_language("de", WHERE)
    await person.send("/start")
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_sightings") == 0
