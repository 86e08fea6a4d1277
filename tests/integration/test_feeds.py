"""The Atom feed parses with the required elements; the CAP feed's Alert, Update and Cancel
validate against the OASIS CAP 1.2 schema; only level-3 cases and consented fields appear."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from typing import Any

from aiohttp.test_utils import TestClient
from lxml import etree

from alerts.config import Settings
from alerts.db.database import Database
from alerts.outbox import pipeline
from alerts.partners import cap
from tests.support.app import StaffFactory
from tests.support.factories import CONSENT, approved, revise
from tests.support.paths import DATA

ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
SCHEMA = DATA / "CAP-v1.2.xsd"


@functools.cache
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


async def feed(client: TestClient[Any, Any], path: str) -> tuple[bytes, ET.Element]:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    body = await response.read()
    return body, ET.fromstring(body)


def cap_alerts(body: bytes) -> list[Any]:
    """Every CAP <alert> of the feed, each validated as a document of its own."""
    alerts = etree.fromstring(body).iter(f"{CAP}alert")
    documents = [etree.fromstring(etree.tostring(alert)) for alert in alerts]
    for document in documents:
        cap_schema().assertValid(document)
    return documents


def field(alert: Any, name: str) -> str:
    return str(alert.findtext(f"{CAP}{name}"))


async def test_the_atom_feed_lists_public_alerts_only(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    public, _ = await approved(database, settings, make_staff, level=3, languages=("nl", "fr"))
    for level in (1, 2):
        await approved(database, settings, make_staff, level=level, languages=("nl",))
    body, root = await feed(client, "/feeds/alerts.atom?lang=fr")
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"{settings.public_base_url}/alerts/{public.public_id}"
    assert (entry.findtext(f"{ATOM}title") or "").startswith("DISPARU·E")
    links = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
    assert links["alternate"].get("href") == entry.findtext(f"{ATOM}id")
    enclosure = links["enclosure"]
    assert enclosure.get("href", "").endswith(f"/alerts/{public.public_id}/square-fr.png")
    assert enclosure.get("type") == "image/png" and int(enclosure.get("length", "0")) > 1000
    assert entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}summary")


async def test_cap_alert_update_and_cancel_validate_against_the_oasis_schema(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, photo=True,
                                   languages=("nl", "fr", "de", "en"))  # fmt: skip
    body, _ = await feed(client, "/feeds/cap.xml")
    [alert] = cap_alerts(body)
    assert (
        field(alert, "msgType") == "Alert" and field(alert, "identifier") == f"{case.public_id}.1"
    )
    assert [i.findtext(f"{CAP}language") for i in alert.iter(f"{CAP}info")] == [
        "nl-BE",
        "fr-BE",
        "de-BE",
        "en",
    ]
    info = alert.find(f"{CAP}info")
    assert [c.text for c in info.iter(f"{CAP}category")] == ["Rescue", "Safety"]
    assert field(info, "event") == "Vermist kind" and field(info, "urgency") == "Immediate"
    first_sent = field(alert, "sent")

    await revise(database, settings, manager, case, clothing="green hoodie")
    body, _ = await feed(client, "/feeds/cap.xml")
    [update] = cap_alerts(body)
    assert field(update, "msgType") == "Update" and field(update, "identifier").endswith(".2")
    sender = field(update, "sender")
    assert field(update, "references") == f"{sender},{case.public_id}.1,{first_sent}"

    await pipeline.close(database, manager, case.id, "found_safe")
    body, _ = await feed(client, "/feeds/cap.xml")
    [cancel] = cap_alerts(body)
    assert field(cancel, "msgType") == "Cancel"
    # One neutral info per language (no area, no description), since the CAP work of issue 20.
    infos = list(cancel.iter(f"{CAP}info"))
    assert [i.findtext(f"{CAP}language") for i in infos] == ["nl-BE", "fr-BE", "de-BE", "en"]
    assert all(i.find(f"{CAP}area") is None and i.find(f"{CAP}description") is None
               and i.findtext(f"{CAP}expires") for i in infos)  # fmt: skip
    assert field(cancel, "references").count(case.public_id) == 2
    text = body.decode()
    for secret in ("Lotte", "Vermeulen", "found", "hoodie", "square-"):
        assert secret not in text, secret
    _, atom = await feed(client, "/feeds/alerts.atom")
    assert atom.findall(f"{ATOM}entry") == []  # the closed case has left the Atom feed

    await database.conn.execute(
        "UPDATE cases SET closed_at = now() - interval '8 days' WHERE id = $1", case.id
    )
    body, _ = await feed(client, "/feeds/cap.xml")
    assert cap_alerts(body) == []  # the Cancel stays a week


async def test_fields_withheld_by_consent_appear_in_neither_feed(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    await approved(
        database, settings, make_staff, level=3, languages=("nl",),
        consent={"name_mode": "first", "place_precision": "municipality"},
    )  # fmt: skip
    atom, _ = await feed(client, "/feeds/alerts.atom")
    cap_body, _ = await feed(client, "/feeds/cap.xml")
    for body in (atom.decode(), cap_body.decode()):
        assert "Lotte" in body and "Gent" in body
        assert "Vermeulen" not in body and "Sint-Pieters" not in body and "GE.12.L3" not in body
    [alert] = cap_alerts(cap_body)
    circle = field(alert.find(f"{CAP}info").find(f"{CAP}area"), "circle")
    point, radius = circle.split(" ")
    assert radius == "15" and point != "51.0357,3.7103"  # the municipality's centre, not the spot


async def test_a_case_whose_consent_stops_allowing_feeds_is_cancelled(
    client: TestClient[Any, Any], database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("en",))
    # A Cancel cancels messages that were issued: the Alert is issued when the feed is read.
    body, _ = await feed(client, "/feeds/cap.xml")
    assert [field(alert, "msgType") for alert in cap_alerts(body)] == ["Alert"]
    await pipeline.change_consent(database, settings, manager, case.id, {**CONSENT, "level": 2})
    body, _ = await feed(client, "/feeds/cap.xml")
    [cancel] = cap_alerts(body)
    assert field(cancel, "msgType") == "Cancel" and "Lotte" not in body.decode()


def test_a_standalone_cap_message_validates() -> None:
    from datetime import UTC, datetime

    refs = [cap.CapRef(sender="alerts.example.org", identifier="abc.1",
                       sent=datetime(2026, 3, 14, 15, 0, 5, 123, tzinfo=UTC))]  # fmt: skip
    document = cap.to_xml(
        cap.cap_cancel(
            "abc",
            refs,
            datetime.now(UTC),
            sender="alerts.example.org",
            languages=["nl", "fr"],
            expires=datetime.now(UTC),
            sender_name="Hotline",
            web="https://alerts.example.org/",
            contact="116 000",
            exercise=False,
        )  # fmt: skip
    )
    parsed = etree.fromstring(document)
    cap_schema().assertValid(parsed)
    assert field(parsed, "references") == "alerts.example.org,abc.1,2026-03-14T16:00:05+01:00"
