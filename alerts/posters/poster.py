"""The official A4 poster of a case, in one language or bilingual Dutch/French."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.pagesizes import A4

from alerts.cases.consent import CHANNEL_LEVEL, PublicView
from alerts.errors import NotPublishable
from alerts.i18n import N_
from alerts.posters.exercise import exercise_band
from alerts.posters.labels import (
    CALL,
    EXERCISE,
    HEADLINE,
    REFERENCE,
    SEEN_QUESTION,
    Fact,
    facts,
    format_day,
    label,
    languages,
)
from alerts.posters.layout import (
    BOLD,
    FONT,
    GREY,
    INK,
    RED,
    WHITE,
    Box,
    Fill,
    Item,
    Photo,
    Qr,
    Sheet,
    place_photo,
    prepare_photo,
    render_pdf,
)
from alerts.posters.textfit import (
    Row,
    Style,
    fit_line,
    fit_rows,
    fit_text,
    fitted_size,
    rows_height,
)

MARGIN = 28.0
PHOTO_W = 232.0
PHOTO_W_WIDE = 280.0  # a landscape photo gets a wider column
MAIN_H = 292.0  # the photo and the short facts beside it, at most
MIN_MAIN_H = 190.0
READABLE = 8.0  # the long texts are not set smaller than this while the photo can shrink
QR_SIDE = 96.0
PRINT_DPI = 300

# Short facts go beside the photo; the long free texts get the full width below it.
SIDE_KEYS = ("age", "sex", "height", "build", "hair", "eyes")
LONG_KEYS = ("clothing", "marks", "description")

BODY = Style(max_size=13, min_size=7)
LONG = Style(max_size=13, min_size=6.5, label_share=0.24)
NAME = Style(max_size=30, min_size=13, font=BOLD)
FOOTER = Style(max_size=9, min_size=6, color=GREY)
ISSUED = N_("Issued on")
OFFICIAL = N_("Official poster — check it is genuine at %(url)s")


def render_poster(view: PublicView, lang: str | tuple[str, str], *, organisation: str) -> bytes:
    """The official A4 poster of `view` as a PDF, in `lang` or bilingual ('nl', 'fr')."""
    return render_pdf(poster_sheet(view, lang, organisation=organisation))


def check_level(view: PublicView, channel: str) -> None:
    """Raise NotPublishable unless the view's publication level reaches `channel`."""
    if view.level < CHANNEL_LEVEL[channel]:
        raise NotPublishable()


def rows_for(found: Sequence[Fact], keys: Sequence[str]) -> list[Row]:
    """The facts whose key is in `keys` as labelled rows; the last sighting in bold."""
    by_key = {fact.key: fact for fact in found}
    rows = []
    for key in keys:
        if key == "last_seen":
            value = "\n".join(by_key[k].value for k in ("last_seen", "place") if k in by_key)
            if value:
                label_key = "last_seen" if "last_seen" in by_key else "place"
                rows.append(Row(by_key[label_key].label, value, strong=True))
        elif key in by_key:
            rows.append(Row(by_key[key].label, by_key[key].value))
    return rows


def poster_sheet(view: PublicView, lang: str | tuple[str, str], *, organisation: str) -> Sheet:
    """The poster composed and measured: every item with the box it occupies on the A4 page."""
    check_level(view, "poster")
    langs = languages(lang)
    width, height = A4
    area = Box(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN)
    strip, rest = area.take_top(16, gap=6)
    mark, rest = exercise_band(view, langs, rest, width, height=96)  # nothing for a real case
    band, rest = rest.take_top(84, gap=12)
    footer, rest = rest.take_bottom(QR_SIDE, gap=10)
    hotline, rest = rest.take_bottom(72, gap=12)
    items: list[Item] = [
        *_strip(view, langs, strip, organisation),
        *mark,
        *headline_band(langs, band, width, max_size=64),
        *hotline_band(view, langs, hotline, width, max_size=38),
        *_footer(view, langs, footer, organisation),
    ]
    if view.name:
        name_box, rest = rest.take_top(56, gap=10)
        items.extend(fit_text(view.name, name_box, NAME))
    items.extend(_body(view, langs, rest))
    headline = label(HEADLINE, langs, sep=" · ")
    if view.exercise:
        headline = f"{label(EXERCISE, langs, sep=' · ')} · {headline}"
    return Sheet(
        width=width,
        height=height,
        items=tuple(items),
        title=f"{headline}: {view.name or view.reference}",
        author=organisation,
        lang=langs[0],
    )


