"""Sending one e-mail now over SMTP (aiosmtplib), for confirmations and notices:
`deliver(settings, build_message(...))`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib

from alerts.config import Settings
from alerts.errors import AlertsError

log = logging.getLogger(__name__)


class MailUnavailable(AlertsError):
    """E-mail cannot be sent right now; please try again later."""

    status = 503


def build_message(
    settings: Settings,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A MIME message from the service: plain text, with an HTML alternative when given."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server of SMTP_URL; MailUnavailable when that fails."""
    if not settings.smtp_url:
        raise MailUnavailable("E-mail is not configured on this service.")
    url = urlsplit(settings.smtp_url)
    try:
        await aiosmtplib.send(
            message,
            hostname=url.hostname or "localhost",
            port=url.port or (465 if url.scheme == "smtps" else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=url.scheme == "smtps",
            start_tls=True if url.scheme == "smtp+starttls" else None,
            timeout=15,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        # The recipient's address is personal data: log only what went wrong.
        log.warning(
            "smtp send failed", extra={"action": "mail_failed", "error": type(exc).__name__}
        )
        raise MailUnavailable() from exc
