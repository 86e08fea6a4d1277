"""The press room: journalists' registrations, their downloads, and removal requests.

Journalists register with their outlet, name and e-mail address and confirm by a link valid 48
hours (double opt-in; only a hash of the token is kept; the answer is the same whether the
address is known or not). Following the link again later signs a confirmed journalist in on
another device. A signed cookie (HMAC with SECRET_KEY) then carries the contact's id; every
download from the press room is logged per outlet (`press_downloads`) and recorded in the
registry as a publication to that outlet (channel `press`, target `outlet:<id>`), so that the
withdrawal reaches every outlet that took material: `send_removal_requests()`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts import errors
from alerts.cases.consent import PublicView
from alerts.cases.models import Case
from alerts.cases.publicity import view_for
from alerts.channels.mailer import MailUnavailable, build_message, deliver
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import LANGUAGES, N_, gettext, language
from alerts.publication import materials
from alerts.publication.materials import MaterialFile, StoredMaterial
from alerts.publication.texts import RenderedText, render_text

log = logging.getLogger(__name__)

CONFIRM_HOURS = 48
SESSION_DAYS = 30
WINDOW_MINUTES = 60
CLIENT_LIMIT = 10  # registrations per client and window; more is refused (429)
EMAIL_LIMIT = 3  # e-mails per address and window; more are silently not sent (no mail bombing)
TEXT_KINDS = ("facebook", "x")
# The e-mails. The confirmation link is valid CONFIRM_HOURS; the words say 48 hours.
CONFIRM_BODY = N_(
    "Hello,\n\nThis e-mail address was given for the press room of %(organisation)s. "
    "Open this link within 48 hours to confirm your registration:\n\n%(link)s\n\nDid not "
    "ask for this? Ignore this e-mail; nothing will happen.\n\n%(organisation)s"
)
REMOVAL_SUBJECT = N_("Removal request: alert %(reference)s has been withdrawn")
REMOVAL_BODY = N_(
    "Hello,\n\nThe alert %(reference)s (%(url)s) has been withdrawn.\n\nYou downloaded "
    "material of this alert from our press room: %(files)s.\n\nPlease remove these posters, "
    "images and texts from your publications, websites, archives and social media posts "
    "as soon as possible, and do not publish them again.\n\nThank you for your help.\n\n"
    "%(organisation)s"
)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
# Without SECRET_KEY, sessions are signed with a key of this process (they end at restart).
_PROCESS_KEY = secrets.token_bytes(32)


@dataclass(frozen=True, kw_only=True)
class Registration:
    outlet: str
    name: str
    email: str
    language: str


def parse_registration(outlet: str, name: str, email: str, language: str) -> Registration:
    """The registration form's values, cleaned; InvalidInput when the outlet or address is bad."""
    outlet, name = " ".join(outlet.split()), " ".join(name.split())
    email = email.strip().lower()
    if not 0 < len(outlet) <= 120 or len(name) > 120:
        raise errors.InvalidInput()
    if len(email) > 254 or not _EMAIL.match(email):
        raise errors.InvalidInput()
    return Registration(outlet=outlet, name=name, email=email,
                        language=language if language in LANGUAGES else "en")  # fmt: skip


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_confirmation(
    db: Database, settings: Settings, registration: Registration, client_key: str
) -> None:
    """Send the confirmation link. TooManyRequests for a client that asked too often; an address
    asked for too often gets nothing more (silently: the answer must not tell anything)."""
    from_client = await db.fetchval("count_press_requests_for_client", client_key, WINDOW_MINUTES)
    if from_client >= CLIENT_LIMIT:
        raise errors.TooManyRequests(retry_after=WINDOW_MINUTES * 60)
    recent = await db.fetchval("count_press_requests_for_email", registration.email, WINDOW_MINUTES)
    token = secrets.token_urlsafe(32)
    await db.execute(
        "insert_press_confirmation", _token_hash(token), registration.email, registration.outlet,
        registration.name, registration.language, client_key, CONFIRM_HOURS,
    )  # fmt: skip
    if recent >= EMAIL_LIMIT:
        log.info("press confirmation withheld", extra={"action": "press_confirm_throttled"})
        return
    lang = registration.language
    link = f"{settings.public_base_url.rstrip('/')}/press/confirm?token={token}&lang={lang}"
    organisation = settings.organisation(lang)
    with language(lang):
        subject = gettext("Confirm your press room registration")
        body = gettext(CONFIRM_BODY, organisation=organisation, link=link)
    await deliver(settings, build_message(settings, registration.email, subject, body))
    log.info("press confirmation sent", extra={"action": "press_confirm_sent"})


@dataclass(frozen=True, kw_only=True)
class PressContact:
    id: int
    outlet: str
    name: str
    email: str
    language: str
    confirmed_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> PressContact:
        return cls(**{key: row[key] for key in ("id", "outlet", "name", "email", "language",
                                               "confirmed_at")})  # fmt: skip


async def token_is_usable(db: Database, token: str) -> bool:
    """True when the confirmation link can still be used (unused, not expired)."""
    return bool(await db.fetchval("usable_press_confirmation", _token_hash(token)))


async def confirm(db: Database, token: str) -> PressContact | None:
    """The confirmed contact of a confirmation link, used once; None when invalid or expired."""
    async with db.transaction() as tx:
        taken = await tx.fetchrow("take_press_confirmation", _token_hash(token))
        if taken is None:
            return None
        row = await tx.fetchrow(
            "upsert_press_contact", taken["outlet"], taken["name"], taken["email"],
            taken["language"],
        )  # fmt: skip
    assert row is not None
    log.info(
        "press contact confirmed", extra={"action": "press_confirmed", "contact_id": row["id"]}
    )
    return PressContact.from_row(row)


