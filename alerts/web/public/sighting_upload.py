"""Reading a sighting report from its request: a form (multipart or urlencoded) or a JSON
object, within SIGHTING_MAX_BODY, each part with a cap of its own; the photo's bytes exactly as
sent. An encoded part (base64, gzip) is refused rather than decoded, so no decoder ever runs on
what a stranger sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from alerts.i18n import N_
from alerts.sightings.reports import Problem
from alerts.web import keys

HONEYPOT = "subject"  # hidden from people; a bot that fills every field fills it
# The form's fields, in the order the form shows them (and the error summary lists them).
FIELDS = ("seen_at", "seen_at_confirmed", "place", "lat", "lon", "point_source", "seen",
          "direction", "companions", "name", "phone", "email")  # fmt: skip
TEXT_PART_CAP = 16 * 1024
PLAIN_ENCODINGS = ("binary", "8bit", "7bit")


class Unreadable(Exception):
    """The request itself cannot be read: 400 (malformed), 413 (too large), 415 (type)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Sent:
    """What a request carried: its fields, the photo's bytes, and what was wrong on reading."""

    fields: dict[str, object]
    photo: bytes | None = None
    problems: dict[str, Problem] = field(default_factory=dict)


async def read_sent(request: web.Request) -> Sent:
    """The report's fields from a form (multipart or urlencoded) or a JSON object."""
    settings = request.app[keys.SETTINGS]
    cap = settings.sighting_max_body
    if request.content_length is not None and request.content_length > cap:
        raise Unreadable(413)
    try:
        if request.content_type == "multipart/form-data":
            return await _multipart(request, cap, min(cap, settings.photo_max_bytes))
        if request.content_type == "application/x-www-form-urlencoded":
            text = (await _body(request, cap)).decode("utf-8")
            return Sent(fields=dict(parse_qsl(text, keep_blank_values=True, max_num_fields=64)))
        if request.content_type == "application/json":
            return _from_json(await _body(request, cap))
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; JSON nested thousands deep
    # exhausts the parser's recursion.
    except (ValueError, RecursionError, HttpProcessingError):
        raise Unreadable(400) from None
    except web.HTTPRequestEntityTooLarge:  # over the application's own cap
        raise Unreadable(413) from None
    raise Unreadable(415)


async def _body(request: web.Request, cap: int) -> bytes:
    if request.content_length is not None:  # known, and checked against the cap already
        return await request.read()
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > cap:
            raise Unreadable(413)
    return bytes(data)


def _from_json(body: bytes) -> Sent:
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    json_photo = N_("Send a photo with the form (multipart/form-data), not in JSON.")
    problems = {"photo": Problem(json_photo)} if "photo" in value else {}
    return Sent(fields=value, problems=problems)


async def _multipart(request: web.Request, cap: int, photo_cap: int) -> Sent:
    """Each part read with a cap, the photo's bytes as sent (an encoded photo is a problem
    shown next to its field; another encoded part, a malformed request)."""
    sent, total = Sent(fields={}), 0
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader) or part.name not in (
            *FIELDS,
            HONEYPOT,
            "csrf_token",
            "photo",
        ):
            continue  # fmt: skip
        encoding = part.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "binary").lower()
        plain = encoding in PLAIN_ENCODINGS and hdrs.CONTENT_ENCODING not in part.headers
        if part.name == "photo" and not plain:
            sent.problems["photo"] = Problem(
                N_("The photo could not be read. Please choose it again.")
            )
            continue
        if not plain:
            raise Unreadable(400)
        limit = photo_cap if part.name == "photo" else TEXT_PART_CAP
        data, size = await _read_part(part, limit, cap - total)
        total += size
        if part.name != "photo":
            if data is None:
                raise Unreadable(413)
            sent.fields[part.name] = data.decode("utf-8")
        elif data is None:
            limit_mb = str(max(photo_cap // (1024 * 1024), 1))
            too_large = N_("The photo is too large: at most %(mb)s MB.")
            sent.problems["photo"] = Problem(too_large, {"mb": limit_mb})
        elif data:  # an empty file part: no photo was chosen
            sent.photo = data
    return sent


async def _read_part(part: BodyPartReader, limit: int, budget: int) -> tuple[bytes | None, int]:
    """(the part's bytes, or None when over `limit`; how many bytes it had). An oversized
    part is read to its end and dropped, so the fields after it still arrive; past `budget`
    (what is left of the request's cap) the request is refused."""
    data, size = bytearray(), 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > budget:
            raise Unreadable(413)
        if size <= limit:
            data.extend(chunk)
    return (bytes(data) if size <= limit else None), size
