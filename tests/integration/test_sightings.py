"""The public sighting form and its JSON twin, against a real PostgreSQL: a report stored
exactly as sent, every field's message in every language, uploads refused or cleaned, the
limits per sender and per case (and no address stored anywhere), the honeypot, CSRF, 410 after
the close, and nothing about the case sent back to a tipster."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData, MultipartWriter, hdrs
from aiohttp.test_utils import TestClient
from PIL import Image

from alerts import clients
from alerts.app import create_app
from alerts.cases.models import Case
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import pipeline
from alerts.sightings import intake as sighting_intake
from tests.support import images
from tests.support.app import StaffFactory
from tests.support.factories import approved

Client = TestClient[Any, Any]
BRUSSELS = ZoneInfo("Europe/Brussels")
LANGS = ("nl", "fr", "de", "en")
FIELDS = {
    "seen": "Meisje met rode regenjas,\r\n  blauwe rugzak — zeker 90 % zeker 🙂  ",
    "place": "  Sint-Pietersstation, perron 4, 9000 Gent ",
    "direction": "richting Overpoort (naar het noorden)",
    "companions": "Een man van ± 40 jaar; grijze Opel Corsa 1-ABC-123",
    "name": "Ann Peeters", "phone": "+32 470 12 34 56", "email": "ann@example.be",
}  # fmt: skip


def local(moment: datetime) -> str:
    """A time as a datetime-local field sends it (Brussels time, to the minute)."""
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")


def minutes_ago(minutes: int) -> str:
    return local(datetime.now(UTC) - timedelta(minutes=minutes))


@pytest.fixture
async def case(database: Database, settings: Settings, make_staff: StaffFactory) -> Case:
    found, _ = await approved(database, settings, make_staff, languages=("nl",))
    return found


async def token(client: Client, case: Case, headers: dict[str, str] | None = None) -> str:
    """Open the case page as a visitor does: the form's CSRF token (its cookie is kept)."""
    page = await client.get(f"/alerts/{case.public_id}", headers=headers)
    assert page.status == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found
    return found[1]


def report_form(csrf: str, photo: bytes | None = None, **fields: str) -> FormData:
    data = FormData()
    values = {"csrf_token": csrf, "seen_at": minutes_ago(20), "point_source": "map", **fields}
    for name, value in values.items():
        data.add_field(name, value)
    if photo is not None:
        data.add_field("photo", photo, filename="photo.jpg", content_type="image/jpeg")
    return data


async def send(
    client: Client, case: Case, data: Any, lang: str = "en", **headers: str
) -> tuple[int, str, dict[str, str]]:
    answer = await client.post(f"/alerts/{case.public_id}/sightings?lang={lang}", data=data,
                               headers=headers, allow_redirects=False)  # fmt: skip
    return answer.status, await answer.text(), dict(answer.headers)


async def stored(database: Database, case: Case) -> list[dict[str, Any]]:
    rows = await database.conn.fetch("SELECT * FROM sightings WHERE case_id = $1 ORDER BY id",
                                     case.id)  # fmt: skip
    return [dict(row) for row in rows]


# -- a report as sent ------------------------------------------------------------------------------


async def test_a_valid_report_is_stored_exactly_as_sent(
    client: Client, database: Database, case: Case
) -> None:
    csrf = await token(client, case)
    seen_at = minutes_ago(25)
    form = report_form(csrf, images.jpeg(320, 240), seen_at=seen_at, lat="51,03572",
                       lon="3.71031", point_source="device", **FIELDS)  # fmt: skip
    status, _, headers = await send(client, case, form, lang="nl")
    assert status == 303
    location = headers["Location"]
    assert re.fullmatch(
        rf"/alerts/{case.public_id}/sightings/received\?ref=[2-9A-Z]{{4}}-[2-9A-Z]{{4}}&lang=nl",
        location,
    )
    [row] = await stored(database, case)
    assert {name: row[column] for name, column in (
        ("seen", "seen"), ("place", "place"), ("direction", "direction"),
        ("companions", "companions"), ("name", "contact_name"), ("phone", "contact_phone"),
        ("email", "contact_email"),
    )} == FIELDS  # fmt: skip
    assert row["seen_at"] == datetime.fromisoformat(seen_at).replace(tzinfo=BRUSSELS)
    assert (row["lat"], row["lon"], row["point_source"]) == (51.03572, 3.71031, "device")
    assert (row["source"], row["language"], row["status"]) == ("web", "nl", "new")
    assert row["photo"].startswith(b"\xff\xd8\xff")
    assert row["reference"] in location


