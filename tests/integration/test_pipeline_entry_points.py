"""No entry point changes a case without its publication steps (alerts/outbox/pipeline/):
through every one that closes a case or narrows its consent (the API, the console, the
scheduler), nothing the new scope excludes is left published or waiting to be sent.

Each test publishes a case that reached volunteers (sent Telegram messages and an e-mail), a
regional channel and a social network (a post recorded by hand), with its hosted pages and
posters, and leaves a message still pending; then goes through one entry point, and checks
every publication the consent or the close now excludes: a sent one is withdrawn, being
withdrawn or left to staff (manual), an unsent one cancelled, one we host withdrawn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from alerts.cases.consent import CHANNEL_LEVEL
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import report as withdrawal_report
from alerts.outbox.scheduler import Scheduler
from alerts.partners import registry as partners
from alerts.staff.models import Role, Staff
from tests.support.app import PASSWORD, Bearer, StaffFactory
from tests.support.channels import published
from tests.support.console import logged_in
from tests.support.dispatch import GENT, add_volunteer, moved, with_channels
from tests.support.factories import CONSENT

Client = TestClient[Any, Any]
WIDE = {"level": 3, "photo": True, "name_mode": "full"}
NARROW = {**CONSENT, "level": 1, "photo": False}  # a lower level, and the photo taken away
ENDED_SENT = {"withdrawn", "withdrawing", "manual"}
ENDED_UNSENT = {"cancelled"}
# What we host ourselves: no dispatcher takes it back later, so it is withdrawn at once.
ENDED_HOSTED = {"withdrawn"}


def hosted(row: dict[str, Any]) -> bool:
    return row["channel"] in ("case_page", "poster", "image", "feed") or (
        row["channel"] == "press" and row["target"] == "press-room"
    )


@dataclasses.dataclass(frozen=True)
class Scope:
    """What the case may still publish after the entry point: nothing (closed, revoked, ended),
    or the channels up to `level`, with or without the photo."""

    level: int = 0
    photo: bool = False

    def excludes(self, row: dict[str, Any]) -> bool:
        """Whether the publication `row` is out of this scope (the photo-bearing ones as
        alerts.outbox.withdrawal.narrow lists them)."""
        if self.level < max(CHANNEL_LEVEL[row["channel"]], 1):
            return True
        bears_photo = (
            row["channel"] in ("poster", "image", "press", "social")
            or (row["channel"] == "case_page" and row["target"] == "photo.jpg")
            or (row["media"] == "photo" and row["channel"].startswith("telegram"))
        )
        return bears_photo and not self.photo


NOTHING = Scope()


async def reached_case(db: Database, settings: Settings, make_staff: StaffFactory) -> Case:
    """An active case at level 3 with a photo: two Telegram volunteers, an e-mail volunteer and
    a regional channel reached, a social post recorded, a third Telegram volunteer still
    waiting, and its pages and posters hosted."""
    for km, chat in ((1, 1001), (2, 1002), (3, 1003)):
        await add_volunteer(db, moved(GENT, km), chat_id=chat)
    await add_volunteer(db, moved(GENT, 4), email="v4@example.org")
    await partners.add_regional_channel(
        db, await make_staff(Role.SUPERVISOR), name="OVL", chat_id="-1001",
        language="nl", lat=GENT[0], lon=GENT[1], radius_km=30,
    )  # fmt: skip
    channels = with_channels(settings, smtp_url="smtp://127.0.0.1:1")  # planned, never sent
    case = await published(db, channels, make_staff, consent=WIDE)
    await withdrawal_report.record_manual_post(
        db, await make_staff(), case.id, "https://social.example/p/1"
    )
    # As the dispatcher records a delivery; the farthest volunteer's message is still pending.
    await db.conn.execute(
        "UPDATE publications SET state = 'sent', sent_at = now(), attempts = 1, "
        "external_id = id::text WHERE case_id = $1 AND state = 'pending' AND address <> '1003'",
        case.id,
    )  # fmt: skip
    return case


async def rows(db: Database, case_id: int) -> dict[int, dict[str, Any]]:
    found = await db.conn.fetch("SELECT * FROM publications WHERE case_id = $1", case_id)
    return {r["id"]: dict(r) for r in found}


def left_out(
    before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], scope: Scope
) -> list[str]:
    """The publications `scope` excludes that the entry point did not end: one we host not
    withdrawn; a sent one not withdrawn, being withdrawn or manual; an unsent one not cancelled."""
    left = []
    for key, row in before.items():
        ended = ENDED_SENT if row["state"] == "sent" else ENDED_UNSENT
        ended = ENDED_HOSTED if hosted(row) else ended
        if scope.excludes(row) and (now := after[key]["state"]) not in ended:
            left.append(
                f"{row['channel']} {row['target']} {row['address']}: {row['state']} -> {now}"
            )
    return left


# -- the entry points ----------------------------------------------------------------------------

EntryPoint = Callable[[Client, Database, Settings, Case, Staff, Bearer], Awaitable[Scope]]


async def api_close(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                    bearer: Bearer) -> Scope:  # fmt: skip
    answer = await client.post(f"/api/cases/{case.id}/close", json={"reason": "found_safe"},
                               headers=await bearer(staff))  # fmt: skip
    assert answer.status == 200, await answer.text()
    return NOTHING


async def console_close(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                        bearer: Bearer) -> Scope:  # fmt: skip
    form = {"reason": "found_safe", "password": PASSWORD}
    await console_post(client, staff, f"/console/cases/{case.id}/close", form)
    return NOTHING


async def api_narrow(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                     bearer: Bearer) -> Scope:  # fmt: skip
    answer = await client.put(f"/api/cases/{case.id}/consent", json=NARROW,
                              headers=await bearer(staff))  # fmt: skip
    assert answer.status == 200, await answer.text()
    return Scope(level=1, photo=False)


async def console_narrow(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                         bearer: Bearer) -> Scope:  # fmt: skip
    form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in NARROW.items()}
    await console_post(client, staff, f"/console/cases/{case.id}/consent", form)
    return Scope(level=1, photo=False)


async def api_revoke(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                     bearer: Bearer) -> Scope:  # fmt: skip
    answer = await client.post(f"/api/cases/{case.id}/consent/revoke", json={},
                               headers=await bearer(staff))  # fmt: skip
    assert answer.status == 200, await answer.text()
    return NOTHING


async def console_revoke(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                         bearer: Bearer) -> Scope:  # fmt: skip
    await console_post(client, staff, f"/console/cases/{case.id}/consent/revoke", {})
    return NOTHING


async def consent_end_date(client: Client, db: Database, s: Settings, case: Case, staff: Staff,
                           bearer: Bearer) -> Scope:  # fmt: skip
    await db.conn.execute(
        "UPDATE consents SET valid_until = now() - interval '1 second' WHERE case_id = $1", case.id
    )
    assert (await Scheduler(db, s).run_due())["consents"]["cases"] == 1
    return NOTHING


async def console_post(client: Client, staff: Staff, path: str, form: dict[str, str]) -> None:
    csrf = await logged_in(client, staff)
    answer = await client.post(path, data={"csrf_token": csrf, **form}, allow_redirects=False)
    assert answer.status == 303, await answer.text()
    assert "done=" in answer.headers["Location"], answer.headers["Location"]


ENTRY_POINTS: dict[str, EntryPoint] = {
    "api close": api_close,
    "console close": console_close,
    "api consent narrowed": api_narrow,
    "console consent narrowed": console_narrow,
    "api consent revoked": api_revoke,
    "console consent revoked": console_revoke,
    "scheduler consent end date": consent_end_date,
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
async def test_no_publication_is_left_outside_a_withdrawn_withdrawing_or_manual_state(
    entry: str,
    client: Client,
    database: Database,
    settings: Settings,
    make_staff: StaffFactory,
    bearer: Bearer,
) -> None:
    case = await reached_case(database, settings, make_staff)
    before = await rows(database, case.id)
    states = {r["state"] for r in before.values()}
    assert {"sent", "pending"} <= states, states  # something went out, something waits
    scope = await ENTRY_POINTS[entry](
        client, database, settings, case, await make_staff(Role.SUPERVISOR), bearer
    )
    after = await rows(database, case.id)
    assert any(scope.excludes(row) and row["state"] == "sent" for row in before.values())
    assert left_out(before, after, scope) == []
    pending = [r for r in after.values() if r["state"] in ("pending", "sending")]
    assert all(not scope.excludes(r) for r in pending), pending
