"""The scheduler's `levels` job: reminders before a level ends, and the levels that ended.

LEVEL_REMINDER_HOURS before a case's level ends (alerts.cases.levels), its staff (creator,
submitter, approver) and the supervisors who have an e-mail address get one e-mail each, in
their language; the console shows the time left on the case page and in the case list all the
while. A case is marked reminded in the same statement that picks it, so two scheduler processes
never remind twice (a reminder lost to an SMTP fault is not sent again: the console still says
it). Then every level that reached its end drops to its lower level
(alerts.outbox.pipeline.expire_levels).
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from babel.dates import format_datetime

from alerts.channels import mailer
from alerts.channels.staff_mail import console_link, mail_case_staff
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import BRUSSELS, current, gettext
from alerts.outbox import pipeline


async def run(db: Database, settings: Settings) -> Mapping[str, Any]:
    """Send the reminders due, then drop the levels that ended; how many of each."""
    reminded = await remind(db, settings)
    dropped = await pipeline.expire_levels(db, settings)
    return {"reminded": reminded, "dropped": dropped}


async def remind(db: Database, settings: Settings) -> int:
    """E-mail the staff of every case whose level ends within LEVEL_REMINDER_HOURS (once per
    period); the e-mails sent."""
    due = await db.fetch("levels_to_remind", settings.level_reminder_hours * 3600)
    sent = 0
    for case in due:

        def compose(to: str, case: Any = case) -> EmailMessage:
            return reminder(settings, case["id"], case["reference"], case["level_expires_at"], to)

        sent += await mail_case_staff(db, settings, case, compose, "levels.reminder_failed")
    return sent


def reminder(settings: Settings, case_id: int, reference: str, ends: Any, to: str) -> EmailMessage:
    """The reminder e-mail to one staff member, in the current language (no name of the child:
    the case's reference and a link to the console)."""
    chosen = current()
    at = format_datetime(ends, "d MMM y, HH:mm", tzinfo=BRUSSELS, locale=chosen)
    subject = gettext("Case %(reference)s: its publication level ends at %(at)s",
                      reference=reference, at=at)  # fmt: skip
    text = "\n\n".join([
        gettext("The publication level of case %(reference)s ends at %(at)s (Brussels "
                "time). Unless it is renewed, it then drops to the lower level and what "
                "the lower level does not allow is withdrawn.", reference=reference, at=at),
        gettext("To keep the appeal at its level, renew it on the case's page (renewing the "
                "public level needs a second staff member's approval):"),
        console_link(settings, case_id),
    ])  # fmt: skip
    return mailer.build_message(settings, to, subject, text + "\n")