async def test_the_confirmation_shows_the_reference_and_thanks_and_nothing_of_the_case(
    client: Client, case: Case
) -> None:
    csrf = await token(client, case)
    status, _, headers = await send(client, case, report_form(csrf, **FIELDS), lang="fr")
    page = await client.get(headers["Location"])
    html = await page.text()
    reference = re.search(r"ref=([A-Z0-9-]+)", headers["Location"])
    assert page.status == 200 and reference and reference[1] in html
    assert in_language("fr", "Thank you for your report") in html
    for about_the_case in (case.first_name, case.last_name, "Gent", case.clothing, "photo.jpg"):
        assert about_the_case not in html
    assert (await client.get(f"/alerts/{case.public_id}/sightings/received?ref=<x>")).status == 404


async def test_a_report_as_json_or_urlencoded_is_stored_the_same(
    client: Client, database: Database, case: Case
) -> None:
    body = {"seen_at": datetime.now(UTC).isoformat(), "lat": 51.05, "lon": 3.72, **FIELDS}
    answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body)
    assert answer.status == 201
    assert set(await answer.json()) == {"reference"}
    csrf = await token(client, case)
    urlencoded = {"csrf_token": csrf, "seen_at": minutes_ago(5), "place": "Gent", "seen": "x"}
    status, _, _ = await send(client, case, urlencoded)
    assert status == 303
    first, second = await stored(database, case)
    assert first["source"] == "json" and first["seen"] == FIELDS["seen"]
    assert (first["lat"], first["lon"], first["point_source"]) == (51.05, 3.72, "map")
    assert second["source"] == "web" and second["place"] == "Gent" and second["photo"] is None
    assert second["contact_name"] is second["contact_phone"] is second["contact_email"] is None


# -- every field's message, in every language ----------------------------------------------------

# The messages of the checks, in English: each is compared in the visitor's language.
NO_WHEN = "Enter when you saw the child."
BAD_POINT = "Give both coordinates as numbers, for example 51.0543 and 3.7174."
TOO_LONG = "At most %(limit)s characters."
BAD_CHARACTERS = "This text contains characters that cannot be sent. Please type it again."
BAD_PHONE = "Enter a phone number of 6 to 20 digits, for example +32 470 12 34 56."
BAD_EMAIL = "Enter an e-mail address like name@example.be."
FUTURE_WHEN = "This time is in the future. Enter when you saw the child."
NO_WHERE = "Enter where you saw the child, or give the point."
NO_WHAT = "Describe what you saw."
BAD_WHEN = "Enter a valid date and time."
OLD_WHEN = "This date is more than a year ago. Please check it."
PHOTO_TYPE = "Only JPEG, PNG or WebP photos are accepted."
PHOTO_UNREADABLE = (
    "This file is not a photo we can read. Choose a JPEG, PNG or WebP photo, or none."
)
PHOTO_UNREAD = "The photo could not be read. Please choose it again."
PHOTO_TOO_LARGE = "The photo is too large: at most %(mb)s MB."
PHOTO_IN_JSON = "Send a photo with the form (multipart/form-data), not in JSON."
REQUEST_TOO_LARGE = (
    "The report is too large (at most %(mb)s MB with the photo). Choose a smaller photo, or none."
)
EXPIRED = (
    "The form had expired. What you wrote is still below: please send it again "
    "(and choose the photo again, if any)."
)
PHOTO_PIXELS = "The photo has too many pixels. Choose a smaller one."

