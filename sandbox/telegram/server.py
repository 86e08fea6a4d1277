"""A local Telegram Bot API for the demo and the tests, good enough to fool python-telegram-bot.

It answers `/bot<token>/<method>` like Telegram (shapes, errors, flood limits, 403 for blocked
users, the 48-hour delete rule, webhooks with a secret token, long-polling getUpdates), and lets
tests and the demo play the users through SandboxControl's methods or `/sandbox/api/...`::

    async with TelegramSandbox(SandboxConfig(token=token)) as sandbox:
        bot = telegram.Bot(token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url)
        volunteer = sandbox.create_user(first_name="Ana", language_code="nl")

The token is a secret even here: it is never logged, and access logging is off because aiohttp
would write the request path, token included.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.listener import Listener
from sandbox.server import Server
from sandbox.telegram.api import BotApi
from sandbox.telegram.control import SandboxControl, SandboxControlError
from sandbox.telegram.http import ControlRoutes
from sandbox.telegram.params import ApiParams, UploadedFile
from sandbox.telegram.records import JSON, ApiError, WebhookSettings, bad_request
from sandbox.telegram.state import SandboxConfig, SandboxState

__all__ = [
    "ApiError",
    "SandboxConfig",
    "SandboxControlError",
    "TelegramSandbox",
    "create_sandbox_app",
    "run_standalone",
]

_LOG = logging.getLogger(__name__)

SANDBOX_STATE = web.AppKey("sandbox_state", SandboxState)
SANDBOX_API = web.AppKey("sandbox_api", BotApi)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
_WEBHOOK_TIMEOUT = aiohttp.ClientTimeout(total=10)


def create_sandbox_app(config: SandboxConfig) -> web.Application:
    """The sandbox as an aiohttp application: Bot API, file downloads and control endpoints.

    Serve it with `access_log=None` (as TelegramSandbox does): access lines would show the token.
    """
    # Uploads are bounded by Telegram's own photo limit, plus room for the other form fields.
    app = web.Application(client_max_size=config.max_upload_bytes + 1024 * 1024)
    state = SandboxState(config)
    app[SANDBOX_STATE] = state
    app[SANDBOX_API] = BotApi(state)
    for method in ("GET", "POST"):
        app.router.add_route(method, "/bot{token}/{method}", bot_method)
    app.router.add_get("/file/bot{token}/{file_path:.+}", bot_file)
    ControlRoutes(SandboxControl(state)).register(app.router)
    app.cleanup_ctx.append(_webhook_pusher)
    return app


# -- the Bot API -------------------------------------------------------------------------------


def _token_matches(request: web.Request) -> bool:
    expected = request.app[SANDBOX_STATE].config.token.encode()
    return hmac.compare_digest(request.match_info["token"].encode(), expected)


def _answer(body: JSON, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


async def bot_method(request: web.Request) -> web.Response:
    if not _token_matches(request):
        return _answer(ApiError(401, "Unauthorized").to_json(), 401)
    fault = _suffer_fault(request)
    if isinstance(fault, web.Response):
        return fault
    try:
        params = await _read_params(request)
        result = await request.app[SANDBOX_API].call(request.match_info["method"], params)
        answer = _answer({"ok": True, "result": result})
    except ApiError as err:
        answer = _answer(err.to_json(), err.code)
    except Exception:
        # Logged here, without the request (its path holds the token), not by aiohttp.
        _LOG.exception("sandbox method failed", extra={"action": "sandbox.internal_error"})
        error = ApiError(500, "Internal Server Error")
        answer = _answer(error.to_json(), 500)
    if fault:
        await asyncio.sleep(fault)
    return answer


def _suffer_fault(request: web.Request) -> web.Response | float:
    """What the fault in force (sandbox.telegram.faults) makes of this call: the answer to give
    instead of the real one, or the seconds to wait before answering (a slow Telegram takes the
    call, and counts it against the limits, when it arrives; only the answer is late)."""
    faults = request.app[SANDBOX_STATE].faults
    fault = faults.current
    if fault is None:
        return 0.0
    faults.hit(fault)
    if fault.mode == "unreachable":
        # A connection opened before the fault: cut it, as a network gone away would.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=503)  # never reaches the client
    if fault.mode == "slow":
        return fault.delay
    error = fault.error()
    assert error is not None
    return _answer(error.to_json(), error.code)


async def _read_params(request: web.Request) -> ApiParams:
    """Parameters from the query string and a JSON, urlencoded or multipart body, as Telegram."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return ApiParams(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                values[key] = value
    return ApiParams(values, files)


