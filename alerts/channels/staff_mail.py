"""E-mails to the staff of a case about it: its creator, submitter and approver, and the
supervisors, each with an e-mail address (`create-staff --email`), each in their own language.
The reminder before a level ends (alerts.outbox.expiry) and the poster places a round could not
get confirmed taken down (alerts.rounds.service.remind) are sent this way. They name the case by
its reference and link to the console, never the child."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import Any

from alerts.channels import mailer
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import LANGUAGES, language

log = logging.getLogger(__name__)

# Makes the e-mail for one recipient's address, in the current language.
Compose = Callable[[str], EmailMessage]


async def mail_case_staff(
    db: Database, settings: Settings, case: Mapping[str, Any], compose: Compose, action: str
) -> int:
    """E-mail `case`'s staff (a row with created_by, submitted_by, approved_by) and the
    supervisors; how many were sent. One that the mail server refuses is logged as `action`
    and not sent again: the console says the same."""
    staff_ids = [i for i in (case["created_by"], case["submitted_by"], case["approved_by"])
                 if i is not None]  # fmt: skip
    sent = 0
    for person in await db.fetch("case_staff_mail_recipients", staff_ids):
        lang = person["language"] if person["language"] in LANGUAGES else "en"
        with language(lang):
            message = compose(person["email"])
        try:
            await mailer.deliver(settings, message)
        except mailer.MailUnavailable:
            log.warning("staff e-mail not sent", extra={"action": action, "case_id": case["id"]})
            continue
        sent += 1
    return sent


def console_link(settings: Settings, case_id: int, page: str = "") -> str:
    """The console's page of the case (or one of its pages)."""
    tail = f"/{page}" if page else ""
    return f"{settings.public_base_url.rstrip('/')}/console/cases/{case_id}{tail}"