# Three reports that between them get each message once (a field has one message at a time).
INVALID = (
    ({"seen_at": "", "lat": "51.0", "lon": "", "seen": "x" * 2001, "direction": "y" * 301,
      "companions": "a\x00b", "name": "n" * 101, "phone": "call me", "email": "ann@"},
     {"seen_at": (NO_WHEN, {}), "point": (BAD_POINT, {}),
      "seen": (TOO_LONG, {"limit": "2000"}), "direction": (TOO_LONG, {"limit": "300"}),
      "companions": (BAD_CHARACTERS, {}), "name": (TOO_LONG, {"limit": "100"}),
      "phone": (BAD_PHONE, {}), "email": (BAD_EMAIL, {})}),
    ({"seen_at": local(datetime.now(UTC) + timedelta(hours=2)), "place": "", "seen": "  ",
      "companions": "c" * 501, "phone": "+32 12", "email": "ann example.be"},
     {"seen_at": (FUTURE_WHEN, {}), "place": (NO_WHERE, {}),
      "seen": (NO_WHAT, {}), "companions": (TOO_LONG, {"limit": "500"}),
      "phone": (BAD_PHONE, {}), "email": (BAD_EMAIL, {})}),
    ({"seen_at": "gisteren", "place": "p" * 301, "seen": "ok"},
     {"seen_at": (BAD_WHEN, {}), "place": (TOO_LONG, {"limit": "300"})}),
    ({"seen_at": local(datetime.now(UTC) - timedelta(days=400)), "place": "Gent", "seen": "ok"},
     {"seen_at": (OLD_WHEN, {})}),
)  # fmt: skip


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="sf-error" id="sf-{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no message next to {field}"
    return re.sub(r"<span class=\"visually-hidden\">.*?</span>", "", found[1])


async def test_each_field_has_its_message_next_to_it_in_each_language(
    client: Client, database: Database, case: Case
) -> None:
    csrf = await token(client, case)
    for lang in LANGS:
        for sent, expected in INVALID:
            status, html, _ = await send(client, case, {"csrf_token": csrf, **sent}, lang=lang)
            assert status == 422 and f'<html lang="{lang}">' in html
            start = html.index('class="sf-summary"')
            summary = html[start : html.index("</ul>", start)]
            assert 'role="alert"' in summary
            for field, (message, values) in expected.items():
                words = in_language(lang, message, **values).replace("'", "&#39;")
                assert field_error(html, field) == words, (lang, field)
                target = "lat" if field == "point" else field
                assert f'href="#sf-{target}"' in summary
                tag = re.search(rf'<(?:input|textarea) id="sf-{target}"[^>]*>', html)
                assert tag and 'aria-invalid="true"' in tag[0] and f"sf-{field}-error" in tag[0]
            # What was typed comes back, so nothing has to be typed again.
            if "direction" in sent:
                assert f'value="{sent["direction"]}"' in html
    assert await stored(database, case) == []


async def test_json_errors_name_each_field_in_the_visitors_language(
    client: Client, case: Case
) -> None:
    body = {"seen_at": 12, "seen": ["not", "text"], "lat": True, "lon": 3.7, "photo": "AAAA"}
    for lang in LANGS:
        answer = await client.post(f"/alerts/{case.public_id}/sightings", json=body,
                                   headers={"Accept-Language": lang})  # fmt: skip
        assert answer.status == 422
        found = await answer.json()
        assert found["errors"] == {
            "seen_at": in_language(lang, BAD_WHEN),
            "seen": in_language(lang, "This must be text."),
            "point": in_language(lang, BAD_POINT),
            "photo": in_language(lang, PHOTO_IN_JSON),
        }
        assert found["error"] == in_language(lang, "The report was not sent. Please check:")


# -- uploads ---------------------------------------------------------------------------------------


def polyglot() -> bytes:
    """A real JPEG that is also a page: markup in a comment segment and after the image."""
    jpeg = images.jpeg(120, 90)
    comment = b"<html><script>alert(document.cookie)</script></html>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg[:2] + segment + jpeg[2:] + b"<script>alert(1)</script>"


