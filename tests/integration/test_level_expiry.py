"""Alerts that end unless renewed (issue 20): each level runs for its LEVEL_MAX_HOURS; the case's
staff are reminded once before the end, by e-mail and on the console; renewing the public level
takes a second staff member; at the end without renewal the level drops and what the lower level
does not allow is withdrawn; CAP `expires` is the level's end, and a renewal is an Update."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts import errors
from alerts.cases import lifecycle as cases
from alerts.cases.models import Case
from alerts.cases.proposals import Proposal
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import expiry, pipeline
from alerts.outbox.scheduler import Scheduler
from alerts.partners import cap_store, feeds
from alerts.staff import auth
from alerts.staff.models import Role, Staff
from sandbox.smtp_sink import SmtpSink
from tests.integration.test_cap_messages import check_chain, feed_messages, parsed, text
from tests.support.app import Bearer, StaffFactory
from tests.support.approval import approve_change
from tests.support.console import logged_in
from tests.support.factories import approved

DAY_ONE = ((3, 24), (2, 48))


def levels_of(settings: Settings) -> Settings:
    """The public level for 24 hours, the regional level for 48 (then down to level 1)."""
    return dataclasses.replace(settings, level_max_hours=DAY_ONE)


async def staff_with_email(db: Database, role: Role, language: str, name: str) -> Staff:
    staff_id = await auth.create_staff(
        db, username=name, display_name=name.title(), role=role, password="x" * 16,
        language=language, email=f"{name}@hotline.example",
    )  # fmt: skip
    row = await db.fetchrow("staff_by_id", staff_id)
    assert row is not None
    return Staff.from_row(row)


async def ends_in(db: Database, case: Case, delta: timedelta) -> None:
    """As if the level had begun long enough ago that it ends `delta` from now."""
    await db.conn.execute(
        "UPDATE cases SET level_expires_at = now() + $2::interval WHERE id = $1", case.id, delta
    )


async def consent_level(db: Database, case: Case) -> int:
    consent = await cases.current_consent(db, case.id)
    assert consent is not None
    return consent.level


async def test_the_public_level_ends_after_its_hours_and_cap_expires_says_so(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    before = datetime.now(UTC)
    case, _ = await approved(db, on, make_staff, level=3)
    assert case.level_expires_at is not None
    assert (
        before + timedelta(hours=24)
        <= case.level_expires_at
        <= datetime.now(UTC) + timedelta(hours=24)
    )
    view = await feeds_view(db, on, case)
    alert = parsed(await cap_store.alert_message(db, on, case.id, view))
    infos = alert.findall("cap:info", NS)
    expires = {
        datetime.fromisoformat(info.findtext("cap:expires", namespaces=NS)) for info in infos
    }
    assert expires == {case.level_expires_at.replace(microsecond=0)}


async def test_a_level_that_is_not_limited_never_ends(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, _ = await approved(db, levels_of(settings), make_staff, level=1)
    assert case.level_expires_at is None
    assert await pipeline.expire_levels(db, levels_of(settings)) == 0


async def test_at_its_end_without_renewal_the_public_level_drops_and_the_public_channels_go(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    case, _ = await approved(db, on, make_staff, level=3)
    public = await hosted(db, case, ("press", "feed"))
    assert public and {row["state"] for row in public} == {"sent"}
    await ends_in(db, case, timedelta(seconds=-1))
    assert await pipeline.expire_levels(db, on) == 1
    assert await consent_level(db, case) == 2
    assert {row["state"] for row in await hosted(db, case, ("press", "feed"))} <= {
        "withdrawn", "cancelled", "manual", "withdrawing",
    }  # fmt: skip
    dropped = await cases.get(db, case.id)
    # Level 2 runs for its own 48 hours from the drop; the drop is in the audit log, by nobody.
    assert dropped.level_expires_at is not None
    assert dropped.level_expires_at > datetime.now(UTC) + timedelta(hours=47)
    entry = await db.conn.fetchrow(
        "SELECT staff_id, details FROM audit_log WHERE case_id = $1 AND action = 'level_expired'",
        case.id,
    )
    assert entry is not None and entry["staff_id"] is None
    assert await pipeline.expire_levels(db, on) == 0  # once


async def test_a_renewal_of_the_public_level_waits_for_a_second_staff_member(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    case, manager = await approved(db, on, make_staff, level=3)
    first_end = case.level_expires_at
    await ends_in(db, case, timedelta(hours=1))
    proposal = await pipeline.renew(db, on, manager, case.id)
    assert isinstance(proposal, Proposal) and proposal.kind == "renewal"
    with pytest.raises(errors.Conflict):  # one renewal waits at a time
        await pipeline.renew(db, on, manager, case.id)
    # The one who asked cannot approve it: the attack of one account keeping a child public.
    with pytest.raises((errors.Forbidden, errors.Conflict)):
        await approve_change(db, on, manager, proposal)
    waiting = await cases.get(db, case.id)
    assert waiting.level_period == 1 and waiting.level_expires_at != first_end
    renewed = await approve_change(db, on, await make_staff(Role.SUPERVISOR), proposal)
    assert renewed.level_period == 2
    assert renewed.level_expires_at is not None
    assert renewed.level_expires_at > datetime.now(UTC) + timedelta(hours=23)
    # The CAP chain: the Alert of period 1, then an Update carrying the new `expires`.
    view = await feeds_view(db, on, case)
    await cap_store.alert_message(db, on, case.id, view)
    messages = feed_messages(await feeds.cap_feed(db, on))
    check_chain(messages)
    identifiers = [text(parsed(m), "cap:identifier") for m in messages]
    assert f"{case.public_id}.1.2" in identifiers


async def test_a_renewal_approved_after_the_level_ended_is_refused(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    case, manager = await approved(db, on, make_staff, level=3)
    await ends_in(db, case, timedelta(hours=1))
    proposal = await pipeline.renew(db, on, manager, case.id)
    await ends_in(db, case, timedelta(seconds=-1))
    await pipeline.expire_levels(db, on)
    with pytest.raises(errors.Conflict):
        await approve_change(db, on, await make_staff(Role.SUPERVISOR), proposal)
    assert await consent_level(db, case) == 2


async def test_a_lower_level_is_renewed_by_the_case_staff_alone_and_by_nobody_else(
    db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    case, manager = await approved(db, on, make_staff, level=2)
    with pytest.raises(errors.Forbidden):  # a case manager of another case
        await pipeline.renew(db, on, await make_staff(), case.id)
    renewed = await pipeline.renew(db, on, manager, case.id)
    assert isinstance(renewed, Case) and renewed.level_period == 2


async def test_the_reminder_goes_once_in_each_language_even_with_two_schedulers(
    db: Database, settings: Settings, sink: SmtpSink, make_staff: StaffFactory
) -> None:
    on = dataclasses.replace(levels_of(settings), smtp_url=sink.url)
    case, manager = await approved(db, on, make_staff, level=3)
    amelie = await staff_with_email(db, Role.CASE_MANAGER, "fr", "amelie")
    await db.conn.execute("UPDATE cases SET created_by = $2 WHERE id = $1", case.id, amelie.id)
    await staff_with_email(db, Role.SUPERVISOR, "nl", "bram")
    await ends_in(db, case, timedelta(hours=2))
    sent = await asyncio.gather(expiry.remind(db, on), expiry.remind(db, on))
    assert sorted(sent) == [0, 2]
    assert await expiry.remind(db, on) == 0
    subjects = sorted(str(m.message["Subject"]) for m in sink.messages)
    assert len(subjects) == 2
    assert any("niveau de publication" in s for s in subjects)  # French, for Amélie
    assert any("publicatieniveau" in s for s in subjects)  # Dutch, for Bram
    for message in sink.messages:
        assert "Lotte" not in message.message.as_string()  # the reference, never the child's name
    # The scheduler runs the same job: nothing more is sent.
    assert (await Scheduler(db, on).run_due())["levels"] == {"reminded": 0, "dropped": 0}


async def test_the_console_shows_the_end_and_a_renewal_goes_to_approval(
    client: TestClient[Any, Any], db: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    on = levels_of(settings)
    case, manager = await approved(db, on, make_staff, level=3)
    await ends_in(db, case, timedelta(hours=2))
    await expiry.remind(db, on)
    csrf = await logged_in(client, manager)
    page = await (await client.get(f"/console/cases/{case.id}")).text()
    assert 'id="level-end"' in page and "alert-warning" in page and "Renew the level" in page
    listed = await (await client.get("/console?state=active")).text()
    assert "level-ending" in listed
    answer = await client.post(f"/console/cases/{case.id}/renewal", data={"csrf_token": csrf},
                               allow_redirects=False)  # fmt: skip
    assert answer.status == 303 and answer.headers["Location"].endswith("?done=proposed")
    again = await client.post(f"/console/cases/{case.id}/renewal", data={"csrf_token": csrf})
    assert again.status == 409 and "already waits for approval" in await again.text()
    # The approver's page says what a renewal does, in their language.
    proposal = await db.conn.fetchval(
        "SELECT id FROM case_proposals WHERE case_id = $1 AND kind = 'renewal'", case.id
    )
    await logged_in(client, await make_staff(Role.SUPERVISOR))
    shown = await client.get(f"/console/cases/{case.id}/proposals/{proposal}?lang=fr")
    assert shown.status == 200
    assert "Garder le dossier au niveau 3 pendant encore 24 heures" in await shown.text()


# -- helpers -------------------------------------------------------------------------------------

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


async def hosted(db: Database, case: Case, channels: tuple[str, ...]) -> list[Any]:
    return list(await db.conn.fetch(
        "SELECT channel, state FROM publications WHERE case_id = $1 AND channel = ANY($2)",
        case.id, list(channels),
    ))  # fmt: skip


async def feeds_view(db: Database, settings: Settings, case: Case) -> Any:
    """The CAP channel's view of the case as it is now."""
    from alerts.cases.consent import public_view
    from alerts.cases.publicity import coarsen, latest_photo

    current = await cases.get(db, case.id)
    consent = await cases.current_consent(db, case.id)
    return public_view(
        current, consent, "feed", now=datetime.now(UTC),
        photo=await latest_photo(db, case.id), coarsen=coarsen,
        base_url=settings.public_base_url, hotline=settings.hotline,
    )  # fmt: skip


async def test_the_api_renews_a_lower_level_at_once_and_the_public_one_through_a_proposal(
    client: TestClient[Any, Any],
    db: Database,
    settings: Settings,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    regional, manager = await approved(db, settings, make_staff, level=2)
    headers = await bearer(manager)
    url = f"/api/cases/{regional.id}/renewal"
    # The client's settings run level 2 without end: nothing to renew.
    assert (await client.post(url, headers=headers)).status == 409
    await ends_in(db, regional, timedelta(hours=1))
    renewed = await client.post(url, headers=headers)
    assert renewed.status == 200 and (await renewed.json())["level_period"] == 2
    public, manager = await approved(db, settings, make_staff, level=3)
    answer = await client.post(f"/api/cases/{public.id}/renewal", headers=await bearer(manager))
    assert answer.status == 202 and (await answer.json())["proposal"]["kind"] == "renewal"
