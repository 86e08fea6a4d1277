"""Retention: RETENTION_DAYS after the close the child's personal data is purged everywhere in
the database, and a minimal record stays; `python run.py purge`, and the scheduler's daily run."""

from __future__ import annotations

import json
import os
from typing import Any

import asyncpg
import pytest

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import report as withdrawal_report
from alerts.outbox import retention
from alerts.outbox.scheduler import Scheduler
from alerts.rounds import service as poster_rounds
from alerts.searches import service as searches
from alerts.staff.models import Role
from alerts.volunteers import answers
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.channels import close, ended, published, states_are, users
from tests.support.dispatch import (
    GENT,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    with_channels,
    without_hosted,
)
from tests.support.images import jpeg
from tests.support.processes import run_cli
from tests.support.rounds import poster_volunteer
from tests.support.searches import field_search, searcher

os.environ.setdefault("PTB_TIMEDELTA", "true")
pytestmark = pytest.mark.sandbox(count_edits=False)  # the withdrawal follows the send at once
FIRST, LAST = "Zephyrine", "Quennevilleberg"
NAMED = {
    "first_name": FIRST, "last_name": LAST, "languages": ["nl"],
    "description": f"{FIRST} left home after school with a blue backpack.",
    "marks": f"{LAST} family tattoo on the wrist",
}  # fmt: skip


async def whole_database(
    conn: asyncpg.Connection, texts: list[str], blobs: list[bytes]
) -> set[str]:
    """Every column of every table that holds one of `texts` (in any case, as text or inside
    bytes) or one of `blobs`: "table.column"."""
    columns = await conn.fetch(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
    )
    found = set()
    for column in columns:
        table, name = column["table_name"], column["column_name"]
        if column["data_type"] == "bytea":
            needles = [*blobs, *(text.encode() for text in texts)]
            query = f'SELECT count(*) FROM "{table}" WHERE position($1::bytea in "{name}") > 0'
        else:
            needles = [f"%{text}%" for text in texts]
            query = f'SELECT count(*) FROM "{table}" WHERE "{name}"::text ILIKE $1'
        for needle in needles:
            if await conn.fetchval(query, needle):
                found.add(f"{table}.{name}")
    return found


async def add_sighting(db: Database, case: Case, photo: bytes) -> None:
    """A tipster's report with contact details and a photo, and one the bot is collecting."""
    await db.conn.execute(
        "INSERT INTO sightings (case_id, reference, source, language, seen_at, place, seen, "
        "photo, contact_name, contact_phone, contact_email, client_key) VALUES ($1, 'S-1', "
        "'web', 'nl', now(), 'Korenmarkt, Gent', $2, $3, 'Jan Tipgever', '+32 470 12 34 56', "
        "'jan@tip.example', 'k1')",
        case.id, f"I saw {FIRST} near the tram stop", photo,
    )  # fmt: skip
    await db.conn.execute(
        "INSERT INTO telegram_sightings (chat_id, case_id, step, data) VALUES (7, $1, 'text', $2)",
        case.id, json.dumps({"text": f"{FIRST} {LAST} at the station"}),
    )  # fmt: skip


async def closed_long_ago(db: Database, case_id: int, days: int = 31) -> None:
    await db.conn.execute(
        "UPDATE cases SET closed_at = now() - make_interval(days => $2) WHERE id = $1",
        case_id, days,
    )  # fmt: skip


