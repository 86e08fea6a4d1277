"""The signed links in a volunteer's messages: one-step opt-out, their data page, and the
e-mail sign-up's confirmation.

`unsubscribe_url(settings, public_id, lang)` is the opt-out link of every message, also for
the List-Unsubscribe header.
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


def _link_key(settings: Settings) -> bytes:
    if not settings.secret_key:
        return _PROCESS_KEY
    # A key of its own, so a signature made here means nothing to other users of SECRET_KEY.
    return hmac.new(settings.secret_key.encode(), b"volunteer-links", hashlib.sha256).digest()


def link_signature(settings: Settings, purpose: str, public_id: str) -> str:
    """The signature that lets a link do `purpose` ('stop' or 'manage') for one volunteer."""
    mac = hmac.new(_link_key(settings), f"{purpose}:{public_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def signature_ok(settings: Settings, purpose: str, public_id: str, signature: str) -> bool:
    expected = link_signature(settings, purpose, public_id)
    return hmac.compare_digest(expected.encode(), signature.encode())


def _signed_url(settings: Settings, purpose: str, public_id: str, lang: str) -> str:
    query = urlencode({"lang": lang, "sig": link_signature(settings, purpose, public_id)})
    return f"{settings.public_base_url.rstrip('/')}/volunteer/{purpose}/{public_id}?{query}"


def unsubscribe_url(settings: Settings, volunteer_public_id: str, lang: str) -> str:
    """The one-step opt-out link for a volunteer's messages (and List-Unsubscribe, RFC 8058)."""
    return _signed_url(settings, "stop", volunteer_public_id, lang)


def manage_url(settings: Settings, volunteer_public_id: str, lang: str) -> str:
    """The link to a volunteer's page for exporting and deleting their data."""
    return _signed_url(settings, "manage", volunteer_public_id, lang)


def confirm_url(settings: Settings, token: str, lang: str) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/confirm/{token}?{urlencode({'lang': lang})}"
