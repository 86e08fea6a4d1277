"""The Atom feed as aggregators read it (feedparser) and as RFC 6721 asks: a withdrawn case
becomes a deleted entry (`at:deleted-entry`, its `ref` the entry's id, `when` a date-time, nothing
of the child) for RETENTION_DAYS and is gone after; each language's feed has its own id and self
link; conditional requests get 304 while nothing changed."""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from aiohttp.test_utils import TestClient
from lxml import etree

from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import pipeline
from tests.support.app import StaffFactory
from tests.support.factories import CONSENT, approved
from tests.support.paths import DATA

Client = TestClient[Any, Any]
ATOM = "{http://www.w3.org/2005/Atom}"
AT = "{http://purl.org/atompub/tombstones/1.0}"
# RFC 3339 date-time, as RFC 6721 requires of `when`.
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
# What RFC 6721 (section 3) lets a deleted entry hold besides its attributes.
TOMBSTONE_CHILDREN = {f"{AT}by", f"{AT}comment", f"{ATOM}link", f"{ATOM}source"}
CHILD = ("Lotte", "Vermeulen", "hoodie", "Sint-Pieters", "square-", "photo", ".jpg", ".png")


@functools.cache
def tombstone_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "atom-tombstones.xsd")))


async def get_feed(client: Client, path: str = "/feeds/alerts.atom") -> bytes:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return await response.read()


def parsed(body: bytes) -> Any:
    """The feed as feedparser reads it; it must find nothing wrong."""
    result = feedparser.parse(body)
    assert not result.bozo, result.get("bozo_exception")
    return result


