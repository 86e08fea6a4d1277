"""Poster rounds (issue 21, item 2 and the privacy of item 6), through the bot and the phone
page: three posters up, a revision that changes the poster asks for their replacement, the case
closes, takedown tasks go out, two removals are confirmed and the third is reminded then
reported; the withdrawal report says so until staff mark it for a person. And the attacks: a
poster round where the consent does not allow posters, two acceptances for one zone, another
case's staff or the public reading the places, a forged link."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import pytest

from alerts import errors
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import pipeline, report, retention, tasks
from alerts.outbox.scheduler import Scheduler
from alerts.rounds import notices, optin, service
from alerts.staff.models import Role
from alerts.volunteers import registry as volunteers
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.approval import revise_approved
from tests.support.bot import TOKEN, Client, Start, bot_settings, callbacks, sign_up
from tests.support.channels import close
from tests.support.console import logged_in
from tests.support.dispatch import GENT, moved
from tests.support.factories import approved
from tests.support.rounds import form_token, poster_volunteer, public_id

NEAR = moved(GENT, 2)


@pytest.fixture
async def bot_client(start: Start) -> Client:
    return await start()


def _path(link: str) -> str:
    return "/volunteer/" + link.split("/volunteer/", 1)[1]


async def _on_page(client: Client, path: str, action: str, **fields: str) -> str:
    """Post `action` on a volunteer's phone page; the page after."""
    token = form_token(await (await client.get(path)).text())
    answer = await client.post(path, data={"csrf_token": token, "action": action, **fields})
    assert answer.status == 200, await answer.text()
    return await answer.text()


