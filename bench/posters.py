"""Benchmark of the materials of a case (issue 3): posters, images and texts against their goals.

Run: python bench/posters.py

Goals, on one core: an A4 poster in at most 50 ms; a case's whole set of materials in four
languages (4 posters, the bilingual poster, 4 squares, 4 stories and every text) under 1 s; a
poster at most 1.5 times the floor, a bare reportlab page with the same photo and QR code.
Each figure is the best of several rounds, printed with its ratio to the goal.
"""

from __future__ import annotations

import io
import os
import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime

# Run as a script, this file's folder comes first on sys.path, and this file (posters.py)
# would shadow the `posters` package it measures.
sys.path.remove(os.path.dirname(os.path.realpath(__file__)))

from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from alerts.cases.consent import CoarsePlace, PublicPhoto, PublicView, public_view
from alerts.cases.models import Case, CaseKind, CaseState, Consent, NameMode, PlacePrecision
from alerts.posters import layout
from alerts.posters.images import render_square, render_story
from alerts.posters.poster import render_poster
from alerts.publication.texts import KINDS, render_text

NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
LANGS = ("nl", "fr", "de", "en")
ORGANISATION = "Child Focus — 116 000"
PHOTO_BOX = (28.0, 400.0, 232.0, 292.0)
QR_BOX = (471.0, 28.0, 96.0, 96.0)
GOAL_POSTER_S = 0.050
GOAL_SET_S = 1.0
GOAL_FLOOR_RATIO = 1.5


def phone_photo() -> bytes:
    """A 1200×1600 JPEG of a phone photo's size and texture (about 380 KB)."""
    size = (1200, 1600)
    shapes = Image.effect_noise((120, 160), 90).convert("L").resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 12).convert("L")
    light = Image.linear_gradient("L").resize(size)
    channels = (
        Image.blend(shapes, grain, 0.25),
        Image.blend(light, grain, 0.2),
        Image.blend(shapes, light, 0.5),
    )
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=88)
    return out.getvalue()


def make_view(channel: str, photo: bytes) -> PublicView:
    case = Case(
        id=1, public_id="pQ7xW2rLk9TzB4mN", reference="CF-2026-0042", state=CaseState.ACTIVE,
        kind=CaseKind.THIRD_PARTY_ABDUCTION, revision=1, first_name="Zoë",
        last_name="Van Damme-Ødegård", age=11, sex="f", height_cm=146, build="tenger",
        hair="kort, rood, krullend", eyes="groen", clothing="gele regenjas, blauwe jeans",
        marks="moedervlek op de linkerhand", description="Heeft een bril en een grijze knuffel "
        "bij zich. Spreekt Nederlands en Frans. " * 6, last_seen_at=NOW,
        last_seen_place="Kerkstraat 12, 9000 Gent", last_seen_lat=51.05, last_seen_lon=3.72,
        search_radius_km=12.0, languages=list(LANGS), police_reference="GE.12.L3.000042/26",
        created_by=1, submitted_by=1, approved_by=2, closed_by=None, close_reason=None,
        created_at=NOW, updated_at=NOW, submitted_at=NOW, approved_at=NOW, closed_at=None,
    )  # fmt: skip
    consent = Consent(
        id=1, case_id=1, given_by="Mother", relation="parent", given_at=NOW, recorded_by=1,
        valid_until=None, level=3, photo=True, name_mode=NameMode.FULL,
        place_precision=PlacePrecision.EXACT, forwarding=True, revoked_at=None, created_at=NOW,
    )  # fmt: skip

    def coarsen(place: str, lat: float | None, lon: float | None, _: PlacePrecision) -> CoarsePlace:
        return CoarsePlace(labels={lang: place for lang in LANGS}, lat=lat, lon=lon)

    with Image.open(io.BytesIO(photo)) as image:
        width, height = image.size
    return public_view(
        case, consent, channel, now=NOW, coarsen=coarsen, hotline="116 000",
        photo=PublicPhoto(public_id="ph-1", width=width, height=height, jpeg=photo),
        base_url="https://alerts.example.be",
    )  # fmt: skip


def best(run: Callable[[], object], number: int, repeat: int = 7) -> float:
    """Seconds per call: the best of `repeat` rounds, so other load on the machine counts least."""
    return min(timeit.repeat(run, number=number, repeat=repeat)) / number


def best_cpu(run: Callable[[], object], number: int, repeat: int = 7) -> float:
    """CPU seconds of this process per call, best of `repeat` rounds: on a shared machine the
    wall clock also counts the time other processes hold the core."""
    timer = timeit.Timer(run, timer=time.process_time)
    return min(timer.repeat(number=number, repeat=repeat)) / number


