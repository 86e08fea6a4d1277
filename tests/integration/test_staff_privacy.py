"""Who on the staff reads what about volunteers and tipsters (issue 17), as a second, unrelated
account would try: a case manager of another case reads no volunteer's address or chat id from
the publications API or the console, and no tipster's contact; a supervisor reveals one
volunteer's contact only with a reason, and every contact read is in the audit log.

Real PostgreSQL and the real application, through the API (bearer tokens) and the console.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.app import create_app
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.sightings import reports as sightings
from alerts.sightings.reports import Report
from alerts.staff import audit
from alerts.staff.models import Role, Staff
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import GENT, active_case, add_volunteer, moved, with_channels
from tests.support.factories import draft

Client = TestClient[Any, Any]
EMAIL = "vera.volunteer@example.org"
CHAT_ID = 987654321
TIPSTER = {"contact_name": "Tom Tipster", "contact_phone": "+32 470 12 34 56",
           "contact_email": "tom.tipster@example.org"}  # fmt: skip
PSEUDONYM = re.compile(r"^V-[0-9A-F]{8}$")


@pytest.fixture
def on(settings: Settings) -> Settings:
    """Telegram and e-mail configured (nothing is sent here), a SECRET_KEY for pseudonyms."""
    return with_channels(settings, smtp_url="smtp://127.0.0.1:1", secret_key="k" * 32)


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> Client:
    """The application (without a bot: the fan-out above needs one configured, not running)."""
    app_settings = dataclasses.replace(settings, secret_key="k" * 32)
    result: Client = await aiohttp_client(create_app(app_settings))
    return result


async def reached_case(database: Database, on: Settings, make_staff: StaffFactory) -> Case:
    """An active case whose fan-out reached one e-mail and one Telegram volunteer."""
    if not await database.conn.fetchval("SELECT count(*) FROM volunteers"):
        await add_volunteer(database, moved(GENT, 1), email=EMAIL)
        await add_volunteer(database, moved(GENT, 2), chat_id=CHAT_ID)
    return await active_case(database, on, make_staff)


async def outsider(database: Database, make_staff: StaffFactory) -> Staff:
    """A case manager with a case of their own, and nothing to do with the others."""
    staff = await make_staff(Role.CASE_MANAGER)
    await draft(database, staff)
    return staff


# -- volunteers ------------------------------------------------------------------------------------


async def test_another_case_manager_reads_no_volunteer_address_from_the_publications_api(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory, bearer: Any
) -> None:
    case = await reached_case(database, on, make_staff)
    second = await reached_case(database, on, make_staff)
    headers = await bearer(await outsider(database, make_staff))

    answer = await client.get(f"/api/cases/{case.id}/publications", headers=headers)

    text = await answer.text()
    assert answer.status == 200
    assert EMAIL not in text and str(CHAT_ID) not in text
    rows = [r for r in (await answer.json())["publications"] if r["channel"] in
            ("email", "telegram_dm")]  # fmt: skip
    assert {r["channel"] for r in rows} == {"email", "telegram_dm"}
    assert all(PSEUDONYM.match(r["target"]) and r["address"] is None for r in rows), rows
    # One volunteer keeps one pseudonym across cases, so staff can still tell them apart.
    again = await (await client.get(f"/api/cases/{second.id}/publications", headers=headers)).json()
    assert sorted(r["target"] for r in rows) == sorted(
        r["target"] for r in again["publications"] if r["channel"] in ("email", "telegram_dm")
    )


async def test_another_case_manager_reads_no_volunteer_address_in_the_console(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory
) -> None:
    case = await reached_case(database, on, make_staff)
    await logged_in(client, await outsider(database, make_staff))

    page = await client.get(f"/console/cases/{case.id}")
    rows = await client.get(f"/console/cases/{case.id}/publications")

    text = await page.text() + await rows.text()
    assert page.status == 200 and rows.status == 200 and "V-" in text
    assert EMAIL not in text and str(CHAT_ID) not in text and "volunteer/" not in text


async def test_only_a_supervisor_with_a_reason_reveals_a_contact_and_it_is_audited(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory, bearer: Any
) -> None:
    case = await reached_case(database, on, make_staff)
    publication = await database.conn.fetchval(
        "SELECT id FROM publications WHERE case_id = $1 AND channel = 'email'", case.id
    )
    path = f"/api/cases/{case.id}/publications/{publication}/reveal-contact"
    manager = await bearer(await outsider(database, make_staff))
    supervisor_staff = await make_staff(Role.SUPERVISOR)
    supervisor = await bearer(supervisor_staff)

    refused = await client.post(path, headers=manager, json={"reason": "curious"})
    no_reason = await client.post(path, headers=supervisor, json={"reason": "  "})
    reason = {"reason": "They reported a threat to the hotline"}
    revealed = await client.post(path, headers=supervisor, json=reason)

    assert refused.status == 403 and EMAIL not in await refused.text()
    assert no_reason.status == 422 and EMAIL not in await no_reason.text()
    body = await revealed.json()
    assert revealed.status == 200 and body["email"] == EMAIL and PSEUDONYM.match(body["volunteer"])
    [entry] = [e for e in await audit.entries(database, case.id)
               if e["action"] == "volunteer_contact_revealed"]  # fmt: skip
    assert entry["username"] == supervisor_staff.username
    assert entry["details"]["reason"] == "They reported a threat to the hotline"
    assert entry["details"]["volunteer"] == body["volunteer"] and EMAIL not in str(entry)


# -- tipsters --------------------------------------------------------------------------------------


async def tipped_case(
    database: Database, on: Settings, make_staff: StaffFactory
) -> tuple[Case, Staff, str]:
    """An active case, its creator, and a sighting with the tipster's contact (its reference)."""
    manager = await make_staff(Role.CASE_MANAGER)
    made = [manager]

    async def creator_first(*args: Any, **kwargs: Any) -> Staff:
        # `active_case` makes its case manager first, then the approving supervisor.
        return made.pop() if made else await make_staff(*args, **kwargs)

    case = await active_case(database, on, creator_first)
    assert case.last_seen_at is not None and case.last_seen_lat is not None
    report = Report(
        seen_at=case.last_seen_at + timedelta(hours=1), place="Korenmarkt", lat=51.05,
        lon=3.72, point_source="map", seen="a girl in a red jacket", direction="",
        companions="", **TIPSTER,
    )  # fmt: skip
    receipt = await sightings.store(database, case.public_id, report, source="web",
                                    language="nl", client="sender-a")  # fmt: skip
    return case, manager, (await sightings.get(database, receipt.id)).reference


