"""Triage for case managers: plausibility and order, near-duplicates grouped, status and notes
(audited), the console page with its list, map and polling, the JSON API, the exports for the
police, and everything a tipster wrote shown escaped (never markup, never a link)."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.sightings import reports as sightings
from alerts.sightings import triage as sighting_triage
from alerts.sightings.reports import Report, Sighting
from alerts.staff import audit
from alerts.staff.models import Staff
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import moved
from tests.support.factories import approved, sighting_flood

Client = TestClient[Any, Any]
SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '" autofocus onfocus="alert(1)" x="'
LINK = "javascript:alert(document.cookie)"
PAYLOAD = f"{SCRIPT} {ATTRIBUTE} {LINK}"


@pytest.fixture
async def manager_case(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> tuple[Case, Staff]:
    return await approved(database, settings, make_staff, languages=("nl",))


def report(case: Case, *, km: float = 0.0, hours_after: float = 1.0, **changes: Any) -> Report:
    """A report `km` east of the last-seen point, `hours_after` the child was last seen."""
    assert case.last_seen_at is not None and case.last_seen_lat is not None
    assert case.last_seen_lon is not None
    lat, lon = moved((case.last_seen_lat, case.last_seen_lon), km)
    values: dict[str, Any] = {
        "seen_at": case.last_seen_at + timedelta(hours=hours_after), "place": "",
        "lat": lat, "lon": lon, "point_source": "map", "seen": "a girl in a red jacket",
        "direction": "", "companions": "", "contact_name": None, "contact_phone": None,
        "contact_email": None,
    }  # fmt: skip
    return Report(**{**values, **changes})


async def add(db: Database, case: Case, client: str = "sender-a", **changes: Any) -> Sighting:
    receipt = await sightings.store(db, case.public_id, report(case, **changes), source="web",
                                    language="nl", client=client)  # fmt: skip
    return await sightings.get(db, receipt.id)


# -- plausibility and groups -----------------------------------------------------------------------


async def test_the_most_plausible_and_freshest_come_first(
    database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case
    walked = await add(database, case, km=2, hours_after=1, client="a")  # 2 km/h
    bus = await add(database, case, km=15, hours_after=1, client="b")  # 15 km/h
    flown = await add(database, case, km=120, hours_after=0.5, client="c")  # 240 km/h
    before = await add(database, case, km=1, hours_after=-2, client="d")
    unplaced = await add(database, case, lat=None, lon=None, point_source=None, place="ergens",
                         client="e")  # fmt: skip
    set_aside = await add(database, case, km=1, hours_after=1.5, client="f")
    await database.conn.execute("UPDATE sightings SET status = 'not_credible' WHERE id = $1",
                                set_aside.id)  # fmt: skip
    found = await sightings.of_case(database, case.id)
    groups = sighting_triage.rank(case, found, datetime.now(UTC))
    order = [g.members[0].sighting.id for g in groups]
    assert order == [walked.id, bus.id, unplaced.id, before.id, flown.id, set_aside.id]
    reasons = {g.members[0].sighting.id: g.members[0].assessment for g in groups}
    assert reasons[walked.id].reason == "on_foot" and reasons[bus.id].reason == "bike_or_bus"
    assert reasons[flown.id].reason == "too_fast" and reasons[before.id].reason == "before"
    assert reasons[unplaced.id].reason == "no_point"
    assert reasons[flown.id].speed_kmh == pytest.approx(240, rel=0.01)
    # Freshness: of two sightings alike in every other way, the more recent comes first.
    now = datetime.now(UTC)
    older, newer = (dataclasses.replace(found[-1], id=900 + i, client_key=str(i),
                                        seen_at=now - timedelta(hours=h))
                    for i, h in ((0, 20), (1, 2)))  # fmt: skip
    ranked = sighting_triage.rank(case, [older, newer], now)
    assert [g.members[0].sighting.id for g in ranked] == [newer.id, older.id]


async def test_near_duplicates_are_grouped_and_the_groups_saved(
    database: Database, settings: Settings, manager_case: tuple[Case, Staff]
) -> None:
    case, _ = manager_case
    first = await add(database, case, km=3.0, hours_after=1.0, client="a")
    echo = await add(database, case, km=3.3, hours_after=1.2, client="b")  # 300 m, 12 min
    apart = await add(database, case, km=9.0, hours_after=1.1, client="c")
    again = await add(database, case, km=20.0, hours_after=4.0, client="c")  # same sender, soon
    by_text = [await add(database, case, lat=None, lon=None, point_source=None,
                         place=text, client=f"t{i}") for i, text in enumerate(
                             ("Korenmarkt, Gent", "korenmarkt gent"))]  # fmt: skip
    from alerts.geo.geocoding import GeocodingService

    found = await sighting_triage.refresh(database, GeocodingService(), case)
    groups = {s.id: s.group_id for s in found}
    assert groups[first.id] == groups[echo.id] == first.id
    assert groups[apart.id] == groups[again.id] == apart.id
    # The place texts were looked up (off the report's path): both now have a point.
    assert {s.point_source for s in found if s.id in {t.id for t in by_text}} == {"geocoded"}
    saved = await database.conn.fetch("SELECT id, group_id FROM sightings")
    assert {r["id"]: r["group_id"] for r in saved} == groups
    assert groups[by_text[0].id] == groups[by_text[1].id]


def test_a_thousand_sightings_are_ranked_quickly() -> None:
    # How quickly: bench/sightings.py times it (a clock has no place in a test).
    now = datetime.now(UTC)
    case, flood = sighting_flood(now)
    groups = sighting_triage.rank(case, flood, now)
    assert sum(len(g.members) for g in groups) == 1000


# -- the API ---------------------------------------------------------------------------------------


async def test_the_api_lists_in_triage_order_and_patches_with_an_audit_entry(
    client: Client, database: Database, manager_case: tuple[Case, Staff], bearer: Any
) -> None:
    case, manager = manager_case
    headers = await bearer(manager)
    near = await add(database, case, km=1, client="a", contact_name="Ann")
    far = await add(database, case, km=90, hours_after=0.3, client="b")
    answer = await client.get(f"/api/cases/{case.id}/sightings", headers=headers)
    assert answer.status == 200
    body = await answer.json()
    assert [s["id"] for s in body["sightings"]] == [near.id, far.id]
    first = body["sightings"][0]
    assert first["contact_name"] == "Ann" and first["reason"] == "on_foot"
    assert "client_key" not in first and first["sender"] == "a"  # a pseudonym's first 8
    answer = await client.patch(f"/api/sightings/{far.id}", headers=headers,
                                json={"status": "not_credible", "notes": "te ver"})  # fmt: skip
    assert answer.status == 200
    assert (await answer.json())["status"] == "not_credible"
    entry = (await audit.entries(database, case.id, limit=1))[0]
    assert entry["action"] == "sighting_triaged" and entry["username"] == manager.username
    assert entry["details"] == {"sighting": far.reference, "status": "not_credible",
                                "previous": "new", "notes_changed": True}  # fmt: skip
    for bad in ({"status": "maybe"}, {"notes": "x" * 2001}, {"colour": "red"}, {}):
        answer = await client.patch(f"/api/sightings/{far.id}", headers=headers, json=bad)
        assert answer.status == 422, bad
    assert (await client.patch("/api/sightings/999999", headers=headers,
                               json={"status": "new"})).status == 404  # fmt: skip
    assert (await client.get(f"/api/cases/{case.id}/sightings")).status == 401


# -- the console page ------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every link of a page: its address and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[list[str]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append([dict(attrs).get("href") or "", ""])
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.links[-1][1] += data


async def test_what_a_tipster_wrote_is_escaped_in_every_field_and_never_a_link(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    tainted = await add(
        database, case, place=PAYLOAD, seen=PAYLOAD, direction=PAYLOAD, companions=PAYLOAD,
        contact_name=PAYLOAD, contact_phone=PAYLOAD, contact_email=PAYLOAD,
    )  # fmt: skip
    await sighting_triage.update(database, manager, tainted.id, "credible", PAYLOAD)
    csrf = await logged_in(client, manager)
    assert csrf
    page = await (await client.get(f"/console/cases/{case.id}/sightings")).text()
    polled = await client.get(f"/console/cases/{case.id}/sightings/new?after=0")
    fragment = (await polled.json())["items"][0]["html"]
    for html in (page, fragment):
        assert SCRIPT not in html and 'onfocus="alert' not in html and "<script>alert" not in html
        escaped = "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; &#34; autofocus onfocus="
        assert html.count(escaped) >= 8 if html is page else html.count(escaped) >= 7
        links = Links()
        links.feed(html)
        for href, text in links.links:
            assert "javascript:" not in href.lower() and "alert" not in text, (href, text)


async def test_the_console_page_lists_marks_and_picks_up_new_sightings(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    first = await add(database, case, km=1)
    csrf = await logged_in(client, manager)
    page = await client.get(f"/console/cases/{case.id}/sightings?lang=nl")
    html = await page.text()
    assert page.status == 200 and first.reference in html
    assert f'data-latest="{first.id}"' in html and 'data-last-lat="51.0357"' in html
    assert "Te voet mogelijk." in html or "on foot" not in html  # translated, never English
    answer = await client.post(f"/console/sightings/{first.id}", allow_redirects=False,
                               data={"csrf_token": csrf, "status": "police",
                                     "notes": "Doorgegeven aan PZ Gent"})  # fmt: skip
    assert answer.status == 303
    assert answer.headers["Location"].endswith(f"sightings?done=triaged#s-{first.id}")
    row = await database.conn.fetchrow("SELECT status, notes, updated_by FROM sightings")
    assert dict(row) == {"status": "police", "notes": "Doorgegeven aan PZ Gent",
                         "updated_by": manager.id}  # fmt: skip
    forged = await client.post(f"/console/sightings/{first.id}", data={"status": "new"},
                               allow_redirects=False)  # fmt: skip
    assert forged.status == 403
    poll = f"/console/cases/{case.id}/sightings/new?after={first.id}"
    assert (await (await client.get(poll)).json())["items"] == []
    second = await add(database, case, km=2, client="other")
    found = await (await client.get(poll)).json()
    assert found["latest"] == second.id and [i["id"] for i in found["items"]] == [second.id]
    assert second.reference in found["items"][0]["html"] and "fresh" in found["items"][0]["html"]


async def test_the_exports_for_the_police_are_audited_and_keep_text_as_text(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    formula = '=HYPERLINK("https://evil.example","klik")'
    await add(database, case, km=1, seen=formula, contact_phone="+32 470 12 34 56")
    await add(database, case, km=2, seen=PAYLOAD, client="b")
    await logged_in(client, manager)
    answer = await client.get(f"/console/cases/{case.id}/sightings.csv?lang=nl")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    raw = await answer.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Referentie" and len(rows) == 3
    seen = rows[0].index("Wat werd gezien")
    assert {rows[1][seen], rows[2][seen]} == {"'" + formula, PAYLOAD}
    phone = rows[0].index("Telefoon van de melder")
    assert "'+32 470 12 34 56" in {rows[1][phone], rows[2][phone]}
    answer = await client.get(f"/console/cases/{case.id}/sightings.pdf")
    pdf = await answer.read()
    assert answer.status == 200 and pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert case.reference in text and "<script>alert" in text.replace("\n", "")
    actions = [e for e in await audit.entries(database, case.id) if e["action"].startswith("sig")]
    assert [(e["action"], e["details"]["format"]) for e in actions] == [
        ("sightings_exported", "pdf"), ("sightings_exported", "csv")]  # fmt: skip


async def test_the_police_export_speaks_the_staff_members_language(
    client: Client, database: Database, manager_case: tuple[Case, Staff]
) -> None:
    case, manager = manager_case
    first = await add(database, case, km=1, client="a")
    await add(database, case, km=2, client="b", point_source="geocoded")
    await database.conn.execute("UPDATE sightings SET status = 'credible' WHERE id = $1",
                                first.id)  # fmt: skip
    await logged_in(client, manager)
    raw = await (await client.get(f"/console/cases/{case.id}/sightings.csv?lang=fr")).read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    status, point, source = (rows[0].index(h) for h in ("Statut", "Origine du point", "Reçu par"))
    assert {r[status] for r in rows[1:]} == {"Crédible", "Nouveau"}
    assert {r[source] for r in rows[1:]} == {"Formulaire web"}
    assert "déduit de la description du lieu (approximatif)" in {r[point] for r in rows[1:]}
    cells = {cell for row in rows[1:] for cell in row}
    assert not cells & {"credible", "new", "web", "geocoded", "map"}
    pdf = await (await client.get(f"/console/cases/{case.id}/sightings.pdf?lang=fr")).read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Crédible" in text and "Formulaire web" in text
    assert "credible" not in text.replace("Crédible", "")
