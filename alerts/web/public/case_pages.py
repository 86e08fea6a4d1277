"""The public case page and its files: /alerts/{public_id}, its posters, images and photo.

Every request reads the case's state, consent and registry row from the database, and the last
read before answering is the one that decides: from the close commit on, every address of the
case answers 410 with a neutral notice (no name, no photo, no outcome, no reference). Nothing
is cached on our side, and responses tell caches to revalidate each time (`no-cache`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from babel.numbers import format_decimal

from alerts.cases import lifecycle as cases
from alerts.cases.consent import LEVEL_PUBLIC, LEVEL_REGIONAL, PublicView, allows
from alerts.cases.models import Case, CaseState
from alerts.cases.publicity import view_for
from alerts.errors import NotPublishable
from alerts.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    choose_language,
    gettext,
    language,
    language_name,
)
from alerts.posters.labels import (
    CALL,
    COLON,
    HEADLINE,
    LOCALES,
    SEEN_QUESTION,
    facts,
    format_day,
)
from alerts.posters.layout import scaled_photo
from alerts.publication import materials
from alerts.publication.materials import MaterialFile, StoredMaterial
from alerts.web import keys
from alerts.web.middlewares import anonymous_csrf_token, public
from alerts.web.public import sharing

routes = web.RouteTableDef()
PUBLIC_ID = r"[A-Za-z0-9_-]{8,64}"
PAGE_PHOTO_PX = 900  # the photo on the page: sharp on a phone, a fraction of the original
KEY_FACTS = ("age", "last_seen", "place")
# The title of each kind of download.
DOWNLOAD_TITLES = {"poster": N_("Poster"), "square": N_("Image for posts"),
                   "story": N_("Image for stories")}  # fmt: skip


def setup(app: web.Application) -> None:
    """Add the public case routes to `app`; the image renderings finish before it stops."""
    app.on_shutdown.append(lambda _: materials.drain())
    app.add_routes(routes)


class Notice(Exception):
    """Answer with the neutral notice page: 404 (no such alert) or 410 (withdrawn)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def visitor_language(request: web.Request, fallback: str) -> str:
    """`?lang=`, else the best Accept-Language match, else `fallback`."""
    requested = request.query.get("lang")
    if requested in LANGUAGES:
        return requested
    accept = request.headers.get("Accept-Language", "")
    chosen = choose_language(None, accept)
    primaries = {part.split(";")[0].strip().split("-")[0].lower() for part in accept.split(",")}
    if chosen != DEFAULT_LANGUAGE or DEFAULT_LANGUAGE in primaries:
        return chosen
    return fallback if fallback in LANGUAGES else DEFAULT_LANGUAGE


def tel_link(number: str) -> str:
    """A `tel:` link to `number` ("116 000": tel:116000)."""
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


def render_page(
    request: web.Request,
    template: str,
    lang: str,
    *,
    status: int = 200,
    noindex: bool = True,
    csrf: bool = False,
    switch_path: str = "",
    **context: Any,
) -> web.Response:
    """A public page (templates/public/_base.html), its template rendered in `lang`; with
    `csrf`, a double-submit token in a cookie and in the context (`csrf_token`) for the page's
    forms. The language switch links to `switch_path` (default: this address, by a query-only
    link that names no path)."""
    settings = request.app[keys.SETTINGS]
    response = web.Response(status=status, content_type="text/html")
    page = {
        "lang": lang,
        "organisation": settings.organisation(lang),
        "hotline": settings.hotline,
        "hotline_tel": tel_link(settings.hotline_number),
        "noindex": noindex,
        "language_links": language_links(lang, switch_path),
        "csrf_token": anonymous_csrf_token(request, response) if csrf else "",
    }
    template_ = request.app[keys.TEMPLATES].get_template(template)
    with language(lang):
        response.text = template_.render({**page, **context})
    public_headers(response, lang=lang, noindex=noindex)
    return response


def public_headers(response: web.StreamResponse, *, lang: str | None, noindex: bool) -> None:
    """Revalidate every time (a withdrawn photo must not outlive the close in any cache)."""
    response.headers["Cache-Control"] = "no-cache"
    if noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    if lang:
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = "Accept-Language"


def language_links(lang: str, path: str) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": language_name(code), "current": code == lang,
         "url": f"{path}?lang={code}"}
        for code in LANGUAGES
    ]  # fmt: skip


def notice(request: web.Request, status: int) -> web.Response:
    """The neutral notice: nothing about the case, only that it is withdrawn or unknown."""
    lang = visitor_language(request, request.app[keys.SETTINGS].default_languages[0])
    kind = "withdrawn" if status == 410 else "not_found"
    return render_page(request, "public/notice.html", lang, status=status, kind=kind)


