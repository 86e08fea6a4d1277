"""The public feeds: an Atom feed of the public alerts, and an Atom feed of CAP 1.2 messages.

Both are built on each request from the publication registry: a case is in a feed while the
revision it is at was recorded for that feed (channel `feed`, target `atom` or `cap`) and the
consent still allows the `feed` channel; its content comes from the feed's `PublicView` only.

`/feeds/alerts.atom` has one entry per public alert (its id is the case page's address, updated
at each revision), linking to the case page, with the square image as enclosure. A case withdrawn
from it (closed, its consent narrowed below the public level, revoked or ended) becomes an RFC
6721 deleted entry (`<at:deleted-entry ref="{entry id}" when="...">`, with a neutral comment and
nothing of the child) for RETENTION_DAYS, so that aggregators remove the entry they hold; then it
is gone. Each language's feed (`?lang=fr`) has its own id and `rel="self"` link; `updated` is the
last time the feed's content changed (also the HTTP Last-Modified).

`/feeds/cap.xml` follows the common form of national CAP feeds: an Atom feed whose entries each
carry one CAP `<alert>` inline (`<content type="application/cap+xml">`), one entry per case
holding its latest message: Alert, then Update at each revision (referencing the earlier
messages), then Cancel when the case closes or its consent no longer allows feeds. A Cancel
stays for CANCEL_DAYS with the identifier and references only.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET  # noqa: S405 - builds XML, never parses any
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.cases import lifecycle as cases
from alerts.cases.consent import PublicView
from alerts.cases.models import Case, CaseState, Consent
from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.errors import NotPublishable
from alerts.i18n import LANGUAGES, gettext, in_language, language
from alerts.partners import cap, cap_store
from alerts.posters.labels import CALL, COLON, SEEN_QUESTION, facts
from alerts.publication import materials

ATOM_NS = "http://www.w3.org/2005/Atom"
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
ATOM_PATH = "/feeds/alerts.atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CANCEL_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class Sent:
    revision: int
    at: datetime


@dataclass(frozen=True, kw_only=True)
class FeedEntry:
    """A case as one feed shows it: its view, or (view None) the time its chain was cancelled."""

    case: Case
    view: PublicView | None
    sent: tuple[Sent, ...]  # the revisions recorded for this feed, oldest first
    cancelled_at: datetime | None = None

    @property
    def updated(self) -> datetime:
        return self.cancelled_at or self.sent[-1].at


async def feed_entries(
    db: Database, settings: Settings, target: str, now: datetime | None = None
) -> list[FeedEntry]:
    """The entries of the feed `target` ('atom' or 'cap'), most recently updated first."""
    now = now or datetime.now(UTC)
    history: dict[int, list[Sent]] = defaultdict(list)
    for row in await db.fetch("feed_history", CANCEL_DAYS):
        if row["target"] == target:
            history[row["case_id"]].append(Sent(revision=row["revision"], at=row["sent_at"]))
    entries = [await _entry(db, settings, case_id, tuple(sent), now)
               for case_id, sent in history.items()]  # fmt: skip
    found = [entry for entry in entries if entry is not None]
    return sorted(found, key=lambda entry: entry.updated, reverse=True)


async def _entry(
    db: Database, settings: Settings, case_id: int, sent: tuple[Sent, ...], now: datetime
) -> FeedEntry | None:
    case = await cases.get(db, case_id)
    if case.state is not CaseState.ACTIVE:
        return FeedEntry(case=case, view=None, sent=sent, cancelled_at=case.closed_at or now)
    try:
        view = await view_for(db, settings, case, "feed", now=now)
    except NotPublishable:
        stopped = _stopped_at(await cases.current_consent(db, case.id), now)
        if now - stopped > timedelta(days=CANCEL_DAYS):
            return None
        return FeedEntry(case=case, view=None, sent=sent, cancelled_at=stopped)
    # A revision the feed did not record (the consent was raised without a new revision) is not
    # shown until a revision records it: what the feed carries is what the registry lists.
    if sent[-1].revision != case.revision:
        return None
    return FeedEntry(case=case, view=view, sent=sent)


def _stopped_at(consent: Consent | None, now: datetime) -> datetime:
    """When the consent stopped allowing the feed: revoked, expired, or replaced by a lower one."""
    if consent is None:
        return now
    if consent.revoked_at is not None:
        return consent.revoked_at
    if consent.valid_until is not None and consent.valid_until <= now:
        return consent.valid_until
    return consent.created_at


# --- XML ------------------------------------------------------------------------------------


def _atom(name: str) -> str:
    # Atom elements are written unqualified under the root's default namespace declaration:
    # ElementTree cannot write a default namespace for elements with unqualified attributes.
    return name


def _add(parent: ET.Element, name: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(name), attributes)
    element.text = value
    return element


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _feed(settings: Settings, path: str, title: str, updated: datetime) -> ET.Element:
    base = settings.public_base_url.rstrip("/")
    feed = ET.Element(_atom("feed"), {"xmlns": ATOM_NS})
    _add(feed, "id", f"{base}{path}")
    _add(feed, "title", title)
    _add(feed, "updated", _time(updated))
    author = ET.SubElement(feed, _atom("author"))
    _add(author, "name", settings.organisation_name)
    ET.SubElement(feed, _atom("link"), {"rel": "self", "href": f"{base}{path}"})
    ET.SubElement(feed, _atom("link"), {"rel": "alternate", "type": "text/html",
                                        "href": f"{base}/press"})  # fmt: skip
    return feed


def _updated(entries: list[FeedEntry], now: datetime) -> datetime:
    return max((entry.updated for entry in entries), default=now)


def _serialise(feed: ET.Element) -> bytes:
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def entry_language(view: PublicView, lang: str) -> str:
    """`lang` when the case is published in it, else the case's first language."""
    return lang if lang in view.languages else view.languages[0]


