"""The links in a volunteer's messages: the one-step opt-out (signed), the e-mail sign-up's
confirmation, and the data page's links (see `manage_links`).

`unsubscribe_url(settings, public_id, lang)` is the opt-out link of every message, also for
the List-Unsubscribe header. It unsubscribes and does nothing else: anyone an alert is
forwarded to holds it, so it leads to no page with the volunteer's data. The data page opens
only through a short-lived link sent on request to the volunteer's own address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from alerts.config import Settings

# Used when SECRET_KEY is unset: signed links then work until the process restarts.
_PROCESS_KEY = secrets.token_bytes(32)


def link_key(settings: Settings) -> bytes:
    if not settings.secret_key:
        return _PROCESS_KEY
    # A key of its own, so a signature made here means nothing to other users of SECRET_KEY.
    return hmac.new(settings.secret_key.encode(), b"volunteer-links", hashlib.sha256).digest()


def link_signature(settings: Settings, purpose: str, public_id: str) -> str:
    """The signature that lets a link do `purpose` ('stop') for one volunteer."""
    mac = hmac.new(link_key(settings), f"{purpose}:{public_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def signature_ok(settings: Settings, purpose: str, public_id: str, signature: str) -> bool:
    expected = link_signature(settings, purpose, public_id)
    return hmac.compare_digest(expected.encode(), signature.encode())


def _signed_url(settings: Settings, purpose: str, public_id: str, lang: str) -> str:
    query = urlencode({"lang": lang, "sig": link_signature(settings, purpose, public_id)})
    return f"{settings.public_base_url.rstrip('/')}/volunteer/{purpose}/{public_id}?{query}"


def task_url(settings: Settings, purpose: str, task_id: int, public_id: str, lang: str) -> str:
    """The signed link to one volunteer's phone page of a task: `purpose` 'posters' (a poster
    round) or 'search' (a field search). It works for that volunteer and that task only."""
    signature = link_signature(settings, f"{purpose}:{task_id}", public_id)
    query = urlencode({"lang": lang, "sig": signature})
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/{purpose}/{task_id}/{public_id}?{query}"


def task_link_ok(
    settings: Settings, purpose: str, task_id: int, public_id: str, signature: str
) -> bool:
    """Whether `signature` is that of `task_url` for this volunteer and task."""
    return signature_ok(settings, f"{purpose}:{task_id}", public_id, signature)


def unsubscribe_url(settings: Settings, volunteer_public_id: str, lang: str) -> str:
    """The one-step opt-out link for a volunteer's messages (and List-Unsubscribe, RFC 8058)."""
    return _signed_url(settings, "stop", volunteer_public_id, lang)


def manage_request_url(settings: Settings, lang: str) -> str:
    """The page where a volunteer asks for a link to their data (the same for everyone)."""
    return f"{settings.public_base_url.rstrip('/')}/volunteer/manage?{urlencode({'lang': lang})}"


def manage_link_url(settings: Settings, token: str, lang: str) -> str:
    """The short-lived link to a volunteer's data page (see `manage_links`)."""
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/data/{token}?{urlencode({'lang': lang})}"


def confirm_url(settings: Settings, token: str, lang: str) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/confirm/{token}?{urlencode({'lang': lang})}"
