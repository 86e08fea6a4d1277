"""Field-search call-outs (issue 21, item 3 and the privacy of item 6), each rule as the attack
or the fault it stops: a minor joining, a search without a police liaison, one place left and
two answers at once, a check-in on a closed case, another case's staff reading positions, and
the call-out, changes and end reaching volunteers through the search's outbox."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from alerts import errors
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language, language
from alerts.outbox import tasks
from alerts.searches import notices, optin, service
from alerts.searches.models import parse_plan
from alerts.staff.models import Role
from alerts.volunteers import manage_links
from alerts.volunteers import registry as volunteers
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.channels import close
from tests.support.console import logged_in
from tests.support.dispatch import GENT, add_volunteer, moved
from tests.support.factories import approved
from tests.support.searches import field_search, plan_form, searcher

NEAR = moved(GENT, 2)


async def test_a_minor_cannot_join_a_field_search(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    minor = await add_volunteer(database, NEAR, email="minor@example.org")
    with pytest.raises(errors.InvalidInput):
        await optin.set_field_searches(database, minor, True, adult=False)
    with pytest.raises(asyncpg.CheckViolationError):  # nor behind the domain's back
        await database.conn.execute("UPDATE volunteers SET field_searches = true WHERE id = $1",
                                    minor)  # fmt: skip
    adult = await searcher(database, NEAR, email="adult@example.org")
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    called = {r["volunteer_id"] for r in await database.fetch("search_members", search.id)}
    assert called == {adult}
    with pytest.raises(errors.Forbidden):
        await service.answer(database, search.id, minor, "coming")
    with pytest.raises(errors.Forbidden):
        await service.check_in(database, search.id, minor, NEAR)
    # An adult who withdraws the opt-in can no longer act on the search either.
    await optin.set_field_searches(database, adult, False, adult=False)
    with pytest.raises(errors.Forbidden):
        await service.check_in(database, search.id, adult, NEAR)


async def test_the_opt_in_page_refuses_without_the_age_confirmation(
    client: Any, database: Database
) -> None:
    volunteer = await add_volunteer(database, NEAR, email="young@example.org")
    granted = await manage_links.request_link(database, "young@example.org", "test-client")
    assert granted is not None
    page = await client.get(f"/volunteer/data/{granted.token}?lang=fr")
    html = await page.text()
    assert "18" in html
    csrf = html.split('name="csrf_token" value="')[1].split('"')[0]
    url = f"/volunteer/data/{granted.token}/field-searches?lang=fr"
    refused = await client.post(url, data={"csrf_token": csrf, "field_searches": "on"},
                                allow_redirects=False)  # fmt: skip
    assert refused.status == 422
    assert not await optin.opted_in(database, volunteer)
    accepted = await client.post(
        url, allow_redirects=False, data={"csrf_token": csrf, "field_searches": "on", "adult": "on"}
    )
    assert accepted.status == 303 and await optin.opted_in(database, volunteer)


async def test_a_search_needs_a_police_liaison_and_an_active_case(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff)
    with pytest.raises(errors.InvalidInput) as refused:
        parse_plan(plan_form(case, police_liaison="  "))
    assert refused.value.field == "police_liaison"
    await close(database, manager, case.id)
    with pytest.raises(errors.Conflict):
        await service.create(database, manager, case.id, parse_plan(plan_form(case)))
    assert await database.conn.fetchval("SELECT count(*) FROM searches") == 0


async def test_two_answers_at_once_for_the_last_place_take_it_once(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    first, second, third = [await searcher(database, NEAR, email=f"s{i}@example.org")
                            for i in range(3)]  # fmt: skip
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case, max_searchers="2")
    await service.answer(database, search.id, first, "coming")
    outcomes = await asyncio.gather(
        service.answer(database, search.id, second, "coming"),
        service.answer(database, search.id, third, "coming"),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Member"]
    assert (await service.get(database, search.id)).coming == 2
    # A place given back is free again: the one refused takes it.
    await service.answer(database, search.id, first, "not_coming")
    late = second if isinstance(outcomes[1], service.Member) else third
    await service.answer(database, search.id, late, "coming")
    assert (await service.get(database, search.id)).coming == 2


async def test_a_closed_case_refuses_check_ins_but_lets_searchers_check_out(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    early, late = [await searcher(database, NEAR, email=f"c{i}@example.org") for i in range(2)]
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    await service.check_in(database, search.id, early, NEAR)
    await close(database, manager, case.id)
    with pytest.raises(errors.Gone):
        await service.check_in(database, search.id, late, NEAR)
    with pytest.raises(errors.Gone):
        await service.sector_searched(database, search.id, early, 1)
    await service.check_out(database, search.id, early)
    member = await service.member_of(database, search.id, early)
    assert member.lat is None and member.checked_out_at is not None


async def test_positions_are_seen_only_by_the_case_staff_and_only_while_checked_in(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await searcher(database, NEAR, email="p@example.org")
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    await service.check_in(database, search.id, volunteer, (51.0612345, 3.7298765))
    other_case, other_manager = await approved(database, settings, make_staff)
    await logged_in(client, other_manager)
    refused = await client.get(f"/console/searches/{search.id}")
    assert refused.status == 403
    assert "51.0612" not in await refused.text()
    await logged_in(client, manager)
    board = await client.get(f"/console/searches/{search.id}")
    html = await board.text()
    assert board.status == 200 and "51.0612, 3.7299" in html
    assert "p@example.org" not in html  # a pseudonym, never an address
    await service.check_out(database, search.id, volunteer)
    stored = await database.conn.fetchrow(
        "SELECT lat, lon, position_at FROM search_members WHERE volunteer_id = $1", volunteer
    )
    assert tuple(stored) == (None, None, None)
    assert "51.0612" not in await (await client.get(f"/console/searches/{search.id}")).text()
    supervisor = await make_staff(Role.SUPERVISOR)
    assert supervisor.id != other_case.created_by


# One chat gets three messages within a second here; Telegram's per-chat limit is not the subject.
@pytest.mark.sandbox(private_chat_per_second=100)
async def test_the_call_out_changes_and_end_reach_volunteers_through_the_outbox(
    db: Database,
    live: Settings,
    sandbox: TelegramSandbox,
    sink: SmtpSink,
    make_staff: StaffFactory,
) -> None:
    user = sandbox.create_user(language_code="fr")
    by_telegram = await searcher(db, NEAR, chat_id=user.id, language="fr")
    by_mail = await searcher(db, NEAR, email="mail@example.org", language="de")
    await searcher(db, moved(GENT, 80), email="far@example.org")  # out of reach
    case, manager = await approved(db, live, make_staff)
    search = await field_search(db, manager, case)
    async with tasks.sender(db, live, per_chat_seconds=0) as notifier:
        assert await notifier.deliver_due() == 2
        [message] = [m for m in sandbox.messages(user.id) if m.from_bot]
        assert "Sint-Pietersplein" in message.text and "Consignes" in message.text  # in French
        assert f"search:{search.id}:coming" in str(message.reply_markup)
        [mail] = await sink.wait_for_messages(1)
        assert mail.rcpt_tos == ("mail@example.org",)
        link = notices.page_url(live, search.id, await _public_id(db, by_mail), "de")
        assert mail.text is not None and link in mail.text
        assert "Suche" in mail.subject  # in the volunteer's language
        assert f"Antworten und anmelden auf dieser Seite:\n{link}" in mail.text  # all of it
        # Only who answered coming hears of a change.
        await service.answer(db, search.id, by_telegram, "coming")
        await service.answer(db, search.id, by_mail, "not_coming")
        await service.change(db, manager, search.id, place=("Kouter", *NEAR))
        assert await notifier.deliver_due() == 1
        assert "Kouter" in [m for m in sandbox.messages(user.id) if m.from_bot][-1].text
        await service.check_in(db, search.id, by_telegram, NEAR)
        await service.change(db, manager, search.id, state="ended")
        assert await notifier.deliver_due() == 1  # once, though both coming and checked in
        ended = [m for m in sandbox.messages(user.id) if m.from_bot][-1]
        assert "pointez votre départ" in ended.text
        assert f"search:{search.id}:checkout" in str(ended.reply_markup)
        assert len(sink.messages) == 1  # who answered not coming hears nothing more


async def _public_id(db: Database, volunteer_id: int) -> str:
    value: str = await db.conn.fetchval("SELECT public_id FROM volunteers WHERE id = $1",
                                        volunteer_id)  # fmt: skip
    return value


async def test_a_volunteer_cannot_act_through_another_search_s_link(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await searcher(database, NEAR, email="l@example.org")
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    public_id = await _public_id(database, volunteer)
    good = notices.page_url(settings, search.id, public_id, "en").split("/volunteer/")[1]
    page = await client.get(f"/volunteer/{good}")
    assert page.status == 200 and "Sint-Pietersplein" in await page.text()
    forged = good.replace(f"search/{search.id}/", f"search/{search.id + 1}/")
    assert (await client.get(f"/volunteer/{forged}")).status == 403


async def test_bad_input_is_refused_with_a_message_and_nothing_half_done(
    client: Any, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer = await searcher(database, NEAR, email="b@example.org")
    case, manager = await approved(database, settings, make_staff)
    csrf = await logged_in(client, manager)
    url = f"/console/cases/{case.id}/searches"
    for wrong in ({"max_searchers": "many"}, {"assembly_at": "tomorrow"},
                  {"assembly_lat": "95"}, {"police_liaison": ""}, {"grid": "40"}):  # fmt: skip
        form = {**plan_form(case, **wrong), "csrf_token": csrf}
        refused = await client.post(url, data=form, allow_redirects=False)
        assert refused.status == 422, wrong
    assert await database.conn.fetchval("SELECT count(*) FROM searches") == 0
    made = await client.post(url, data={**plan_form(case), "csrf_token": csrf},
                             allow_redirects=False)  # fmt: skip
    assert made.status == 303
    search_id = int(made.headers["Location"].rsplit("/", 1)[1])

    link = notices.page_url(settings, search_id, await _public_id(database, volunteer), "nl")
    path = "/volunteer/" + link.split("/volunteer/", 1)[1]
    page = await client.get(path)
    token = (await page.text()).split('name="csrf_token" value="')[1].split('"')[0]
    for action, extra in (("dance", {}), ("take", {"sector": "abc"}),
                          ("checkin", {"lat": "north", "lon": "3.7"}),
                          ("find", {"seen": ""})):  # fmt: skip
        answer = await client.post(path, data={"csrf_token": token, "action": action, **extra},
                                   allow_redirects=False)  # fmt: skip
        assert 400 <= answer.status < 500, action
        assert "alert-error" in await answer.text()
    member = await service.member_of(database, search_id, volunteer)
    assert member.checked_in_at is None and member.answer is None
    assert await database.conn.fetchval("SELECT count(*) FROM sightings") == 0


async def test_a_volunteer_s_export_holds_their_field_searches(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    volunteer_id = await searcher(database, NEAR, email="e@example.org")
    case, manager = await approved(database, settings, make_staff)
    search = await field_search(database, manager, case)
    await service.check_in(database, search.id, volunteer_id, (51.05, 3.72))
    volunteer = await volunteers.by_public_id(database, await _public_id(database, volunteer_id))
    assert volunteer is not None
    held = (await volunteers.export(database, volunteer))["field_searches"]
    assert held["opted_in"] and held["adult_confirmed_at"]
    [call_out] = held["call_outs"]
    assert call_out["answer"] == "coming" and call_out["lat"] == 51.05


async def test_a_case_s_close_ends_its_searches_and_asks_searchers_to_check_out(
    db: Database, live: Settings, sink: SmtpSink, make_staff: StaffFactory
) -> None:
    inside = await searcher(db, NEAR, email="inside@example.org", language="nl")
    await searcher(db, NEAR, email="silent@example.org")
    case, manager = await approved(db, live, make_staff)
    search = await field_search(db, manager, case)
    await service.check_in(db, search.id, inside, NEAR)
    async with tasks.sender(db, live, per_chat_seconds=0) as notifier:
        assert await notifier.deliver_due() == 2  # the call-outs
        await close(db, manager, case.id)
        # Ended by the close itself, before the notifier's next round.
        assert (await service.get(db, search.id)).state == "ended"
        assert await notifier.deliver_due() == 1
    ending = (await sink.wait_for_messages(3))[-1]
    assert ending.rcpt_tos == ("inside@example.org",)
    with language("nl"):
        assert notices.text(await service.get(db, search.id), "ended", "nl") in (ending.text or "")


async def test_a_cancellation_reaches_who_answered_coming_and_closes_the_search(
    db: Database, live: Settings, sink: SmtpSink, make_staff: StaffFactory
) -> None:
    coming = await searcher(db, NEAR, email="coming@example.org", language="fr")
    await searcher(db, NEAR, email="quiet@example.org")
    case, manager = await approved(db, live, make_staff)
    search = await field_search(db, manager, case)
    await service.answer(db, search.id, coming, "coming")
    async with tasks.sender(db, live, per_chat_seconds=0) as notifier:
        await notifier.deliver_due()  # the call-outs
        assert await service.change(db, manager, search.id, state="cancelled") == 1
        assert await notifier.deliver_due() == 1
    cancelled = (await sink.wait_for_messages(3))[-1]
    assert cancelled.rcpt_tos == ("coming@example.org",)
    assert cancelled.subject == in_language("fr", notices.SUBJECTS["cancelled"])
    with pytest.raises(errors.Gone):
        await service.check_in(db, search.id, coming, NEAR)
    with pytest.raises(errors.Conflict):  # a cancelled search is not changed again
        await service.change(db, manager, search.id, state="ended")
