"""The SMTP sink receives real SMTP (aiosmtplib) and gives back parsed messages."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import pytest

from sandbox.smtp_sink import SmtpSink


def alert_mail() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Alerts <alerts@example.org>"
    message["To"] = "volunteer@example.net"
    message["Subject"] = "Vermist: Lotte (14), Gent"
    message.set_content("Lotte werd het laatst gezien in Gent.\nhttps://example.org/alerts/x")
    message.add_alternative("<p>Lotte werd het laatst gezien in <b>Gent</b>.</p>", subtype="html")
    return message


async def test_a_sent_message_is_read_back_with_headers_text_and_html(sink: SmtpSink) -> None:
    await aiosmtplib.send(
        alert_mail(),
        hostname=sink.host,
        port=sink.port,
        sender="bounce@example.org",
        recipients=["volunteer@example.net", "second@example.net"],
    )

    [mail] = await sink.wait_for_messages(1)

    assert mail.mail_from == "bounce@example.org"
    assert mail.rcpt_tos == ("volunteer@example.net", "second@example.net")
    assert mail.subject == "Vermist: Lotte (14), Gent"
    assert mail.message["From"] == "Alerts <alerts@example.org>"
    assert mail.message["To"] == "volunteer@example.net"
    assert mail.text is not None and "laatst gezien in Gent" in mail.text
    assert mail.html is not None and "<b>Gent</b>" in mail.html
    summary = mail.to_json()
    assert summary["headers"]["Subject"] == "Vermist: Lotte (14), Gent"
    assert summary["attachments"] == []


async def test_a_text_only_message_has_no_html_part(sink: SmtpSink) -> None:
    message = EmailMessage()
    message["Subject"] = "Bevestig je inschrijving"
    message.set_content("Klik om te bevestigen.")
    await aiosmtplib.send(
        message,
        hostname=sink.host,
        port=sink.port,
        sender="alerts@example.org",
        recipients=["new@example.net"],
    )

    [mail] = await sink.wait_for_messages(1)

    assert mail.text == "Klik om te bevestigen.\n"
    assert mail.html is None


async def test_messages_accumulate_until_cleared(sink: SmtpSink) -> None:
    async with aiosmtplib.SMTP(hostname=sink.host, port=sink.port) as client:
        for n in range(3):
            message = alert_mail()
            message.replace_header("Subject", f"Update {n}")
            await client.send_message(message)

    assert [mail.subject for mail in await sink.wait_for_messages(3)] == [
        "Update 0",
        "Update 1",
        "Update 2",
    ]
    sink.clear()
    assert sink.messages == []


async def test_waiting_for_a_message_that_never_comes_times_out(sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError):
        await sink.wait_for_messages(1, max_wait=0.05)


async def test_stop_closes_connections_that_are_still_open() -> None:
    sink = SmtpSink()
    await sink.start()
    client = aiosmtplib.SMTP(hostname=sink.host, port=sink.port)
    await client.connect()

    await sink.stop()

    with pytest.raises(aiosmtplib.SMTPException):
        await client.noop()
    client.close()


async def test_a_refusing_sink_answers_451_until_it_accepts_again(sink: SmtpSink) -> None:
    sink.refuse()
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as caught:
        await aiosmtplib.send(alert_mail(), hostname=sink.host, port=sink.port)
    assert [r.code for r in caught.value.recipients] == [451]
    assert sink.messages == [] and sink.refused == 1
    sink.accept()
    await aiosmtplib.send(alert_mail(), hostname=sink.host, port=sink.port)
    assert len(await sink.wait_for_messages(1)) == 1
