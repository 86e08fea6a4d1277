"""The official A4 poster of a case, in one language or bilingual Dutch/French."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4

from alerts.cases.consent import CHANNEL_LEVEL, PublicView
from alerts.errors import NotPublishable
from alerts.i18n import N_
from alerts.posters.arrange import arrange
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
)

MARGIN = 28.0
QR_SIDE = 96.0
PRINT_DPI = 300

# The short facts go beside the photo; the long free texts beside or below it (arrange.py).
SIDE_KEYS = ("age", "sex", "height", "build", "hair", "eyes")
LONG_KEYS = ("clothing", "marks", "description")

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
            when = _time_kept_whole(by_key["last_seen"].value) if "last_seen" in by_key else None
            place = by_key["place"].value if "place" in by_key else None
            value = "\n".join(text for text in (when, place) if text)
            if value:
                label_key = "last_seen" if "last_seen" in by_key else "place"
                rows.append(Row(by_key[label_key].label, value, strong=True))
        elif key in by_key:
            rows.append(Row(by_key[key].label, by_key[key].value))
    return rows


# The time after a date's year ("om 16:45", "à 16h45", "um 16:45 Uhr"): never split over lines.
_TIME = re.compile(r"(?<=\d{4}) (.+)$", re.MULTILINE)


def _time_kept_whole(when: str) -> str:
    """`when` with no-break spaces in its time, so that no line starts with a bare "16:45"."""
    return _TIME.sub(lambda match: " " + match.group(1).replace(" ", "\u00a0"), when)


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
    """The name, the photo and the facts in `box`: the photo as large as the text allows."""
    found = facts(view, langs)
    short, long = rows_for(found, ("last_seen", *SIDE_KEYS)), rows_for(found, LONG_KEYS)
    photo = prepare_photo(view.photo.jpeg) if view.photo is not None else None
    ratio = photo.width / photo.height if photo is not None else None
    plan = arrange(view.name, short, long, box, ratio)
    items: list[Item] = []
    if view.photo is not None and plan.photo is not None:
        picture = place_photo(
            view.photo.jpeg, plan.photo, pixels_per_point=PRINT_DPI / 72, anchor="nw"
        )
        placed = picture.box
        frame = Box(placed.x - 0.75, placed.y - 0.75, placed.w + 1.5, placed.h + 1.5)
        items.extend((Fill(frame, GREY), picture))
    for block in plan.blocks:
        items.extend(fit_rows(block.rows, block.box, block.style, spread=block.spread))
    return items
