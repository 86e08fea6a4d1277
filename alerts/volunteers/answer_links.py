"""The answer links of an alert e-mail: one per answer, signed for one volunteer and one case.

The signature covers the case and the volunteer (not the answer, which the page lets them
change), with a key of its own derived from SECRET_KEY (see `links.link_key`), so a link
answers for that volunteer and that case only, and a forwarded e-mail's links answer for its
first recipient alone, who can change the answer again. Opening a link only shows a
confirmation page (mail scanners open every link); the answer is recorded by its form's POST.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from alerts.config import Settings
from alerts.volunteers.links import link_key


def signature(settings: Settings, case_public_id: str, volunteer_public_id: str) -> str:
    """The signature that lets a link answer case `case_public_id` for one volunteer."""
    message = f"answer:{case_public_id}:{volunteer_public_id}".encode()
    mac = hmac.new(link_key(settings), message, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def signature_ok(
    settings: Settings, case_public_id: str, volunteer_public_id: str, given: str
) -> bool:
    expected = signature(settings, case_public_id, volunteer_public_id)
    return hmac.compare_digest(expected.encode(), given.encode())


def answer_url(
    settings: Settings, case_public_id: str, volunteer_public_id: str, answer: str, lang: str
) -> str:
    """The link that offers `answer` to case `case_public_id` for one volunteer."""
    query = urlencode({
        "answer": answer, "lang": lang,
        "sig": signature(settings, case_public_id, volunteer_public_id),
    })  # fmt: skip
    base = settings.public_base_url.rstrip("/")
    return f"{base}/volunteer/answer/{case_public_id}/{volunteer_public_id}?{query}"