@pytest.mark.sandbox(token=TOKEN, limits_enabled=False)
async def test_a_poster_round_from_the_bot_and_the_phone_page_to_the_takedown_report(
    bot_client: Client,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
) -> None:
    db, client = database, bot_client
    # One volunteer in the bot opts in from /settings; two by e-mail on their data page's form.
    person = await sign_up(sandbox, "nl")
    telegram_volunteer = await volunteers.by_chat(db, person.user.id)
    assert telegram_volunteer is not None
    assert "po:menu" in callbacks(await person.send("/settings"))
    about = await person.press("po:menu")
    assert "po:on" in callbacks(about) and "affiches" in (about.text or "")  # in Dutch
    await person.press("po:on")
    assert await optin.opted_in(db, telegram_volunteer.id)
    by_mail = [await poster_volunteer(db, NEAR, email=f"p{i}@example.org", language=lang)
               for i, lang in enumerate(("fr", "de"))]  # fmt: skip
    await poster_volunteer(db, moved(GENT, 80), email="far@example.org")  # out of reach

    case, manager = await approved(db, settings, make_staff)
    started, asked = await service.start(db, settings, manager, case.id, 1.0)
    assert asked == 3
    port = client.server.port or 0
    configured = bot_settings(settings, sandbox.url, port, smtp_url=sink.url, email_rate=100.0)
    pages = [_path(notices.page_url(configured, started.id, await public_id(db, v), lang))
             for v, lang in zip(by_mail, ("fr", "de"), strict=True)]  # fmt: skip
    async with tasks.sender(db, configured, per_chat_seconds=0) as notifier:
        assert await notifier.deliver_due() == 3
        assert f"pr:{started.id}:accepted" in callbacks(person.last)
        mails = await sink.wait_for_messages(2)
        assert {m.rcpt_tos for m in mails} == {("p0@example.org",), ("p1@example.org",)}
        assert any("affiches" in (m.subject or "") for m in mails)  # French

        # The bot: accept (a zone and the print link), share a location, then its count.
        accepted = await person.press(f"pr:{started.id}:accepted")
        assert f"/alerts/{case.public_id}/poster-nl.pdf" in (accepted.text or "")
        assert "A1" in (accepted.text or "")  # the first zone
        printed = await client.get(f"/alerts/{case.public_id}/poster-nl.pdf")
        assert printed.status == 200 and (await printed.read()).startswith(b"%PDF")
        recorded = await person.share(51.0612345, 3.7298765)
        [count_one] = [c for c in callbacks(recorded) if c.endswith(":1")]
        await person.press(count_one)
        # The phone page: accept, then a point and a count.
        for page, lat in zip(pages, ("51.0501", "51.0502"), strict=True):
            await _on_page(client, page, "accepted")
            html = await _on_page(client, page, "put_up", lat=lat, lon="3.7001", count="1")
            assert "3.70010" in html
        zones = [r["zone"] for r in await db.fetch("round_members", started.id)]
        assert sorted(zones) == [0, 1, 2]  # one zone each, in order of acceptance
        assert (await service.counts(db, case.id)).up == 3

        csrf = await logged_in(client, manager)
        console = await (await client.get(f"/console/cases/{case.id}/posters")).text()
        assert re.search(r'id="posters-up-now">3<', console)
        assert "p0@example.org" not in console  # pseudonyms, never addresses

        # A revision that changes what the poster shows: each is asked to replace theirs.
        await revise_approved(db, settings, manager, case.id, {"clothing": "a green raincoat"})
        assert await notifier.deliver_due() == 3
        assert f"pr:{started.id}:replaced" in callbacks(person.last)
        await person.press(f"pr:{started.id}:replaced")
        await _on_page(client, pages[0], "replaced")
        still = [r for r in await db.fetch("round_members", started.id)
                 if r["replace_asked_at"] and not r["replaced_at"]]  # fmt: skip
        assert [r["volunteer_id"] for r in still] == [by_mail[1]]

        # The case closes: a takedown task to each, listing their own places.
        await close(db, manager, case.id)
        assert await notifier.deliver_due() == 3
        takedown = person.last
        assert "51.06123" in (takedown.text or "")
        [removal] = [c for c in callbacks(takedown) if ":removed:" in c]
        await person.press(removal)
        first_page = await (await client.get(pages[0])).text()
        place = first_page.split('name="place" value="')[1].split('"')[0]
        await _on_page(client, pages[0], "removed", place=place)
        posters = await service.counts(db, case.id)
        assert (posters.removed, posters.outstanding) == (2, 1)

        # Not confirmed: reminded by the scheduler, then reported to staff.
        await db.conn.execute("UPDATE poster_rounds SET takedown_at = now() - interval '25 hours'")
        results = await Scheduler(db, configured).run_due()
        assert results["posters"] == {"reminded": 1, "reported": 0}
        assert await notifier.deliver_due() == 1
        reminder = (await sink.wait_for_messages(7))[-1]
        assert reminder.rcpt_tos == ("p1@example.org",) and "Plakate" in (reminder.subject or "")
        await db.conn.execute("UPDATE poster_places SET reminded_at = now() - interval '25 hours'")
        await db.conn.execute("UPDATE staff SET email = 'case@hotline.example', language = 'fr' "
                              "WHERE id = $1", manager.id)  # fmt: skip
        assert await service.remind(db, configured) == {"reminded": 0, "reported": 1}
        # The case's staff with an address get the report, in their language, by reference.
        reported = (await sink.wait_for_messages(8))[-1]
        assert reported.rcpt_tos == ("case@hotline.example",)
        assert f"Dossier {case.reference}\u00a0: emplacements" in (reported.subject or "")
        assert (reported.subject or "").endswith("\u00a0: 1")
        body = reported.text or ""
        assert f"/console/cases/{case.id}/posters" in body
        assert "Lotte" not in body and "Vermeulen" not in body  # never the child's name
        assert await service.remind(db, configured) == {"reminded": 0, "reported": 0}  # once

    # The withdrawal report counts them, and the case is not fully withdrawn while one is up.
    page = await (await client.get(f"/console/cases/{case.id}")).text()
    assert re.search(r'id="posters-up">3<', page) and re.search(r'id="posters-removed">2<', page)
    assert re.search(r'id="posters-outstanding">1<', page) and 'id="posters-reported"' in page
    posters = await service.counts(db, case.id)
    assert not report.summarise_counts({"withdrawn": 4}, posters).fully_withdrawn
    api = await (await client.get(f"/api/cases/{case.id}/publications")).json()
    assert api["summary"]["posters"]["outstanding"] == 1
    assert not api["summary"]["fully_withdrawn"]
    # Staff hand the last place to a person, with the reason: the round is done.
    [left] = [
        r for r in await db.fetch("poster_places_of_round", started.id) if not r["removed_at"]
    ]
    url = f"/console/cases/{case.id}/posters/{started.id}/places/{left['id']}/manual"
    refused = await client.post(url, data={"csrf_token": csrf, "reason": " "})
    assert refused.status == 422
    marked = await client.post(url, data={"csrf_token": csrf, "reason": "Volunteer unreachable"})
    assert marked.status == 200
    posters = await service.counts(db, case.id)
    assert (posters.outstanding, posters.manual) == (0, 1)
    assert report.summarise_counts({"withdrawn": 4}, posters).fully_withdrawn
    assert (await service.get(db, started.id)).state == "done"
    # Posters no longer go up on a closed case, from the bot or the page.
    refused_page = await client.get(pages[1])
    assert "alert" in await refused_page.text()
    with pytest.raises(errors.Gone):
        await service.put_up(db, started.id, by_mail[0], NEAR, 1)


