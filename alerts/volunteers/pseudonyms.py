"""How staff name a volunteer: a stable pseudonym ("V-7F3A0C2B"), never an address or a chat id.

The pseudonym is a keyed hash (SECRET_KEY) of the publication registry's target
(`volunteer/<id>`), so it stays the same across a volunteer's rows and cases, and nobody without
the key can go back from it to the volunteer. A supervisor who must reach one person uses the
audited "reveal contact" action (alerts.outbox.report.reveal_contact).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from alerts.config import Settings
from alerts.volunteers.links import link_key

VOLUNTEER_TARGET = "volunteer/"


def is_volunteer(target: str) -> bool:
    return target.startswith(VOLUNTEER_TARGET)


def pseudonym(settings: Settings, target: str) -> str:
    """The pseudonym of the volunteer of a registry target `volunteer/<id>`."""
    key = hmac.new(link_key(settings), b"volunteer-pseudonyms", hashlib.sha256).digest()
    mac = hmac.new(key, target.encode(), hashlib.sha256).hexdigest()
    return f"V-{mac[:8].upper()}"


def for_staff(settings: Settings, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Publication rows as staff read them: a volunteer's row names them by pseudonym and has no
    address (e-mail, chat id)."""
    shown = []
    for row in rows:
        item = dict(row)
        if is_volunteer(str(item.get("target", ""))):
            item["target"] = pseudonym(settings, item["target"])
            item["address"] = None
        shown.append(item)
    return shown