async def published_case(request: web.Request) -> Case:
    """The case of the address; Notice(404) if it was never published, Notice(410) if closed."""
    public_id = request.match_info["public_id"]
    case = await cases.get_by_public_id(request.app[keys.DB], public_id)
    if case is None or case.approved_at is None:
        raise Notice(404)
    if case.state is not CaseState.ACTIVE:
        raise Notice(410)
    return case


async def case_view(request: web.Request, case: Case, channel: str) -> PublicView:
    try:
        return await view_for(request.app[keys.DB], request.app[keys.SETTINGS], case, channel)
    except NotPublishable:
        raise Notice(410) from None


async def still_published(request: web.Request, case: Case, target: str) -> None:
    """The last gate before answering: the close (or a withdrawal) may have committed while
    this request was being prepared."""
    if not await materials.is_published(request.app[keys.DB], case, "case_page", target):
        raise Notice(410)


def redirect_old_revision(request: web.Request, case: Case) -> None:
    """An address of an earlier revision (`?rev=N`) leads to the current one."""
    rev = request.query.get("rev")
    if rev is not None and rev != str(case.revision):
        query = {k: v for k, v in request.rel_url.query.items() if k != "rev"}
        raise web.HTTPFound(str(request.rel_url.with_query(query)))


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}", name="public_case")
@public
async def case_page(request: web.Request) -> web.Response:
    """The case page, consent-filtered, in the visitor's language."""
    try:
        case = await published_case(request)
        lang = visitor_language(request, case.languages[0])
        redirect_old_revision(request, case)
        view = await case_view(request, case, "case_page")
        stored = await materials.material_index(request.app[keys.DB], case.id, case.revision)
        await still_published(request, case, materials.PAGE_TARGET)
    except Notice as exc:
        return notice(request, exc.status)
    context = page_context(request, view, lang, stored)
    return render_page(
        request, "public/case.html", lang, noindex=view.level < LEVEL_PUBLIC, csrf=True, **context
    )


def page_context(
    request: web.Request, view: PublicView, lang: str, stored: list[StoredMaterial]
) -> dict[str, Any]:
    """What the case page shows: the view's facts in `lang`, the downloads, the preview tags."""
    settings = request.app[keys.SETTINGS]
    found = {fact.key: fact for fact in facts(view, (lang,))}
    with language(lang):
        return {
            "view": view,
            "headline": gettext(HEADLINE),
            "call": gettext(CALL, hotline=view.hotline),
            "seen_question": (
                gettext("Have you seen %(name)s?", name=view.name)
                if view.name
                else gettext(SEEN_QUESTION)
            ),
            "photo": _photo(view),
            "key_facts": [found[k] for k in KEY_FACTS if k in found],
            "details": [fact for key, fact in found.items() if key not in KEY_FACTS],
            "downloads": split_downloads(
                sharing.offered(stored, view.level),
                lang,
                view.languages,
                f"/alerts/{view.public_id}",
            ),  # fmt: skip
            "social": sharing.social_allowed(view.level),
            "discreet": view.level < LEVEL_REGIONAL,
            "level_note": sharing.level_note(view.level),
            "official": gettext(
                "Official appeal by %(organisation)s, issued on %(date)s.",
                organisation=settings.organisation(lang),
                date=format_day(view.issued_at, lang),
            ),
            "og": _open_graph(settings.public_base_url, view, lang, stored),
            "tel": tel_link(view.hotline),
        }


def _photo(view: PublicView) -> dict[str, Any] | None:
    """The photo on the page, described in the current language."""
    if view.photo is None:
        return None
    scaled = scaled_photo(view.photo.jpeg, PAGE_PHOTO_PX)
    if view.name:
        alt = gettext("Photo of %(name)s", name=view.name)
    else:
        alt = gettext("Photo of the child")
    return {"url": f"/alerts/{view.public_id}/{materials.PHOTO_TARGET}", "alt": alt,
            "width": scaled.width, "height": scaled.height}  # fmt: skip


def _size(size: int, lang: str) -> str:
    if size < 1024 * 1024:
        return f"{format_decimal(max(size // 1024, 1), locale=LOCALES[lang])} kB"
    return f"{format_decimal(size / (1024 * 1024), '0.#', locale=LOCALES[lang])} MB"


def split_downloads(
    stored: list[StoredMaterial], lang: str, languages: tuple[str, ...], folder: str
) -> dict[str, list[dict[str, str]]]:
    """The downloads in the visitor's language (else the case's first) first, the others apart:
    thirteen links would bury the one a visitor needs."""
    wanted = lang if lang in languages else languages[0]
    items: dict[str, list[dict[str, str]]] = {"main": [], "other": []}
    for material in stored:
        group = "main" if wanted in material.file.language.split("-") else "other"
        items[group].append(download_item(material, lang, folder))
    return items


