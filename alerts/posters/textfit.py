"""Text set in boxes: wrapping, shrinking to fit, labelled rows and single lines.

Every size is measured with the embedded fonts' metrics before anything is drawn, so a text
never leaves its box: it wraps, then shrinks down to its style's minimum, and only then is cut
with an ellipsis.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reportlab.pdfbase import pdfmetrics

from alerts.posters.layout import (
    ASCENT,
    BOLD,
    CAP_HEIGHT,
    DESCENT,
    FONT,
    GREY,
    INK,
    LEADING,
    Align,
    Box,
    Color,
    Line,
    register_fonts,
)

ELLIPSIS = "…"
# Where a line may break: any whitespace but the no-break spaces.
_BREAKS = re.compile(r"[^\S\u00a0\u202f\u2007]+")


@dataclass(frozen=True)
class Row:
    """A labelled value; an empty label gives a plain paragraph over the whole width."""

    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True)
class Style:
    max_size: float
    min_size: float
    color: Color = INK
    label_color: Color = GREY
    font: str = FONT
    strong_font: str = BOLD
    label_font: str = BOLD
    align: Align = "left"
    label_share: float = 0.34  # the label column's widest share of the box
    row_gap: float = 0.45  # between rows, in em
    stacked: bool = False  # labels above their values, for narrow boxes


@functools.lru_cache(maxsize=1 << 16)
def em_width(text: str, font: str) -> float:
    """The width of `text` set in `font` at 1 pt; sizes scale it linearly."""
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, 1.0))


def _break_word(word: str, font: str, width_em: float) -> list[str]:
    # Only a word wider than the whole box (a long URL, a name without spaces) is cut.
    pieces, current = [], ""
    for char in word:
        if current and em_width(current + char, font) > width_em:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


@functools.lru_cache(maxsize=1024)
def _word_widths(words: tuple[str, ...], font: str) -> tuple[float, ...]:
    return tuple(em_width(word, font) for word in words)


def _wrap_paragraph(words: tuple[str, ...], font: str, width_em: float) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    current_w = 0.0
    space = em_width(" ", font)
    for word, word_w in zip(words, _word_widths(words, font), strict=True):
        if word_w <= width_em:
            pieces: Sequence[tuple[str, float]] = ((word, word_w),)
        else:
            pieces = [(p, em_width(p, font)) for p in _break_word(word, font, width_em)]
        for piece, w in pieces:
            if current and current_w + space + w <= width_em:
                current.append(piece)
                current_w += space + w
                continue
            if current:
                lines.append(" ".join(current))
            current, current_w = [piece], w
    if current:
        lines.append(" ".join(current))
    return _without_orphan(lines, font, width_em)


def _without_orphan(lines: list[str], font: str, width_em: float) -> list[str]:
    """`lines` with a last line of one word given the word before it, when that fits and leaves
    two words above: "bij zich." rather than "zich." alone. The number of lines is the same."""
    if len(lines) < 2 or " " in lines[-1]:
        return lines
    head, _, word = lines[-2].rpartition(" ")
    if " " not in head:
        return lines
    last = f"{word} {lines[-1]}"
    if em_width(last, font) > width_em:
        return lines
    return [*lines[:-2], head, last]


@functools.lru_cache(maxsize=1024)
def words(text: str) -> tuple[str, ...]:
    """The words of `text`: split at spaces, but not at no-break ones (a phone number such as
    "116 000" stays one word, so it is never broken across lines). Cached: fitting a text
    measures it at many sizes."""
    return tuple(word for word in _BREAKS.split(text) if word)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` at `size`; newlines start new lines."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(words(paragraph), font, width / size))
    return lines


@dataclass(frozen=True)
class _Segment:
    """A piece of one visual line: a label or a value line, and the span it is set in."""

    text: str
    font: str
    color: Color
    offset: float
    avail: float
    value: bool


def _label_width(rows: Sequence[Row], width: float, size: float, style: Style) -> float:
    labels = [r.label for r in rows if r.label]
    widest = max((em_width(text, style.label_font) for text in labels), default=0.0) * size
    all_words = [word for text in labels for word in words(text)]
    longest_word = max((em_width(w, style.label_font) for w in all_words), default=0.0) * size
    # Labels wrap within their share of the box, but a label word is never cut in two.
    return min(max(min(widest, width * style.label_share), longest_word), width / 2)


def _layout_rows(
    rows: Sequence[Row], width: float, size: float, style: Style
) -> list[list[list[_Segment]]]:
    """Each row as its visual lines, each line as its segments (label and/or value)."""
    label_w = width if style.stacked else _label_width(rows, width, size, style)
    value_x = 0.0 if style.stacked or not label_w else label_w + 0.7 * size
    laid = []
    for row in rows:
        font = style.strong_font if row.strong else style.font
        labels = [
            _Segment(text, style.label_font, style.label_color, 0.0, label_w, False)
            for text in (wrap(row.label, style.label_font, size, label_w) if row.label else [])
        ]
        x = value_x if row.label else 0.0
        values = [
            _Segment(text, font, style.color, x, width - x, True)
            for text in wrap(row.value, font, size, width - x)
        ]
        if style.stacked:
            laid.append([[segment] for segment in (*labels, *values)])
        else:
            count = max(len(labels), len(values))
            laid.append([[*labels[i : i + 1], *values[i : i + 1]] for i in range(count)])
    return laid


def _rows_height(laid: list[list[list[_Segment]]], size: float, style: Style) -> float:
    lines = sum(len(row) for row in laid)
    return lines * LEADING * size + max(0, len(laid) - 1) * style.row_gap * size


def largest_size(fits: Callable[[float], bool], low: float, high: float) -> float | None:
    """The largest size in [low, high] (to 0.25 pt) for which `fits`; None when even low fails."""
    if fits(high):
        return high
    if not fits(low):
        return None
    while high - low > 0.25:
        mid = (low + high) / 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def rows_height(rows: Sequence[Row], width: float, size: float, style: Style) -> float:
    """The height `rows` take when set `width` wide at `size`."""
    laid = _layout_rows([r for r in rows if r.value.strip()], width, size, style)
    return _rows_height(laid, size, style)


def _words_fit(rows: Sequence[Row], width: float, size: float, style: Style) -> bool:
    """True when no word of `rows` is wider than its column at `size`, so none is cut."""
    label_w = width if style.stacked else _label_width(rows, width, size, style)
    value_x = 0.0 if style.stacked or not label_w else label_w + 0.7 * size
    for row in rows:
        font = style.strong_font if row.strong else style.font
        avail = width - value_x if row.label else width
        widest = max((em_width(word, font) for word in words(row.value)), default=0.0)
        if widest * size > avail + 0.01:
            return False
    return True


def fits_at(rows: Sequence[Row], box: Box, size: float, style: Style) -> bool:
    """True when `rows` set at `size` fit in `box` without cutting a word (no rows always fit)."""
    rows = [r for r in rows if r.value.strip()]
    if not rows:
        return True
    return (
        box.w > 0
        and rows_height(rows, box.w, size, style) <= box.h + 0.01
        and _words_fit(rows, box.w, size, style)
    )


def fitted_size(rows: Sequence[Row], box: Box, style: Style) -> float | None:
    """The largest size at which `rows` fit in `box`; None when even min_size overflows.

    A size that would cut a word in two counts as not fitting: the text shrinks first.
    """
    rows = [r for r in rows if r.value.strip()]

    def fits(size: float) -> bool:
        return fits_at(rows, box, size, style)

    found = largest_size(fits, style.min_size, style.max_size)
    if found is None and rows_height(rows, box.w, style.min_size, style) <= box.h + 0.01:
        return style.min_size  # a word wider than the box even at min_size is cut; it fits
    return found


def fit_rows(
    rows: Sequence[Row], box: Box, style: Style, *, spread: float = 0.0
) -> tuple[Line, ...]:
    """`rows` set in `box` at the largest size that fits; cut with an ellipsis below min_size.

    With `spread`, rows set at their largest size that leave the box's foot empty are moved
    apart, by at most `spread` em more between two rows, so that they fill the box's height.
    """
    rows = [r for r in rows if r.value.strip()]
    if not rows or box.w <= 0 or box.h <= 0:
        return ()
    size = fitted_size(rows, box, style) or style.min_size
    if spread and len(rows) > 1:
        slack = box.h - rows_height(rows, box.w, size, style) - 0.5  # rounding never cuts
        if slack > 0:
            extra = min(slack / (len(rows) - 1) / size, spread)
            style = replace(style, row_gap=style.row_gap + extra)
    return _place_rows(rows, box, size, style)


def fit_text(text: str, box: Box, style: Style) -> tuple[Line, ...]:
    """A paragraph (newlines kept) set in `box` at the largest size that fits."""
    return fit_rows([Row("", text)], box, style)


def _aligned_x(box: Box, offset: float, avail: float, width: float, align: Align) -> float:
    if align == "center":
        return box.x + offset + (avail - width) / 2
    if align == "right":
        return box.x + offset + avail - width
    return box.x + offset


def _place_rows(rows: Sequence[Row], box: Box, size: float, style: Style) -> tuple[Line, ...]:
    out: list[Line] = []
    cursor = box.top
    for row in _layout_rows(rows, box.w, size, style):
        # A row's label lines are drawn before its value lines, so that text extracted from
        # the PDF (copy and paste, screen readers) reads each value in one piece.
        labels: list[Line] = []
        values: list[Line] = []
        for segments in row:
            if cursor - LEADING * size < box.y - 0.01:
                return _ellipsize([*out, *labels, *values], box)
            baseline = cursor - (ASCENT + (LEADING - ASCENT - DESCENT) / 2) * size
            for seg in segments:
                w = em_width(seg.text, seg.font) * size
                align = style.align if seg.value or style.stacked else "left"
                x = _aligned_x(box, seg.offset, seg.avail, w, align)
                line = Line(seg.text, seg.font, size, x, baseline, w, seg.color)
                (values if seg.value else labels).append(line)
            cursor -= LEADING * size
        out.extend((*labels, *values))
        cursor -= style.row_gap * size
    return tuple(out)


def _ellipsize(lines: list[Line], box: Box) -> tuple[Line, ...]:
    """`lines` with the lowest, rightmost one ended by an ellipsis: the box is full."""
    if not lines:
        return ()
    index = max(range(len(lines)), key=lambda i: (-lines[i].y, lines[i].x))
    line = lines[index]
    text = line.text
    while text and em_width(text + ELLIPSIS, line.font) * line.size > box.right - line.x:
        text = text[:-1]
    text = text.rstrip() + ELLIPSIS
    lines[index] = replace(line, text=text, width=em_width(text, line.font) * line.size)
    return tuple(lines)


def fit_line(
    text: str, box: Box, font: str, max_size: float, color: Color, align: Align = "center"
) -> Line:
    """`text` on one line, as large as `box` allows up to `max_size`, centred vertically."""
    width_em = max(em_width(text, font), 1e-6)
    # Centring on the cap height looks centred; the size cap keeps ascent and descent inside.
    size = min(max_size, box.w / width_em, box.h / (2 * (CAP_HEIGHT / 2 + DESCENT)))
    baseline = box.y + box.h / 2 - CAP_HEIGHT / 2 * size
    width = width_em * size
    return Line(text, font, size, _aligned_x(box, 0.0, box.w, width, align), baseline, width, color)
