"""The public case page: /alerts/{public_id} (its files: alerts/web/public/case_files.py).

The page is built from the database the first time it is asked for in a language after the
case last changed, and then answered from memory (alerts/web/public/page_cache.py): PostgreSQL
notifies every web process at the commit of a close, a narrowing or a revision, and from then
on every address of the case answers 410 with a neutral notice (no name, no photo, no outcome,
no reference) or shows the new revision. The page carries the visitor's form token (the
double-submit token of the sighting form), placed into the kept bytes per request; its ETag
includes it. Browsers revalidate the page every time (a 304 costs no database round trip);
the files may be kept a little (`PUBLIC_CACHE_SECONDS`).
"""

from __future__ import annotations

import hashlib
import secrets
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
    EXERCISE,
    EXERCISE_NOTE,
    LOCALES,
    SEEN_QUESTION,
    facts,
    format_day,
    headline_word,
)
from alerts.posters.layout import scaled_photo
from alerts.publication import materials
from alerts.publication.materials import MaterialFile, StoredMaterial
from alerts.web import keys
from alerts.web.middlewares import anonymous_csrf_token, csrf_cookie_name, map_page, public
from alerts.web.public import cdn, page_cache, sharing
from alerts.web.public.page_cache import CACHE, Built, Ready

routes = web.RouteTableDef()
PUBLIC_ID = r"[A-Za-z0-9_-]{8,64}"
PAGE_PHOTO_PX = 900  # the photo on the page: sharp on a phone, a fraction of the original
KEY_FACTS = ("age", "last_seen", "place")
TOKEN_SLOT = "csrf0slot0f8c2d5b9e1a7"  # noqa: S105 - not a secret: where the visitor's form token goes in the kept page
PAGE_CACHE_CONTROL = "private, no-cache"  # the page: asked again every time (304 from memory)
GONE_CACHE_CONTROL = "no-store"
# The title of each kind of download.
DOWNLOAD_TITLES = {"poster": N_("Poster"), "square": N_("Image for posts"),
                   "story": N_("Image for stories")}  # fmt: skip


def setup(app: web.Application) -> None:
    """Add the public case routes to `app`, and the cache they are answered from; the image
    renderings finish before it stops."""
    from alerts.web.public import case_files  # it imports this module

    page_cache.setup(app, cdn.on_change)
    app.on_shutdown.append(lambda _: materials.drain())
    app.on_shutdown.append(lambda _: cdn.stop())
    app.add_routes(routes)
    app.add_routes(case_files.routes)


class Notice(Exception):
    """Answer with the neutral notice page: 404 (no such alert) or 410 (withdrawn)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def visitor_language(request: web.Request, fallback: str) -> str:
    """`?lang=`, else the best Accept-Language match, else `fallback`."""
    chosen = asked_language(request)
    if chosen is not None:
        return chosen
    return fallback if fallback in LANGUAGES else DEFAULT_LANGUAGE


def asked_language(request: web.Request) -> str | None:
    """The language the visitor asks for (`?lang=`, else Accept-Language); None: no match."""
    requested = request.query.get("lang")
    if requested in LANGUAGES:
        return requested
    accept = request.headers.get("Accept-Language", "")
    chosen = choose_language(None, accept)
    primaries = {part.split(";")[0].strip().split("-")[0].lower() for part in accept.split(",")}
    if chosen != DEFAULT_LANGUAGE or DEFAULT_LANGUAGE in primaries:
        return chosen
    return None


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
    cache: str = "no-cache",
    with_map: bool = False,
    **context: Any,
) -> web.Response:
    """A public page (templates/public/_base.html), its template rendered in `lang`; with
    `csrf`, a double-submit token in a cookie and in the context (`csrf_token`) for the page's
    forms. The language switch links to `switch_path` (default: this address, by a query-only
    link that names no path). A page `with_map` sends the tile server its origin."""
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
    public_headers(response, lang=lang, noindex=noindex, cache=cache)
    if with_map:
        map_page(response)
    return response


def public_headers(
    response: web.StreamResponse, *, lang: str | None, noindex: bool, cache: str = "no-cache"
) -> None:
    """The headers of a public page: `cache` (Cache-Control), noindex, language."""
    response.headers["Cache-Control"] = cache
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
    response = render_page(request, "public/notice.html", lang, status=status, kind=kind)
    response.headers["Cache-Control"] = GONE_CACHE_CONTROL  # nor kept by anyone
    return response


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


async def allowed_level(request: web.Request, case: Case, file: MaterialFile) -> int:
    """The consent's level when it allows the file's channel now; Notice(410) otherwise."""
    consent = await cases.current_consent(request.app[keys.DB], case.id)
    if consent is None or not allows(consent, file.channel, datetime.now(UTC)):
        raise Notice(410)
    return consent.level


def page_key(request: web.Request) -> tuple[str, str, str | None]:
    return ("page", request.match_info["public_id"], asked_language(request))


def page_from_memory(request: web.Request) -> web.Response | None:
    """The kept page, when it is there and no redirect is due (page_cache.from_memory)."""
    entry = request.app[CACHE].get(page_key(request))
    if entry is None or page_cache.moved(request, entry):
        return None
    return page_answer(request, entry)


@routes.get(f"/alerts/{{public_id:{PUBLIC_ID}}}", name="public_case")
@public
@page_cache.served_from(page_from_memory)
async def case_page(request: web.Request) -> web.StreamResponse:
    """The case page, consent-filtered, in the visitor's language: kept ready per language."""
    key = page_key(request)
    cache = request.app[CACHE]
    entry = cache.get(key) or await cache.obtain(key, lambda: build_page(request, key[2]))
    if not isinstance(entry, Ready):
        return entry
    if page_cache.moved(request, entry):
        raise page_cache.to_current(request)
    return page_answer(request, entry)


