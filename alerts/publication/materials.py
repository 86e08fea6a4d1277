"""The materials of each revision of a case, and the registry rows of everything we host.

At approval and at each revision (steps of alerts.outbox.pipeline, inside those transactions),
every material the
consent allows is rendered from the channel's public view: an A4 poster per case language, the
bilingual nl/fr poster when both are among them, and a square and a story PNG per language.
They are stored in `materials`, and each of them, the case page (and its photo), the feeds and
the press room listing get a publication row with their public address, state `sent`: what we
host is published the moment the transaction commits. The rows of earlier revisions end as
`superseded`; their addresses (`?rev=N`) lead to the current revision.

The posters (a few milliseconds each) are rendered inside the transaction, in a worker thread.
The post images take about 50 ms each, too long to hold up the approval's commit and with it
the first message to volunteers: their registry rows are written in the transaction, and the
images themselves are rendered right after the commit by a background task, or on the first
request for one that is not there yet (after a restart, say).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from alerts.cases.consent import PublicView
from alerts.cases.models import Case
from alerts.cases.publicity import view_for
from alerts.config import Settings
from alerts.db.database import Database
from alerts.errors import NotPublishable
from alerts.posters.images import render_square, render_story
from alerts.posters.poster import render_poster

log = logging.getLogger(__name__)

BILINGUAL = "nl-fr"
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png"}
_FILE = re.compile(r"^(poster|square|story)-(nl-fr|nl|fr|de|en)\.(pdf|png)$")
# The rows we host ourselves: they need no sending, and they end when the addresses answer 410.
PAGE_TARGET, PHOTO_TARGET = "page", "photo.jpg"
PRESS_ROOM_TARGET = "press-room"
FEED_TARGETS = ("atom", "cap")


@dataclass(frozen=True, kw_only=True)
class MaterialFile:
    """One material of a revision: its kind (poster, square, story) and language."""

    kind: str
    language: str

    @property
    def extension(self) -> str:
        return "pdf" if self.kind == "poster" else "png"

    @property
    def filename(self) -> str:
        """Its name in public addresses and in the registry: 'poster-nl.pdf', 'story-fr.png'."""
        return f"{self.kind}-{self.language}.{self.extension}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def channel(self) -> str:
        """The consent channel that carries it: 'poster' or 'image'."""
        return "poster" if self.kind == "poster" else "image"


def parse_filename(name: str) -> MaterialFile | None:
    """The material a file name stands for; None when it names none (a bilingual image)."""
    found = _FILE.match(name)
    if found is None:
        return None
    kind, language, extension = found.groups()
    file = MaterialFile(kind=kind, language=language)
    if file.extension != extension or (language == BILINGUAL and kind != "poster"):
        return None
    return file


def planned_files(languages: Sequence[str], *, posters: bool, images: bool) -> list[MaterialFile]:
    """The materials of a case in `languages`, as far as posters and images are allowed."""
    files: list[MaterialFile] = []
    if posters:
        files += [MaterialFile(kind="poster", language=lang) for lang in languages]
        if {"nl", "fr"} <= set(languages):
            files.append(MaterialFile(kind="poster", language=BILINGUAL))
    if images:
        for kind in ("square", "story"):
            files += [MaterialFile(kind=kind, language=lang) for lang in languages]
    return files


@dataclass(frozen=True, kw_only=True)
class Rendered:
    file: MaterialFile
    data: bytes


def render_files(
    files: Sequence[MaterialFile],
    poster_view: PublicView | None,
    image_view: PublicView | None,
    organisation: Callable[[Sequence[str]], str],
) -> list[Rendered]:
    """Each of `files` rendered from the view of its channel (CPU-bound: run it in a thread);
    a poster names the organisation in its languages (`organisation`: Settings.organisation)."""
    out = []
    for file in files:
        if file.kind == "poster":
            assert poster_view is not None
            lang: str | tuple[str, str] = (
                ("nl", "fr") if file.language == BILINGUAL else file.language
            )
            langs = lang if isinstance(lang, tuple) else (lang,)
            data = render_poster(poster_view, lang, organisation=organisation(langs))
        else:
            assert image_view is not None
            render = render_square if file.kind == "square" else render_story
            data = render(image_view, file.language)
        out.append(Rendered(file=file, data=data))
    return out


@dataclass(frozen=True, kw_only=True)
class ChannelViews:
    """What each channel we host may show of one revision; None where the consent says no."""

    page: PublicView | None
    poster: PublicView | None
    image: PublicView | None
    feed: PublicView | None
    press: PublicView | None


async def _view_or_none(
    db: Database, settings: Settings, case: Case, channel: str
) -> PublicView | None:
    try:
        return await view_for(db, settings, case, channel)
    except NotPublishable:
        return None


async def channel_views(db: Database, settings: Settings, case: Case) -> ChannelViews:
    """The public view of `case` for each hosted channel (None where not allowed)."""
    views = [
        await _view_or_none(db, settings, case, channel)
        for channel in ("case_page", "poster", "image", "feed", "press")
    ]
    return ChannelViews(page=views[0], poster=views[1], image=views[2], feed=views[3],
                        press=views[4])  # fmt: skip


def public_address(base_url: str, public_id: str, path: str = "", revision: int = 0) -> str:
    """The absolute public address of a case's page (path '') or of one of its files; with a
    revision, the address of that revision's file (it leads to the current one later)."""
    address = f"{base_url.rstrip('/')}/alerts/{public_id}"
    if path:
        address += f"/{path}"
    return f"{address}?rev={revision}" if revision else address