def whole_set(poster_view: PublicView, image_view: PublicView, text_view: PublicView) -> None:
    """A new case's materials, from a cold photo and QR cache: what approval has to produce."""
    layout.prepare_photo.cache_clear()
    layout.qr_modules.cache_clear()
    for lang in LANGS:
        render_poster(poster_view, lang, organisation=ORGANISATION)
        render_square(image_view, lang)
        render_story(image_view, lang)
        for kind in KINDS:
            render_text(text_view, lang, kind)
    render_poster(poster_view, ("nl", "fr"), organisation=ORGANISATION)


def floor_page(photo: bytes, url: str) -> bytes:
    """The floor: a bare page with the photo and the QR code, drawn the way reportlab documents."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawImage(ImageReader(io.BytesIO(photo)), *PHOTO_BOX, preserveAspectRatio=True)
    widget = QrCodeWidget(url, barLevel="M", barWidth=QR_BOX[2], barHeight=QR_BOX[3])
    drawing = Drawing(QR_BOX[2], QR_BOX[3])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, QR_BOX[0], QR_BOX[1])
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def lean_floor_page(photo: bytes, url: str, *, fonts: bool) -> bytes:
    """The lean floor: the same page with the poster's own tricks (JPEG passed through, QR
    matrix cached), optionally with the two fonts embedded: what no layout work can remove."""
    prepared = layout.prepare_photo(photo)
    items: list[layout.Item] = [
        layout.Picture(layout.Box(*PHOTO_BOX), prepared),
        layout.Qr(layout.Box(*QR_BOX), url),
    ]
    if fonts:
        for font in (layout.FONT, layout.BOLD):
            items.append(layout.Line("a", font, 10, 40, 40, 5, layout.INK))
    sheet = layout.Sheet(
        width=A4[0], height=A4[1], items=tuple(items), title="", author="", lang="nl"
    )
    return layout.render_pdf(sheet)


def row(name: str, seconds: float, goal: float | None) -> str:
    ratio = f"{seconds / goal:6.2f} × goal ({goal * 1000:.0f} ms)" if goal else ""
    return f"{name:<44}{seconds * 1000:9.1f} ms   {ratio}"


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # the goals are for one core
    photo = phone_photo()
    poster_view, image_view = make_view("poster", photo), make_view("image", photo)
    text_view = make_view("social", photo)
    url = poster_view.case_url
    whole_set(poster_view, image_view, text_view)  # fonts registered, templates compiled

    poster = best(lambda: render_poster(poster_view, "nl", organisation=ORGANISATION), 20)
    bilingual = best(lambda: render_poster(poster_view, ("nl", "fr"), organisation="x"), 20)
    poster_cpu = best_cpu(lambda: render_poster(poster_view, "nl", organisation=ORGANISATION), 20)
    bilingual_cpu = best_cpu(lambda: render_poster(poster_view, ("nl", "fr"), organisation="x"), 20)
    square = best(lambda: render_square(image_view, "nl"), 5)
    story = best(lambda: render_story(image_view, "nl"), 5)
    texts = best(lambda: [render_text(text_view, "fr", kind) for kind in KINDS], 20)
    full = best(lambda: whole_set(poster_view, image_view, text_view), 1, repeat=5)
    floor = best(lambda: floor_page(photo, url), 5)
    lean = best(lambda: lean_floor_page(photo, url, fonts=False), 20)
    lean_fonts = best(lambda: lean_floor_page(photo, url, fonts=True), 20)

    print(f"Materials of one case, photo 1200×1600 of {len(photo) // 1024} KB, one core\n")
    print(row("A4 poster (nl)", poster, GOAL_POSTER_S))
    print(row("A4 poster, bilingual (nl/fr)", bilingual, GOAL_POSTER_S))
    print(row("A4 poster (nl), CPU time", poster_cpu, GOAL_POSTER_S))
    print(row("A4 poster, bilingual, CPU time", bilingual_cpu, GOAL_POSTER_S))
    print(row("square image 1080×1080 PNG", square, None))
    print(row("story image 1080×1920 PNG", story, None))
    print(row("all 7 texts of one language", texts, None))
    print(row("whole set: 5 posters, 8 images, 28 texts", full, GOAL_SET_S))
    print()
    print(row("floor: bare page, same photo and QR code", floor, None))
    print(row("lean floor: same, JPEG passed through", lean, None))
    print(row("lean floor with the two fonts embedded", lean_fonts, None))
    for name, base in (("floor", floor), ("lean floor", lean), ("lean floor + fonts", lean_fonts)):
        ratio = poster / base
        print(f"poster / {name:<35}{ratio:9.2f}      {ratio / GOAL_FLOOR_RATIO:6.2f} × goal (1.5)")


if __name__ == "__main__":
    main()
