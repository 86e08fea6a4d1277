"""`/metrics`: Prometheus text that prometheus_client parses, public and free of personal data,
counted in the database, and moving as the dispatcher delivers and withdraws."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.staff.models import Role, Staff
from sandbox.smtp_sink import SmtpSink
from sandbox.telegram.server import TelegramSandbox
from tests.support.app import StaffFactory
from tests.support.console import logged_in
from tests.support.dispatch import (
    GENT,
    active_case,
    add_volunteer,
    dispatching,
    eventually,
    moved,
    with_channels,
    without_hosted,
)

os.environ.setdefault("PTB_TIMEDELTA", "true")

Client = TestClient[Any, Any]
Bearer = Callable[[Staff], Awaitable[dict[str, str]]]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
FAMILIES = {
    "alerts_publications", "alerts_deliveries", "alerts_delivery_attempts",
    "alerts_delivery_failures", "alerts_queue_depth", "alerts_queue_oldest_due_seconds",
    "alerts_fanout_batched_messages", "alerts_fanout_batch_oldest_seconds",
    "alerts_withdrawal_publications", "alerts_cases", "alerts_sightings", "alerts_volunteers",
}  # fmt: skip


async def scrape(client: Client) -> tuple[Samples, str]:
    """Every sample of /metrics, by name and labels, and the text itself."""
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, text


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def test_metrics_are_public_prometheus_text_without_personal_data(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    await add_volunteer(database, moved(GENT, 2), email="ann.peeters@example.be", chat_id=4242)
    case = await active_case(database, settings, make_staff, first_name="Zoëlla")
    sighting = {"seen_at": datetime.now(UTC).isoformat(), "lat": 51.05, "lon": 3.72,
                "seen": "Meisje met een gele paraplu"}  # fmt: skip
    posted = await client.post(f"/alerts/{case.public_id}/sightings", json=sighting)
    assert posted.status == 201

    samples, text = await scrape(client)  # no login: /metrics is public
    names = {name.removesuffix("_total") for name, _ in samples}
    assert names >= FAMILIES
    assert value(samples, "alerts_cases", state="active") == 1
    assert value(samples, "alerts_sightings_total", source="json") == 1
    assert value(samples, "alerts_sightings", status="new") == 1
    assert value(samples, "alerts_volunteers", channel="email", active="true") == 1
    for personal in ("Zoëlla", "ann.peeters", "4242", "gele paraplu", "Gent", case.public_id,
                     case.reference, case.police_reference):  # fmt: skip
        assert personal not in text


async def test_the_figures_move_as_messages_are_delivered_and_withdrawn(
    client: Client, db: Database, settings: Settings, sandbox: TelegramSandbox,
    sink: SmtpSink, make_staff: StaffFactory, bearer: Bearer,
) -> None:  # fmt: skip
    live = with_channels(
        settings, telegram_api_url=sandbox.base_url, telegram_file_url=sandbox.base_file_url,
        smtp_url=sink.url, email_rate=100.0,
    )  # fmt: skip
    for km in (1, 2, 3):
        await add_volunteer(db, moved(GENT, km), chat_id=sandbox.create_user().id)
    gone = sandbox.create_user().id
    await add_volunteer(db, moved(GENT, 4), chat_id=gone)
    sandbox.block_bot(gone)
    await add_volunteer(db, moved(GENT, 5), email="volunteer@example.be")
    case = await active_case(db, live, make_staff)
    await without_hosted(db, case.id)

    before, _ = await scrape(client)
    assert value(before, "alerts_queue_depth", channel="telegram_dm", state="due") == 4
    assert value(before, "alerts_queue_depth", channel="email", state="due") == 1
    assert value(before, "alerts_deliveries_total", channel="telegram_dm") == 0

    async with dispatching(db, live):
        await eventually(lambda: _settled(client, "alerts_publications", ("pending", "sending")))
    sent, _ = await scrape(client)
    assert value(sent, "alerts_deliveries_total", channel="telegram_dm") == 3
    assert value(sent, "alerts_deliveries_total", channel="email") == 1
    assert value(sent, "alerts_delivery_attempts_total", channel="telegram_dm") >= 4
    failed = value(sent, "alerts_delivery_failures_total", channel="telegram_dm",
                   reason="recipient_gone")  # fmt: skip
    assert failed == 1
    assert value(sent, "alerts_queue_depth", channel="telegram_dm", state="due") == 0
    assert value(sent, "alerts_publications", channel="telegram_dm", state="sent") == 3
    viewer = await make_staff()
    await _per_alert_figures(client, case, await bearer(viewer), viewer)

    supervisor = await make_staff(Role.SUPERVISOR)
    await pipeline.close(db, supervisor, case.id, "found_safe")
    closing, _ = await scrape(client)
    assert value(closing, "alerts_withdrawal_publications", state="withdrawing") == 4
    assert value(closing, "alerts_queue_depth", channel="telegram_dm", state="withdrawing") == 3
    assert value(closing, "alerts_cases", state="closed") == 1

    async with dispatching(db, live):
        await eventually(
            lambda: _settled(client, "alerts_withdrawal_publications", ("withdrawing",))
        )
    done, _ = await scrape(client)
    assert value(done, "alerts_withdrawal_publications", state="withdrawn") == 4
    # The deliveries made stay counted: the counter never goes back.
    assert value(done, "alerts_deliveries_total", channel="telegram_dm") == 3


async def _per_alert_figures(
    client: Client, case: Case, headers: dict[str, str], viewer: Staff
) -> None:
    """The case's own figures: reach and delivery times per channel, sightings per channel."""
    sighting = {"seen_at": datetime.now(UTC).isoformat(), "lat": 51.05, "lon": 3.72,
                "seen": "Meisje met een rode jas"}  # fmt: skip
    assert (await client.post(f"/alerts/{case.public_id}/sightings", json=sighting)).status == 201
    reach = await (await client.get(f"/api/cases/{case.id}/reach", headers=headers)).json()
    assert reach["by_channel"]["telegram_dm"]["sent"] == 3
    assert reach["by_channel"]["email"]["sent"] == 1
    times = reach["seconds_to_delivery_by_channel"]["telegram_dm"]
    assert 0 <= times["first"] <= times["last"] <= reach["seconds_to_last_delivery"]
    assert reach["sightings_by_channel"] == {"json": 1}
    await logged_in(client, viewer)  # the console's fragment takes a session, not a token
    page = await (await client.get(f"/console/cases/{case.id}/progress")).text()
    assert "Reach per channel" in page and 'http-equiv="refresh"' in page


async def _settled(client: Client, name: str, states: tuple[str, ...]) -> bool:
    samples, _ = await scrape(client)
    return not any(
        value for (found, labels), value in samples.items()
        if found == name and dict(labels).get("state") in states
    )  # fmt: skip