def tombstones(body: bytes) -> list[Any]:
    """The feed's deleted entries, each checked against RFC 6721."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    found = root.findall(f"{AT}deleted-entry")
    for element in found:
        tombstone_schema().assertValid(etree.fromstring(etree.tostring(element)))
        ref, when = element.get("ref"), element.get("when")
        assert ref and re.match(r"https?://", ref), ref  # an IRI: the entry's atom:id
        assert when and DATE_TIME.fullmatch(when), when
        datetime.fromisoformat(when)
        assert {child.tag for child in element} <= TOMBSTONE_CHILDREN
        assert set(element.attrib) == {"ref", "when"}
        text = etree.tostring(element, encoding="unicode")
        for secret in CHILD:
            assert secret not in text, secret
    return found


async def test_a_closed_case_becomes_a_deleted_entry_until_the_retention_ends(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, photo=True,
                                   languages=("nl", "fr"), clothing="green hoodie")  # fmt: skip
    before = parsed(await get_feed(client))
    [entry] = before.entries
    assert entry.id == f"{settings.public_base_url}/alerts/{case.public_id}"
    assert tombstones(await get_feed(client)) == []

    closed_at = datetime.now(UTC)
    await pipeline.close(database, manager, case.id, "found_safe")
    body = await get_feed(client)
    after = parsed(body)
    assert after.entries == []  # the entry has left the feed ...
    [tombstone] = tombstones(body)  # ... and aggregators are told to delete theirs
    assert tombstone.get("ref") == entry.id
    when = datetime.fromisoformat(tombstone.get("when"))
    assert abs(when - closed_at) < timedelta(minutes=5)
    comment = in_language(settings.default_languages[0], "Alert withdrawn")
    assert tombstone.findtext(f"{AT}comment") == comment
    for secret in CHILD:
        assert secret.encode() not in body, secret
    assert datetime.fromisoformat(after.feed.updated) >= when  # the feed changed then

    # Still there the day before the retention ends; gone after it.
    days = settings.retention_days
    await age(database, case.id, timedelta(days=days) - timedelta(hours=1))
    assert len(tombstones(await get_feed(client))) == 1
    await age(database, case.id, timedelta(hours=2))
    body = await get_feed(client)
    assert tombstones(body) == [] and parsed(body).entries == []


async def age(database: Database, case_id: int, by: timedelta) -> None:
    """Move the case's close and its publications' ends back by `by`."""
    await database.conn.execute(
        "UPDATE cases SET closed_at = closed_at - $2::interval WHERE id = $1", case_id, by
    )
    await database.conn.execute(
        "UPDATE publications SET ended_at = ended_at - $2::interval WHERE case_id = $1", case_id, by
    )


async def test_a_consent_lowered_or_revoked_makes_a_deleted_entry(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    lowered, manager = await approved(database, settings, make_staff, level=3, languages=("en",))
    revoked, other = await approved(database, settings, make_staff, level=3, languages=("fr",))
    ids = {e.id for e in parsed(await get_feed(client)).entries}
    assert len(ids) == 2

    await pipeline.change_consent(database, settings, manager, lowered.id, {**CONSENT, "level": 2})
    await pipeline.revoke_consent(database, other, revoked.id)
    body = await get_feed(client, "/feeds/alerts.atom?lang=de")
    assert parsed(body).entries == []
    assert {t.get("ref") for t in tombstones(body)} == ids
    assert b"Lotte" not in body


async def test_each_language_has_its_own_feed_id_and_self_link(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    await approved(database, settings, make_staff, level=3, languages=("nl", "fr"))
    base = settings.public_base_url
    ids = {}
    for query in ("", "?lang=nl", "?lang=fr", "?lang=de", "?lang=en"):
        address = f"{base}/feeds/alerts.atom{query}"
        feed = parsed(await get_feed(client, f"/feeds/alerts.atom{query}")).feed
        [self_link] = [link for link in feed.links if link.rel == "self"]
        assert self_link.href == address and feed.id == address
        ids[query] = feed.id
    assert len(set(ids.values())) == 5
    fr = parsed(await get_feed(client, "/feeds/alerts.atom?lang=fr"))
    assert fr.feed.language == "fr" and fr.entries[0].title.startswith("DISPARU")
    alternates = {link.hreflang: link.href for link in fr.feed.links
                  if link.rel == "alternate" and link.type == "application/atom+xml"}  # fmt: skip
    assert alternates == {lang: f"{base}/feeds/alerts.atom?lang={lang}"
                          for lang in ("nl", "fr", "de", "en")}  # fmt: skip


async def test_conditional_requests_get_304_until_the_feed_changes(
    client: Client, database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    case, manager = await approved(database, settings, make_staff, level=3, languages=("nl",))
    # Sent a minute ago: the close below is a later second (Last-Modified counts in seconds).
    await database.conn.execute(
        "UPDATE publications SET sent_at = sent_at - interval '1 minute' WHERE case_id = $1",
        case.id,
    )
    first = await client.get("/feeds/alerts.atom?lang=nl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]+"', etag)  # strong
    body = await first.read()

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},  # weak comparison, as RFC 9110 says
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Fri, 31 Dec 2100 23:59:59 GMT"},
    ):
        again = await client.get("/feeds/alerts.atom?lang=nl", headers=headers)
        assert again.status == 304, headers
        assert again.headers["ETag"] == etag and await again.read() == b""
    head = await client.head("/feeds/alerts.atom?lang=nl", headers={"If-None-Match": etag})
    assert head.status == 304

    # What cannot be read is ignored (RFC 9110): the whole feed, never an error.
    for headers in (
        {"If-None-Match": "not-an-etag"},
        {"If-None-Match": '"' + "x" * 5000},
        {"If-Modified-Since": "yesterday"},
        {"If-Modified-Since": "Fri, 99 Foo 2100 99:99:99 GMT"},
        {"If-Modified-Since": "Mon, 01 Jan 0001 00:00:00 GMT"},
        {"If-None-Match": '"other"', "If-Modified-Since": modified},  # If-None-Match decides
    ):
        full = await client.get("/feeds/alerts.atom?lang=nl", headers=headers)
        assert full.status == 200, headers
        assert await full.read() == body

    await pipeline.close(database, manager, case.id, "found_safe")
    changed = await client.get("/feeds/alerts.atom?lang=nl", headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag
    assert b"deleted-entry" in await changed.read()
    stale = await client.get("/feeds/alerts.atom?lang=nl", headers={"If-Modified-Since": modified})
    assert stale.status == 200


async def test_conditional_headers_that_are_not_text_never_get_a_500(client: Client) -> None:
    """Bytes that are not UTF-8 in If-None-Match or If-Modified-Since, written on the socket."""
    for header in (b"If-None-Match: \xff\xfe", b"If-Modified-Since: \xff, 01 Jan 2026"):
        reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
        writer.write(b"GET /feeds/alerts.atom HTTP/1.1\r\nHost: x\r\n" + header
                     + b"\r\nConnection: close\r\n\r\n")  # fmt: skip
        status = int((await reader.readline()).split()[1])
        writer.close()
        assert status == 400, (header, status)  # from alerts.web.protocol


def test_the_rfc_6721_check_refuses_a_broken_deleted_entry() -> None:
    """The schema check itself: a tombstone without `when`, with a `when` that is no date-time,
    or holding an element RFC 6721 does not know, fails it."""
    ns = 'xmlns:at="http://purl.org/atompub/tombstones/1.0" ref="https://alerts.example/alerts/a"'
    good = f'<at:deleted-entry {ns} when="2026-12-05T07:00:00+00:00"/>'
    assert tombstone_schema().validate(etree.fromstring(good))
    for broken in (
        f"<at:deleted-entry {ns}/>",
        f'<at:deleted-entry {ns} when="yesterday"/>',
        f'<at:deleted-entry {ns} when="2026-12-05T07:00:00Z"><at:name>Lotte</at:name>'
        "</at:deleted-entry>",
    ):
        assert not tombstone_schema().validate(etree.fromstring(broken)), broken