async def test_uploads_are_refused_or_cleaned(
    client: Client, database: Database, case: Case
) -> None:
    csrf = await token(client, case)
    refused = {
        images.SVG: PHOTO_TYPE,
        images.pixel_flood(): PHOTO_PIXELS,
        b"\xff\xd8\xff<html><script>alert(1)</script></html>": PHOTO_UNREADABLE,
        b"GIF89a<script>alert(1)</script>": PHOTO_TYPE,
    }
    for data, message in refused.items():
        status, html, _ = await send(client, case, report_form(csrf, data, place="Gent", seen="x"))
        assert status == 422 and field_error(html, "photo") == in_language("en", message)
    assert await stored(database, case) == []
    for data in (polyglot(), images.jpeg(400, 300, gps=True)):
        status, _, _ = await send(client, case, report_form(csrf, data, place="Gent", seen="x"))
        assert status == 303
    for row in await stored(database, case):
        kept = row["photo"]
        assert b"<script" not in kept and b"<html" not in kept
        assert b"Exif" not in kept and b"GPS" not in kept and b"PhoneMaker" not in kept
        with Image.open(io.BytesIO(kept)) as image:
            assert image.format == "JPEG" and not image.getexif()


async def test_a_base64_encoded_part_is_refused_not_decoded(
    client: Client, database: Database, case: Case
) -> None:
    csrf = await token(client, case)
    with MultipartWriter("form-data") as writer:
        for name, value in (("csrf_token", csrf), ("seen_at", minutes_ago(3)), ("place", "Gent"),
                            ("seen", "x")):  # fmt: skip
            writer.append(value).set_content_disposition("form-data", name=name)
        part = writer.append(base64.b64encode(images.jpeg()), {hdrs.CONTENT_TYPE: "image/jpeg"})
        part.set_content_disposition("form-data", name="photo", filename="p.jpg")
        part.headers[hdrs.CONTENT_TRANSFER_ENCODING] = "base64"
    status, html, _ = await send(client, case, writer)
    assert status == 422
    assert field_error(html, "photo") == in_language("en", PHOTO_UNREAD)
    assert 'value="Gent"' in html
    assert await stored(database, case) == []


async def test_oversized_bodies_are_refused_before_or_while_reading(
    aiohttp_client: Any, settings: Settings, database: Database, case: Case
) -> None:
    small = dataclasses.replace(settings, sighting_max_body=200_000, photo_max_bytes=100_000)
    client = await aiohttp_client(create_app(small))
    csrf = await token(client, case)
    photo = b"\xff\xd8\xff" + bytes(150_000)
    status, html, _ = await send(client, case, report_form(csrf, photo, place="Gent", seen="x"))
    assert status == 422, "a photo over its cap is dropped; the fields after it still count"
    assert field_error(html, "photo") == in_language("en", PHOTO_TOO_LARGE, mb="1")
    big = report_form(csrf, bytes(300_000), place="Gent", seen="x")
    status, html, _ = await send(client, case, big)
    assert status == 413 and in_language("en", REQUEST_TOO_LARGE, mb="1") in html

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while reading
        yield b'{"seen": "'
        for _ in range(40):
            yield b"x" * 10_000

    status, _, _ = await send(client, case, chunks(), **{"Content-Type": "application/json"})
    assert status == 413
    assert await stored(database, case) == []


# -- limits ----------------------------------------------------------------------------------------


@pytest.fixture
async def limited(aiohttp_client: Any, settings: Settings) -> Client:
    """The service behind a proxy at 127.0.0.1, with small limits."""
    tight = dataclasses.replace(settings, sighting_rate_per_client=3, sighting_rate_per_case=6,
                                trusted_proxies=("127.0.0.1",))  # fmt: skip
    client: Client = await aiohttp_client(create_app(tight))
    return client


async def test_over_the_limit_one_sender_gets_429_while_another_goes_through(
    limited: Client, database: Database, case: Case
) -> None:
    crowd, other = {"X-Forwarded-For": "198.51.100.7"}, {"X-Forwarded-For": "203.0.113.9"}
    csrf = await token(limited, case)
    for _ in range(3):
        status, _, _ = await send(limited, case, report_form(csrf, place="Gent", seen="x"), **crowd)
        assert status == 303
    status, html, headers = await send(limited, case, report_form(csrf, place="Gent", seen="x"),
                                       lang="de", **crowd)  # fmt: skip
    assert status == 429 and 3500 <= int(headers["Retry-After"]) <= 3600
    assert "Min." in html and in_language("de", "Please wait before sending another report") in html
    status, _, _ = await send(limited, case, report_form(csrf, place="Gent", seen="x"), **other)
    assert status == 303
    body = {"seen_at": minutes_ago(1), "place": "Gent", "seen": "x"}
    answer = await limited.post(f"/alerts/{case.public_id}/sightings", headers=crowd, json=body)
    assert answer.status == 429 and (await answer.json())["retry_after"] > 0
    assert len(await stored(database, case)) == 4