def summary(view: PublicView, lang: str) -> str:
    """The alert as plain text: its facts, then how to help."""
    with language(lang):
        colon = gettext(COLON)
        help_ = f"{gettext(SEEN_QUESTION)} {gettext(CALL, hotline=view.hotline)}"
    lines = [f"{fact.label}{colon} {fact.value}" for fact in facts(view, (lang,))]
    lines.append(help_)
    return "\n".join(lines)


def feed_title(settings: Settings, lang: str) -> str:
    """The feed's title in `lang`: the public alerts of the organisation."""
    name = settings.organisation(lang)
    return in_language(lang, "Public alerts of %(organisation)s", organisation=name)


@dataclass(frozen=True, kw_only=True)
class Tombstone:
    """A case withdrawn from the Atom feed: its entry's id and when it was withdrawn."""

    ref: str
    when: datetime


@dataclass(frozen=True, kw_only=True)
class AtomFeed:
    """What the Atom feed shows: the live entries, the deleted ones, and its last change."""

    entries: list[FeedEntry]
    deleted: list[Tombstone]
    updated: datetime


def entry_id(settings: Settings, case: Case) -> str:
    """The id of a case's Atom entry: its page's address (`PublicView.case_url`)."""
    return f"{settings.public_base_url.rstrip('/')}/alerts/{case.public_id}"


async def atom_contents(db: Database, settings: Settings, now: datetime) -> AtomFeed:
    """The Atom feed's entries and tombstones at `now`, from its publications in the registry."""
    retention = timedelta(days=settings.retention_days)
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in await db.fetch("atom_feed_history", settings.retention_days):
        rows[row["case_id"]].append(row)
    entries: list[FeedEntry] = []
    deleted: list[Tombstone] = []
    for case_id, history in rows.items():
        case = await cases.get(db, case_id)
        found = await _atom_entry(db, settings, case, history, now)
        if isinstance(found, FeedEntry):
            entries.append(found)
        elif found is not None and now - found <= retention:
            deleted.append(Tombstone(ref=entry_id(settings, case), when=found))
    entries.sort(key=lambda entry: entry.updated, reverse=True)
    deleted.sort(key=lambda tombstone: tombstone.when, reverse=True)
    changed = await db.fetchrow("atom_feed_changed", settings.retention_days) or {}
    updated = max([changed.get("changed") or changed.get("started") or now,
                   *(e.updated for e in entries), *(t.when for t in deleted)])  # fmt: skip
    return AtomFeed(entries=entries, deleted=deleted, updated=min(updated, now))


async def _atom_entry(
    db: Database, settings: Settings, case: Case, history: list[Any], now: datetime
) -> FeedEntry | datetime | None:
    """The case's live entry; else when it was withdrawn from the feed; else None (never shown
    at its current revision, nothing to delete)."""
    last = history[-1]
    sent = tuple(Sent(revision=r["revision"], at=r["sent_at"]) for r in history)
    if case.state is CaseState.ACTIVE and last["state"] == "sent":
        try:
            view = await view_for(db, settings, case, "feed", now=now)
        except NotPublishable:  # the consent ended; the scheduler has not withdrawn it yet
            return _stopped_at(await cases.current_consent(db, case.id), now)
        if last["revision"] != case.revision:
            return None  # see _entry: shown once a revision records it
        return FeedEntry(case=case, view=view, sent=sent)
    withdrawn = [r["ended_at"] for r in history if r["state"] == "withdrawn" and r["ended_at"]]
    if withdrawn:
        return max(withdrawn)
    return case.closed_at if case.state is CaseState.CLOSED else None