def _signature(settings: Settings, payload: str) -> str:
    key = settings.secret_key.encode() or _PROCESS_KEY
    return hmac.new(key, b"press-session:" + payload.encode(), hashlib.sha256).hexdigest()


def session_value(settings: Settings, contact: PressContact, now: datetime) -> str:
    """The signed cookie value that says who the journalist is, valid SESSION_DAYS."""
    payload = f"{contact.id}.{int(now.timestamp()) + SESSION_DAYS * 86400}"
    return f"{payload}.{_signature(settings, payload)}"


async def contact_from_session(
    db: Database, settings: Settings, value: str, now: datetime
) -> PressContact | None:
    """The confirmed contact a session cookie stands for; None when forged, expired or gone."""
    contact_id, _, rest = value.partition(".")
    expires, _, signature = rest.partition(".")
    if not (value.isascii() and contact_id.isdigit() and expires.isdigit()
            and len(contact_id) < 19):  # fmt: skip
        return None
    expected = _signature(settings, f"{contact_id}.{expires}")
    # Compared as bytes: compare_digest refuses non-ASCII text, which anyone can send.
    if (
        not hmac.compare_digest(signature.encode(), expected.encode())
        or int(expires) < now.timestamp()
    ):
        return None
    row = await db.fetchrow("confirmed_press_contact", int(contact_id))
    return None if row is None else PressContact.from_row(row)


async def record_download(
    db: Database, contact: PressContact, case: Case, file: MaterialFile
) -> None:
    """Log the download and record the outlet as a publication of the revision."""
    async with db.transaction() as tx:
        await tx.execute("record_press_download", contact.id, case.id, file.filename, case.revision)
        await tx.execute(
            "record_press_outlet_publication", case.id, case.revision, f"outlet:{contact.id}",
            contact.language,
        )  # fmt: skip
    log.info(
        "press download",
        extra={"action": "press_download", "case_id": case.id, "contact_id": contact.id,
               "material": file.filename},
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Outlet:
    """A press contact that took material of a case, and what they took."""

    contact_id: int
    outlet: str
    name: str
    email: str
    language: str
    files: tuple[str, ...]
    last_download_at: datetime
    removal_requested_at: datetime | None


async def outlets_to_notify(db: Database, case_id: int) -> list[Outlet]:
    """Every outlet that downloaded material of the case (removal_requested_at: already asked)."""
    rows = await db.fetch("press_outlets_for_case", case_id)
    return [Outlet(**{**dict(row), "files": tuple(row["files"])}) for row in rows]


@dataclass(frozen=True, kw_only=True)
class RemovalReport:
    """What `send_removal_requests` did: contact ids asked now, asked before, not reachable."""

    sent: tuple[int, ...]
    already: tuple[int, ...]
    failed: tuple[int, ...]


async def send_removal_requests(db: Database, settings: Settings, case: Case) -> RemovalReport:
    """Ask every outlet that took material of `case` to remove it, each once, in its language.

    Safe to call again: outlets already asked are skipped, those whose e-mail failed are tried
    again. Each request marks that outlet's publications withdrawn.
    """
    sent: list[int] = []
    already: list[int] = []
    failed: list[int] = []
    for outlet in await outlets_to_notify(db, case.id):
        if outlet.removal_requested_at is not None:
            already.append(outlet.contact_id)
            continue
        try:
            await _send_removal(settings, case, outlet)
        except MailUnavailable:
            failed.append(outlet.contact_id)
            continue
        async with db.transaction() as tx:
            await tx.execute("record_press_removal", case.id, outlet.contact_id)
            await tx.execute("withdraw_press_outlet_publications", case.id,
                             f"outlet:{outlet.contact_id}", "removal request sent")  # fmt: skip
        sent.append(outlet.contact_id)
    log.info(
        "press removal requests",
        extra={"action": "press_removal", "case_id": case.id, "sent": len(sent),
               "already": len(already), "failed": len(failed)},
    )  # fmt: skip
    return RemovalReport(sent=tuple(sent), already=tuple(already), failed=tuple(failed))


async def _send_removal(settings: Settings, case: Case, outlet: Outlet) -> None:
    lang = outlet.language
    url = materials.public_address(settings.public_base_url, case.public_id)
    with language(lang):
        subject = gettext(REMOVAL_SUBJECT, reference=case.reference)
        body = gettext(
            REMOVAL_BODY,
            reference=case.reference,
            url=url,
            files=", ".join(outlet.files),
            organisation=settings.organisation(lang),
        )
    await deliver(settings, build_message(settings, outlet.email, subject, body))


@dataclass(frozen=True, kw_only=True)
class PressAlert:
    """A public alert as the press room shows it: its view, files and texts in one language."""

    view: PublicView
    lang: str
    files: tuple[StoredMaterial, ...]
    texts: tuple[RenderedText, ...]


async def press_alerts(db: Database, settings: Settings, lang: str) -> list[PressAlert]:
    """The alerts listed in the press room, texts in `lang` when the case has it."""
    listed = []
    for row in await db.fetch("press_room_cases"):
        case = Case.from_row(row)
        try:
            view = await view_for(db, settings, case, "press")
        except errors.NotPublishable:
            continue
        text_lang = lang if lang in view.languages else view.languages[0]
        stored = await materials.material_index(db, case.id, case.revision)
        texts = tuple(render_text(view, text_lang, kind) for kind in TEXT_KINDS)
        listed.append(PressAlert(view=view, lang=text_lang, files=tuple(stored), texts=texts))
    return listed
