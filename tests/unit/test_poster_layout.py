"""The poster's layout read back from the PDF as printed (issue 19): the photo first and large,
the text filling the page between the bands, nothing outside the margins, every required text
present; short and long cases, with and without a photo, in the four languages and bilingual.

The PDF is read back with pdfplumber (every glyph, image and filled rectangle with its position),
not from the layout's own plan. Page 1 of each poster is kept as a PNG in test-artifacts/posters/.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest

from alerts.cases.consent import PublicView
from alerts.i18n import in_language
from alerts.posters.images import story_sheet
from alerts.posters.labels import format_age, format_when
from alerts.posters.layout import FONT
from alerts.posters.poster import MARGIN, poster_sheet, render_poster
from alerts.posters.textfit import wrap
from tests.support.images import jpeg
from tests.support.paths import ROOT
from tests.support.posters import (
    ORGANISATION,
    make_case,
    make_consent,
    make_view,
    pdf_text,
    squash,
)

ARTIFACTS = ROOT / "test-artifacts" / "posters"
LANGS: tuple[str | tuple[str, str], ...] = ("nl", "fr", "de", "en", ("nl", "fr"))
PAGE_AREA = 595.28 * 841.89
# The photo of a short case takes at least this share of the A4 page (it took a seventh).
PHOTO_SHARE = 0.20
# Between the headline band and the hotline band, the body's content reaches this close to both.
FILLED_WITHIN = 24.0
LONG_DESCRIPTION = (
    "Ze draagt een bril met een rood montuur en spreekt Frans en Nederlands. Ze was op weg naar "
    "haar grootmoeder en had een blauwe rugzak met een sleutelhanger in de vorm van een kat. "
) * 6
CASES = {
    "short": {},
    "long": {
        "description": LONG_DESCRIPTION,
        "clothing": "gele regenjas met kap, blauwe jeans met een scheur in de knie, roze laarzen",
    },
}


@dataclass(frozen=True)
class Printed:
    """What a poster's page 1 carries, as read back from the PDF (top-down coordinates)."""

    width: float
    height: float
    text: str  # in reading order (the content stream's, as pypdf extracts it)
    chars: list[dict[str, Any]]
    images: list[dict[str, Any]]
    rects: list[dict[str, Any]]

    @property
    def bands(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The headline band and the hotline band: the filled rectangles across the page."""
        wide = sorted((r for r in self.rects if r["width"] > self.width * 0.9), key=_top)
        assert len(wide) == 2, wide
        return wide[0], wide[1]

    def body(self) -> list[dict[str, Any]]:
        """The glyphs, images and rectangles between the two bands."""
        headline, hotline = self.bands
        return [
            obj
            for obj in (*self.chars, *self.images, *self.rects)
            if obj["top"] >= headline["bottom"] and obj["bottom"] <= hotline["top"]
        ]


def _top(obj: dict[str, Any]) -> float:
    return float(obj["top"])


def read(pdf: bytes) -> Printed:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        return Printed(
            width=float(page.width),
            height=float(page.height),
            text=pdf_text(pdf),
            chars=[c for c in page.chars if c["text"].strip()],
            images=list(page.images),
            rects=list(page.rects),
        )


def poster(kind: str, photo: bool, lang: str | tuple[str, str]) -> tuple[PublicView, bytes]:
    view = make_view(case=make_case(**CASES[kind]), consent=make_consent(photo=photo))
    pdf = render_poster(view, lang, organisation=ORGANISATION)
    tag = lang if isinstance(lang, str) else "-".join(lang)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    try:
        name = f"{kind}-{'photo' if photo else 'no-photo'}-{tag}.png"
        document[0].render(scale=1.0).to_pil().save(ARTIFACTS / name)
    finally:
        document.close()
    return view, pdf


def required_texts(view: PublicView, lang: str | tuple[str, str]) -> list[str]:
    """What every poster must say in each of its languages."""
    langs = (lang,) if isinstance(lang, str) else lang
    texts = [view.hotline, view.case_url, view.reference, view.description]
    assert view.name and view.age is not None and view.last_seen_at
    texts.append(view.name)
    for code in langs:
        texts.append(in_language(code, "MISSING"))
        texts.append(format_age(view.age, code))
        texts.append(format_when(view.last_seen_at, code))
        texts.append(view.place(code))
    return texts


@pytest.mark.parametrize("lang", LANGS, ids=str)
@pytest.mark.parametrize("photo", [True, False], ids=["photo", "no-photo"])
@pytest.mark.parametrize("kind", list(CASES))
def test_poster_fills_the_page_inside_its_margins_and_says_it_all(
    kind: str, photo: bool, lang: str | tuple[str, str]
) -> None:
    view, pdf = poster(kind, photo, lang)
    printed = read(pdf)
    # Every required text is printed whole: nothing cut with an ellipsis, nothing left out.
    flat = squash(printed.text)
    for text in required_texts(view, lang):
        assert squash(text) in flat, text
    assert "…" not in printed.text
    # Nothing but the two bands is drawn outside the margins; the bands stay on the page.
    inside = (MARGIN - 0.5, printed.width - MARGIN + 0.5, printed.height - MARGIN + 0.5)
    for obj in (*printed.chars, *printed.images):
        assert inside[0] <= obj["x0"] and obj["x1"] <= inside[1], obj
        assert obj["top"] >= MARGIN - 0.5 and obj["bottom"] <= inside[2], obj
    for rect in printed.rects:
        assert rect["x0"] >= -0.01 and rect["x1"] <= printed.width + 0.01, rect
        assert rect["width"] > printed.width * 0.9 or (
            inside[0] - 1 <= rect["x0"] and rect["x1"] <= inside[1] + 1
        ), rect
    # The body is used from the headline band down to the hotline band: no empty middle.
    headline, hotline = printed.bands
    body = printed.body()
    assert min(_top(obj) for obj in body) - headline["bottom"] <= FILLED_WITHIN
    assert hotline["top"] - max(obj["bottom"] for obj in body) <= FILLED_WITHIN
    # The photo is there when consented, with no empty frame when it is not.
    if photo:
        (image,) = printed.images
        assert image["top"] - headline["bottom"] <= FILLED_WITHIN  # first, under the headline
        if kind == "short":
            assert image["width"] * image["height"] >= PHOTO_SHARE * PAGE_AREA
    else:
        assert printed.images == []
        assert [r for r in printed.rects if r in body] == []
    # A long description is set smaller, never below the smallest size.
    assert min(c["size"] for c in printed.chars) >= 6.0


@pytest.mark.parametrize("size", [(1600, 900), (800, 800), (600, 800), (500, 1200)])
def test_a_photo_of_any_shape_is_large(size: tuple[int, int]) -> None:
    view = make_view(case=make_case(), photo=jpeg(*size))
    printed = read(render_poster(view, "fr", organisation=ORGANISATION))
    (image,) = printed.images
    assert image["width"] * image["height"] >= 0.14 * PAGE_AREA
    assert image["width"] / image["height"] == pytest.approx(size[0] / size[1], rel=0.01)


@pytest.mark.parametrize("lang", LANGS, ids=str)
def test_the_time_of_the_last_sighting_never_starts_a_line(lang: str | tuple[str, str]) -> None:
    """ "samedi 14 mars 2026 à" on one line and "16h45" alone on the next reads as two facts."""
    for kind in CASES:
        view = make_view(case=make_case(**CASES[kind]))
        sheets = [poster_sheet(view, lang, organisation=ORGANISATION)]
        if isinstance(lang, str):
            sheets.append(story_sheet(replace(view, channel="image"), lang))
        for sheet in sheets:
            assert not [line for line in sheet.lines if line.text.startswith(("16:45", "16h45"))]


def test_a_paragraph_never_ends_with_one_word_alone() -> None:
    """ "zich." alone on the last line of a description: the word before it goes down with it."""
    text = "Heeft een bril en een grijze knuffel bij zich. Spreekt Nederlands en Frans."
    for width in range(120, 460, 4):
        lines = wrap(text, FONT, 12, float(width))
        assert len(lines) < 2 or " " in lines[-1] or lines[-2].count(" ") < 2, (width, lines)
