"""The CDN purge hook: after a case's close, narrowing or revision commits (the `alerts_public`
notification), POST the case's public paths to CDN_PURGE_URL, signed like the partner webhooks
(`X-Alerts-Timestamp`, `X-Alerts-Signature: sha256=HMAC(CDN_PURGE_SECRET, timestamp + "." +
body)`), in the background, retried with backoff. The body is
`{"paths": ["/alerts/<id>", "/alerts/<id>/poster-nl.pdf", ..., "/feeds/alerts.atom", ...]}`.

Every web process hears the notification and sends the call: purges are idempotent, and a
purge that one process fails to send another one sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp
from aiohttp import web

from alerts.i18n import LANGUAGES
from alerts.partners.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from alerts.publication import materials
from alerts.web import keys

log = logging.getLogger(__name__)
ATTEMPTS = 6  # 1 + 2 + 4 + 8 + 16 s between them: about half a minute
TIMEOUT = aiohttp.ClientTimeout(total=10)
_tasks: set[asyncio.Task[None]] = set()


def case_paths(public_id: str, languages: list[str]) -> list[str]:
    """Every public path that shows something of the case (whether the consent allows it or
    not: a purge of a path the CDN does not hold costs nothing)."""
    folder = f"/alerts/{public_id}"
    files = materials.planned_files(languages, posters=True, images=True)
    feeds = ["/feeds/alerts.atom", "/feeds/cap.xml"]
    feeds += [f"/feeds/alerts.atom?lang={lang}" for lang in LANGUAGES]
    return [folder, f"{folder}/{materials.PHOTO_TARGET}",
            *(f"{folder}/{file.filename}" for file in files), *feeds]  # fmt: skip


def on_change(app: web.Application, case_id: int) -> None:
    """Purge the case's paths in the background, when a purge URL is set."""
    if not app[keys.SETTINGS].cdn_purge_url:
        return
    task = asyncio.get_running_loop().create_task(purge(app, case_id))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def purge(app: web.Application, case_id: int) -> None:
    settings = app[keys.SETTINGS]
    try:
        row = await app[keys.DB].fetchrow("get_case", case_id)
    except Exception:  # the case is unknown to this process now: purge nothing
        log.exception("cdn purge: reading the case failed", extra={"action": "cdn_purge_failed"})
        return
    if row is None or row["approved_at"] is None:
        return  # never public
    body = json.dumps({"paths": case_paths(row["public_id"], list(row["languages"]))}).encode()
    delay = 1.0
    for attempt in range(1, ATTEMPTS + 1):
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp,
                   SIGNATURE_HEADER: sign(settings.cdn_purge_secret, stamp, body)}  # fmt: skip
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as session,
                session.post(settings.cdn_purge_url, data=body, headers=headers) as answer,
            ):
                if answer.status < 300:
                    log.info("cdn purged", extra={"action": "cdn_purged", "case_id": case_id})
                    return
                error = f"HTTP {answer.status}"
        except (aiohttp.ClientError, TimeoutError) as err:
            error = type(err).__name__
        log.warning("cdn purge failed", extra={"action": "cdn_purge_failed", "case_id": case_id,
                                               "attempt": attempt, "error": error})  # fmt: skip
        if attempt < ATTEMPTS:
            await asyncio.sleep(delay)
            delay *= 2


async def stop() -> None:
    """Give up the purges under way (at shutdown: the other web processes send them too)."""
    for task in list(_tasks):
        task.cancel()
    await asyncio.gather(*_tasks, return_exceptions=True)
