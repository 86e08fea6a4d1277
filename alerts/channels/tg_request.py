"""python-telegram-bot's transport on an aiohttp ClientSession.

python-telegram-bot's default httpx transport tops out at a few hundred requests per second on a
small machine; a fan-out to thousands of volunteers at the paid-broadcast rate needs more. Use it as
`telegram.Bot(token, request=AiohttpRequest(), get_updates_request=AiohttpRequest())`.

The bot token is part of every Bot API URL, so no error text leaving this module may carry it:
messages are scrubbed, and an underlying exception that mentions the token is not chained.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

# ptb's own transports use these to tell "timeout not given" from "no timeout"; there is no
# public spelling that mypy can narrow.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

_LOG = logging.getLogger(__name__)

#: What replaces the token in any text this module lets out.
TOKEN_PLACEHOLDER = "<token>"  # noqa: S105 - a placeholder, not a secret

# A token-shaped string (Telegram tokens are "<bot id>:<35 url-safe characters>"), as a safety net
# for error texts that carry a URL this module did not build.
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def scrub_token(text: str, url: str) -> str:
    """`text` without the bot token found in `url` (`/bot<token>/...` or `/file/bot<token>/...`)."""
    for segment in urlsplit(url).path.split("/"):
        if segment.startswith("bot") and len(segment) > 3:
            token = segment[3:]
            for form in {token, quote(token, safe=""), quote(token)}:
                text = text.replace(form, TOKEN_PLACEHOLDER)
            break
    return _TOKEN_SHAPE.sub(TOKEN_PLACEHOLDER, text)


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one pooled aiohttp ClientSession, created by `initialize()`.

    Timeouts follow python-telegram-bot's meaning where aiohttp has an equivalent: read →
    `sock_read`, connect → `sock_connect`, connect + pool → `connect` (aiohttp counts the wait for
    a pooled connection in it). aiohttp has no write timeout, so `write_timeout` is not enforced.
    """

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._default_timeout = _client_timeout(read_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                timeout=self._default_timeout,
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The HTTP status and body; transport failures become scrubbed TelegramErrors."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        try:
            return await self._send(self._session, url, method, request_data, timeout)
        except TelegramError:
            raise
        except TimeoutError as err:  # aiohttp's timeouts subclass it
            raise _translated(TimedOut, "Timed out", err, url) from _safe_cause(err, url)
        except Exception as err:
            # Anything else (aiohttp.ClientError, a bad URL, ...) is a network problem for ptb,
            # which would otherwise put the raw repr, token and all, into its own message.
            text = f"aiohttp.{type(err).__name__}: {err}"
            raise _translated(NetworkError, text, err, url) from _safe_cause(err, url)

    async def _send(
        self,
        session: aiohttp.ClientSession,
        url: str,
        method: str,
        request_data: RequestData | None,
        client_timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        data: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            data = _multipart(request_data)
        elif request_data is not None:
            # Pre-encoded: cheaper than letting aiohttp build a FormData for a plain form.
            data = request_data.url_encoded_parameters().encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        async with session.request(
            method, url, data=data, headers=headers, timeout=client_timeout
        ) as response:
            return response.status, await response.read()

    def _timeout(
        self,
        read_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        if all(isinstance(t, DefaultValue) for t in (read_timeout, connect_timeout, pool_timeout)):
            return self._default_timeout
        return _client_timeout(
            self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout,
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )


# RequestData is marked final; this subclass only answers url_encoded_parameters(), the one
# thing AiohttpRequest reads of a form without files (tests/integration/test_channels.py sends
# both ways and compares).
class EncodedForm(RequestData):  # type: ignore[misc]
    """A form already url-encoded, sent as it is by AiohttpRequest: the dispatcher's lean path
    (alerts.channels.telegram) builds the text part of a message's form once per case revision
    and language instead of python-telegram-bot's parameter objects for every recipient."""

    def __init__(self, encoded: str) -> None:
        super().__init__()
        self._encoded = encoded

    def url_encoded_parameters(self, encode_kwargs: dict[str, Any] | None = None) -> str:
        return self._encoded


def _client_timeout(
    read: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    acquire = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=None, connect=acquire, sock_connect=connect, sock_read=read)


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def _translated(
    kind: type[TelegramError], text: str, err: BaseException, url: str
) -> TelegramError:
    message = scrub_token(text, url)
    _LOG.debug(
        "Telegram request failed: %s",
        message,
        extra={"action": "telegram.request_failed", "error": type(err).__name__},
    )
    return kind(message)


def _safe_cause(err: BaseException, url: str) -> BaseException | None:
    """`err` to chain as the cause, or None when its traceback text would reveal the token."""
    rendered = "".join(traceback.format_exception(err))
    return err if scrub_token(rendered, url) == rendered else None
