"""The ids in request paths (`/api/cases/{case_id}`, ...), read once for every handler."""

from __future__ import annotations

from aiohttp import web

from alerts import errors

# A path id must fit PostgreSQL's bigint: anything else names nothing, and is not a 500.
_MAX_ID = 2**63


def path_id(request: web.Request, name: str, missing: str) -> int:
    """The positive integer in the path's `{name}`; NotFound saying `missing` when it is not one
    (so a malformed id answers like an unknown one)."""
    text = request.match_info[name]
    # Plain ASCII digits only: int() would also take "+7", " 7", "7_0" or other scripts' digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) < _MAX_ID):
        raise errors.NotFound(missing)
    return int(text)
