"""E-mail alerts to volunteers, through the service's one mailer (aiosmtplib).

The child's photo is never attached: an attachment cannot be taken back. The message links to
the hosted square image instead (`/alerts/{public_id}/square-{lang}.png`), which answers 410
once the case is withdrawn. Every message carries the one-step opt-out link, also as the
`List-Unsubscribe` header with `List-Unsubscribe-Post` (RFC 8058 one-click).
"""

from __future__ import annotations

import html
import logging
from email.message import EmailMessage

import aiosmtplib

from alerts.cases.consent import PublicView
from alerts.channels import mailer
from alerts.channels.base import (
    Job,
    Limits,
    PermanentFailure,
    Published,
    SendResult,
    TemporaryFailure,
    WithdrawResult,
)
from alerts.config import Settings
from alerts.i18n import N_, gettext, language
from alerts.publication.texts import render_text
from alerts.volunteers import answer_links, answers, links

log = logging.getLogger(__name__)

# The line above the one-step opt-out link, in the text and the HTML part.
STOP = N_("No more alerts? Unsubscribe in one click:")
ANSWER = N_("Can you help? Answer the case managers:")
ENDED_SUBJECT = N_("The appeal has ended: thank you")
ENDED_BODY = N_(
    "The appeal we sent you has ended. Thank you for your help.\n\nPlease delete our message "
    "and any copies you shared, and take down any posters you put up.\n%(organisation)s"
)
WITHDRAWN_SUBJECT = N_("Alert withdrawn: please delete it")
WITHDRAWN_BODY = N_(
    "The alert we sent you has been withdrawn. Please delete our message and any copies or "
    "photos you kept, and do not pass it on.\n\nThank you for your help.\n%(organisation)s"
)


def image_url(settings: Settings, view: PublicView, lang: str) -> str | None:
    """The hosted square image of the case in `lang`, when the consent allows a photo."""
    if view.photo is None:
        return None
    base = settings.public_base_url.rstrip("/")
    return f"{base}/alerts/{view.public_id}/square-{lang}.png"


class EmailChannel:
    """Alerts by e-mail (`email`), at EMAIL_RATE across every dispatcher."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.limits = Limits(bucket="email", per_second=settings.email_rate)
        self._settings = settings

    async def send(self, job: Job) -> SendResult:
        message, text = self.compose(job)
        try:
            await mailer.deliver(self._settings, message)
        except mailer.MailUnavailable as err:
            raise _translate(err.__cause__) from None
        return SendResult(external_id=str(message["Message-ID"]), body=text)

    async def withdraw(self, published: Published) -> WithdrawResult:
        """Ask the recipient to delete the alert: a delivered e-mail cannot be recalled, but the
        image it links to answers 410 already, and a short notice in their language, threaded
        with the alert, asks them to delete it and not to pass it on."""
        try:
            await mailer.deliver(self._settings, self.withdrawal_notice(published))
        except mailer.MailUnavailable as err:
            raise _translate(err.__cause__) from None
        return WithdrawResult(state="withdrawn", reason="deletion requested by e-mail")

    def withdrawal_notice(self, published: Published) -> EmailMessage:
        """The "closed, please delete" message: no name, no photo, no outcome."""
        headers = {"Auto-Submitted": "auto-generated"}
        if published.external_id:
            headers["In-Reply-To"] = headers["References"] = published.external_id
        # The case closed: the ending (never its outcome); else only this alert is taken back.
        subject_, body_ = (
            (ENDED_SUBJECT, ENDED_BODY) if published.ending else (WITHDRAWN_SUBJECT, WITHDRAWN_BODY)
        )
        with language(published.language):
            subject = gettext(subject_)
            body = gettext(body_, organisation=self._settings.organisation(published.language))
        return mailer.build_message(
            self._settings, published.address, subject, body + "\n", None, headers
        )

    def compose(self, job: Job) -> tuple[EmailMessage, str]:
        """The message for `job` and its text part: text and HTML from alerts.publication.texts,
        links instead of the photo."""
        lang, view = job.language, job.view
        rendered = render_text(view, lang, "email")
        stop = links.unsubscribe_url(self._settings, job.volunteer_public_id or "", lang)
        picture = image_url(self._settings, view, lang)
        subject = rendered.subject or ""
        headers = {
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        if job.previous_external_id:  # a revision: an update that threads with the first
            with language(lang):
                subject = gettext("Update: %(subject)s", subject=subject)
            headers["In-Reply-To"] = headers["References"] = job.previous_external_id
        volunteer = job.volunteer_public_id or ""
        url = answer_links.answer_url
        offers = [
            (url(self._settings, view.public_id, volunteer, answer, lang), label)
            for answer, label in answers.ANSWERS.items()
        ] if volunteer else []  # fmt: skip
        with language(lang):
            text = _text(rendered.text, picture, stop, offers)
            page = _html(rendered.html or "", view, picture, stop, offers)
        message = mailer.build_message(self._settings, job.address, subject, text, page, headers)
        return message, text


def _text(body: str, picture: str | None, stop: str, offers: list[tuple[str, str]]) -> str:
    """The text part: the alert, the photo's link, the answer links and the opt-out, in the
    current language."""
    parts = [body]
    if picture:
        parts.append(gettext("Photo: %(url)s", url=picture))
    if offers:
        parts.append("\n".join([gettext(ANSWER)] + [f"{gettext(t)}: {u}" for u, t in offers]))
    parts.append(f"-- \n{gettext(STOP)}\n{stop}")
    return "\n\n".join(parts) + "\n"


def _html(
    page: str, view: PublicView, picture: str | None, stop: str, offers: list[tuple[str, str]]
) -> str:
    """The rendered HTML with the linked image, the answer links and the opt-out footer before
    `</body>`."""
    extra = []
    if picture:
        alt = html.escape(gettext("Photo") + f" — {view.name or view.reference}")
        extra.append(
            f'<p><a href="{html.escape(view.case_url)}"><img src="{html.escape(picture)}" '
            f'alt="{alt}" width="540" style="max-width: 100%;"></a></p>'
        )
    if offers:
        buttons = " ".join(
            f'<a href="{html.escape(url)}" style="display: inline-block; margin: 4px; '
            f'padding: 8px 12px; border: 1px solid #333;">{html.escape(gettext(label))}</a>'
            for url, label in offers
        )
        extra.append(f"<p>{html.escape(gettext(ANSWER))}<br>{buttons}</p>")
    extra.append(
        f'<p style="color: #555; font-size: 0.9em;">{html.escape(gettext(STOP))} '
        f'<a href="{html.escape(stop)}">{html.escape(stop)}</a></p>'
    )
    block = "\n".join(extra)
    head, marker, tail = page.rpartition("</body>")
    return f"{head}{block}\n{marker}{tail}" if marker else f"{page}\n{block}"


def _translate(cause: BaseException | None) -> Exception:
    """Whether SMTP's refusal is for good (5xx, recipient refused) or for now."""
    if isinstance(cause, aiosmtplib.SMTPRecipientsRefused):
        # A 4xx (a busy or greylisting server) says "later", not "never".
        if any(r.code < 500 for r in cause.recipients):
            return TemporaryFailure("SMTP: recipient deferred")
        return PermanentFailure("SMTP: recipient refused")
    if isinstance(cause, aiosmtplib.SMTPResponseException) and 500 <= cause.code < 600:
        return PermanentFailure(f"SMTP: {cause.code}")
    name = type(cause).__name__ if cause is not None else "unavailable"
    return TemporaryFailure(f"SMTP: {name}")
