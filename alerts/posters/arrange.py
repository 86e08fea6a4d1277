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
(stepping the photo's height down, then bisecting); the poster takes the one with the larger
photo. When no photo size leaves the text readable (a very long description), the photo keeps
its smallest size and the text shrinks, down to its style's minimum and only then cut with an
ellipsis. Without a photo the text takes the whole body, set larger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from alerts.posters.layout import BOLD, LEADING, Box
from alerts.posters.textfit import Row, Style, fitted_size, rows_height

GAP = 16.0  # between the photo and the text, and between two blocks of text
NAME = Style(max_size=30, min_size=13, font=BOLD)
NAME_LINES = 2  # the name gets room for this many lines of its largest size, more if it must
FACTS = Style(max_size=18, min_size=7)
LONG = Style(max_size=15, min_size=6.5, label_share=0.24)
ALONE = 1.3  # without a photo, texts may be set this much larger
READ_FACTS = 12.0  # the photo grows only while the facts stay at least this large ...
READ_LONG = READ_FACTS * LONG.max_size / FACTS.max_size  # ... and the long texts this large
MIN_PHOTO_H = 180.0
BESIDE_SHARE = 0.62  # a photo beside the facts takes at most this share of the body's width
MIN_COLUMN_W = 150.0
STACKED_BELOW = 260.0  # in a column narrower than this, labels go above their values
STEP = 12.0  # the photo's height is stepped down by this much, then bisected
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
    readable: bool = True

    @property
    def photo_area(self) -> float:
        return self.photo.w * self.photo.h if self.photo else 0.0


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
        return Plan(None, (*heading, *_stack(short, long, rest, scale=ALONE)[0]))
    plans = [_tallest(lambda h: _beside(name, short, long, box, ratio, h), _beside_max(box, ratio))]
    if ratio >= 1.0:
        plans.append(_tallest(lambda h: _above(name, short, long, box, ratio, h), box.h))
    found = [plan for plan in plans if plan is not None]
    if found:
        return max(found, key=lambda plan: plan.photo_area)
    smallest = _beside(name, short, long, box, ratio, MIN_PHOTO_H)
    return smallest or _above(name, short, long, box, ratio, MIN_PHOTO_H)


def _beside_max(box: Box, ratio: float) -> float:
    return min(box.h, box.w * BESIDE_SHARE / ratio)


def _tallest(plan_at: Callable[[float], Plan | None], high: float) -> Plan | None:
    """The readable plan with the tallest photo from MIN_PHOTO_H to `high`, or None."""
    h = high
    while h >= MIN_PHOTO_H:
        plan = plan_at(h)
        if plan is not None and plan.readable:
            break
        h -= STEP
    else:
        return None
    best, low, top = plan, h, min(h + STEP, high)
    while top - low > 1.0:
        mid = (low + top) / 2
        candidate = plan_at(mid)
        if candidate is not None and candidate.readable:
            best, low = candidate, mid
        else:
            top = mid
    return best


def _beside(
    name: str | None,
    short: tuple[Row, ...],
    long: tuple[Row, ...],
    box: Box,
    ratio: float,
    h: float,
) -> Plan | None:
    """The photo `h` tall at the top left, the name and the facts to its right."""
    h = min(h, box.h)
    photo = Box(box.x, box.top - h, h * ratio, h)
    column = Box(photo.right + GAP, box.y, box.right - photo.right - GAP, box.h)
    if column.w < MIN_COLUMN_W:
        return None
    heading, rest = _name(name, column)
    split = None
    # The facts beside the photo (reaching below it when they need the room to be readable),
    # the long texts across the width under both.
    need = _stack_height(short, rest, READ_FACTS / FACTS.max_size)
    foot = min(photo.y, rest.top - need)
    below = Box(box.x, box.y, box.w, foot - GAP - box.y)
    if long and below.h > 0:
        beside = Box(rest.x, foot, rest.w, rest.top - foot)
        facts, facts_ok = _stack(short, (), beside)
        # Never larger than the facts beside the photo: they matter more.
        top = fitted_size(short, beside, facts[0].style) if facts else None
        texts, texts_ok = _stack((), long, below, cap=top or FACTS.max_size)
        split = Plan(photo, (*heading, *facts, *texts), facts_ok and texts_ok)
        if split.readable:
            return split
    # Everything in the column, set alike: a narrow column has no room for two sizes.
    blocks, readable = _stack((*short, *long), (), rest)
    # When neither reads well, the long texts keep the width under the photo.
    return Plan(photo, (*heading, *blocks), readable) if readable or split is None else split


def _above(
    name: str | None,
    short: tuple[Row, ...],
    long: tuple[Row, ...],
    box: Box,
    ratio: float,
    h: float,
) -> Plan:
    """The photo `h` tall (at most the body's width) centred at the top, every text below."""
    w = min(h * ratio, box.w)
    h = w / ratio
    photo = Box(box.x + (box.w - w) / 2, box.top - h, w, h)
    heading, rest = _name(name, box.take_top(h, gap=GAP)[1])
    blocks, readable = _stack(short, long, rest)
    return Plan(photo, (*heading, *blocks), readable and rest.h > 0)


def _name(name: str | None, box: Box) -> tuple[tuple[Block, ...], Box]:
    """The name's block at the top of `box` (room for NAME_LINES of its largest size, and
    what it needs at its smallest), and the box left below it."""
    if not name:
        return (), box
    rows = (Row("", name),)
    room = box.take_top(NAME_LINES * LEADING * NAME.max_size)[0]
    size = fitted_size(rows, room, NAME) or NAME.min_size
    top, rest = box.take_top(min(rows_height(rows, box.w, size, NAME), box.h), gap=GAP * 0.75)
    return (Block(rows, top, NAME, spread=0.0),), rest


def _stack_height(rows: tuple[Row, ...], box: Box, factor: float) -> float:
    """The height the facts take set `box` wide at `factor` times their largest size."""
    style = replace(FACTS, stacked=box.w < STACKED_BELOW)
    return rows_height(rows, box.w, FACTS.max_size * factor, style) if rows else 0.0


def _stack(
    short: tuple[Row, ...],
    long: tuple[Row, ...],
    box: Box,
    *,
    scale: float = 1.0,
    cap: float = FACTS.max_size * ALONE,
) -> tuple[tuple[Block, ...], bool]:
    """The facts over the long texts in `box`, their sizes in the ratio of their styles, as
    large as fits (the long texts at most `cap`); each block gets the share of the height it
    needs. True when readable."""
    narrow = box.w < STACKED_BELOW
    facts_style = replace(FACTS, max_size=FACTS.max_size * scale, stacked=narrow)
    long_max = max(min(LONG.max_size * scale, cap), LONG.min_size)
    long_style = replace(LONG, max_size=long_max, stacked=narrow)
    parts = [
        (rows, style, min(read, style.max_size))
        for rows, style, read in ((short, facts_style, READ_FACTS), (long, long_style, READ_LONG))
        if rows
    ]
    if not parts:
        return (), True
    if box.w <= 0 or box.h <= 0:
        return (), False

    def heights(factor: float) -> list[float]:
        # Every part at `factor` times its largest size: the facts stay the larger.
        return [
            rows_height(rows, box.w, style.max_size * factor, style) for rows, style, _ in parts
        ]

    def fits(factor: float) -> bool:
        return sum(heights(factor)) + GAP * (len(parts) - 1) <= box.h

    readable = fits(max(read / style.max_size for _, style, read in parts))
    low = max(style.min_size / style.max_size for _, style, _ in parts)
    factor = 1.0 if fits(1.0) else low
    if factor < 1.0 and fits(low):
        high = 1.0
        while high - factor > 0.01:
            mid = (factor + high) / 2
            factor, high = (mid, high) if fits(mid) else (factor, mid)
    needed = heights(factor)
    room = box.h - GAP * (len(parts) - 1)
    blocks: list[Block] = []
    rest = box
    for (rows, style, _), height in zip(parts, needed, strict=True):
        share = room * height / sum(needed) if sum(needed) > 0 else room / len(parts)
        part, rest = rest.take_top(min(share, rest.h), gap=GAP)
        blocks.append(Block(rows, part, style))
    return tuple(blocks), readable
