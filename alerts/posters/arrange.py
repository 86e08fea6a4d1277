"""The poster's body arranged: the photo first, as large as the page allows once the text that
must be there fits at a readable size; then the text set as large as its room allows.

The body is what lies between the headline band and the hotline band: the name, the photo, the
short facts (last sighting, age, sex, height, ...) and the long texts (clothing, marks,
description). Two arrangements are measured:

- beside: the photo at the top left, the name and the facts in the column to its right; the long
  texts in that column too when they fit there, else across the width under the photo;
- above: the photo centred across the top, the name and every text below it (a landscape or
  square photo beside the facts would leave them a column too narrow to read).

Each arrangement finds the tallest photo for which every text still fits at its readable size
(whether it does only gets truer as the photo gets smaller, so the height is bisected, measuring
only what the photo's size changes); the poster takes the one with the larger photo. When no
photo size leaves the text readable (a very long description), the photo keeps its smallest
size and the text shrinks, down to its style's minimum and only then cut with an ellipsis.
Without a photo the text takes the whole body, set larger.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from alerts.posters.layout import BOLD, LEADING, Box
from alerts.posters.textfit import Row, Style, em_width, rows_height, words

GAP = 16.0  # between the photo and the text, and between two blocks of text
NAME = Style(max_size=30, min_size=13, font=BOLD)
FACTS = Style(max_size=18, min_size=7)
LONG = Style(max_size=15, min_size=6.5, label_share=0.24)
ALONE = 1.6  # without a photo, texts may be set this much larger
READ_FACTS = 12.0  # the photo grows only while the facts stay at least this large ...
READ_LONG = READ_FACTS * LONG.max_size / FACTS.max_size  # ... and the long texts this large
MIN_PHOTO_H = 180.0
BESIDE_SHARE = 0.62  # a photo beside the facts takes at most this share of the body's width
MIN_COLUMN_W = 150.0
STACKED_BELOW = 260.0  # in a column narrower than this, labels go above their values
PRECISION = 4.0  # points of the photo's height
SPREAD = 1.2  # rows that leave their box's foot empty move apart by at most this many em


@dataclass(frozen=True)
class Block:
    """Rows of text and the box they are set in."""

    rows: tuple[Row, ...]
    box: Box
    style: Style
    spread: float = SPREAD


@dataclass(frozen=True)
class Plan:
    """Where the photo goes (a box of its exact proportions, or None) and the blocks of text."""

    photo: Box | None
    blocks: tuple[Block, ...]

    @property
    def photo_area(self) -> float:
        return self.photo.w * self.photo.h if self.photo else 0.0


class Split(int, Enum):
    """How the text reads beside a photo (truthy when it does)."""

    NONE = 0
    SPLIT = 1
    COLUMN = 2


@dataclass(frozen=True)
class _Body:
    """What is arranged, and the heights that no photo size changes."""

    name: str | None
    short: tuple[Row, ...]
    long: tuple[Row, ...]
    box: Box
    ratio: float

    def long_need(self) -> float:
        """The long texts' height across the body's width at their readable size."""
        return _height(self.long, self.box.w, READ_LONG, LONG)


def arrange(
    name: str | None,
    short: Sequence[Row],
    long: Sequence[Row],
    box: Box,
    ratio: float | None,
) -> Plan:
    """The body's plan for a photo of width/height `ratio` (None: no photo) in `box`."""
    short = tuple(r for r in short if r.value.strip())
    long = tuple(r for r in long if r.value.strip())
    if ratio is None:
        heading, rest = _name(name, box)
        return Plan(None, (*heading, *_stack(short, long, rest, scale=ALONE)))
    body = _Body(name, short, long, box, ratio)
    long_need = body.long_need()
    plans = []
    beside = _tallest(lambda h: _beside_reads(body, h, long_need), _beside_max(body))
    if beside is not None:
        plans.append(_beside(body, *beside))
    if ratio >= 1.0:
        above = _above_max(body, long_need)
        if above >= MIN_PHOTO_H:
            plans.append(_above(body, above))
    if plans:
        return max(plans, key=lambda plan: plan.photo_area)
    # No photo size leaves the text readable: the smallest photo, the text shrinks.
    return _beside(body, MIN_PHOTO_H, Split.NONE)


