"""Official posters and post images: consented fields only, intact layout, a QR code that scans."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from alerts.cases.consent import PublicView
from alerts.cases.models import Case, Consent, NameMode, PlacePrecision
from alerts.errors import NotPublishable
from alerts.i18n import in_language, language
from alerts.posters.images import render_square, render_story, square_sheet, story_sheet
from alerts.posters.labels import FACT_LABELS, format_age, format_sex, format_when
from alerts.posters.layout import Picture, Qr, Sheet
from alerts.posters.poster import poster_sheet, render_poster
from alerts.sightings import triage
from tests.support.factories import LAST_SEEN
from tests.support.images import jpeg
from tests.support.posters import (
    ORGANISATION,
    make_case,
    make_consent,
    make_view,
    pdf_text,
    squash,
)

LANGS = ("nl", "fr", "de", "en")
OFFICIAL = "Official poster — check it is genuine at %(url)s"

# Accented letters of the four languages and beyond: every one must print from the fonts.
ACCENTED = "àâäçéèêëîïôöùûüÿñøåæœßÀÉÈÊÎÔÙÜÇÑØÅÆŒŁłŠšŽžĳ"


# --- helpers -------------------------------------------------------------------------------


def pdf_images(pdf: bytes) -> list[Any]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images)


def expected_values(view: PublicView, lang: str) -> list[str]:
    """Every field the view carries, as the poster prints it in `lang`."""
    values = [
        view.reference,
        view.hotline,
        view.case_url,
        view.place(lang),
        view.build,
        view.hair,
        view.eyes,
        view.clothing,
        view.marks,
        view.description,
    ]
    if view.name:
        values.append(view.name)
    if view.age is not None:
        values.append(format_age(view.age, lang))
    if view.sex:
        values.append(format_sex(view.sex, lang))
    if view.height_cm:
        values.append(f"{view.height_cm} cm")
    if view.last_seen_at:
        values.append(format_when(view.last_seen_at, lang))
    return [value for value in values if value.strip()]


def assert_consented_fields(
    text: str, case: Case, consent: Consent, view: PublicView, lang: str
) -> None:
    flat = squash(text)
    for value in expected_values(view, lang):
        assert squash(value) in flat, value
    if consent.name_mode is NameMode.NONE:
        assert squash(case.first_name) not in flat
    if consent.name_mode is not NameMode.FULL:
        assert squash(case.last_name) not in flat
    if consent.place_precision is not PlacePrecision.EXACT:
        assert squash(case.last_seen_place) not in flat


def rasterise(pdf: bytes, scale: float) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=scale).to_pil()
        page.close()
        return image
    finally:
        document.close()


def assert_intact(sheet: Sheet) -> None:
    """Every line inside the page, clear of the photo, the QR code and every other line."""
    page = sheet.page
    solid = [item.box for item in sheet.items if isinstance(item, Picture | Qr)]
    lines = sheet.lines
    for line in lines:
        assert page.contains(line.box), line
        assert not any(line.box.overlaps(box) for box in solid), line
    for i, line in enumerate(lines):
        for other in lines[i + 1 :]:
            assert not line.box.overlaps(other.box), (line, other)


# --- strategies ----------------------------------------------------------------------------

words = st.text(alphabet=ACCENTED + "abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    # Each value starts with a marker no label contains, so "absent" really means absent.
    def field(marker: str, count: int) -> str:
        return marker + " ".join(draw(st.lists(words, min_size=1, max_size=count)))

    return make_case(
        first_name=field("Qf", 2),
        last_name=field("Ql", 3),
        age=draw(st.none() | st.integers(min_value=1, max_value=17)),
        sex=draw(st.sampled_from(["f", "m", "", "x"])),
        height_cm=draw(st.none() | st.integers(min_value=60, max_value=190)),
        build=draw(st.sampled_from(["", "tenger"])),
        hair=field("Qh", 3),
        eyes=draw(st.sampled_from(["", "bruin"])),
        clothing=field("Qc", 8),
        marks=draw(st.sampled_from(["", "litteken"])),
        description=field("Qd", 40),
        last_seen_at=draw(st.none() | st.just(LAST_SEEN)),
        last_seen_place="Qp " + draw(words),
    )


consents = st.builds(
    make_consent,
    level=st.sampled_from([2, 3]),
    photo=st.booleans(),
    name_mode=st.sampled_from(list(NameMode)),
    place_precision=st.sampled_from(list(PlacePrecision)),
)

SLOW = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


# --- posters -------------------------------------------------------------------------------


@SLOW
@given(case=cases(), consent=consents, lang=st.sampled_from(LANGS))
def test_poster_shows_every_consented_field_and_nothing_else(
    case: Case, consent: Consent, lang: str
) -> None:
    view = make_view(case=case, consent=consent)
    pdf = render_poster(view, lang, organisation=ORGANISATION)
    assert_consented_fields(pdf_text(pdf), case, consent, view, lang)
    assert len(pdf_images(pdf)) == (1 if consent.photo else 0)


@SLOW
@given(case=cases(), consent=consents)
def test_images_show_the_consented_essentials_only(case: Case, consent: Consent) -> None:
    view = make_view("image", case=case, consent=consent)
    for sheet in (square_sheet(view, "fr"), story_sheet(view, "fr")):
        flat = squash(" ".join(line.text for line in sheet.lines))
        assert squash(view.case_url) in flat
        assert squash(view.place("fr")) in flat
        assert (view.name is not None) == (squash(case.first_name) in flat)
        assert consent.name_mode is NameMode.FULL or squash(case.last_name) not in flat
        if consent.place_precision is not PlacePrecision.EXACT:
            assert squash(case.last_seen_place) not in flat
        assert any(isinstance(i, Picture) for i in sheet.items) == consent.photo
        assert_intact(sheet)


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_its_own_headline_and_official_line(lang: str) -> None:
    view = make_view()
    text = pdf_text(render_poster(view, lang, organisation=ORGANISATION))
    assert in_language(lang, "MISSING") in text
    official = in_language(lang, OFFICIAL, url=view.case_url)
    assert squash(official) in squash(text)
    assert squash(in_language(lang, "Call %(hotline)s", hotline="116 000")) in squash(text)


def test_bilingual_poster_carries_both_languages() -> None:
    view = make_view(consent=make_consent(place_precision=PlacePrecision.MUNICIPALITY))
    pdf = render_poster(view, ("nl", "fr"), organisation=ORGANISATION)
    flat = squash(pdf_text(pdf))
    assert squash("VERMIST · DISPARU·E") in flat
    for lang in ("nl", "fr"):
        assert squash(in_language(lang, OFFICIAL, url=view.case_url)) in flat
        assert squash(format_when(LAST_SEEN, lang)) in flat
    assert "Gent/Gand" in flat


def test_posters_and_exports_written_in_many_threads_at_once_are_each_whole() -> None:
    """Materials are rendered in threads, and reportlab's font readers are shared: two PDFs
    written at once with different letters read each other's glyphs and failed (a CI run's
    approval died with KeyError in reportlab's makeSubset). The police export uses the fonts too.
    """
    jobs: list[Callable[[], bytes]] = []
    for i in range(8):
        text = ACCENTED[i:] + ACCENTED[:i] * 3
        view = make_view(case=make_case(description=text))
        jobs += [partial(render_poster, view, lang, organisation=ORGANISATION) for lang in LANGS]
        jobs.append(partial(triage.to_pdf, f"Case {i}", text, ["Description"], [[text[::-1]]]))
    alone = [pdf_text(job()) for job in jobs]
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: the race shows at once
    try:
        with ThreadPoolExecutor(8) as pool:
            at_once = list(pool.map(lambda job: job(), jobs * 3))
    finally:
        sys.setswitchinterval(before)
    assert [pdf_text(pdf) for pdf in at_once] == alone * 3


def test_poster_qr_code_opens_the_case_page() -> None:
    view = make_view()
    image = rasterise(render_poster(view, "nl", organisation=ORGANISATION), scale=2)
    found = zxingcpp.read_barcodes(image)
    assert [code.text for code in found] == [view.case_url]


def test_poster_embeds_its_fonts_and_the_photo_once_without_metadata() -> None:
    view = make_view(photo=jpeg(3000, 4000, gps=True))
    reader = pypdf.PdfReader(io.BytesIO(render_poster(view, "fr", organisation=ORGANISATION)))
    resources: Any = reader.pages[0]["/Resources"]
    assert resources["/Font"]
    for ref in resources["/Font"].values():
        font = ref.get_object()
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]  # embedded, so every accent prints
    (image,) = reader.pages[0].images
    assert image.image is not None and max(image.image.size) <= 1400  # print resolution
    assert "exif" not in Image.open(io.BytesIO(image.data)).info  # no GPS position
    (xobject,) = resources["/XObject"].values()
    assert list(xobject.get_object()["/Filter"]) == ["/DCTDecode"]  # the JPEG as it is


def test_long_name_and_description_stay_inside_their_boxes() -> None:
    name = "Maximiliaan-Alexander Johannes Vandenbroucke-De Wilde Ødegår"
    first, last = name.split(" ", 1)
    description = ("Ze draagt een bril met een rood montuur en spreekt Frans. " * 30)[:1500]
    case = make_case(first_name=first, last_name=last, description=description)
    assert len(name) == 60
    for lang in ("nl", ("nl", "fr")):
        view = make_view(case=case)
        sheet = poster_sheet(view, lang, organisation=ORGANISATION)
        assert_intact(sheet)
        assert not any(line.text.endswith("…") for line in sheet.lines)
        pdf = render_poster(view, lang, organisation=ORGANISATION)
        assert squash(description) in squash(pdf_text(pdf))
        assert_text_origins_on_page(pdf)


def test_overflowing_text_is_cut_with_an_ellipsis_not_spilled() -> None:
    case = make_case(description="Overvloedig " * 1200, clothing="jas " * 300)
    sheet = poster_sheet(make_view(case=case), "de", organisation=ORGANISATION)
    assert_intact(sheet)
    assert sheet.lines and any(line.text.endswith("…") for line in sheet.lines)


def assert_text_origins_on_page(pdf: bytes) -> None:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    origins: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            origins.append(
                (tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            )

    page.extract_text(visitor_text=visit)
    assert origins
    assert all(0 <= x <= width and 0 <= y <= height for x, y in origins)


@pytest.mark.parametrize("size", [(1600, 900), (800, 800), (500, 1200)])
def test_any_photo_shape_fits_without_distortion(size: tuple[int, int]) -> None:
    view = make_view(photo=jpeg(*size))
    for sheet in (
        poster_sheet(view, "en", organisation=ORGANISATION),
        square_sheet(replace(view, channel="image"), "en"),
        story_sheet(replace(view, channel="image"), "en"),
    ):
        (picture,) = [item for item in sheet.items if isinstance(item, Picture)]
        assert picture.box.w / picture.box.h == pytest.approx(size[0] / size[1], rel=0.01)
        assert_intact(sheet)


def test_poster_without_photo_or_name_renders() -> None:
    consent = make_consent(photo=False, name_mode=NameMode.NONE)
    view = make_view(consent=consent)
    pdf = render_poster(view, "en", organisation=ORGANISATION)
    assert pdf_images(pdf) == []
    assert "Zoë" not in pdf_text(pdf)
    assert_intact(poster_sheet(view, "en", organisation=ORGANISATION))


def test_empty_fields_are_left_out_not_printed_blank() -> None:
    case = make_case(build="", eyes="  ", marks="", sex=None, height_cm=None)
    text = pdf_text(render_poster(make_view(case=case), "en", organisation=ORGANISATION))
    with language("en"):
        english = {key: label() for key, label in FACT_LABELS.items()}
    for key in ("build", "eyes", "marks", "sex", "height"):
        assert english[key] not in text
    assert english["hair"] in text


def test_images_have_their_exact_sizes() -> None:
    view = make_view("image")
    for render, size in ((render_square, (1080, 1080)), (render_story, (1080, 1920))):
        image = Image.open(io.BytesIO(render(view, "de")))
        assert image.format == "PNG"
        assert image.size == size


def test_a_view_below_the_poster_level_is_refused() -> None:
    view = replace(make_view(), level=1)
    with pytest.raises(NotPublishable):
        render_poster(view, "nl", organisation=ORGANISATION)
    with pytest.raises(NotPublishable):
        render_square(view, "nl")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render_poster(make_view(), "es", organisation=ORGANISATION)
