"""A local SMTP server that keeps what it receives in memory, for the demo and the tests.

It runs on the caller's event loop (aiosmtpd's SMTP protocol behind `loop.create_server`), so it
needs no thread and starts and stops with the program::

    async with SmtpSink() as sink:
        settings.smtp_url = sink.url
        ...
        [mail] = await sink.wait_for_messages(1)
        assert mail.message["Subject"] == "..."
"""

from __future__ import annotations

import asyncio
import email.policy
import math
import time
import weakref
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.smtp import SMTP, Envelope, Session

from sandbox.server import Server

# compat32, the parser's default policy, yields the legacy Message class; this one EmailMessage.
_POLICY = email.policy.default


@dataclass(frozen=True)
class ReceivedMail:
    """One delivered message: the SMTP envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage = field(repr=False)
    received_at: float

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def text(self) -> str | None:
        """The text/plain body, if there is one."""
        return _body(self.message, "plain")

    @property
    def html(self) -> str | None:
        """The text/html body, if there is one."""
        return _body(self.message, "html")

    def to_json(self) -> dict[str, Any]:
        """A summary for showing the mail in the demo."""
        return {
            "mail_from": self.mail_from,
            "rcpt_tos": list(self.rcpt_tos),
            "received_at": self.received_at,
            "headers": {key: str(value) for key, value in self.message.items()},
            "text": self.text,
            "html": self.html,
            "attachments": [part.get_filename() for part in self.message.iter_attachments()],
        }


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    return str(part.get_content())


class _Recorder:
    """The aiosmtpd handler: parse each DATA and hand it to the sink."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self._sink.refusing:
            # What a busy or greylisting server says: not now, try again later.
            self._sink.refused += 1
            return "451 4.3.2 Service busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        # SMTP's wire format ends lines with CRLF; readers of the parsed parts expect "\n".
        raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")
        # The default policy makes the parser build EmailMessage objects.
        parsed = cast(EmailMessage, message_from_bytes(raw, policy=_POLICY))
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=parsed,
            received_at=time.time(),
        )
        self._sink.record(mail)
        return "250 Message accepted for delivery"


class SmtpSink(Server):
    """An SMTP server on host:port (port 0 picks a free one) that stores every message."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hostname: str = "smtp-sink") -> None:
        self.host = host
        self.port = port
        self._hostname = hostname
        self._messages: list[ReceivedMail] = []
        self._arrived = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._refusing_until: float | None = None  # monotonic; inf: until accept()
        self.refused = 0  # recipients refused while refusing

    @property
    def refusing(self) -> bool:
        """Whether every recipient is refused for now (451, a temporary failure)."""
        until = self._refusing_until
        if until is not None and time.monotonic() >= until:
            self._refusing_until = until = None
        return until is not None

    def refuse(self, seconds: float | None = None) -> None:
        """Answer every recipient `451 Service busy` for `seconds`, or until `accept()`."""
        self._refusing_until = time.monotonic() + (math.inf if seconds is None else seconds)

    def accept(self) -> None:
        self._refusing_until = None

    @property
    def url(self) -> str:
        """For `SMTP_URL`."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        """The messages received so far, oldest first (a copy)."""
        return list(self._messages)

    def clear(self) -> None:
        self._messages.clear()

    def record(self, mail: ReceivedMail) -> None:
        self._messages.append(mail)
        # Wake every waiter, then start a fresh event for the next arrival.
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def wait_for_messages(self, count: int, max_wait: float = 5.0) -> list[ReceivedMail]:
        """The first `count` messages, waiting for them to arrive; TimeoutError otherwise."""
        async with asyncio.timeout(max_wait):
            while len(self._messages) < count:
                await self._arrived.wait()
        return self._messages[:count]

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        recorder = _Recorder(self)

        def connection() -> SMTP:
            protocol = SMTP(recorder, hostname=self._hostname, loop=loop)
            self._connections.add(protocol)
            return protocol

        self._server = await loop.create_server(connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            # Clients still connected would otherwise outlive the sink (and, from Python 3.12,
            # keep wait_closed() waiting).
            for protocol in list(self._connections):
                if protocol.transport is not None:
                    protocol.transport.close()
            await server.wait_closed()