async def bot_file(request: web.Request) -> web.Response:
    """A file download at `/file/bot<token>/<file_path>`, as getFile's file_path promises."""
    if not _token_matches(request):
        return _answer(ApiError(401, "Unauthorized").to_json(), 401)
    fault = _suffer_fault(request)
    if isinstance(fault, web.Response):
        return fault
    if fault:
        await asyncio.sleep(fault)
    path = request.match_info["file_path"]
    for stored in request.app[SANDBOX_STATE].files.values():
        if stored.file_path == path:
            return web.Response(body=stored.data, content_type="application/octet-stream")
    return _answer(ApiError(404, "Not Found").to_json(), 404)


# -- webhook delivery --------------------------------------------------------------------------


async def _webhook_pusher(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=_WEBHOOK_TIMEOUT) as session:
        task = asyncio.create_task(_push_updates(app[SANDBOX_STATE], session))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _push_updates(state: SandboxState, session: aiohttp.ClientSession) -> None:
    """Deliver pending updates to the webhook one by one, in order, retrying like Telegram."""
    while True:
        event = state.updates_event
        hook = state.webhook
        pending = state.take_updates(None, 1) if hook is not None else []
        if hook is None or not pending:
            await event.wait()
            continue
        if await _post_update(state, session, hook, pending[0]):
            state.confirm_update(pending[0]["update_id"])
        else:
            await asyncio.sleep(state.config.webhook_retry_seconds)


async def _post_update(
    state: SandboxState, session: aiohttp.ClientSession, hook: WebhookSettings, update: JSON
) -> bool:
    headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
    try:
        async with session.post(hook.url, json=update, headers=headers) as response:
            if 200 <= response.status < 300:
                return True
            error = f"Wrong response from the webhook: {response.status} {response.reason}"
    except (aiohttp.ClientError, TimeoutError) as err:
        error = f"Connection failed: {type(err).__name__}"
    # Only the error text is logged: the URL may carry a secret path, updates carry people.
    _LOG.info("webhook delivery failed: %s", error, extra={"action": "sandbox.webhook_error"})
    if state.webhook is hook:
        state.webhook = dataclasses.replace(
            hook, last_error_date=state.clock.now(), last_error_message=error
        )
    return False


# -- running it --------------------------------------------------------------------------------


class TelegramSandbox(SandboxControl, Server):
    """The sandbox served on host:port (port 0 picks a free one), with the control methods.

    Routes may be added to `app` (the demo's page) before `start()`.
    """

    def __init__(self, config: SandboxConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = create_sandbox_app(config)
        super().__init__(self.app[SANDBOX_STATE])
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._listener: Listener | None = None
        self.state.faults.on_change(self._fault_changed)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For `telegram.Bot(token, base_url=...)`: the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        # A pending long-poll must not hold up shutdown for aiohttp's default 60 s.
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        assert runner.server is not None
        listener = Listener(runner.server, self.host, self.port)
        try:
            listener.open()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = listener.port
        self._runner, self._listener = runner, listener

    async def stop(self) -> None:
        if self._runner is not None and self._listener is not None:
            runner, listener = self._runner, self._listener
            self._runner = self._listener = None
            await listener.aclose()
            await runner.cleanup()

    def _fault_changed(self, fault: Any) -> None:
        """Refuse connections while Telegram is unreachable; listen again when it is not."""
        if self._listener is None:
            return
        if fault is not None and fault.mode == "unreachable":
            self._listener.close()
        else:
            self._listener.open()


async def run_standalone(
    host: str, port: int, token: str, *, allow_insecure_webhooks: bool = False
) -> None:
    """Serve a sandbox for `token` until cancelled (`python run.py telegram-sandbox`;
    `--allow-insecure-webhooks` takes a webhook on plain HTTP and any port, for development)."""
    config = SandboxConfig(token=token, allow_insecure_webhooks=allow_insecure_webhooks)
    async with TelegramSandbox(config, host=host, port=port) as sandbox:
        _LOG.info(
            "Telegram sandbox listening on %s (Bot API at %s<token>/<method>)",
            sandbox.url,
            sandbox.base_url,
            extra={"action": "sandbox.started"},
        )
        await asyncio.Event().wait()