def _tallest(reads: Callable[[float], Split], high: float) -> tuple[float, Split] | None:
    """The tallest photo from MIN_PHOTO_H to `high` for which the text `reads`, and how; None
    when even the smallest leaves it unreadable."""
    how = reads(high)
    if how:
        return high, how
    low, found = MIN_PHOTO_H, None
    while high - low > PRECISION:
        mid = (low + high) / 2
        how = reads(mid)
        if how:
            low, found = mid, (mid, how)
        else:
            high = mid
    if found is None:  # the smallest photo is only measured when nothing larger reads
        how = reads(low)
        return (low, how) if how else None
    return found


def _height(rows: tuple[Row, ...], width: float, size: float, style: Style) -> float:
    style = replace(style, stacked=width < STACKED_BELOW)
    return rows_height(rows, width, size, style) if rows else 0.0


def _beside_max(body: _Body) -> float:
    return min(body.box.h, body.box.w * BESIDE_SHARE / body.ratio)


def _beside_boxes(body: _Body, h: float) -> tuple[Box, Box]:
    """The photo `h` tall at the body's top left, and the column to its right."""
    box = body.box
    photo = Box(box.x, box.top - h, h * body.ratio, h)
    return photo, Box(photo.right + GAP, box.y, box.right - photo.right - GAP, box.h)


def _beside_reads(body: _Body, h: float, long_need: float) -> Split:
    """Whether the text reads with the photo `h` tall beside it: with the long texts under the
    photo and the facts (SPLIT), or all of it in the column (COLUMN); else NONE."""
    photo, column = _beside_boxes(body, h)
    if column.w < MIN_COLUMN_W:
        return Split.NONE
    top = column.top - _name_height(body.name, column.w)
    short_need = _height(body.short, column.w, READ_FACTS, FACTS)
    foot = min(photo.y, top - short_need)
    if body.long and foot - GAP - body.box.y >= long_need:
        return Split.SPLIT
    both = _height((*body.short, *body.long), column.w, READ_FACTS, FACTS)
    return Split.COLUMN if both <= top - body.box.y else Split.NONE


def _beside(body: _Body, h: float, how: Split) -> Plan:
    """The photo `h` tall at the top left, the name and the facts to its right, the long
    texts under both when they do not read in the column."""
    photo, column = _beside_boxes(body, h)
    heading, rest = _name(body.name, column)
    if how is Split.COLUMN or not body.long:
        # Everything in the column, set alike: a narrow column has no room for two sizes.
        return Plan(photo, (*heading, *_stack((*body.short, *body.long), (), rest)))
    # The facts beside the photo (reaching below it when they need the room to be readable),
    # the long texts across the width under both, never larger than the facts.
    need = _height(body.short, rest.w, READ_FACTS, FACTS)
    foot = max(min(photo.y, rest.top - need), body.box.y + GAP)
    facts = _stack(body.short, (), Box(rest.x, foot, rest.w, rest.top - foot))
    cap = facts[0].style.max_size if facts else FACTS.max_size
    below = Box(body.box.x, body.box.y, body.box.w, foot - GAP - body.box.y)
    return Plan(photo, (*heading, *facts, *_stack((), body.long, below, cap=cap)))


def _above_max(body: _Body, long_need: float) -> float:
    """The tallest photo across the top that leaves every text below readable."""
    box = body.box
    need = _name_height(body.name, box.w) + _height(body.short, box.w, READ_FACTS, FACTS)
    need += long_need + (GAP if body.short and body.long else 0.0)
    return min(box.h - GAP - need, box.w / body.ratio)


