"""Every CAP message made once and stored by identifier (table `cap_messages`).

The first time a message is needed (the CAP feed is read, or a partner webhook sends it) it is
built, signed when signing is configured (alerts/partners/cap_sign.py), and stored with its
`sent`; every later reader gets the same bytes, so the feed and every partner see one message per
identifier and `references` always name stored messages. The chain of a case: the first message
stored is an Alert; a later revision's is an Update referencing every message stored before it;
the Cancel references them all. Two processes making the same message at once store one of them
(`ON CONFLICT DO NOTHING`) and both return the stored one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from alerts.cases.consent import PublicView
from alerts.config import Settings
from alerts.db.database import Database
from alerts.partners import cap, cap_sign

CANCEL_EXPIRES_DAYS = 7  # as long as the CAP feed shows a Cancel


async def _stored(db: Database, identifier: str) -> bytes | None:
    found = await db.fetchval("cap_message", identifier)
    return bytes(found) if found is not None else None


async def _chain(db: Database, settings: Settings, case_id: int) -> list[cap.CapRef]:
    sender = cap.sender_for(settings.public_base_url)
    return [cap.CapRef(sender=sender, identifier=row["identifier"], sent=row["sent"])
            for row in await db.fetch("cap_chain", case_id)]  # fmt: skip


async def _store(
    db: Database, identifier: str, case_id: int, revision: int | None, msg_type: str,
    sent: datetime, document: bytes,
) -> bytes:  # fmt: skip
    await db.execute("insert_cap_message", identifier, case_id, revision, msg_type, sent, document)
    stored = await _stored(db, identifier)
    assert stored is not None  # inserted now, or by whoever won the race
    return stored


async def alert_message(
    db: Database, settings: Settings, case_id: int, view: PublicView, now: datetime | None = None
) -> bytes:
    """The stored Alert or Update of the view's revision in the level's period, made now if it
    was never issued; it expires when the level in force ends (alerts.cases.levels), else
    CAP_EXPIRES_HOURS after it is sent."""
    period = await db.fetchrow("cap_level_period", case_id)
    number = period["level_period"] if period else 1
    identifier = cap.message_id(view.public_id, view.revision, number)
    stored = await _stored(db, identifier)
    if stored is not None:
        return stored
    sent = (now or datetime.now(UTC)).replace(microsecond=0)
    references = [ref for ref in await _chain(db, settings, case_id)
                  if ref.identifier != identifier]  # fmt: skip
    msg_type: cap.MsgType = "Update" if references else "Alert"
    ends = period["level_expires_at"] if period else None
    alert = cap.cap_alert(view, msg_type, references, sent,
                          expires=ends or sent + timedelta(hours=settings.cap_expires_hours),
                          sender_name=_names(settings, view.languages), period=number)  # fmt: skip
    document = cap_sign.sign_configured(settings, cap.to_xml(alert))
    return await _store(db, identifier, case_id, view.revision, msg_type, sent, document)


async def cancel_message(
    db: Database, settings: Settings, case_id: int, public_id: str, now: datetime | None = None
) -> bytes | None:
    """The stored Cancel of the case's chain, made now if needed; None when no message of the
    case was ever issued (nothing to cancel)."""
    identifier = cap.cancel_id(public_id)
    stored = await _stored(db, identifier)
    if stored is not None:
        return stored
    references = await _chain(db, settings, case_id)
    if not references:
        return None
    sent = (now or datetime.now(UTC)).replace(microsecond=0)
    case = await db.fetchrow("cap_case_languages", case_id)
    languages = (case["languages"] if case else None) or []
    alert = cap.cap_cancel(
        public_id, references, sent,
        sender=cap.sender_for(settings.public_base_url), languages=languages,
        expires=sent + timedelta(days=CANCEL_EXPIRES_DAYS),
        sender_name=_names(settings, languages),
        web=settings.public_base_url.rstrip("/") + "/", contact=settings.hotline,
        exercise=bool(case and case["exercise"]),
    )  # fmt: skip
    document = cap_sign.sign_configured(settings, cap.to_xml(alert))
    return await _store(db, identifier, case_id, None, "Cancel", sent, document)


def _names(settings: Settings, languages: Sequence[str]) -> dict[str, str]:
    """`senderName` in each language: ORGANISATION_NAME_<LANG>, else ORGANISATION_NAME."""
    return {lang: settings.organisation(lang) for lang in languages}


def body_of(document: bytes) -> bytes:
    """The `<alert>` element of a stored document, without its XML declaration: what the CAP
    feed embeds, byte for byte."""
    if document.startswith(b"<?xml"):
        return document[document.index(b"?>") + 2 :].lstrip(b"\n")
    return document