def registry_rows(
    settings: Settings, case: Case, views: ChannelViews, files: Sequence[MaterialFile]
) -> list[tuple[str, str, str | None, str]]:
    """(channel, target, language, address) of everything the revision publishes on our side."""
    base = settings.public_base_url.rstrip("/")
    rows: list[tuple[str, str, str | None, str]] = []
    if views.page is not None:
        rows.append(("case_page", PAGE_TARGET, None, public_address(base, case.public_id)))
        if views.page.photo is not None:
            address = public_address(base, case.public_id, PHOTO_TARGET, case.revision)
            rows.append(("case_page", PHOTO_TARGET, None, address))
    for file in files:
        address = public_address(base, case.public_id, file.filename, case.revision)
        rows.append((file.channel, file.filename, file.language, address))
    if views.feed is not None:
        rows.append(("feed", "atom", None, f"{base}/feeds/alerts.atom"))
        rows.append(("feed", "cap", None, f"{base}/feeds/cap.xml"))
    if views.press is not None:
        rows.append(("press", PRESS_ROOM_TARGET, None, f"{base}/press"))
    return rows


async def publish_revision(db: Database, settings: Settings, case: Case) -> bool:
    """Render and store the posters, and record every material and hosted page of the case's
    revision; True when images are left to render after the commit (`render_images_later`).
    Runs inside the approval or revision transaction."""
    views = await channel_views(db, settings, case)
    if views.page is None:
        return False  # level 0: nothing of the case is public
    files = planned_files(case.languages, posters=views.poster is not None,
                          images=views.image is not None)  # fmt: skip
    posters = [f for f in files if f.kind == "poster"]
    rendered = await asyncio.to_thread(
        render_files, posters, views.poster, None, settings.organisation
    )
    await _store(db, case, rendered)
    rows = registry_rows(settings, case, views, files)
    await db.execute("record_hosted_publications", case.id, case.revision, *_columns(rows))
    await db.execute(
        "supersede_hosted_publications", case.id, case.revision, f"revision {case.revision}"
    )
    log.info(
        "materials published",
        extra={"action": "materials_published", "case_id": case.id, "revision": case.revision,
               "materials": len(rendered), "publications": len(rows)},
    )  # fmt: skip
    return len(posters) < len(files)


_tasks: set[asyncio.Task[None]] = set()


