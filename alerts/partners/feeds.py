"""The public feeds: an Atom feed of the public alerts, and an Atom feed of CAP 1.2 messages.

Both are built on each request from the publication registry: a case is in a feed while the
revision it is at was recorded for that feed (channel `feed`, target `atom` or `cap`) and the
consent still allows the `feed` channel; its content comes from the feed's `PublicView` only.

`/feeds/alerts.atom` has one entry per public alert (its id is the case page's address, updated
at each revision), linking to the case page, with the square image as enclosure.

`/feeds/cap.xml` follows the common form of national CAP feeds: an Atom feed whose entries each
carry one CAP `<alert>` inline (`<content type="application/cap+xml">`), one entry per case
holding its latest message: Alert, then Update at each revision (referencing the earlier
messages), then Cancel when the case closes or its consent no longer allows feeds. A Cancel
stays for CANCEL_DAYS with the identifier and references only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - builds XML, never parses any
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alerts.cases import lifecycle as cases
from alerts.cases.consent import PublicView
from alerts.cases.models import Case, CaseState, Consent
from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.errors import NotPublishable
from alerts.i18n import gettext, in_language, language
from alerts.partners import cap
from alerts.posters.labels import CALL, COLON, SEEN_QUESTION, facts
from alerts.publication import materials

ATOM_NS = "http://www.w3.org/2005/Atom"
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


async def atom_feed(
    db: Database, settings: Settings, lang: str, now: datetime | None = None
) -> bytes:
    """The Atom feed of the public alerts, each entry in `lang` when the case has it."""
    now = now or datetime.now(UTC)
    entries = await feed_entries(db, settings, "atom", now)
    title = feed_title(settings, lang)
    feed = _feed(settings, "/feeds/alerts.atom", title, _updated(entries, now))
    feed.set(XML_LANG, lang)
    for entry in entries:
        if entry.view is not None:
            sizes = await materials.material_index(db, entry.case.id, entry.case.revision)
            feed.append(_alert_entry(entry, entry.view, entry_language(entry.view, lang), sizes))
    return _serialise(feed)


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
    """The Atom feed of CAP 1.2 messages: each case's latest Alert, Update or Cancel."""
    now = now or datetime.now(UTC)
    entries = await feed_entries(db, settings, "cap", now)
    lang = settings.default_languages[0]
    title = f"CAP · {feed_title(settings, lang)}"
    feed = _feed(settings, "/feeds/cap.xml", title, _updated(entries, now))
    for entry in entries:
        feed.append(_cap_entry(settings, entry))
    return _serialise(feed)


def cap_message(settings: Settings, entry: FeedEntry) -> ET.Element:
    """The CAP message a feed entry carries: Alert, Update or Cancel."""
    sender = cap.sender_for(settings.public_base_url)
    refs = [cap.CapRef(sender=sender, identifier=cap.message_id(entry.case.public_id, s.revision),
                       sent=s.at) for s in entry.sent]  # fmt: skip
    if entry.view is None:
        return cap.cap_cancel(entry.case.public_id, refs, entry.updated, sender=sender)
    msg_type: cap.MsgType = "Alert" if len(refs) == 1 else "Update"
    return cap.cap_alert(entry.view, msg_type, refs[:-1], entry.sent[-1].at,
                         sender_name=settings.organisation_name)  # fmt: skip


def _cap_entry(settings: Settings, entry: FeedEntry) -> ET.Element:
    message = cap_message(settings, entry)
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
    content = ET.SubElement(element, _atom("content"), {"type": "application/cap+xml"})
    content.append(message)
    return element