async def test_past_the_case_limit_everyone_is_asked_to_call(
    limited: Client, database: Database, case: Case
) -> None:
    csrf = await token(limited, case)
    for n in range(6):
        headers = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        status, _, _ = await send(limited, case, report_form(csrf, place="Gent", seen="x"),
                                  **headers)  # fmt: skip
        assert status == 303
    status, html, _ = await send(limited, case, report_form(csrf, place="Gent", seen="x"),
                                 **{"X-Forwarded-For": "192.0.2.99"})  # fmt: skip
    assert status == 429 and "116\u00a0000" in html and "very many reports" in html


async def test_no_address_is_stored_anywhere(
    limited: Client, database: Database, case: Case
) -> None:
    addresses = ("198.51.100.7", "2001:db8:1:2:3:4:5:6")
    csrf = await token(limited, case)
    for address in addresses:
        status, _, _ = await send(limited, case, report_form(csrf, place="Gent", seen="x"),
                                  **{"X-Forwarded-For": address})  # fmt: skip
        assert status == 303
    tables = [r["tablename"] for r in await database.conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
    for table in tables:
        for address in (*addresses, "2001:db8:1:2"):
            hits = await database.conn.fetchval(
                f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE $1', f"%{address}%"
            )
            assert hits == 0, (table, address)
    keys = {row["client_key"] for row in await stored(database, case)}
    assert len(keys) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)


def test_senders_are_keyed_hashes_of_an_ipv4_address_or_an_ipv6_64(settings: Settings) -> None:
    key = clients.client_key
    assert key(settings, "2001:db8:1:2::1") == key(settings, "2001:db8:1:2:ffff::9")
    assert key(settings, "2001:db8:1:2::1") != key(settings, "2001:db8:1:3::1")
    assert key(settings, "::ffff:198.51.100.7") == key(settings, "198.51.100.7")
    assert key(settings, "198.51.100.7") != key(settings, "198.51.100.8")
    keyed = dataclasses.replace(settings, secret_key="k1")
    assert key(keyed, "198.51.100.7") != key(dataclasses.replace(keyed, secret_key="k2"),
                                             "198.51.100.7")  # fmt: skip
    sender = clients.sender_address
    assert sender("10.0.0.5", "1.2.3.4", ()) == "10.0.0.5"  # no proxy trusted: XFF is ignored
    assert sender("10.0.0.5", "6.6.6.6, 1.2.3.4", ("10.0.0.0/8",)) == "1.2.3.4"
    assert sender("10.0.0.5", "1.2.3.4, 10.0.0.9", ("10.0.0.0/8",)) == "1.2.3.4"


async def test_a_flood_from_one_sender_does_not_slow_the_others(
    limited: Client, database: Database, case: Case, aiohttp_client: Any
) -> None:
    csrf = await token(limited, case)
    # The others come on their own connections, as other phones do (not queued behind the
    # flood in this client's connection pool).
    others: Client = await aiohttp_client(limited.server)
    others_csrf = await token(others, case)
    flood = {"X-Forwarded-For": "198.51.100.66"}
    for _ in range(3):
        await send(limited, case, report_form(csrf, place="Gent", seen="x"), **flood)
    body = report_form(csrf, images.jpeg(800, 600), place="Gent", seen="x" * 1500)

    async def one(headers: dict[str, str]) -> int:
        if headers is flood:
            status, _, _ = await send(limited, case, body, **headers)
        else:
            form = report_form(others_csrf, place="Gent", seen="x")
            status, _, _ = await send(others, case, form, **headers)
        return status

    quiet = await one({"X-Forwarded-For": "203.0.113.1"})
    flooding = [asyncio.create_task(one(flood)) for _ in range(300)]
    await asyncio.sleep(0)
    during = await one({"X-Forwarded-For": "203.0.113.2"})
    # Without a clock: the other sender's answer comes while the flood is still being refused.
    flood_left = sum(not task.done() for task in flooding)
    results = await asyncio.gather(*flooding)
    assert set(results) == {429}
    assert quiet == during == 303
    assert flood_left > 0