def page_answer(request: web.Request, entry: Ready) -> web.Response:
    """The kept page with the visitor's form token (their cookie's, else a new one, set)."""
    if entry.tail is None:
        return page_cache.respond(request, entry)
    name = csrf_cookie_name(request)
    token = request.cookies.get(name) or secrets.token_urlsafe(24)
    mark = hashlib.blake2s(token.encode(), digest_size=6).hexdigest()
    body = entry.body + token.encode() + entry.tail
    response = page_cache.respond(request, entry, f'"{entry.digest}.{mark}"', body)
    # As set_cookie writes it (a token is URL-safe base64: nothing to quote), without the
    # cost of http.cookies on every request.
    secure = "; Secure" if request.app[keys.SETTINGS].secure_cookies else ""
    response.headers.add(
        "Set-Cookie", f"{name}={token}; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax{secure}"
    )
    return response


async def build_page(request: web.Request, asked: str | None) -> Built:
    """The page (or the 410 notice) to keep; a 404 is answered, not kept."""
    case_id = None
    try:
        case = await published_case(request)
        case_id = case.id
        lang = asked or visitor_language(request, case.languages[0])
        consent = await cases.current_consent(request.app[keys.DB], case.id)
        view = await case_view(request, case, "case_page")
        stored = await materials.material_index(request.app[keys.DB], case.id, case.revision)
        await still_published(request, case, materials.PAGE_TARGET)
    except Notice as exc:
        if exc.status == 404:
            return notice(request, 404)
        return kept(request, notice(request, exc.status), case_id)
    context = page_context(request, view, lang, stored)
    response = render_page(request, "public/case.html", lang, noindex=view.level < LEVEL_PUBLIC,
                           cache=PAGE_CACHE_CONTROL, csrf_token=TOKEN_SLOT, with_map=True,
                           **context)  # fmt: skip
    body, headers = page_cache.captured(response)
    head, slot, tail = body.partition(TOKEN_SLOT.encode())
    expires = consent.valid_until.timestamp() if consent and consent.valid_until else None
    return request.app[CACHE].ready(case.id, 200, head, headers, revision=case.revision,
                                    tail=tail if slot else None, expires=expires)  # fmt: skip


def kept(request: web.Request, response: web.Response, case_id: int | None) -> Ready:
    """A rendered response (the 410 notice) as an entry to keep."""
    body, headers = page_cache.captured(response)
    return request.app[CACHE].ready(case_id, response.status, body, headers)


def page_context(
    request: web.Request, view: PublicView, lang: str, stored: list[StoredMaterial]
) -> dict[str, Any]:
    """What the case page shows: the view's facts in `lang`, the downloads, the preview tags."""
    settings = request.app[keys.SETTINGS]
    found = {fact.key: fact for fact in facts(view, (lang,))}
    with language(lang):
        return {
            "view": view,
            "headline": headline_word(view),
            "exercise_word": gettext(EXERCISE),
            "exercise_note": gettext(EXERCISE_NOTE),
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
        title = f"{headline_word(view)}{gettext(COLON)} {subject}"
    tags = {
        "title": title,
        "description": description,
        "url": materials.public_address(base_url, view.public_id),
    }
    if image is not None:
        tags["image"] = materials.public_address(base_url, view.public_id, image.filename)
    return tags
