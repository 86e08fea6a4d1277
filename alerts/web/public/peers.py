"""The endpoint peer hotlines send their signed CAP messages to: POST /peers/{peer}/cap.

No session and no token: the XML signature, checked against the named peer's certificate, is
the authentication (alerts/peers/messages.py). The answer is JSON: 201 with the case's state
for an Alert, 200 for an Update or a Cancel, or the error in the language the peer asks for
(400 malformed, 403 signature or sender, 404 no such peer or case, 409 replayed, 422 what
this service cannot take).
"""

from __future__ import annotations

from aiohttp import web

from alerts import errors
from alerts.i18n import in_language
from alerts.peers import intake, messages
from alerts.web import keys
from alerts.web.middlewares import public

routes = web.RouteTableDef()


@routes.post("/peers/{peer}/cap", name="peer_inbound")
@public
async def inbound(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        taken = await intake.receive(
            request.app[keys.DB], request.app[keys.SETTINGS], request.match_info["peer"], body
        )
    except errors.AlertsError as exc:
        message = in_language(request[keys.LANG], exc.message)
        payload = {"error": message, "status": exc.status}
        if exc.field:
            payload["field"] = exc.field
        return web.json_response(payload, status=exc.status)
    status = 201 if taken.opened else 200
    return web.json_response(
        {"case": taken.case_public_id, "state": taken.state, "proposals": taken.proposals},
        status=status,
    )


async def _body(request: web.Request) -> bytes:
    """The body, read up to one byte over the limit (`messages.parse` refuses a longer one)."""
    body = bytearray()
    while len(body) <= messages.MAX_BYTES:
        chunk = await request.content.read(messages.MAX_BYTES + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)