# -- abuse, forgery, withdrawal, logs --------------------------------------------------------------


async def test_a_filled_honeypot_looks_accepted_but_nothing_is_stored(
    client: Client, database: Database, case: Case
) -> None:
    csrf = await token(client, case)
    status, _, headers = await send(
        client, case, report_form(csrf, place="Gent", seen="x", subject="buy now")
    )
    assert status == 303 and "received?ref=" in headers["Location"]
    assert await stored(database, case) == []


async def test_a_form_without_its_token_comes_back_filled_in(
    client: Client, database: Database, case: Case
) -> None:
    await token(client, case)
    status, html, _ = await send(client, case, report_form("forged", place="Gent", seen="Lotte"),
                                 lang="nl")  # fmt: skip
    assert status == 403 and in_language("nl", EXPIRED) in html
    assert 'value="Gent"' in html and ">Lotte</textarea>" in html
    assert await stored(database, case) == []


async def test_a_withdrawn_case_answers_410(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff)
    csrf = await token(client, case)
    await pipeline.close(database, manager, case.id, "found_safe")
    status, html, _ = await send(client, case, report_form(csrf, place="Gent", seen="x"))
    assert status == 410 and case.first_name not in html
    answer = await client.post(f"/alerts/{case.public_id}/sightings", json={"seen": "x"})
    assert answer.status == 410
    received = await client.get(f"/alerts/{case.public_id}/sightings/received?ref=ABCD-EFGH")
    assert received.status == 410
    assert await stored(database, case) == []


async def test_nothing_a_tipster_sent_reaches_the_logs(
    client: Client, case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = await token(client, case)
    await send(client, case, report_form(csrf, images.jpeg(), **FIELDS),
               **{"X-Forwarded-For": "198.51.100.7"})  # fmt: skip
    await send(client, case, report_form(csrf, phone="bad", **{k: v for k, v in FIELDS.items()
                                                                if k != "phone"}))  # fmt: skip
    # The test server's access log names the peer; run.py serve turns it off (access_log=None).
    logged = "\n".join(f"{r.getMessage()} {json.dumps(vars(r), default=str)}"
                       for r in caplog.records if r.name != "aiohttp.access")  # fmt: skip
    assert "sighting_received" in logged
    for secret in ("Ann Peeters", "470 12 34", "ann@example.be", "regenjas", "Opel", "Overpoort",
                   "Sint-Pietersstation", "127.0.0.1", "198.51.100.7"):  # fmt: skip
        assert secret not in logged, secret


async def test_reports_sent_together_are_stored_together_and_one_bad_row_sinks_none(
    database: Database, case: Case
) -> None:
    from alerts import errors
    from alerts.sightings import reports as sightings

    writer = sighting_intake.Writer(lambda: database)
    now = datetime.now(UTC)
    good = sightings.parse_report({"seen_at": now.isoformat(), "place": "Gent", "seen": "x"}, now)
    bad = dataclasses.replace(good, lat=100.0, lon=3.7)  # past the database's own check
    targets = [(case.public_id, good)] * 20 + [("unknown-case-id", good), (case.public_id, bad)]
    outcomes = await asyncio.gather(
        *(writer.store(public_id, report, source="json", language="en", client="k")
          for public_id, report in targets),
        return_exceptions=True,
    )  # fmt: skip
    receipts = [o for o in outcomes if isinstance(o, sighting_intake.Receipt)]
    assert len(receipts) == 20 and len({r.reference for r in receipts}) == 20
    assert isinstance(outcomes[20], errors.Gone)
    assert isinstance(outcomes[21], errors.InvalidInput)
    assert len(await stored(database, case)) == 20
