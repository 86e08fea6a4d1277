"""Partner webhooks: the public view of a level-3 case as JSON or CAP 1.2, signed.

A CAP partner receives the stored message of each identifier (alerts/partners/cap_store.py):
the same bytes as the CAP feed and every other partner, its `sent` fixed when first issued.

Each request carries `X-Alerts-Timestamp` (Unix seconds) and
`X-Alerts-Signature: sha256=<hex>`, the HMAC-SHA256 with the partner's secret of
`<timestamp>.<body>`: the body cannot be changed, and an old request cannot be replayed later
(check the timestamp; `verify_signature` does both). `X-Alerts-Delivery` stays the same across
retries of one publication, so a partner can drop a repeated delivery (sending is at least once).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp

from alerts.cases.consent import PublicView
from alerts.channels.base import (
    Job,
    Limits,
    PermanentFailure,
    Published,
    RetryAfter,
    SendResult,
    TemporaryFailure,
    WithdrawResult,
)
from alerts.channels.email import image_url
from alerts.config import Settings
from alerts.db.database import Database
from alerts.partners import cap, cap_store

SIGNATURE_HEADER = "X-Alerts-Signature"
TIMESTAMP_HEADER = "X-Alerts-Timestamp"
DELIVERY_HEADER = "X-Alerts-Delivery"
CAP_MIME = "application/cap+xml"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: float = 300
) -> bool:
    """True when `signature` is ours for `body` and `timestamp` is within `tolerance` seconds."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    expected = sign(secret, timestamp, body)
    return age <= tolerance and hmac.compare_digest(expected.encode(), signature.encode())


def json_payload(settings: Settings, view: PublicView) -> dict[str, Any]:
    """What a JSON partner receives: the view's fields, with links instead of the photo."""
    place = view.last_seen_place
    images = {lang: image_url(settings, view, lang) for lang in view.languages}
    return {
        "event": "alert" if view.revision <= 1 else "update",
        # An exercise, never to be acted on as a real alert (CAP's status Exercise).
        "exercise": view.exercise,
        "id": view.public_id,
        "revision": view.revision,
        "reference": view.reference,
        "kind": str(view.kind),
        "level": view.level,
        "name": view.name,
        **{f: getattr(view, f) for f in ("age", "sex", "height_cm", "build", "hair", "eyes")},
        **{f: getattr(view, f) for f in ("clothing", "marks", "description")},
        "last_seen": {
            "at": view.last_seen_at.isoformat() if view.last_seen_at else None,
            "place": dict(place.labels),
            "lat": place.lat,
            "lon": place.lon,
        },
        "search_radius_km": view.search_radius_km,
        "languages": list(view.languages),
        "images": {lang: url for lang, url in images.items() if url},
        "case_url": view.case_url,
        "hotline": view.hotline,
        "issued_at": view.issued_at.isoformat(),
    }


@contextlib.asynccontextmanager
async def webhook_channel(settings: Settings, db: Database) -> AsyncIterator[WebhookChannel]:
    """The webhook channel with its HTTP session, open until exit."""
    timeout = aiohttp.ClientTimeout(total=settings.webhook_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield WebhookChannel(settings, session, db)


class WebhookChannel:
    """Signed POSTs to partners (`webhook`), at WEBHOOK_RATE across every dispatcher."""

    name = "webhook"

    def __init__(self, settings: Settings, session: aiohttp.ClientSession, db: Database) -> None:
        self.limits = Limits(bucket="webhook", per_second=settings.webhook_rate)
        self._settings = settings
        self._session = session
        self._db = db

    async def request(self, job: Job, now: float | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers of `job`'s POST: for a CAP partner, the stored message of the
        revision (alerts/partners/cap_store.py), the same bytes as the feed's."""
        if not job.webhook_secret:
            raise PermanentFailure("the partner webhook is gone")
        if job.webhook_format == "cap":
            body = await cap_store.alert_message(self._db, self._settings, job.case_id, job.view)
            mime = CAP_MIME
        else:
            payload = json_payload(self._settings, job.view)
            body, mime = json.dumps(payload, ensure_ascii=False).encode(), "application/json"
        stamp = str(int(now if now is not None else time.time()))
        return body, {
            "Content-Type": f"{mime}; charset=utf-8",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(job.webhook_secret, stamp, body),
            DELIVERY_HEADER: delivery_id(job),
        }

    async def send(self, job: Job) -> SendResult:
        body, headers = await self.request(job)
        await self._post(job.address, body, headers)
        return SendResult(external_id=headers[DELIVERY_HEADER], body=body.decode())

    async def withdraw(self, published: Published) -> WithdrawResult:
        """Send the partner the case's cancel (CAP `Cancel` or JSON), signed like the alerts."""
        body, headers = await self.cancel_request(published)
        await self._post(published.address, body, headers)
        return WithdrawResult(state="withdrawn", reason="cancel sent to the partner")

    async def cancel_request(
        self, published: Published, now: float | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the cancel POST: for a CAP partner the stored Cancel (the
        feed's), for a JSON partner identifiers and references only."""
        if not published.webhook_secret:
            raise PermanentFailure("the partner webhook is gone")
        stamp = int(now if now is not None else time.time())
        if published.webhook_format == "cap":
            cancel = await cap_store.cancel_message(
                self._db, self._settings, published.case_id, published.case_public_id
            )
            if cancel is None:
                raise PermanentFailure("no CAP message of the case was issued")
            body, mime = cancel, CAP_MIME
        else:
            payload = json_cancel_payload(published, stamp)
            body, mime = json.dumps(payload).encode(), "application/json"
        delivery = f"{cap.cancel_id(published.case_public_id)}.{published.target.replace('/', '-')}"
        return body, {
            "Content-Type": f"{mime}; charset=utf-8",
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(published.webhook_secret, str(stamp), body),
            DELIVERY_HEADER: delivery,
        }

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                _check(response)
        except (aiohttp.ClientError, TimeoutError) as err:
            # Only the kind of error: a partner URL may carry a key in its path.
            raise TemporaryFailure(f"webhook: {type(err).__name__}") from None


def _references(published: Published) -> list[str]:
    """The identifiers of every message of the chain up to the publication's revision."""
    return [cap.message_id(published.case_public_id, r) for r in range(1, published.revision + 1)]


def json_cancel_payload(published: Published, stamp: int) -> dict[str, Any]:
    """What a JSON partner receives when a case is withdrawn: no name, no photo, no outcome."""
    return {
        "event": "cancel",
        "id": published.case_public_id,
        "references": _references(published),
        "sent_at": datetime.fromtimestamp(stamp, UTC).isoformat(),
    }


def delivery_id(job: Job) -> str:
    """The same for every attempt of one publication."""
    view = job.view
    return f"{cap.message_id(view.public_id, view.revision)}.{job.target.replace('/', '-')}"


def _check(response: aiohttp.ClientResponse) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    if status in (429, 503):
        # Only this partner is slow: push the row, not the whole channel.
        wait = _seconds(response.headers.get("Retry-After"))
        raise RetryAfter(wait, f"webhook: HTTP {status}", whole_channel=False)
    if status >= 500 or status == 408:
        raise TemporaryFailure(f"webhook: HTTP {status}")
    raise PermanentFailure(f"webhook: HTTP {status}")


def _seconds(value: str | None) -> float:
    try:
        return min(max(float(value or 30), 1.0), 3600.0)
    except ValueError:
        return 30.0