def download_item(material: StoredMaterial, lang: str, folder: str) -> dict[str, str]:
    """A link to a material for a list of downloads: its address under `folder`, its title and
    language, its format and size."""
    file = material.file
    with language(lang):
        if file.language == materials.BILINGUAL:
            title = gettext("Bilingual poster")
        else:
            title = gettext(DOWNLOAD_TITLES[file.kind])
    names = " / ".join(language_name(code) for code in file.language.split("-"))
    kind = "PDF, A4" if file.kind == "poster" else "PNG"
    return {"url": f"{folder}/{file.filename}", "title": title, "language": names,
            "hreflang": file.language.split("-")[0], "kind": file.kind,
            "meta": f"{kind}, {_size(material.size, lang)}"}  # fmt: skip


def _open_graph(
    base_url: str, view: PublicView, lang: str, stored: list[StoredMaterial]
) -> dict[str, str] | None:
    """Preview tags for shared links (level 2 and up; a discreet alert gets none)."""
    if view.level < LEVEL_REGIONAL:
        return None
    squares = [m.file for m in stored if m.file.kind == "square"]
    image = next((f for f in squares if f.language == lang), squares[0] if squares else None)
    found = {fact.key: fact.value for fact in facts(view, (lang,))}
    description = " · ".join(v for k, v in found.items() if k in ("age", "place") and v)
    with language(lang):
        subject = view.name or gettext(SEEN_QUESTION)
        title = f"{gettext(HEADLINE)}{gettext(COLON)} {subject}"
    tags = {
        "title": title,
        "description": description,
        "url": materials.public_address(base_url, view.public_id),
    }
    if image is not None:
        tags["image"] = materials.public_address(base_url, view.public_id, image.filename)
    return tags


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}/photo.jpg", name="public_case_photo")
@public
async def case_photo(request: web.Request) -> web.Response:
    """The photo shown on the case page, when the consent allows it."""
    try:
        case = await published_case(request)
        redirect_old_revision(request, case)
        view = await case_view(request, case, "case_page")
        if view.photo is None:
            raise Notice(404)
        jpeg = scaled_photo(view.photo.jpeg, PAGE_PHOTO_PX).jpeg
        await still_published(request, case, materials.PHOTO_TARGET)
    except Notice as exc:
        return notice(request, exc.status)
    return file_response(request, jpeg, "image/jpeg", f'"{view.photo.public_id}"', view.level)


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}/{{filename}}", name="public_case_file")
@public
async def case_file(request: web.Request) -> web.StreamResponse:
    """A poster or image of the case's current revision."""
    file = materials.parse_filename(request.match_info["filename"])
    try:
        if file is None:
            raise Notice(404)
        case = await published_case(request)
        level = await allowed_level(request, case, file)
        redirect_old_revision(request, case)
        db = request.app[keys.DB]
        data = await materials.current_material(db, case, file)
        if data is None:
            data = await materials.missing_image(db, request.app[keys.SETTINGS], case, file)
        if data is None:
            raise Notice(await _missing_status(request, file))
    except Notice as exc:
        return notice(request, exc.status)
    etag = f'"{case.revision}-{file.filename}"'
    return file_response(request, data, file.content_type, etag, level, file.filename)


async def allowed_level(request: web.Request, case: Case, file: MaterialFile) -> int:
    """The consent's level when it allows the file's channel now; Notice(410) otherwise."""
    consent = await cases.current_consent(request.app[keys.DB], case.id)
    if consent is None or not allows(consent, file.channel, datetime.now(UTC)):
        raise Notice(410)
    return consent.level


async def _missing_status(request: web.Request, file: MaterialFile) -> int:
    """410 when the case closed or the material was withdrawn while we read; 404 when the case
    simply has no such material (a language it is not published in)."""
    try:
        case = await published_case(request)
    except Notice as exc:
        return exc.status
    stored = await materials.material_index(request.app[keys.DB], case.id, case.revision)
    return 410 if file in {m.file for m in stored} else 404


def file_response(
    request: web.Request,
    data: bytes,
    content_type: str,
    etag: str,
    level: int,
    filename: str | None = None,
) -> web.Response:
    """The bytes of a file; 304 when the client has them (checked after every gate)."""
    if request.headers.get("If-None-Match") == etag:
        response = web.Response(status=304)
    else:
        response = web.Response(body=data, content_type=content_type)
        if filename:
            response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["ETag"] = etag
    public_headers(response, lang=None, noindex=level < LEVEL_PUBLIC)
    return response
