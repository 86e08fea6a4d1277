"""The first message does not wait for the millionth (issue 18): the approval matches only the
nearest volunteers, from the KNN index on the areas' points, and the dispatchers match the rest
after its commit. Written as the faults: a matching that dies half-way loses nobody, the
volunteers come out exactly once and nearest first whatever the index's own (degree) order,
and the approval's work does not grow with the fan-out."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from alerts.cases import lifecycle as cases
from alerts.config import Settings
from alerts.db.database import Database
from alerts.db.queries import QUERIES
from alerts.geo.gazetteer import haversine_km
from alerts.outbox import fanout, withdrawal
from tests.support.app import StaffFactory
from tests.support.dispatch import GENT, active_case, add_area, add_volunteer, moved, with_channels

os.environ.setdefault("PTB_TIMEDELTA", "true")
BATCH = 4


@pytest.fixture
def small(settings: Settings) -> Settings:
    """Telegram configured (nothing is sent here), batches of four volunteers."""
    return with_channels(settings, fanout_batch_size=BATCH)


async def expand_all(db: Database) -> None:
    while await fanout.expand(db) is not None:
        pass


async def crowd(db: Database) -> list[tuple[float, int]]:
    """Volunteers around Gent in every direction (east-west they are fewer degrees of latitude
    but more of longitude away than north-south: the index's order is not the distance's),
    some with a second, nearer or farther area, some out of reach; (km, id) of those in reach,
    nearest first, as the great-circle distance orders them."""
    reach: list[tuple[float, int]] = []
    chat = 1
    for step in range(1, 11):
        for bearing in (0, 45, 90, 135, 180, 225, 270, 315):
            km = step * 0.9 + bearing / 400 + chat / 10_000  # no two alike
            volunteer = await add_volunteer(db, moved(GENT, km, bearing), chat_id=chat)
            chat += 1
            nearest = km
            if bearing in (90, 270) and step % 3 == 0:  # a second area nearer the point
                nearest = km / 2 + 0.0123
                await add_area(db, volunteer, moved(GENT, nearest, 0), radius_km=25, label="work")
            if bearing == 180 and step % 4 == 0:  # a second area far away counts not
                await add_area(db, volunteer, moved(GENT, 40, 0), radius_km=25, label="work")
            reach.append((nearest, volunteer))
    # Out of reach: beyond the case's 15 km, or outside their own area's radius.
    await add_volunteer(db, moved(GENT, 15.5, 90), chat_id=chat)
    await add_volunteer(db, moved(GENT, 3, 0), chat_id=chat + 1, radius_km=2)
    return sorted(reach)


async def volunteer_rows(db: Database, case_id: int) -> list[dict[str, Any]]:
    rows = await db.conn.fetch(
        "SELECT id, volunteer_id, sort_key FROM publications "
        "WHERE case_id = $1 AND channel = 'telegram_dm' ORDER BY id",
        case_id,
    )
    return [dict(r) for r in rows]


async def test_every_volunteer_in_reach_gets_exactly_one_row_nearest_first(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    reach = await crowd(db)
    case = await active_case(db, small, make_staff, photo=False)
    # The approval queued exactly the nearest batch (by kilometres, not by degrees).
    first = await volunteer_rows(db, case.id)
    assert [r["volunteer_id"] for r in first] == [v for _, v in reach[:BATCH]]
    await expand_all(db)
    rows = await volunteer_rows(db, case.id)
    # Each once, at their nearest area's distance, and made batch by batch nearest first (the
    # rows of one batch are made together, in no particular order among them).
    assert sorted(r["volunteer_id"] for r in rows) == sorted(v for _, v in reach)
    made = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
    expected = [reach[i : i + BATCH] for i in range(0, len(reach), BATCH)]
    assert [{r["volunteer_id"] for r in b} for b in made] == [{v for _, v in b} for b in expected]
    distance = dict((v, km) for km, v in reach)
    assert all(abs(r["sort_key"] - distance[r["volunteer_id"]]) < 1e-6 for r in rows)


async def test_a_matching_killed_half_way_loses_nobody(
    db: Database, database_url: str, small: Settings, make_staff: StaffFactory
) -> None:
    reach = await crowd(db)
    case = await active_case(db, small, make_staff, photo=False)
    # Another transaction holds the key of the matching's first batch: the matching blocks on
    # it, half-way through its writes, and its connection is killed there (a dispatcher dying).
    blocker = await asyncpg.connect(database_url)
    matcher = await asyncpg.connect(database_url)
    try:
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            "INSERT INTO fanout_batches (case_id, revision, seq, channels, override_quiet, "
            "volunteer_ids, distances, messages) VALUES ($1, 1, 1, '{}', false, '{}', '{}', 0)",
            case.id,
        )
        matching = asyncio.create_task(fanout.match_rest(Database(matcher)))
        pid = matcher.get_server_pid()

        async def blocked() -> bool:
            state = await db.conn.fetchval(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", pid
            )
            return bool(state == "Lock")

        for _ in range(200):
            if await blocked():
                break
            await asyncio.sleep(0.05)
        assert await blocked(), "the matching should be waiting inside its transaction"
        assert await db.conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            await matching
        await holding.rollback()
    finally:
        await blocker.close()
        matcher.terminate()
    # The matching is still to do; the next dispatcher does it, and everybody gets one row.
    assert await db.conn.fetchval("SELECT count(*) FROM fanout_matches WHERE case_id = $1", case.id)
    assert await fanout.match_rest(db) == len(reach) - BATCH
    assert await fanout.match_rest(db) is None
    await expand_all(db)
    made = [r["volunteer_id"] for r in await volunteer_rows(db, case.id)]
    assert sorted(made) == sorted(v for _, v in reach)


async def test_an_expansion_rolled_back_after_the_matching_makes_it_again(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    reach = await crowd(db)
    case = await active_case(db, small, make_staff, photo=False)
    await fanout.match_rest(db)
    # A batch taken and its rows made, then the transaction fails: the batch is still there.
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            assert await tx.fetchval("expand_fanout_batch", None, None) == BATCH
            raise RuntimeError("the dispatcher died")
    await expand_all(db)
    made = [r["volunteer_id"] for r in await volunteer_rows(db, case.id)]
    assert sorted(made) == sorted(v for _, v in reach)


async def test_a_consent_narrowed_while_the_matching_runs_narrows_what_it_writes(
    db: Database, database_url: str, small: Settings, make_staff: StaffFactory
) -> None:
    await crowd(db)
    case = await active_case(db, small, make_staff, photo=False)
    blocker = await asyncpg.connect(database_url)
    matcher = await asyncpg.connect(database_url)
    try:
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            "INSERT INTO fanout_batches (case_id, revision, seq, channels, override_quiet, "
            "volunteer_ids, distances, messages) VALUES ($1, 1, 1, '{}', false, '{}', '{}', 0)",
            case.id,
        )
        # The matching has taken its row and is under way (held up by the blocker) ...
        matching = asyncio.create_task(fanout.match_rest(Database(matcher)))
        await until_waiting(db, 1)
        # ... when the consent is revoked (the scheduler's path when a consent ends).
        previous = await cases.current_consent(db, case.id)
        narrowing = asyncio.create_task(
            withdrawal.narrow(db, case.id, previous, None, datetime.now(UTC))
        )
        await until_waiting(db, 2)
        await holding.rollback()
        await matching
        await narrowing
    finally:
        await blocker.close()
        await matcher.close()
    # What the matching wrote was narrowed too: no message is made for anyone.
    await expand_all(db)
    states = await db.conn.fetch(
        "SELECT DISTINCT state FROM publications WHERE case_id = $1 AND volunteer_id IS NOT NULL",
        case.id,
    )
    assert {r["state"] for r in states} == {"cancelled"}


async def until_waiting(db: Database, backends: int) -> None:
    """Until `backends` connections of this database wait for a lock."""
    for _ in range(200):
        waiting = await db.conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= backends:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{backends} connections should be waiting for a lock")


class Undone(Exception):
    """Rolls a transaction back."""


def scanned(plan: Any, relation: str) -> float:
    """The rows the plan's scans of `relation` returned, all loops."""
    node = plan.get("Plan", plan)
    rows = 0.0
    if node.get("Relation Name") == relation:
        rows += node["Actual Rows"] * node["Actual Loops"]
    for child in node.get("Plans", []):
        rows += scanned(child, relation)
    return rows