async def atom_feed(
    db: Database, settings: Settings, lang: str | None, now: datetime | None = None
) -> tuple[bytes, datetime]:
    """The Atom feed of the public alerts in `lang` (None: the default language, at the feed's
    plain address), each entry in `lang` when the case has it; and when it last changed."""
    now = now or datetime.now(UTC)
    contents = await atom_contents(db, settings, now)
    shown = lang or settings.default_languages[0]
    path = ATOM_PATH if lang is None else f"{ATOM_PATH}?lang={lang}"
    feed = _feed(settings, path, feed_title(settings, shown), contents.updated)
    feed.set(XML_LANG, shown)
    feed.set("xmlns:at", TOMBSTONES_NS)
    base = settings.public_base_url.rstrip("/")
    for other in LANGUAGES:
        ET.SubElement(feed, _atom("link"), {"rel": "alternate", "type": "application/atom+xml",
                      "hreflang": other, "href": f"{base}{ATOM_PATH}?lang={other}"})  # fmt: skip
    for entry in contents.entries:
        assert entry.view is not None
        sizes = await materials.material_index(db, entry.case.id, entry.case.revision)
        feed.append(_alert_entry(entry, entry.view, entry_language(entry.view, shown), sizes))
    for tombstone in contents.deleted:
        feed.append(_deleted_entry(tombstone, shown))
    return _serialise(feed), contents.updated


def _deleted_entry(tombstone: Tombstone, lang: str) -> ET.Element:
    """RFC 6721's deleted entry: the withdrawn entry's id and when; nothing of the child."""
    element = ET.Element("at:deleted-entry", {"ref": tombstone.ref, "when": _time(tombstone.when)})
    comment = ET.SubElement(element, "at:comment", {XML_LANG: lang})
    comment.text = in_language(lang, "Alert withdrawn")
    return element


def _alert_entry(
    entry: FeedEntry, view: PublicView, lang: str, stored: list[materials.StoredMaterial]
) -> ET.Element:
    element = ET.Element(_atom("entry"), {XML_LANG: lang})
    _add(element, "id", view.case_url)
    _add(element, "title", cap.headline(view, lang))
    _add(element, "updated", _time(entry.sent[-1].at))
    _add(element, "published", _time(entry.sent[0].at))
    ET.SubElement(element, _atom("link"), {"rel": "alternate", "type": "text/html",
                                           "hreflang": lang, "href": view.case_url})  # fmt: skip
    square = next((m for m in stored if m.file.kind == "square" and m.file.language == lang), None)
    if square is not None:
        ET.SubElement(element, _atom("link"), {
            "rel": "enclosure", "type": square.file.content_type, "length": str(square.size),
            "href": f"{view.case_url}/{square.file.filename}",
        })  # fmt: skip
    _add(element, "summary", summary(view, lang), type="text")
    return element


async def cap_feed(db: Database, settings: Settings, now: datetime | None = None) -> bytes:
    """The Atom feed of CAP 1.2 messages: each case's latest Alert, Update or Cancel, embedded
    byte for byte as stored (alerts/partners/cap_store.py), the same bytes partners receive."""
    now = now or datetime.now(UTC)
    entries = await feed_entries(db, settings, "cap", now)
    lang = settings.default_languages[0]
    title = f"CAP · {feed_title(settings, lang)}"
    feed = _feed(settings, "/feeds/cap.xml", title, _updated(entries, now))
    marker = secrets.token_hex(16)  # no text of a case can guess it
    messages: dict[str, bytes] = {}
    for entry in entries:
        message = await cap_document(db, settings, entry)
        if message is None:
            continue  # cancelled before any CAP message was issued: nothing to cancel
        placeholder = f"cap-{marker}-{len(messages)}"
        messages[placeholder] = cap_store.body_of(message)
        feed.append(_cap_entry(settings, entry, placeholder))
    body = _serialise(feed)
    for placeholder, message in messages.items():
        body = body.replace(placeholder.encode(), message, 1)
    return body


async def cap_document(db: Database, settings: Settings, entry: FeedEntry) -> bytes | None:
    """The stored CAP message a feed entry carries: Alert, Update or Cancel."""
    if entry.view is None:
        return await cap_store.cancel_message(db, settings, entry.case.id, entry.case.public_id)
    return await cap_store.alert_message(db, settings, entry.case.id, entry.view)


def _cap_entry(settings: Settings, entry: FeedEntry, placeholder: str) -> ET.Element:
    base = settings.public_base_url.rstrip("/")
    element = ET.Element(_atom("entry"))
    _add(element, "id", f"{base}/alerts/{entry.case.public_id}#cap")
    if entry.view is None:
        lang = settings.default_languages[0]
        _add(element, "title", in_language(lang, "Alert withdrawn"))
    else:
        lang = entry.view.languages[0]
        _add(element, "title", cap.headline(entry.view, lang))
        ET.SubElement(element, _atom("link"), {"rel": "alternate", "type": "text/html",
                                               "href": entry.view.case_url})  # fmt: skip
    _add(element, "updated", _time(entry.updated))
    _add(element, "content", placeholder, type="application/cap+xml")
    return element
