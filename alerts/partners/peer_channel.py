"""Cases offered to peer hotlines (alerts/peers): the signed CAP message POSTed to the peer.

A peer receives the stored message of each identifier (alerts/partners/cap_store.py), the same
bytes as the CAP feed and the partner webhooks, signed with CAP_SIGNING_KEY: the peer verifies
the signature with the certificate it was given, so without a signing key nothing is sent
(PermanentFailure). An Update follows each revision, the Cancel the close or a consent that no
longer allows the `peer` channel. Retries, backoff and rate (WEBHOOK_RATE, the webhooks'
bucket) are the dispatcher's, as for every channel.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp

from alerts.channels.base import (
    Job,
    Limits,
    PermanentFailure,
    Published,
    SendResult,
    TemporaryFailure,
    WithdrawResult,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.partners import cap, cap_sign, cap_store
from alerts.partners.webhooks import CAP_MIME, DELIVERY_HEADER
from alerts.partners.webhooks import _check as check_response


@contextlib.asynccontextmanager
async def peer_channel(settings: Settings, db: Database) -> AsyncIterator[PeerChannel]:
    """The peer channel with its HTTP session, open until exit."""
    timeout = aiohttp.ClientTimeout(total=settings.webhook_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield PeerChannel(settings, session, db)


class PeerChannel:
    """Signed CAP POSTs to the peers a case was offered to (`peer`)."""

    name = "peer"

    def __init__(self, settings: Settings, session: aiohttp.ClientSession, db: Database) -> None:
        self.limits = Limits(bucket="webhook", per_second=settings.webhook_rate)
        self._settings = settings
        self._session = session
        self._db = db

    def _check_signing(self) -> None:
        if not cap_sign.enabled(self._settings):
            raise PermanentFailure("peers take only signed CAP: CAP_SIGNING_KEY is not set")

    async def send(self, job: Job) -> SendResult:
        self._check_signing()
        body = await cap_store.alert_message(self._db, self._settings, job.case_id, job.view)
        delivery = f"{cap.message_id(job.view.public_id, job.view.revision)}.{job.target}"
        await self._post(job.address, body, delivery)
        return SendResult(external_id=delivery, body=body.decode())

    async def withdraw(self, published: Published) -> WithdrawResult:
        """Send the peer the case's stored Cancel: it withdraws everything it published."""
        self._check_signing()
        cancel = await cap_store.cancel_message(
            self._db, self._settings, published.case_id, published.case_public_id
        )
        if cancel is None:
            raise PermanentFailure("no CAP message of the case was issued")
        delivery = f"{cap.cancel_id(published.case_public_id)}.{published.target}"
        await self._post(published.address, cancel, delivery)
        return WithdrawResult(state="withdrawn", reason="cancel sent to the peer")

    async def _post(self, url: str, body: bytes, delivery: str) -> None:
        headers = {"Content-Type": f"{CAP_MIME}; charset=utf-8", DELIVERY_HEADER: delivery}
        try:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                if response.status == 409:
                    return  # the peer took this message already: a retry after a lost answer
                check_response(response)
        except (aiohttp.ClientError, TimeoutError) as err:
            raise TemporaryFailure(f"peer: {type(err).__name__}") from None