def leaks(text: str) -> list[str]:
    return [value for value in TIPSTER.values() if value in text]


async def test_another_case_manager_sees_that_a_contact_exists_not_what_it_is(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory, bearer: Any
) -> None:
    case, _, _ = await tipped_case(database, on, make_staff)
    other = await outsider(database, make_staff)
    headers = await bearer(other)

    api = await client.get(f"/api/cases/{case.id}/sightings", headers=headers)
    [shown] = (await api.json())["sightings"]
    await logged_in(client, other)
    page = await client.get(f"/console/cases/{case.id}/sightings")
    poll = await client.get(f"/console/cases/{case.id}/sightings/new?after=0")
    export = await client.get(f"/console/cases/{case.id}/sightings.csv")

    assert api.status == page.status == poll.status == export.status == 200
    assert shown["contact_withheld"] is True and shown["contact_name"] is None
    for answer in (api, page, poll, export):
        assert leaks(await answer.text()) == [], answer.url
    assert "Given: visible to the staff assigned to the case" in await page.text()
    reads = [e for e in await audit.entries(database, case.id)
             if e["action"] == "tipster_contact_read"]  # fmt: skip
    assert reads == []


async def test_the_assigned_staff_and_supervisors_read_contacts_and_every_read_is_audited(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory, bearer: Any
) -> None:
    case, creator, reference = await tipped_case(database, on, make_staff)
    supervisor = await make_staff(Role.SUPERVISOR)

    for reader in (creator, supervisor):
        answer = await client.get(f"/api/cases/{case.id}/sightings",
                                  headers=await bearer(reader))  # fmt: skip
        [shown] = (await answer.json())["sightings"]
        assert shown["contact_email"] == TIPSTER["contact_email"] and not shown["contact_withheld"]
    await logged_in(client, creator)
    page = await client.get(f"/console/cases/{case.id}/sightings")
    assert TIPSTER["contact_phone"] in await page.text()

    reads = [e for e in await audit.entries(database, case.id)
             if e["action"] == "tipster_contact_read"]  # fmt: skip
    assert [(e["username"], e["details"]["via"]) for e in reversed(reads)] == [
        (creator.username, "api"), (supervisor.username, "api"), (creator.username, "page"),
    ]  # fmt: skip
    assert all(e["details"]["sightings"] == [reference] and e["at"] for e in reads)
    assert all(leaks(str(e)) == [] for e in reads)  # the log names the sighting, not the contact


async def test_a_supervisor_reveals_a_contact_in_the_console_with_a_reason(
    client: Client, database: Database, on: Settings, make_staff: StaffFactory
) -> None:
    case = await reached_case(database, on, make_staff)
    await logged_in(client, await outsider(database, make_staff))
    rows = f"/console/cases/{case.id}/publications"
    plain = await (await client.get(rows)).text()
    assert 'id="volunteer-contact"' not in plain  # a case manager has no such form
    supervisor = await make_staff(Role.SUPERVISOR)
    csrf = await logged_in(client, supervisor)
    page = await (await client.get(rows)).text()  # the volunteers of the page's rows
    chosen = re.search(r'<option value="(\d+)">Volunteer (V-[0-9A-F]{8}) · E-mail[^<]*</option>',
                       page)  # fmt: skip
    assert chosen, "the supervisor's form lists the volunteers by pseudonym"
    path = f"/console/cases/{case.id}/reveal-contact"

    refused = await client.post(path, data={"csrf_token": csrf, "publication_id": chosen[1],
                                            "reason": ""})  # fmt: skip
    shown = await client.post(path, data={"csrf_token": csrf, "publication_id": chosen[1],
                                          "reason": "Asked us to call back"})  # fmt: skip

    assert refused.status == 422 and EMAIL not in await refused.text()
    assert shown.status == 200 and EMAIL in await shown.text()
    [entry] = [e for e in await audit.entries(database, case.id)
               if e["action"] == "volunteer_contact_revealed"]  # fmt: skip
    assert (entry["username"], entry["details"]["volunteer"]) == (supervisor.username, chosen[2])
