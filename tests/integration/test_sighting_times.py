"""Sighting times (issue 19): a time sent with an offset is stored as that instant (UTC); a time
without one is read in the case's zone, as the form shows it; a time more than ten minutes
ahead is refused in any zone; a time long before the child went missing is sent back to be
checked, and kept once the tipster confirms it. Against a real PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from alerts.cases.models import Case
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.sightings.reports import TOO_EARLY
from tests.integration.test_sightings import LANGS, Client, case, send, stored, token

__all__ = ["case"]  # the fixture, shared with test_sightings
LONDON = ZoneInfo("Europe/London")
BRUSSELS = ZoneInfo("Europe/Brussels")
FUTURE = "This time is in the future. Enter when you saw the child."


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


async def test_a_time_with_an_offset_is_the_instant_and_one_without_is_the_cases_zone(
    client: Client, database: Database, case: Case
) -> None:
    seen = minute(datetime.now(UTC) - timedelta(minutes=30))
    sent = [
        seen.astimezone(LONDON).isoformat(),  # a phone in the UK
        seen.astimezone(timezone(timedelta(hours=-5))).isoformat(),  # a tourist's app
        seen.strftime("%Y-%m-%dT%H:%MZ"),
        seen.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M"),  # the form: Brussels wall clock
    ]
    for seen_at in sent:
        body = {"seen_at": seen_at, "place": "Gent", "seen": "x"}
        answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body)
        assert answer.status == 201, seen_at
    assert [row["seen_at"] for row in await stored(database, case)] == [seen] * len(sent)


async def test_more_than_ten_minutes_ahead_is_refused_in_any_zone(
    client: Client, database: Database, case: Case
) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=12)
    for lang in LANGS:
        for zone in (LONDON, timezone(timedelta(hours=5, minutes=30))):
            body = {"seen_at": ahead.astimezone(zone).isoformat(), "place": "Gent", "seen": "x"}
            answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body,
                                       headers={"Accept-Language": lang})  # fmt: skip
            assert answer.status == 422
            assert (await answer.json())["errors"] == {"seen_at": in_language(lang, FUTURE)}
    # A phone's clock a few minutes fast is not a mistake.
    soon = (datetime.now(UTC) + timedelta(minutes=8)).astimezone(LONDON).isoformat()
    body = {"seen_at": soon, "place": "Gent", "seen": "x"}
    assert (await client.post(f"/alerts/{case.public_id}/sightings", json=body)).status == 201
    assert len(await stored(database, case)) == 1


async def test_long_before_the_disappearance_is_asked_to_be_checked(
    client: Client, database: Database, case: Case
) -> None:
    assert case.last_seen_at is not None
    early = case.last_seen_at - timedelta(hours=2, minutes=5)
    body: dict[str, object] = {"seen_at": early.isoformat(), "place": "Gent", "seen": "x"}
    for lang in LANGS:
        answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body,
                                   headers={"Accept-Language": lang})  # fmt: skip
        assert answer.status == 422
        assert (await answer.json())["errors"] == {"seen_at": in_language(lang, TOO_EARLY)}
    assert await stored(database, case) == []
    # Shortly before is a tipster's estimate: kept without a question.
    shortly = {**body, "seen_at": (case.last_seen_at - timedelta(minutes=90)).isoformat()}
    assert (await client.post(f"/alerts/{case.public_id}/sightings", json=shortly)).status == 201
    confirmed = {**body, "seen_at_confirmed": True}
    assert (await client.post(f"/alerts/{case.public_id}/sightings", json=confirmed)).status == 201
    assert [row["seen_at"] for row in await stored(database, case)][1] == early


async def test_the_form_asks_to_check_an_early_time_and_keeps_it_once_confirmed(
    client: Client, database: Database, case: Case
) -> None:
    assert case.last_seen_at is not None
    early = (case.last_seen_at - timedelta(hours=6)).astimezone(BRUSSELS)
    form = {"csrf_token": await token(client, case), "seen_at": early.strftime("%Y-%m-%dT%H:%M"),
            "place": "Gent", "seen": "x"}  # fmt: skip
    status, page, _ = await send(client, case, form, lang="de")
    assert status == 422
    assert in_language("de", TOO_EARLY) in html.unescape(page)
    assert in_language("de", "The time is right") in html.unescape(page)
    checkbox = re.search(r'<p class="sf-confirm" data-confirm( hidden)?>', page)
    assert checkbox and checkbox[1] is None  # shown, not hidden
    assert form["seen_at"] in page  # the time as typed, to correct or confirm
    status, _, _ = await send(client, case, {**form, "seen_at_confirmed": "on"}, lang="de")
    assert status == 303
    [row] = await stored(database, case)
    assert row["seen_at"] == minute(early)