def _later(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _tasks.add(task)  # keep a reference until it is done
    task.add_done_callback(_tasks.discard)


async def drain() -> None:
    """Wait for the image renderings under way (at shutdown, and in tests)."""
    while _tasks:
        await asyncio.gather(*_tasks, return_exceptions=True)


def render_images_later(db: Database, settings: Settings, case: Case) -> None:
    """Start rendering the revision's images in the background, once its transaction has
    committed (`db` is a pool: the approval's connection is back in it by then)."""
    _later(_render_images_after_commit(db, settings, case.id, case.revision))


async def _render_images_after_commit(
    db: Database, settings: Settings, case_id: int, revision: int
) -> None:
    """Render the revision's images unless the case moved on meanwhile (a newer revision, the
    close): the first request for a missing image renders it then."""
    row = await db.fetchrow("get_case", case_id)
    if row is not None and row["revision"] == revision and row["state"] == "active":
        await render_images(db, settings, Case.from_row(row))


async def render_images(db: Database, settings: Settings, case: Case) -> None:
    """Render and store the images of the case's current revision that are not stored yet."""
    view = await _view_or_none(db, settings, case, "image")
    if view is None:
        return
    stored = {m.file for m in await material_index(db, case.id, case.revision)}
    files = [f for f in planned_files(case.languages, posters=False, images=True)
             if f not in stored]  # fmt: skip
    try:
        rendered = await asyncio.to_thread(render_files, files, None, view, settings.organisation)
        # The consent may have changed while rendering (the photo taken away): store only
        # what the consent in force still allows.
        if await _view_or_none(db, settings, case, "image") == view:
            await _store(db, case, rendered)
    except Exception:  # the next request for a missing image renders it again
        log.exception("rendering images failed", extra={"action": "images_failed"})


async def missing_image(
    db: Database, settings: Settings, case: Case, file: MaterialFile
) -> bytes | None:
    """An image of the current revision that is published but not rendered yet, rendered now."""
    if file.kind == "poster" or not await is_published(db, case, file.channel, file.filename):
        return None
    await render_images(db, settings, case)
    return await current_material(db, case, file)


async def _store(db: Database, case: Case, rendered: Sequence[Rendered]) -> None:
    if rendered:
        await db.execute(
            "insert_materials", case.id, case.revision,
            [r.file.kind for r in rendered], [r.file.language for r in rendered],
            [r.file.content_type for r in rendered], [r.data for r in rendered],
        )  # fmt: skip


def _columns(rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """Parallel arrays, one per column, for an unnest() insert."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], [], []]


async def withdraw_hosted(db: Database, case_id: int, reason: str) -> None:
    """Mark the case's hosted publications withdrawn (their addresses answer 410 already)."""
    await db.execute("withdraw_hosted_publications", case_id, reason)


@dataclass(frozen=True, kw_only=True)
class StoredMaterial:
    """A material of a revision as listed for a page: its file and size, without bytes."""

    file: MaterialFile
    size: int


async def material_index(db: Database, case_id: int, revision: int) -> list[StoredMaterial]:
    """The materials stored for one revision of a case, posters first."""
    rows = await db.fetch("material_index", case_id, revision)
    found = [
        StoredMaterial(file=MaterialFile(kind=r["kind"], language=r["language"]), size=r["size"])
        for r in rows
    ]
    order = {"poster": 0, "square": 1, "story": 2}
    return sorted(found, key=lambda m: (order[m.file.kind], m.file.language == BILINGUAL))


async def current_material(db: Database, case: Case, file: MaterialFile) -> bytes | None:
    """The bytes of `file` for the case's current revision, or None, read in the same snapshot
    as the checks that the case is active and the material still published."""
    row = await db.fetchrow(
        "current_material", case.id, file.kind, file.language, file.channel, file.filename
    )
    return None if row is None else bytes(row["data"])


async def is_published(db: Database, case: Case, channel: str, target: str) -> bool:
    """True while the case is active at this revision and `target` on `channel` stands."""
    return bool(await db.fetchval("is_published_at", case.id, case.revision, channel, target))
