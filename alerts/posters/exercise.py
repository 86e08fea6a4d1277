"""The EXERCISE mark of posters and post images: a blue band, as wide as the page, that reads
EXERCISE in each of the material's languages (OEFENING · EXERCICE) over a line saying it is not
a real alert. It is drawn right under the top of page 1, large, so that neither the printed
poster nor a photo or a crop of it can pass for a real alert.

The poster and the images call `exercise_band` once while they divide their page; for a real
case it takes no room and draws nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alerts.cases.consent import PublicView
from alerts.posters.labels import EXERCISE, EXERCISE_NOTE, label
from alerts.posters.layout import BOLD, FONT, WHITE, Box, Color, Fill, Item
from alerts.posters.textfit import fit_line

# A colour no real alert uses (they are red): an exercise is told apart at a glance.
BLUE: Color = (0.11, 0.31, 0.85)


def exercise_band(
    view: PublicView, langs: Sequence[str], rest: Box, page_width: float, *, height: float
) -> tuple[list[Item], Box]:
    """The band's items and the box left below it; nothing, and `rest` whole, for a real case."""
    if not view.exercise:
        return [], rest
    band, below = rest.take_top(height, gap=height * 0.15)
    word_box, note_box = band.take_top(band.h * 0.68)
    word = label(EXERCISE, langs, sep=" · ")
    note = label(EXERCISE_NOTE, langs, sep="  ·  ")
    items: list[Item] = [
        Fill(band.widen(0.0, page_width), BLUE),
        fit_line(word, word_box, BOLD, word_box.h * 0.8, WHITE),
        fit_line(note, note_box, FONT, note_box.h * 0.6, WHITE),
    ]
    return items, below
