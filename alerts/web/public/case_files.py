"""The files of a case page: its photo, and the posters and images of its current revision.

Kept ready like the page (alerts/web/public/page_cache.py): built from the database on the first
request after the case last changed, then answered from memory, with a strong ETag (a digest of
the bytes) and Last-Modified, and `Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS,
stale-while-revalidate=PUBLIC_CACHE_SECONDS` so that browsers and a CDN take most of a spike;
the 410 that follows a close is `no-store`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from alerts.cases import lifecycle as cases
from alerts.cases.consent import LEVEL_PUBLIC, allows
from alerts.cases.models import Case, Consent
from alerts.posters.layout import scaled_photo
from alerts.publication import materials
from alerts.publication.materials import MaterialFile
from alerts.web import keys
from alerts.web.middlewares import public
from alerts.web.public import page_cache
from alerts.web.public.case_pages import (
    PAGE_PHOTO_PX,
    PUBLIC_ID,
    Notice,
    case_view,
    kept,
    notice,
    published_case,
    still_published,
)
from alerts.web.public.page_cache import CACHE, Built, Ready

routes = web.RouteTableDef()


def file_key(request: web.Request) -> tuple[str, str, str]:
    return ("file", request.match_info["public_id"], request.match_info.get("filename", "photo"))


def file_from_memory(request: web.Request) -> web.Response | None:
    """The kept file, when it is there and no redirect is due (page_cache.from_memory)."""
    entry = request.app[CACHE].get(file_key(request))
    if entry is None or page_cache.moved(request, entry):
        return None
    return page_cache.respond(request, entry)


async def answer(request: web.Request, build: Callable[[], Awaitable[Built]]) -> web.StreamResponse:
    """The kept file for this address (built once), its old-revision redirect, or a 304."""
    key = file_key(request)
    cache = request.app[CACHE]
    entry = cache.get(key) or await cache.obtain(key, build)
    if not isinstance(entry, Ready):
        return entry
    if page_cache.moved(request, entry):
        raise page_cache.to_current(request)
    return page_cache.respond(request, entry)


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}/photo.jpg", name="public_case_photo")
@public
@page_cache.served_from(file_from_memory)
async def case_photo(request: web.Request) -> web.StreamResponse:
    """The photo shown on the case page, when the consent allows it."""
    return await answer(request, lambda: build_photo(request))


async def build_photo(request: web.Request) -> Built:
    case_id = None
    try:
        case = await published_case(request)
        case_id = case.id
        consent = await cases.current_consent(request.app[keys.DB], case.id)
        view = await case_view(request, case, "case_page")
        if view.photo is None:
            raise Notice(404)
        jpeg = scaled_photo(view.photo.jpeg, PAGE_PHOTO_PX).jpeg
        await still_published(request, case, materials.PHOTO_TARGET)
    except Notice as exc:
        return gone_or_not_found(request, exc.status, case_id)
    return file_entry(request, case, consent, jpeg, "image/jpeg", view.level)


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}/{{filename}}", name="public_case_file")
@public
@page_cache.served_from(file_from_memory)
async def case_file(request: web.Request) -> web.StreamResponse:
    """A poster or image of the case's current revision."""
    file = materials.parse_filename(request.match_info["filename"])
    if file is None:
        return notice(request, 404)
    return await answer(request, lambda: build_file(request, file))


async def build_file(request: web.Request, file: MaterialFile) -> Built:
    case_id = None
    try:
        case = await published_case(request)
        case_id = case.id
        consent = await allowed_consent(request, case, file)
        db = request.app[keys.DB]
        data = await materials.current_material(db, case, file)
        if data is None:
            data = await materials.missing_image(db, request.app[keys.SETTINGS], case, file)
        if data is None:
            raise Notice(await _missing_status(request, file))
    except Notice as exc:
        return gone_or_not_found(request, exc.status, case_id)
    return file_entry(request, case, consent, data, file.content_type, consent.level,
                      file.filename)  # fmt: skip


def gone_or_not_found(request: web.Request, status: int, case_id: int | None) -> Built:
    """The 410 notice, kept; a 404, answered once."""
    if status == 404:
        return notice(request, 404)
    return kept(request, notice(request, status), case_id)


async def allowed_consent(request: web.Request, case: Case, file: MaterialFile) -> Consent:
    """The consent when it allows the file's channel now; Notice(410) otherwise."""
    consent = await cases.current_consent(request.app[keys.DB], case.id)
    if consent is None or not allows(consent, file.channel, datetime.now(UTC)):
        raise Notice(410)
    return consent


async def _missing_status(request: web.Request, file: MaterialFile) -> int:
    """410 when the case closed or the material was withdrawn while we read; 404 when the case
    simply has no such material (a language it is not published in)."""
    try:
        case = await published_case(request)
    except Notice as exc:
        return exc.status
    stored = await materials.material_index(request.app[keys.DB], case.id, case.revision)
    return 410 if file in {m.file for m in stored} else 404


def file_entry(
    request: web.Request,
    case: Case,
    consent: Consent | None,
    data: bytes,
    content_type: str,
    level: int,
    filename: str | None = None,
) -> Ready:
    """The bytes of a file as an entry to keep, with the headers every answer carries."""
    seconds = request.app[keys.SETTINGS].public_cache_seconds
    headers = {"Content-Type": content_type,
               "Cache-Control": page_cache.shared(seconds)}  # fmt: skip
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if level < LEVEL_PUBLIC:
        headers["X-Robots-Tag"] = "noindex"
    expires = consent.valid_until.timestamp() if consent and consent.valid_until else None
    return request.app[CACHE].ready(case.id, 200, data, headers, revision=case.revision,
                                    expires=expires)  # fmt: skip
