"""Planning the fan-out: who is in reach, nearest first, on which channels, when (quiet hours),
and what a revision or a close does to the outbox."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import fanout, pipeline
from alerts.partners import registry as partners
from alerts.publication import materials
from alerts.staff.models import Role
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.dispatch import (
    GENT,
    active_case,
    add_area,
    add_volunteer,
    moved,
    publications,
    with_channels,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")
BRUSSELS = ZoneInfo("Europe/Brussels")
LIEGE, ANTWERP, BRUSSELS_CENTRE = (50.6326, 5.5797), (51.2194, 4.4025), (50.8467, 4.3525)


@pytest.fixture
def on(settings: Settings) -> Settings:
    """Telegram and e-mail configured (nothing is sent in these tests)."""
    return with_channels(settings, smtp_url="smtp://127.0.0.1:1")


async def test_only_volunteers_in_reach_are_queued_nearest_first(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    # The case's search radius (15 km) and each volunteer's own radius both bound the reach.
    expected = {
        "inside_case_radius": await add_volunteer(db, moved(GENT, 14.9), chat_id=1),
        "own_radius_just_enough": await add_volunteer(
            db, moved(GENT, 5, 0), radius_km=5.1, chat_id=2
        ),
        "work_area_near": await add_volunteer(db, ANTWERP, radius_km=10, chat_id=3),
        "email_confirmed": await add_volunteer(db, moved(GENT, 3, 180), email="a@example.org"),
    }
    await add_area(db, expected["work_area_near"], moved(GENT, 2, 270), radius_km=10, label="w")
    outside = [
        await add_volunteer(db, moved(GENT, 15.1), chat_id=10),
        await add_volunteer(db, moved(GENT, 5, 0), radius_km=4.9, chat_id=11),
        await add_volunteer(db, LIEGE, radius_km=200, chat_id=12),
        await add_volunteer(db, BRUSSELS_CENTRE, radius_km=50, chat_id=13),
        await add_volunteer(db, moved(GENT, 1), chat_id=14, active=False),
        await add_volunteer(db, moved(GENT, 1), email="b@example.org", confirmed=False),
    ]
    case = await active_case(db, on, make_staff)
    rows = await publications(db, case.id)
    by_volunteer = {r["volunteer_id"]: r for r in rows}
    assert set(by_volunteer) == set(expected.values())
    assert not set(outside) & set(by_volunteer)
    # One row per volunteer and channel, with the distance to the nearest area as sort key.
    assert len(rows) == 4
    assert by_volunteer[expected["work_area_near"]]["sort_key"] == pytest.approx(2, abs=0.01)
    assert by_volunteer[expected["inside_case_radius"]]["sort_key"] == pytest.approx(14.9, 0.01)
    assert by_volunteer[expected["email_confirmed"]]["channel"] == "email"
    ordered = sorted(rows, key=lambda r: r["sort_key"])
    assert [r["volunteer_id"] for r in ordered] == [
        expected[k]
        for k in ("work_area_near", "email_confirmed", "own_radius_just_enough",
                  "inside_case_radius")
    ]  # fmt: skip
    assert all(r["target"] == f"volunteer/{r['volunteer_id']}" for r in rows)


async def test_replanning_the_same_revision_adds_nothing(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    for km in (1, 2, 3):
        await add_volunteer(db, moved(GENT, km), chat_id=100 + km)
    case = await active_case(db, on, make_staff)
    consent = await cases.current_consent(db, case.id)
    assert await fanout.plan(db, on, case, consent) == 0
    assert len(await publications(db, case.id)) == 3


def _local_window(start: timedelta, end: timedelta) -> tuple[datetime, datetime]:
    now = datetime.now(BRUSSELS)
    return now + start, now + end


async def test_quiet_hours_hold_the_message_until_they_end_unless_level_3(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    hour = timedelta(hours=1)
    # Both windows hold "now" and end in an hour; the second wraps past midnight as times.
    quiet = _local_window(-hour, hour)
    wrapped = _local_window(2 * hour, hour)
    later = _local_window(hour, 2 * hour)
    held = await add_volunteer(db, moved(GENT, 1), chat_id=1,
                               quiet=(quiet[0].time(), quiet[1].time()))  # fmt: skip
    held_wrapped = await add_volunteer(db, moved(GENT, 2), chat_id=2,
                                       quiet=(wrapped[0].time(), wrapped[1].time()))  # fmt: skip
    awake = await add_volunteer(db, moved(GENT, 3), chat_id=3,
                                quiet=(later[0].time(), later[1].time()))  # fmt: skip
    case = await active_case(db, on, make_staff)
    due = {r["volunteer_id"]: r["next_attempt_at"] for r in await publications(db, case.id)}
    now = datetime.now(UTC)
    for volunteer in (held, held_wrapped):
        assert due[volunteer] - now == pytest.approx(hour, abs=timedelta(minutes=1))
    assert due[awake] <= now

    abduction = await active_case(
        db, on, make_staff, kind="third_party_abduction", consent={"level": 3}
    )
    due = {r["volunteer_id"]: r["next_attempt_at"] for r in await publications(db, abduction.id)}
    assert all(moment <= datetime.now(UTC) for moment in due.values())


async def test_regional_channels_from_level_2_and_webhooks_at_level_3(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    staff = await make_staff(Role.SUPERVISOR)
    await add_volunteer(db, moved(GENT, 1), chat_id=1)
    covering = await partners.add_regional_channel(
        db, staff, name="Oost-Vlaanderen", chat_id="@oostvlaanderen_alerts", language="nl",
        lat=51.05, lon=3.73, radius_km=40,
    )  # fmt: skip
    await partners.add_regional_channel(
        db, staff, name="Liège", chat_id="@liege_alerts", language="fr", lat=LIEGE[0],
        lon=LIEGE[1], radius_km=40,
    )  # fmt: skip
    webhook = await partners.add_partner_webhook(
        db, staff, name="Screens", url="https://screens.example/hook", secret="s" * 32, fmt="cap"
    )

    async def channels_of(level: int) -> dict[str, set[str]]:
        case = await active_case(db, on, make_staff, consent={"level": level})
        found: dict[str, set[str]] = {}
        for row in await publications(db, case.id):
            found.setdefault(row["channel"], set()).add(row["target"])
        return found

    level_1 = await channels_of(1)
    assert set(level_1) == {"telegram_dm"}
    level_2 = await channels_of(2)
    assert level_2["telegram_channel"] == {f"channel/{covering}"} and "webhook" not in level_2
    level_3 = await channels_of(3)
    assert level_3["webhook"] == {f"webhook/{webhook}"}


async def test_a_revision_links_new_rows_to_what_was_sent_and_cancels_the_unsent(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    for km in (1, 2):
        await add_volunteer(db, moved(GENT, km), chat_id=km)
    case = await active_case(db, on, make_staff)
    first, second = await publications(db, case.id)
    # As if the dispatcher had sent the first and not yet the second.
    await db.conn.execute(
        "UPDATE publications SET state = 'sent', external_id = '7', media = 'photo' WHERE id = $1",
        first["id"],
    )
    # Rows the dispatcher does not send (the case page the approval published) are left be by
    # the fan-out step: the materials step, which supersedes them, is left out here.
    manager = await make_staff()
    with mock.patch.object(materials, "publish_revision", mock.AsyncMock()):
        revised = await revise_approved(db, on, manager, case.id, {"clothing": "green coat"})
    found = await publications(db, case.id, hosted=True)
    rows = {(r["revision"], r["target"]): r for r in found}
    assert revised.revision == 2
    assert rows[(2, first["target"])]["edits_id"] == first["id"]
    assert rows[(2, second["target"])]["edits_id"] is None
    assert rows[(1, second["target"])]["state"] == "cancelled"
    assert rows[(1, first["target"])]["state"] == "sent"
    assert (2, "page") not in rows and rows[(1, "page")]["state"] == "sent"


async def test_closing_cancels_the_unsent_and_withdraws_the_sent(
    db: Database, on: Settings, make_staff: StaffFactory
) -> None:
    for km in (1, 2, 3):
        await add_volunteer(db, moved(GENT, km), chat_id=km)
    case = await active_case(db, on, make_staff)
    first, *_ = await publications(db, case.id)
    await db.conn.execute(
        "UPDATE publications SET state = 'sent', external_id = '1' WHERE id = $1", first["id"]
    )
    await pipeline.close(db, await make_staff(), case.id, "found_safe")
    assert {r["state"] for r in await publications(db, case.id)} == {"withdrawing", "cancelled"}
    assert (await publications(db, case.id))[0]["state"] == "withdrawing"
