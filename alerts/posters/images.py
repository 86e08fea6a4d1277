"""Images for posts: a 1080×1080 square and a 1080×1920 story, as PNG.

They are composed with the poster's layout code on a page of the image's size in points, painted
by the same reportlab code and rasterised at one pixel per point, so an image shows exactly what
the layout measured.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import replace

import pypdfium2 as pdfium

from alerts.cases.consent import PublicView
from alerts.posters.exercise import exercise_band
from alerts.posters.labels import EXERCISE, HEADLINE, facts, label, languages
from alerts.posters.layout import (
    BOLD,
    FONT,
    GREY,
    Box,
    Item,
    Line,
    Picture,
    Sheet,
    place_photo,
    prepare_photo,
    render_pdf,
)
from alerts.posters.poster import check_level, headline_band, hotline_band, rows_for
from alerts.posters.textfit import Row, Style, fit_line, fit_rows, fit_text, rows_height

PIXELS_PER_POINT = 1.0  # images are rasterised at one pixel per point
SQUARE = (1080, 1080)
STORY = (1080, 1920)
MARGIN = 48.0

# PDFium is not thread-safe: one rasterisation at a time in this process.
_PDFIUM_LOCK = threading.Lock()
# zlib level 1 writes these flat, photo-and-text images about as small as level 6, twice as fast.
PNG_COMPRESS_LEVEL = 1


def render_square(view: PublicView, lang: str) -> bytes:
    """The 1080×1080 PNG image of `view` for posts, in `lang`."""
    return rasterise(square_sheet(view, lang))


def render_story(view: PublicView, lang: str) -> bytes:
    """The 1080×1920 PNG image of `view` for stories, in `lang`."""
    return rasterise(story_sheet(view, lang))


def rasterise(sheet: Sheet) -> bytes:
    """The sheet painted as a PNG of sheet.width × sheet.height pixels."""
    pdf = render_pdf(sheet)
    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            image = page.render(scale=1).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def _frame(
    view: PublicView, lang: str, size: tuple[int, int], bands: tuple[float, float]
) -> tuple[tuple[str, ...], list[Item], Box]:
    """The parts every image shares: headline band on top, hotline band and case address below.

    Returns the languages, those items and the box left between the bands.
    """
    check_level(view, "image")
    langs = languages(lang)
    width, height = size
    headline_h, hotline_h = bands
    area = Box(MARGIN, 0.0, width - 2 * MARGIN, float(height))
    band, rest = area.take_top(headline_h, gap=MARGIN * 0.7)
    mark, rest = exercise_band(view, langs, rest, width, height=headline_h * 0.75)
    address, rest = rest.take_bottom(hotline_h * 0.55, gap=0.0)
    hotline, rest = rest.take_bottom(hotline_h, gap=MARGIN * 0.7)
    items: list[Item] = [
        *headline_band(langs, band, width, max_size=headline_h * 0.7),
        *mark,
        *hotline_band(view, langs, hotline, width, max_size=hotline_h * 0.5),
        fit_line(view.case_url, address.take_top(address.h * 0.8)[0], FONT, 34, GREY),
    ]
    return langs, items, rest


def _essentials(
    view: PublicView, langs: Sequence[str], box: Box, size: float, *, centre: bool = False
) -> list[Item]:
    """The name (when consented) over the age and the last sighting, set in `box`."""
    rows = rows_for(facts(view, langs), ("last_seen", "age"))
    lines: list[Line] = []
    rest = box
    if view.name:
        style = Style(max_size=size * 1.8, min_size=size * 0.8, font=BOLD)
        name_box, rest = box.take_top(_name_height(view.name, box, style), gap=size * 0.6)
        lines.extend(fit_text(view.name, name_box, style))
    lines.extend(fit_rows(rows, rest, Style(max_size=size, min_size=size * 0.55, stacked=True)))
    return list(_centred(lines, box) if centre else lines)


def _name_height(name: str, box: Box, style: Style) -> float:
    # The name gets what it needs at full size up to 40% of the box, and more rather than be cut.
    at_max = rows_height([Row("", name)], box.w, style.max_size, style)
    at_min = rows_height([Row("", name)], box.w, style.min_size, style)
    return min(max(min(at_max, box.h * 0.4), at_min), box.h * 0.6)


def _centred(lines: Sequence[Line], box: Box) -> tuple[Line, ...]:
    """`lines` moved down to sit in the middle of `box` (they were set from its top)."""
    if not lines:
        return ()
    bottom = min(line.box.y for line in lines)
    shift = (bottom - box.y) / 2
    return tuple(replace(line, y=line.y - shift) for line in lines)


def square_sheet(view: PublicView, lang: str) -> Sheet:
    """The square image composed: photo on the left, name, age and last sighting beside it."""
    langs, items, body = _frame(view, lang, SQUARE, bands=(180.0, 160.0))
    if view.photo is None:
        items.extend(_essentials(view, langs, body, size=52, centre=True))
    else:
        picture, text_box = _square_photo(view.photo.jpeg, body)
        items.extend((picture, *_essentials(view, langs, text_box, size=40)))
    return _sheet(view, langs, SQUARE, items)


def _square_photo(jpeg: bytes, body: Box) -> tuple[Picture, Box]:
    """The photo beside the text (above it when landscape: beside, it would be tiny)."""
    photo = prepare_photo(jpeg)
    if photo.width > photo.height:
        top = body.take_top(body.h * 0.42)[0]
        picture = place_photo(jpeg, top, pixels_per_point=PIXELS_PER_POINT)
        return picture, body.take_top(picture.box.h, gap=30)[1]
    column = body.take_left(body.w * 0.44)[0]
    picture = place_photo(jpeg, column, pixels_per_point=PIXELS_PER_POINT, anchor="nw")
    return picture, body.take_left(picture.box.w, gap=36)[1]


def story_sheet(view: PublicView, lang: str) -> Sheet:
    """The story image composed: photo on top, then name, age and last sighting."""
    langs, items, body = _frame(view, lang, STORY, bands=(260.0, 230.0))
    if view.photo is None:
        items.extend(_essentials(view, langs, body, size=60, centre=True))
    else:
        top = body.take_top(body.h * 0.56)[0]
        picture = place_photo(view.photo.jpeg, top, pixels_per_point=PIXELS_PER_POINT)
        text_box = body.take_top(picture.box.h, gap=40)[1]
        items.extend((picture, *_essentials(view, langs, text_box, size=46)))
    return _sheet(view, langs, STORY, items)


def _sheet(
    view: PublicView, langs: Sequence[str], size: tuple[int, int], items: list[Item]
) -> Sheet:
    headline = label(HEADLINE, langs)
    if view.exercise:
        headline = f"{label(EXERCISE, langs)} · {headline}"
    return Sheet(
        width=float(size[0]),
        height=float(size[1]),
        items=tuple(items),
        title=f"{headline}: {view.name or view.reference}",
        author="",
        lang=langs[0],
    )
