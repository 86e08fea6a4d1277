"""Two people approve everything that widens what is public; one person narrows at once.

Issue 17, "What breaks today" 1: a submitted case whose consent was raised or which got a photo
stayed waiting for approval (the approver approved what they did not see), and one case manager
alone widened an active case (consent, first name) on the page, the feed and the press room.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import aiohttp
import feedparser
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases import proposals
from alerts.cases.consent import CHANNEL_LEVEL, PublicView
from alerts.cases.proposals import Proposal
from alerts.cases.publicity import coarsen
from alerts.cases.widening import canonical, places_of, views_of, widens
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff.models import Role
from tests.support import images
from tests.support.app import Bearer, StaffFactory
from tests.support.approval import api_approve, approve_change
from tests.support.factories import CASE_FIELDS, CONSENT, approved, last_seen, pending

Client = TestClient[Any, Any]
WIDE = {**CONSENT, "level": 3, "photo": True, "name_mode": "full", "place_precision": "exact",
        "forwarding": True}  # fmt: skip
LIVE = ("pending", "sending", "sent")


def in_feed(feed: str, public_id: str) -> bool:
    """Whether the Atom feed carries the case as an entry (a withdrawn case stays only as an
    RFC 6721 deleted entry, which names nothing but its address)."""
    return any(public_id in entry.get("id", "") for entry in feedparser.parse(feed).entries)


async def _json(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


def _photo_form() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("photo", images.jpeg(), filename="p.jpg", content_type="image/jpeg")
    return form


async def test_attack_a_submitted_case_goes_back_to_draft_when_its_consent_or_photo_changes(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    fields = {**CASE_FIELDS, "last_seen_at": last_seen()}
    case = await _json(await client.post("/api/cases", json=fields, headers=manager), 201)
    url = f"/api/cases/{case['id']}"
    await _json(await client.put(f"{url}/consent", json=CONSENT, headers=manager), 200)
    await _json(await client.post(f"{url}/submit", headers=manager), 200)

    # The attack: raise the consent to everything while the case waits for approval.
    await _json(await client.put(f"{url}/consent", json=WIDE, headers=manager), 200)
    read = await _json(await client.get(url, headers=manager), 200)
    assert read["state"] == "draft"
    # The approver cannot approve what they did not see: the case is a draft again.
    stale = {"fingerprint": "0" * 64}
    refused = await client.post(f"{url}/approve", json=stale, headers=supervisor)
    assert refused.status == 409

    # The same with a photo added to a submitted case.
    await _json(await client.post(f"{url}/submit", headers=manager), 200)
    await _json(await client.post(f"{url}/photos", data=_photo_form(), headers=manager), 201)
    assert (await _json(await client.get(url, headers=manager), 200))["state"] == "draft"


async def test_attack_one_account_cannot_widen_an_active_case_alone(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    fields = {**CASE_FIELDS, "last_seen_at": last_seen(), "languages": ["nl"]}
    case = await _json(await client.post("/api/cases", json=fields, headers=manager), 201)
    url = f"/api/cases/{case['id']}"
    await _json(await client.put(f"{url}/consent", json=CONSENT, headers=manager), 200)
    await _json(await client.post(f"{url}/submit", headers=manager), 200)
    await _json(await api_approve(client, url, supervisor), 200)
    page = f"/alerts/{case['public_id']}?lang=nl"

    # One case manager raises the consent and renames the child: both are held as proposals.
    held = await _json(await client.put(f"{url}/consent", json=WIDE, headers=manager), 202)
    renamed = await _json(
        await client.patch(url, json={"first_name": "Charlotte"}, headers=manager), 202
    )
    assert "approver role" in held["message"]
    html = await (await client.get(page)).text()
    assert "Vermeulen" not in html and "Charlotte" not in html and "Lotte" in html
    assert case["public_id"] not in await (await client.get("/feeds/alerts.atom")).text()
    assert (await _json(await client.get(url, headers=manager), 200))["revision"] == 1

    # The proposer cannot approve their own proposal, with any role.
    consent_url = f"{url}/proposals/{held['proposal']['id']}"
    assert (await api_approve(client, consent_url, manager)).status == 403
    preview = await _json(await client.get(consent_url, headers=supervisor), 200)
    assert preview["widens"] and preview["languages"]["nl"]["after"]["poster_page"]
    poster = await client.get(preview["languages"]["nl"]["after"]["poster_page"],
                              headers=supervisor)  # fmt: skip
    assert poster.status == 200 and (await poster.read()).startswith(b"\x89PNG")

    # A second account with the approver role approves: now it is published.
    await _json(await api_approve(client, consent_url, supervisor), 200)
    html = await (await client.get(page)).text()
    assert "Vermeulen" in html and "Charlotte" not in html
    assert case["public_id"] in await (await client.get("/feeds/alerts.atom")).text()
    rejected = f"{url}/proposals/{renamed['proposal']['id']}/reject"
    assert (await client.post(rejected, headers=supervisor)).status == 200
    assert "Charlotte" not in await (await client.get(page)).text()


async def test_narrowing_by_one_account_takes_effect_at_once(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(
        database, settings, make_staff, level=3, languages=["nl"], photo=True,
        consent={"name_mode": "full"},
    )  # fmt: skip
    page = f"/alerts/{case.public_id}?lang=nl"
    assert "Vermeulen" in await (await client.get(page)).text()
    narrower = {**CONSENT, "level": 2, "photo": False, "name_mode": "first"}
    consent = await pipeline.change_consent(database, settings, manager, case.id, narrower)
    assert not isinstance(consent, Proposal)  # no second person needed to narrow
    assert "Vermeulen" not in await (await client.get(page)).text()
    assert (await client.get(f"/alerts/{case.public_id}/photo.jpg")).status != 200
    assert not in_feed(await (await client.get("/feeds/alerts.atom")).text(), case.public_id)
    # A correction that takes words away is no proposal either.
    edited = await pipeline.revise(database, settings, manager, case.id,
                                   {"clothing": "red rain jacket"})  # fmt: skip
    assert isinstance(edited, type(case)) and edited.revision == case.revision + 2


async def test_a_change_after_the_approver_looked_is_refused_with_409(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=2, languages=["nl"])
    supervisor = await make_staff(Role.SUPERVISOR)
    change = await pipeline.change_consent(
        database, settings, manager, case.id, {**CONSENT, "level": 3}
    )
    assert isinstance(change, Proposal)
    seen = (await proposals.preview(database, settings, case, change)).fingerprint
    # Meanwhile the case manager takes words out of the description (a narrowing: at once).
    await pipeline.revise(database, settings, manager, case.id, {"description": "Left home."})
    with pytest.raises(errors.Conflict, match="changed since you looked at it"):
        await pipeline.approve_proposal(database, settings, supervisor, case.id, change.id, seen)
    assert (await cases.current_consent(database, case.id)).level == 2  # type: ignore[union-attr]
    assert (await proposals.get(database, case.id, change.id)).state == "pending"
    # Looking again and approving what is shown now works.
    fresh = await cases.get(database, case.id)
    seen = (await proposals.preview(database, settings, fresh, change)).fingerprint
    await pipeline.approve_proposal(database, settings, supervisor, case.id, change.id, seen)
    assert (await cases.current_consent(database, case.id)).level == 3  # type: ignore[union-attr]


async def test_a_case_resubmitted_after_the_approver_looked_is_refused_with_409(
    client: Client, make_staff: StaffFactory, bearer: Bearer
) -> None:
    manager = await bearer(await make_staff())
    supervisor = await bearer(await make_staff(Role.SUPERVISOR))
    fields = {**CASE_FIELDS, "last_seen_at": last_seen()}
    case = await _json(await client.post("/api/cases", json=fields, headers=manager), 201)
    url = f"/api/cases/{case['id']}"
    await _json(await client.put(f"{url}/consent", json=CONSENT, headers=manager), 200)
    await _json(await client.post(f"{url}/submit", headers=manager), 200)
    seen = await _json(await client.get(f"{url}/preview", headers=supervisor), 200)
    await _json(await client.put(f"{url}/consent", json=WIDE, headers=manager), 200)
    await _json(await client.post(f"{url}/submit", headers=manager), 200)
    refused = await _json(
        await client.post(
            f"{url}/approve", json={"fingerprint": seen["fingerprint"]}, headers=supervisor
        ),
        409,
    )
    assert "changed since you looked at it" in refused["error"]
    assert (await _json(await client.get(url, headers=manager), 200))["state"] == (
        "pending_approval"
    )


async def test_the_approver_roles_setting_decides_who_approves(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    manager, colleague = await make_staff(), await make_staff()
    case = await pending(database, manager)
    with pytest.raises(errors.Forbidden, match="approver role"):
        await pipeline.approve(database, settings, colleague, case.id)
    everyone = dataclasses.replace(settings, approver_roles=("case_manager", "supervisor"))
    assert (await pipeline.approve(database, everyone, colleague, case.id)).state == "active"


# -- the property --------------------------------------------------------------------------------

WORDS = ("", "red rain jacket", "blue backpack", "zebra", "Vermeulen", "Left home after school")
ACTIONS = st.one_of(
    st.tuples(
        st.just("consent"), st.integers(0, 3), st.booleans(),
        st.sampled_from(["full", "first", "none"]),
        st.sampled_from(["exact", "municipality", "province"]), st.booleans(),
    ),
    st.tuples(st.just("edit"), st.sampled_from(["description", "clothing", "marks", "hair"]),
              st.sampled_from(WORDS)),
    st.tuples(st.just("edit"), st.just("age"), st.sampled_from([None, 14, 15])),
    st.tuples(st.just("photo")),
    st.tuples(st.just("approve")),
)  # fmt: skip


async def _views(db: Database, settings: Settings, case_id: int) -> dict[str, PublicView | None]:
    case = await cases.get(db, case_id)
    return views_of(await proposals.current(db, case), now=datetime.now(UTC), coarsen=coarsen,
                    base_url=settings.public_base_url, hotline=settings.hotline_number)  # fmt: skip


async def _act(db: Database, settings: Settings, manager: Any, case_id: int, action: Any) -> Any:
    if action[0] == "consent":
        _, level, photo, name, place, forwarding = action
        data = {**CONSENT, "level": level, "photo": photo, "name_mode": name,
                "place_precision": place, "forwarding": forwarding}  # fmt: skip
        return await pipeline.change_consent(db, settings, manager, case_id, data)
    if action[0] == "edit":
        return await pipeline.revise(db, settings, manager, case_id, {action[1]: action[2]})
    return await pipeline.add_photo(db, settings, manager, case_id, images.jpeg(40, 50))


async def _check_artefacts(
    client: Client, db: Database, case_id: int, approved: dict[str, PublicView | None]
) -> None:
    """What the page, the feed and the registry show stays within what was approved."""
    case = await cases.get(db, case_id)
    page = await client.get(f"/alerts/{case.public_id}?lang=nl")
    html = await page.text()
    page_view = approved["case_page"]
    if page_view is None:
        assert page.status == 410 or "Lotte" not in html
    else:
        approved_words = " ".join(str(v) for v in canonical(approved)["case_page"].values())
        for marker in ("zebra", "backpack", "Vermeulen"):
            assert marker in approved_words or marker not in html, marker
    feed = await (await client.get("/feeds/alerts.atom")).text()
    assert approved["feed"] is not None or not in_feed(feed, case.public_id)
    level = max((v.level for v in approved.values() if v is not None), default=0)
    for row in await db.fetch("list_publications", case_id):
        if row["state"] in LIVE:
            assert CHANNEL_LEVEL.get(row["channel"], 0) <= level, dict(row)
            if row["target"] == "photo.jpg":
                assert page_view is not None and page_view.photo is not None


async def test_property_one_account_never_publishes_more_than_a_second_one_approved(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    loop = asyncio.get_running_loop()
    supervisor = await make_staff(Role.SUPERVISOR)

    async def scenario(start_level: int, start_photo: bool, actions: list[Any]) -> None:
        case, manager = await approved(
            database, settings, make_staff, level=start_level, languages=["nl"],
            photo=start_photo,
        )  # fmt: skip
        ceiling = await _views(database, settings, case.id)  # what a second account approved
        places = places_of(case, coarsen)
        for action in actions:
            before = await _views(database, settings, case.id)
            if action[0] == "approve":  # a second account approves what is waiting
                for change in await proposals.list_for(database, case.id, pending=True):
                    await approve_change(database, settings, supervisor, change)
                ceiling = await _views(database, settings, case.id)
                continue
            result = await _act(database, settings, manager, case.id, action)
            after = await _views(database, settings, case.id)
            if isinstance(result, Proposal):
                assert canonical(after) == canonical(before), action  # nothing changed
                fresh = await cases.get(database, case.id)
                preview = await proposals.preview(database, settings, fresh, result)
                assert any(c.widens for c in preview.changes), action
            else:
                # It took effect at once, and it did not widen anything.
                assert not widens(before, after, places), action
            assert not widens(ceiling, after, places), action
            await _check_artefacts(client, database, case.id, ceiling)

    @given(st.integers(1, 3), st.booleans(), st.lists(ACTIONS, min_size=1, max_size=6))
    @hypothesis_settings(max_examples=12, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(start_level: int, start_photo: bool, actions: list[Any]) -> None:
        future = asyncio.run_coroutine_threadsafe(scenario(start_level, start_photo, actions), loop)
        future.result()

    await asyncio.to_thread(check)