async def test_no_round_where_the_consent_does_not_allow_posters(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    await poster_volunteer(database, NEAR, email="q@example.org")
    case, manager = await approved(database, settings, make_staff, level=1)
    with pytest.raises(errors.Conflict):
        await service.start(database, settings, manager, case.id, 1.0)
    assert await database.conn.fetchval("SELECT count(*) FROM poster_rounds") == 0
    # Nor by staff who are not the case's.
    other = await make_staff()
    active, _ = await approved(database, settings, make_staff)
    with pytest.raises(errors.Forbidden):
        await service.start(database, settings, other, active.id, 1.0)


async def test_volunteers_accepting_at_once_never_share_a_zone(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    many = [await poster_volunteer(database, NEAR, email=f"z{i}@example.org") for i in range(8)]
    case, manager = await approved(database, settings, make_staff)
    started, asked = await service.start(database, settings, manager, case.id, 0.5)
    assert asked == 8
    members = await asyncio.gather(*(service.answer(database, started.id, v, "accepted")
                                     for v in many))  # fmt: skip
    assert sorted(m.zone for m in members) == list(range(8))
    labels = {service.zone_of(started, m).label for m in members}  # type: ignore[union-attr]
    assert len(labels) == 8 and "B1" in labels  # the seventh opens the second ring
    # A zone given back without posters up is taken by the next who accepts.
    freed = (await service.member_of(database, started.id, many[0])).zone
    await service.answer(database, started.id, many[0], "declined")
    late = await poster_volunteer(database, NEAR, email="late@example.org")
    await database.conn.execute("INSERT INTO poster_members (round_id, volunteer_id) "
                                "VALUES ($1, $2)", started.id, late)  # fmt: skip
    assert (await service.answer(database, started.id, late, "accepted")).zone == freed


async def test_poster_places_are_seen_only_by_the_case_staff(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await poster_volunteer(database, NEAR, email="s@example.org")
    case, manager = await approved(database, settings, make_staff)
    started, _ = await service.start(database, settings, manager, case.id, 1.0)
    await service.answer(database, started.id, volunteer, "accepted")
    await service.put_up(database, started.id, volunteer, (51.0612345, 3.7298765), 2)
    url = f"/console/cases/{case.id}/posters"
    anonymous = await client.get(url, allow_redirects=False)
    assert anonymous.status in (302, 303, 401) and "51.0612" not in await anonymous.text()
    public = await client.get(f"/alerts/{case.public_id}")
    assert "51.0612" not in await public.text()
    _, other_manager = await approved(database, settings, make_staff)
    await logged_in(client, other_manager)
    refused = await client.get(url)
    assert refused.status == 403 and "51.0612" not in await refused.text()
    with pytest.raises(errors.Forbidden):
        found = await service.get(database, started.id)
        await service.overview(database, settings, other_manager, case, found)
    await logged_in(client, await make_staff(Role.SUPERVISOR))
    seen = await client.get(url)
    assert seen.status == 200 and "51.06123, 3.72988" in await seen.text()
    # A link signed for another round opens nothing.
    good = _path(notices.page_url(settings, started.id, await public_id(database, volunteer), "en"))
    assert (await client.get(good)).status == 200
    forged = good.replace(f"posters/{started.id}/", f"posters/{started.id + 1}/")
    assert (await client.get(forged)).status == 403


async def test_bad_input_on_the_phone_page_is_refused_with_nothing_recorded(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await poster_volunteer(database, NEAR, email="b@example.org")
    case, manager = await approved(database, settings, make_staff)
    started, _ = await service.start(database, settings, manager, case.id, 1.0)
    page = _path(notices.page_url(settings, started.id, await public_id(database, volunteer), "fr"))
    token = form_token(await (await client.get(page)).text())
    for action, extra in (("dance", {}), ("put_up", {"lat": "51.05", "lon": "3.7"}),
                          ("removed", {"place": "abc"})):  # fmt: skip
        answer = await client.post(page, data={"csrf_token": token, "action": action, **extra})
        assert 400 <= answer.status < 500, action
        assert "alert-error" in await answer.text()
    await service.answer(database, started.id, volunteer, "accepted")
    wrong = ({"lat": "north", "lon": "3.7"}, {"lat": "51.05", "lon": "3.7", "count": "0"},
             {"lat": "51.05", "lon": "3.7", "count": "2.5"}, {"lat": "", "lon": ""})  # fmt: skip
    said = {in_language("fr", message) for message in (
        "This number is missing or out of range.",
        "Share the position of the posters, or pick it on the map.")}  # fmt: skip
    for extra in wrong:
        answer = await client.post(page, data={"csrf_token": token, "action": "put_up", **extra})
        assert answer.status == 422, extra
        html = await answer.text()
        assert any(message in html for message in said), extra  # in French
    assert await database.conn.fetchval("SELECT count(*) FROM poster_places") == 0


async def test_the_purge_waits_while_posters_are_up_then_takes_the_places(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    db = database
    far = await poster_volunteer(db, moved(GENT, 80), email="w@example.org")  # no alert for them
    case, manager = await approved(db, settings, make_staff)
    started, _ = await service.start(db, settings, manager, case.id, 1.0)
    await db.conn.execute("INSERT INTO poster_members (round_id, volunteer_id) VALUES ($1, $2)",
                          started.id, far)  # fmt: skip
    await service.answer(db, started.id, far, "accepted")
    place = await service.put_up(db, started.id, far, (51.0712345, 3.7398765), 2)
    await close(db, manager, case.id)
    assert await service.sweep(db, settings) == {"takedown": 1, "replace": 0}
    await db.conn.execute("UPDATE cases SET closed_at = now() - interval '40 days' WHERE id = $1",
                          case.id)  # fmt: skip
    kept = dataclasses.replace(settings, retention_days=30)
    assert (await retention.purge(db, kept)).waiting == (case.id,)
    await service.mark_manual(db, manager, case, started.id, place, "Lamp post on private land")
    purged = await retention.purge(db, kept)
    assert [p.case_id for p in purged.purged] == [case.id]
    assert await db.conn.fetchval("SELECT count(*) FROM poster_places") == 0


async def test_a_revoked_consent_takes_the_posters_down_and_an_unchanged_poster_asks_nothing(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    db = database
    volunteer = await poster_volunteer(db, NEAR, email="c@example.org")
    case, manager = await approved(db, settings, make_staff)
    started, _ = await service.start(db, settings, manager, case.id, 1.0)
    await service.answer(db, started.id, volunteer, "accepted")
    await service.put_up(db, started.id, volunteer, NEAR, 1)
    # Nothing the poster shows changed: nobody is asked to replace theirs.
    assert await service.sweep(db, settings) == {"takedown": 0, "replace": 0}
    await pipeline.revoke_consent(db, manager, case.id)
    assert await service.sweep(db, settings) == {"takedown": 1, "replace": 0}
    assert (await service.get(db, started.id)).state == "takedown"
    kinds = [r["kind"] for r in await db.conn.fetch("SELECT kind FROM poster_messages ORDER BY id")]
    assert kinds == ["invite", "takedown"]
    with pytest.raises(errors.Gone):
        await service.put_up(db, started.id, volunteer, NEAR, 1)


async def test_a_volunteer_s_export_holds_their_poster_places(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer_id = await poster_volunteer(database, NEAR, email="x@example.org")
    case, manager = await approved(database, settings, make_staff)
    started, _ = await service.start(database, settings, manager, case.id, 1.0)
    await service.answer(database, started.id, volunteer_id, "accepted")
    await service.put_up(database, started.id, volunteer_id, (51.0555, 3.7111), 4)
    volunteer = await volunteers.by_public_id(database, await public_id(database, volunteer_id))
    assert volunteer is not None
    held = (await volunteers.export(database, volunteer))["poster_rounds"]
    [taken] = held["rounds"]
    assert held["opted_in"] and taken["answer"] == "accepted" and taken["zone"] == 0
    assert [(p["lat"], p["count"]) for p in taken["places"]] == [(51.0555, 4)]


async def test_the_console_form_refuses_bad_input_and_a_consent_without_posters(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff)
    discreet, _ = await approved(database, settings, make_staff, level=1)
    await database.conn.execute("UPDATE cases SET created_by = $1 WHERE id = $2", manager.id,
                                discreet.id)  # fmt: skip
    csrf = await logged_in(client, manager)
    for wrong in ("many", "0", "-1", "nan", "500"):
        refused = await client.post(f"/console/cases/{case.id}/posters",
                                    data={"csrf_token": csrf, "radius_km": wrong})  # fmt: skip
        assert refused.status == 422, wrong
    refused = await client.post(f"/console/cases/{discreet.id}/posters",
                                data={"csrf_token": csrf, "radius_km": "1"})  # fmt: skip
    assert refused.status == 409
    assert "does not allow posters (level 2 or more)" in await refused.text()
    assert await database.conn.fetchval("SELECT count(*) FROM poster_rounds") == 0
    made = await client.post(f"/console/cases/{case.id}/posters",
                             data={"csrf_token": csrf, "radius_km": "1,5"})  # fmt: skip
    assert made.status == 200 and 'id="round-' in await made.text()
    assert (await service.of_case(database, case.id))[0].radius_km == 1.5


async def test_a_volunteer_cannot_confirm_another_s_place_or_act_on_a_round_not_theirs(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    db = database
    owner, other = [await poster_volunteer(db, NEAR, email=f"o{i}@example.org") for i in range(2)]
    case, manager = await approved(db, settings, make_staff)
    started, _ = await service.start(db, settings, manager, case.id, 1.0)
    for volunteer in (owner, other):
        await service.answer(db, started.id, volunteer, "accepted")
    place = await service.put_up(db, started.id, owner, NEAR, 2)
    page = _path(notices.page_url(settings, started.id, await public_id(db, other), "en"))
    token = form_token(await (await client.get(page)).text())
    answer = await client.post(page, data={"csrf_token": token, "action": "removed",
                                           "place": str(place)})  # fmt: skip
    assert answer.status == 404 and "alert-error" in await answer.text()
    with pytest.raises(errors.NotFound):
        await service.set_count(db, started.id, other, place, 1)
    assert (await service.counts(db, case.id)).removed == 0
    # Someone never asked (not opted in, or far away) has no place in the round.
    stranger = await poster_volunteer(db, moved(GENT, 80), email="far@example.org")
    with pytest.raises(errors.Forbidden):
        await service.answer(db, started.id, stranger, "accepted")