def _strip(view: PublicView, langs: Sequence[str], box: Box, organisation: str) -> list[Item]:
    left, right = box.take_left(box.w * 0.6, gap=12)
    reference = f"{label(REFERENCE, langs)}: {view.reference}"
    return [
        fit_line(organisation, left, BOLD, 10, INK, "left"),
        fit_line(reference, right, FONT, 9, GREY, "right"),
    ]


def headline_band(
    langs: Sequence[str], box: Box, page_width: float, *, max_size: float
) -> list[Item]:
    """The red headline band (VERMIST, ...), running to the page's edges to read from afar."""
    text = label(HEADLINE, langs, sep=" · ")
    return [Fill(box.widen(0.0, page_width), RED), fit_line(text, box, BOLD, max_size, WHITE)]


def hotline_band(
    view: PublicView, langs: Sequence[str], box: Box, page_width: float, *, max_size: float
) -> list[Item]:
    """The dark band with the question and the hotline to call, as large as the box allows."""
    question_box, call_box = box.take_top(box.h * 0.34)
    question = label(SEEN_QUESTION, langs, sep="  ·  ")
    call = label(CALL, langs, sep="  ·  ", hotline=view.hotline)
    return [
        Fill(box.widen(0.0, page_width), INK),
        fit_line(question, question_box, FONT, max_size * 0.37, WHITE),
        fit_line(call, call_box, BOLD, max_size, WHITE),
    ]


def _footer(view: PublicView, langs: Sequence[str], box: Box, organisation: str) -> list[Item]:
    qr_box, text_box = box.take_right(QR_SIDE, gap=14)
    official = "\n".join(label(OFFICIAL, (lang,), url=view.case_url) for lang in langs)
    issued = f"{label(ISSUED, langs)}: " + " / ".join(
        dict.fromkeys(format_day(view.issued_at, lang) for lang in langs)
    )
    rows = [
        Row("", official, strong=True),
        Row("", f"{label(REFERENCE, langs)}: {view.reference} · {issued}"),
        Row("", organisation),
    ]
    return [*fit_rows(rows, text_box, FOOTER), Qr(qr_box, view.case_url)]


def _body(view: PublicView, langs: Sequence[str], box: Box) -> list[Item]:
    found = facts(view, langs)
    if view.photo is None:
        return list(fit_rows(rows_for(found, ("last_seen", *SIDE_KEYS, *LONG_KEYS)), box, BODY))
    photo = prepare_photo(view.photo.jpeg)
    column_w = PHOTO_W if photo.height >= photo.width else PHOTO_W_WIDE
    side_rows = rows_for(found, ("last_seen", *SIDE_KEYS))
    long_rows = rows_for(found, LONG_KEYS)
    main_h = _main_height(photo, column_w, side_rows, long_rows, box)
    main, below = box.take_top(main_h, gap=14)
    picture = place_photo(
        view.photo.jpeg, main.take_left(column_w)[0], pixels_per_point=PRINT_DPI / 72, anchor="nw"
    )
    placed = picture.box
    # The facts start right of the photo as drawn, not of its column: a photo shrunk to leave
    # room for a long description leaves that width to the facts.
    side = main.take_left(placed.w, gap=18)[1]
    frame = Box(placed.x - 0.75, placed.y - 0.75, placed.w + 1.5, placed.h + 1.5)
    return [
        Fill(frame, GREY),
        picture,
        *fit_rows(side_rows, side, BODY),
        *fit_rows(long_rows, below, LONG),
    ]


def _main_height(
    photo: Photo, column_w: float, side: Sequence[Row], long: Sequence[Row], box: Box
) -> float:
    """How tall the photo row is: what the photo and the facts beside it need, within limits.

    It gives up height (the photo shrinks) while the long texts below would otherwise be set
    smaller than READABLE.
    """
    side_w = box.w - column_w - 18
    wanted = max(
        min(photo.height * column_w / photo.width, MAIN_H),
        min(rows_height(side, side_w, BODY.max_size, BODY), MAIN_H),
        MIN_MAIN_H,
    )
    height = wanted
    while height > MIN_MAIN_H:
        size = fitted_size(long, box.take_top(height, gap=14)[1], LONG)
        if size is not None and size >= READABLE:
            break
        height -= 10
    return max(height, MIN_MAIN_H)
