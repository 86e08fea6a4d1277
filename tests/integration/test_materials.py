"""Materials and their publications: rendered at approval and at each revision, one registry row
per material and hosted page, served from the current revision, older addresses redirected."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.publication import materials
from tests.support.app import StaffFactory
from tests.support.factories import approved, path_of, registry, revise

EXPECTED_NL_FR = {
    ("poster", "poster-nl.pdf"), ("poster", "poster-fr.pdf"), ("poster", "poster-nl-fr.pdf"),
    ("image", "square-nl.png"), ("image", "square-fr.png"),
    ("image", "story-nl.png"), ("image", "story-fr.png"),
}  # fmt: skip


async def test_approval_of_a_public_case_publishes_every_material_at_its_address(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=3, photo=True)
    rows = await registry(database, case.id)
    files = {(r["channel"], r["target"]) for r in rows if r["channel"] in ("poster", "image")}
    assert files == EXPECTED_NL_FR
    assert {(r["channel"], r["target"]) for r in rows} >= {
        ("case_page", "page"), ("case_page", "photo.jpg"), ("feed", "atom"), ("feed", "cap"),
        ("press", "press-room"),
    }  # fmt: skip
    assert all(r["state"] == "sent" and r["sent_at"] and r["revision"] == 1 for r in rows)
    for row in rows:
        assert row["address"].startswith(settings.public_base_url)
        response = await client.get(path_of(row["address"]))
        assert response.status == 200, row["address"]
        body = await response.read()
        if row["target"].endswith(".pdf"):
            assert body.startswith(b"%PDF") and response.content_type == "application/pdf"
        elif row["target"].endswith(".png"):
            size = Image.open(io.BytesIO(body)).size
            assert size == ((1080, 1080) if row["target"].startswith("square") else (1080, 1920))


async def test_a_discreet_case_gets_only_its_case_page(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=1)
    rows = await registry(database, case.id)
    assert [(r["channel"], r["target"]) for r in rows] == [("case_page", "page")]
    assert await database.fetch("material_index", case.id, case.revision) == []
    assert (await client.get(f"/alerts/{case.public_id}/poster-nl.pdf")).status == 410
    assert (await client.get(f"/alerts/{case.public_id}")).status == 200


async def test_a_regional_case_gets_posters_and_images_but_no_feed_or_press(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(database, settings, make_staff, level=2, languages=("de",))
    targets = {(r["channel"], r["target"]) for r in await registry(database, case.id)}
    assert targets == {
        ("case_page", "page"), ("poster", "poster-de.pdf"), ("image", "square-de.png"),
        ("image", "story-de.png"),
    }  # fmt: skip


async def test_a_revision_regenerates_and_the_old_addresses_lead_to_the_current_one(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=2, languages=("nl",))
    old = {r["target"]: r for r in await registry(database, case.id)}
    first = await (await client.get(path_of(old["poster-nl.pdf"]["address"]))).read()
    case = await revise(database, settings, manager, case, clothing="green hoodie, grey cap")
    assert case.revision == 2
    rows = await registry(database, case.id)
    assert {r["state"] for r in rows if r["revision"] == 1} == {"superseded"}
    current = {r["target"]: r for r in rows if r["revision"] == 2}
    assert set(current) == set(old) and {r["state"] for r in current.values()} == {"sent"}
    response = await client.get(path_of(old["poster-nl.pdf"]["address"]), allow_redirects=False)
    assert response.status in (301, 302)
    assert response.headers["Location"] == f"/alerts/{case.public_id}/poster-nl.pdf"
    followed = await client.get(path_of(old["poster-nl.pdf"]["address"]))
    second = await followed.read()
    assert second.startswith(b"%PDF") and second != first
    again = await client.get(path_of(current["poster-nl.pdf"]["address"]), allow_redirects=False)
    assert again.status == 200 and await again.read() == second


async def test_invariant_2_every_material_is_recorded(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("fr", "en"))
    await revise(database, settings, manager, case, hair="short, dyed black")
    other, _ = await approved(database, settings, make_staff, level=2, languages=("nl",))
    stored = {
        (
            r["case_id"],
            r["revision"],
            f"{r['kind']}-{r['language']}.{'pdf' if r['kind'] == 'poster' else 'png'}",
        )
        for r in await database.conn.fetch(
            "SELECT case_id, revision, kind, language FROM materials"
        )
    }
    recorded = {
        (r["case_id"], r["revision"], r["target"])
        for r in await database.conn.fetch(
            "SELECT case_id, revision, target FROM publications"
            " WHERE channel IN ('poster', 'image')"
        )
    }
    assert stored == recorded
    assert {case_id for case_id, _, _ in stored} == {case.id, other.id}
    assert len(stored) == 2 * 6 + 3  # two revisions of fr+en (no bilingual poster), one of nl


async def test_closing_withdraws_every_hosted_publication(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("nl",))
    await pipeline.close(database, manager, case.id, "found_safe")
    rows = await registry(database, case.id)
    assert rows and {r["state"] for r in rows} == {"withdrawn"}
    assert all(r["ended_at"] is not None for r in rows)


def test_material_file_names() -> None:
    assert materials.parse_filename("poster-nl-fr.pdf") == materials.MaterialFile(
        kind="poster", language="nl-fr"
    )
    for bad in ("square-nl-fr.png", "poster-nl.png", "story-xx.png", "../poster-nl.pdf", "x"):
        assert materials.parse_filename(bad) is None
    planned = materials.planned_files(["fr", "nl"], posters=True, images=False)
    assert [f.filename for f in planned] == ["poster-fr.pdf", "poster-nl.pdf", "poster-nl-fr.pdf"]