def _above(body: _Body, h: float) -> Plan:
    """The photo `h` tall (at most the body's width) centred at the top, every text below."""
    box = body.box
    w = min(h * body.ratio, box.w)
    h = w / body.ratio
    photo = Box(box.x + (box.w - w) / 2, box.top - h, w, h)
    heading, rest = _name(body.name, box.take_top(h, gap=GAP)[1])
    return Plan(photo, (*heading, *_stack(body.short, body.long, rest)))


@functools.lru_cache(maxsize=256)
def _name_size(name: str, width: float) -> tuple[float, int]:
    """The name's size and line count in `width`: as large as one line or two lines allow (the
    best place to break it found word by word), or its smallest size on the lines it needs."""
    parts = words(name)
    best = (min(NAME.max_size, width / em_width(name, NAME.font)), 1)
    for cut in range(1, len(parts)):
        widest = max(em_width(" ".join(p), NAME.font) for p in (parts[:cut], parts[cut:]))
        size = min(NAME.max_size, width / widest)
        if size > best[0]:
            best = (size, 2)
    if best[0] >= NAME.min_size:
        return best
    lines = rows_height((Row("", name),), width, NAME.min_size, NAME) / LEADING / NAME.min_size
    return NAME.min_size, round(lines)


def _name_height(name: str | None, width: float) -> float:
    """The height the name takes `width` wide, with the gap below it."""
    if not name:
        return 0.0
    size, lines = _name_size(name, width)
    return lines * LEADING * size + GAP * 0.75


def _name(name: str | None, box: Box) -> tuple[tuple[Block, ...], Box]:
    """The name's block at the top of `box`, and the box left below it."""
    if not name:
        return (), box
    size, lines = _name_size(name, box.w)
    top, rest = box.take_top(min(lines * LEADING * size, box.h), gap=GAP * 0.75)
    return (Block((Row("", name),), top, replace(NAME, max_size=size), spread=0.0),), rest


def _stack(
    short: tuple[Row, ...],
    long: tuple[Row, ...],
    box: Box,
    *,
    scale: float = 1.0,
    cap: float = FACTS.max_size * ALONE,
) -> tuple[Block, ...]:
    """The facts over the long texts in `box`, their sizes in the ratio of their styles (the
    long texts at most `cap`), as large as fits; each block gets the share of the height it
    needs, and its size as its style's largest."""
    narrow = box.w < STACKED_BELOW
    facts_style = replace(FACTS, max_size=FACTS.max_size * scale, stacked=narrow)
    long_max = max(min(LONG.max_size * scale, cap), LONG.min_size)
    long_style = replace(LONG, max_size=long_max, stacked=narrow)
    parts = [(rows, style) for rows, style in ((short, facts_style), (long, long_style)) if rows]
    if not parts or box.w <= 0 or box.h <= 0:
        return ()

    def heights(factor: float) -> list[float]:
        # Every part at `factor` times its largest size: the facts stay the larger.
        return [rows_height(rows, box.w, style.max_size * factor, style) for rows, style in parts]

    def fits(factor: float) -> bool:
        return sum(heights(factor)) + GAP * (len(parts) - 1) <= box.h

    # The largest factor that fits, to 3%; the smallest sizes when none does (the blocks then
    # shrink their text further, or cut it with an ellipsis).
    factor = max(style.min_size / style.max_size for _, style in parts)
    if fits(1.0):
        factor = 1.0
    high = 1.0
    while high - factor > 0.03:
        mid = (factor + high) / 2
        factor, high = (mid, high) if fits(mid) else (factor, mid)
    needed = heights(factor)
    room = box.h - GAP * (len(parts) - 1)
    blocks: list[Block] = []
    rest = box
    for (rows, style), height in zip(parts, needed, strict=True):
        share = room * height / sum(needed) if sum(needed) > 0 else room / len(parts)
        part, rest = rest.take_top(min(share, rest.h), gap=GAP)
        size = max(style.max_size * factor, style.min_size)
        blocks.append(Block(rows, part, replace(style, max_size=size)))
    return tuple(blocks)