async def test_after_retention_nothing_of_the_child_is_left_in_the_database(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    make_staff: StaffFactory,
) -> None:
    await users(sandbox, db, [1, 2])
    await add_volunteer(db, moved(GENT, 3), email="v3@example.org")
    consent = {"level": 3, "name_mode": "full", "given_by": f"Mother of {FIRST} {LAST}"}
    case = await published(db, live, make_staff, consent=consent, **NAMED)
    manager = await make_staff(Role.SUPERVISOR)
    sighting_photo = jpeg(40, 30, color=(10, 200, 30))
    await add_sighting(db, case, sighting_photo)
    await withdrawal_report.record_manual_post(
        db, manager, case.id, f"https://social.example/{FIRST.lower()}-{LAST.lower()}"
    )
    photo = await db.conn.fetchval("SELECT jpeg FROM photos WHERE case_id = $1", case.id)
    # A field search whose searcher is still checked in when the case closes: the briefing,
    # the check-in and the position (issue 21) go with the purge.
    searcher_id = await searcher(db, moved(GENT, 1), email="searcher@example.org")
    search = await field_search(db, manager, case, briefing=f"Search for {FIRST} by the canal")
    await searches.check_in(db, search.id, searcher_id, (51.0612345, 3.7298765))
    # A poster round: the place where posters went up (issue 21) goes with the purge too.
    poster_id = await poster_volunteer(db, moved(GENT, 1), email="posters@example.org")
    round_, _ = await poster_rounds.start(db, live, manager, case.id, 1.0)
    await poster_rounds.answer(db, round_.id, poster_id, "accepted")
    place = await poster_rounds.put_up(db, round_.id, poster_id, (51.0712345, 3.7398765), 3)
    async with dispatching(db, live):
        await eventually(states_are(db, case.id, {"sent"}))
        await revise_approved(db, live, manager, case.id, {"clothing": f"{FIRST}'s red coat"})
        await eventually(states_are(db, case.id, {"sent", "superseded"}))
        # A volunteer's answer (issue 21): purged with the case.
        volunteer = await db.conn.fetchval(
            "SELECT volunteer_id FROM publications WHERE case_id = $1 AND channel = 'email'",
            case.id,
        )
        assert await answers.record(db, case.id, volunteer, "help", "email") == "recorded"
        await close(db, manager, case.id)
        await eventually(ended(db, case.id))
    await poster_rounds.sweep(db, live)  # the takedown task; the volunteer confirms it
    await poster_rounds.removed(db, round_.id, poster_id, place)
    needles = [FIRST, LAST, "Jan Tipgever", "jan@tip.example", "470 12 34", "51.0612345",
               "51.0712345"]  # fmt: skip
    blobs = [photo, photo[len(photo) // 2 : len(photo) // 2 + 64], sighting_photo]
    before = await whole_database(db.conn, needles, blobs)
    assert {"cases.first_name", "photos.jpeg", "publications.body", "sightings.contact_name",
            "case_revisions.snapshot", "consents.given_by", "searches.briefing",
            "search_members.lat", "poster_places.lat"} <= before  # fmt: skip

    settings = with_channels(live, retention_days=30)
    assert (await retention.purge(db, settings)).purged == ()  # closed today: not yet
    await closed_long_ago(db, case.id)
    report = await retention.purge(db, settings)
    assert [p.case_id for p in report.purged] == [case.id]
    counts = report.purged[0].counts
    assert counts["photos"] == 1 and counts["sightings"] == 1 and counts["sighting_drafts"] == 1
    assert counts["searches"] == 1 and counts["poster_rounds"] == 1
    assert counts["materials"] > 0 and counts["message_texts_and_addresses"] >= 3
    assert await whole_database(db.conn, needles, blobs) == set()
    assert counts["answers"] == 1
    assert (
        await db.conn.fetchval("SELECT count(*) FROM case_answers WHERE case_id = $1", case.id) == 0
    )
    # The volunteers' addresses stay with the volunteers only, not with the case.
    addresses = await db.conn.fetch(
        "SELECT address FROM publications WHERE case_id = $1 AND volunteer_id IS NOT NULL", case.id
    )
    assert addresses and {r["address"] for r in addresses} == {None}
    # What stays: the reference, the dates, the counts, and the registry without texts.
    record = await db.conn.fetchrow("SELECT * FROM purge_records WHERE case_id = $1", case.id)
    assert record["reference"] == case.reference and json.loads(record["counts"]) == counts
    row = await db.conn.fetchrow("SELECT * FROM cases WHERE id = $1", case.id)
    assert row["reference"] == case.reference and row["closed_at"] and row["purged_at"]
    assert await db.conn.fetchval("SELECT count(*) FROM publications WHERE case_id = $1", case.id)
    assert (await retention.purge(db, settings)).purged == ()  # a second run changes nothing


async def test_a_case_still_being_withdrawn_waits_and_the_scheduler_purges_daily(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    waiting = await published(db, settings, make_staff, photo=True)
    done = await published(db, settings, make_staff, photo=True)
    for case in (waiting, done):
        await without_hosted(db, case.id)
        await close(db, await make_staff(), case.id)
        await closed_long_ago(db, case.id)
    await db.conn.execute(
        "INSERT INTO publications (case_id, revision, channel, target, state, sent_at) "
        "VALUES ($1, 1, 'social', 'https://social.example/p', 'withdrawing', now())",
        waiting.id,
    )  # fmt: skip
    scheduler = Scheduler(db, settings)
    results = await scheduler.run_due()
    assert results["retention"] == {"cases": 1, "photos": 1, "proposals": 0, "materials": 0,
                                    "telegram_files": 0, "sightings": 0, "sighting_drafts": 0,
                                    "revision_snapshots": 1,
                                    "message_texts_and_addresses": 0, "consent_details": 1,
                                    "cap_messages": 0, "searches": 0, "answers": 0,
                                    "poster_rounds": 0,
                                    "waiting": 1}  # fmt: skip
    assert "retention" not in await scheduler.run_due()  # once a day
    assert await db.conn.fetchval("SELECT count(*) FROM photos WHERE case_id = $1", waiting.id)


async def test_python_run_py_purge_prints_what_it_purged(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case = await published(db, settings, make_staff, photo=True, **NAMED)
    await close(db, await make_staff(), case.id)
    await closed_long_ago(db, case.id, days=8)
    env: dict[str, Any] = {"DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING"}
    assert "Purged 0 case(s)" in await run_cli("purge", env=env)
    out = await run_cli("purge", env={**env, "RETENTION_DAYS": "7"})
    assert "Purged 1 case(s) closed more than 7 days ago." in out
    assert "  photos: 1" in out and "  revision snapshots: 1" in out
    assert FIRST not in await db.conn.fetchval("SELECT row(c.*)::text FROM cases c")