async def test_the_approval_does_not_grow_with_the_fan_out(
    db: Database, small: Settings, make_staff: StaffFactory
) -> None:
    # 1,200 volunteers in reach, one area each.
    await db.conn.execute(
        "WITH v AS (INSERT INTO volunteers (public_id, language, telegram_chat_id) "
        "SELECT 'crowd-' || i, 'nl', 100000 + i FROM generate_series(1, 1200) i RETURNING id) "
        "INSERT INTO volunteer_areas (volunteer_id, lat, lon, radius_km) "
        "SELECT id, $1 + ((id * 7919) % 1000) / 20000.0, $2 + ((id * 104729) % 1000) / 15000.0, 25 "
        "FROM v",
        *GENT,
    )
    case = await active_case(db, small, make_staff, photo=False)
    # What the approval's transaction wrote: the first batch's rows, one matching left to do;
    # no batches (before, it wrote all 300 and read all 1,200 areas).
    # A range, not BATCH exactly: the approval queues only the volunteers it can prove nearest
    # in km from the areas it read by degrees (a conservative bound: here fewer than a batch),
    # never more than a batch; the dispatchers' matching queues the others.
    first = await volunteer_rows(db, case.id)
    assert 1 <= len(first) <= BATCH
    # Whatever their number, they are the nearest by kilometres: none left out is nearer than
    # one queued (some areas share a point, so compared by distance, not as a set).
    assert case.last_seen_lat is not None and case.last_seen_lon is not None
    km = {
        area["volunteer_id"]: haversine_km(case.last_seen_lat, case.last_seen_lon,
                                           area["lat"], area["lon"])
        for area in await db.conn.fetch("SELECT volunteer_id, lat, lon FROM volunteer_areas")
    }  # fmt: skip
    queued = {row["volunteer_id"] for row in first}
    assert max(km[v] for v in queued) <= min(d for v, d in km.items() if v not in queued) + 1e-6
    assert await db.conn.fetchval("SELECT count(*) FROM fanout_batches") == 0
    assert await db.conn.fetchval("SELECT count(*) FROM fanout_matches") == 1
    # What the approval's matching reads: a bound set by the batch size, not the fan-out.
    explained: list[str] = []
    with pytest.raises(Undone):
        async with db.transaction() as tx:  # the approval's statement again, undone after
            await tx.conn.execute("DELETE FROM fanout_matches")
            explained.append(await tx.conn.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + QUERIES["plan_nearest_volunteers"],
                case.id, 1, *GENT, 10.0, ["telegram_dm"], False, BATCH,
                BATCH * fanout.NEAREST_AREAS_PER_VOLUNTEER, BATCH,
            ))  # fmt: skip
            raise Undone
    areas = scanned(json.loads(explained[0])[0], "volunteer_areas")
    assert 0 < areas <= BATCH * fanout.NEAREST_AREAS_PER_VOLUNTEER
    await fanout.match_rest(db)
    await expand_all(db)
    assert len(await volunteer_rows(db, case.id)) == 1200
