"""The one layout code path of posters and images: boxes, sheets, photo, QR code, painting.

A material is composed as a `Sheet`: a page size and the items placed on it (filled boxes, lines
of text set by alerts/posters/textfit.py, the photo, the QR code), all measured before anything is
drawn. `render_pdf()` paints a sheet with reportlab; the A4 poster is that PDF and the images
are that PDF rasterised, so what the tests measure on a sheet is what is printed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps
from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONTS_DIR = Path(__file__).with_name("fonts")

# How far DejaVu Sans glyphs reach above and below the baseline, in em (accented capitals
# included), and the line pitch. Lines are stacked so these extents never leave their box.
ASCENT, DESCENT, LEADING = 0.93, 0.24, 1.2
CAP_HEIGHT = 0.73

# Larger photos are scaled down once: 1400 px covers the A4 photo box at about 300 dpi and the
# story image's photo at full size.
MAX_PHOTO_PX = 1400

# reportlab wraps every binary stream (photo, fonts) in ASCII85 by default, for 7-bit mail
# transports nobody uses: it makes a poster about 20% bigger and twice as slow to write.
rl_config.useA85 = 0

# reportlab keeps one reader per registered font and moves its file position while it embeds a
# PDF's subset of glyphs, so two PDFs written at once in two threads (materials are rendered in
# threads) read each other's glyphs and fail. Writing is CPU-bound under the GIL anyway: one PDF
# is written at a time (`embedding_fonts`).
_EMBEDDING = threading.Lock()
_REGISTERING = threading.Lock()

Color = tuple[float, float, float]
Align = Literal["left", "center", "right"]
BLACK: Color = (0.0, 0.0, 0.0)
WHITE: Color = (1.0, 1.0, 1.0)
RED: Color = (0.78, 0.05, 0.12)
INK: Color = (0.10, 0.10, 0.12)
GREY: Color = (0.35, 0.35, 0.38)


@functools.cache
def register_fonts() -> None:
    """Register the embedded TrueType fonts with reportlab, once per process (threads that
    start at once would each register their own copy)."""
    with _REGISTERING:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            for name, file in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
                pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file)))


@contextlib.contextmanager
def embedding_fonts() -> Iterator[None]:
    """Hold while a PDF that uses the fonts is written: one at a time in the process (a thread
    of its own, never the event loop, as it may wait for another)."""
    with _EMBEDDING:
        register_fonts()
        yield


@dataclass(frozen=True)
class Box:
    """A rectangle in points, from its lower-left corner (PDF coordinates)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w

    def take_top(self, h: float, gap: float = 0.0) -> tuple[Box, Box]:
        """The top `h` of this box, and what is left below it after `gap`."""
        return (
            Box(self.x, self.top - h, self.w, h),
            Box(self.x, self.y, self.w, max(0.0, self.h - h - gap)),
        )

    def take_bottom(self, h: float, gap: float = 0.0) -> tuple[Box, Box]:
        """The bottom `h` of this box, and what is left above it after `gap`."""
        return (
            Box(self.x, self.y, self.w, h),
            Box(self.x, self.y + h + gap, self.w, max(0.0, self.h - h - gap)),
        )

    def take_left(self, w: float, gap: float = 0.0) -> tuple[Box, Box]:
        """The left `w` of this box, and what is left to its right after `gap`."""
        return (
            Box(self.x, self.y, w, self.h),
            Box(self.x + w + gap, self.y, max(0.0, self.w - w - gap), self.h),
        )

    def take_right(self, w: float, gap: float = 0.0) -> tuple[Box, Box]:
        """The right `w` of this box, and what is left to its left after `gap`."""
        return (
            Box(self.right - w, self.y, w, self.h),
            Box(self.x, self.y, max(0.0, self.w - w - gap), self.h),
        )

    def widen(self, x: float, w: float) -> Box:
        """This box's rows over another horizontal span."""
        return Box(x, self.y, w, self.h)

    def contains(self, other: Box, tolerance: float = 0.01) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.top <= self.top + tolerance
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.top
            and other.y < self.top
        )


@dataclass(frozen=True)
class Line:
    """One line of text placed on a sheet; `y` is its baseline."""

    text: str
    font: str
    size: float
    x: float
    y: float
    width: float
    color: Color

    @property
    def box(self) -> Box:
        """Where the line's glyphs can reach."""
        return Box(self.x, self.y - DESCENT * self.size, self.width, (ASCENT + DESCENT) * self.size)


@dataclass(frozen=True)
class Fill:
    box: Box
    color: Color


@dataclass(frozen=True, eq=False)
class Photo:
    """A photo made ready to embed: a clean JPEG (upright, RGB, no metadata) and its size."""

    jpeg: bytes = field(repr=False)
    width: int
    height: int
    digest: bytes = field(repr=False)


@dataclass(frozen=True)
class Picture:
    box: Box
    photo: Photo


@dataclass(frozen=True)
class Qr:
    """A QR code of `text`, its quiet zone included in `box`."""

    box: Box
    text: str


Item = Fill | Line | Picture | Qr


@dataclass(frozen=True)
class Sheet:
    """One page composed and measured, ready to paint."""

    width: float
    height: float
    items: tuple[Item, ...]
    title: str
    author: str
    lang: str

    @property
    def page(self) -> Box:
        return Box(0.0, 0.0, self.width, self.height)

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(item for item in self.items if isinstance(item, Line))


def fit_picture(photo: Photo, box: Box, anchor: Literal["nw", "n", "c"] = "n") -> Box:
    """The largest box of the photo's proportions inside `box`: top left, top centre or centre."""
    scale = min(box.w / photo.width, box.h / photo.height)
    w, h = photo.width * scale, photo.height * scale
    x = box.x if anchor == "nw" else box.x + (box.w - w) / 2
    y = box.y + (box.h - h) / 2 if anchor == "c" else box.top - h
    return Box(x, y, w, h)


@functools.lru_cache(maxsize=16)
def prepare_photo(jpeg: bytes) -> Photo:
    """The photo upright, in RGB, at most MAX_PHOTO_PX, re-encoded without any metadata.

    Re-encoding drops EXIF (a phone photo can carry the GPS position of the family's home);
    the result is cached, so a case's whole set of materials decodes the original once.
    """
    with Image.open(io.BytesIO(jpeg)) as original:
        original.draft("RGB", (MAX_PHOTO_PX, MAX_PHOTO_PX))
        image = ImageOps.exif_transpose(original).convert("RGB")
    return _encoded(image, MAX_PHOTO_PX)


@functools.lru_cache(maxsize=32)
def scaled_photo(jpeg: bytes, max_px: int) -> Photo:
    """The prepared photo at most `max_px` on its longer side: no more pixels than are shown."""
    photo = prepare_photo(jpeg)
    if max(photo.width, photo.height) <= max_px:
        return photo
    with Image.open(io.BytesIO(photo.jpeg)) as prepared:
        prepared.draft("RGB", (max_px, max_px))
        image = prepared.convert("RGB")
    return _encoded(image, max_px)


def _encoded(image: Image.Image, max_px: int) -> Photo:
    image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    data = out.getvalue()
    return Photo(jpeg=data, width=image.width, height=image.height, digest=_digest(data))


def place_photo(
    jpeg: bytes, box: Box, *, pixels_per_point: float, anchor: Literal["nw", "n", "c"] = "n"
) -> Picture:
    """The photo fitted in `box`, embedded at the resolution it is printed or shown at.

    Images are rasterised at one pixel per point, posters printed at 300 dpi: embedding more
    pixels would only make every PDF heavier and every rasterisation slower.
    """
    placed = fit_picture(prepare_photo(jpeg), box, anchor)
    max_px = math.ceil(max(placed.w, placed.h) * pixels_per_point)
    return Picture(placed, scaled_photo(jpeg, max_px))


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class _JpegReader(ImageReader):
    """An ImageReader that reportlab embeds as the JPEG it is, without decoding its pixels."""

    def __init__(self, photo: Photo) -> None:
        super().__init__(io.BytesIO(photo.jpeg))
        self._digest = photo.digest
        self._dataA = None

    def getRGBData(self) -> bytes:  # noqa: N802 (reportlab's name)
        # drawImage() hashes this only to name the image inside the document, and takes a JPEG's
        # stream from jpeg_fh(); decoding and hashing the pixels would be pure waste.
        return self._digest


@functools.lru_cache(maxsize=64)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of a QR code of `text` (error correction M: posters get torn and wet)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return tuple(tuple(bool(module) for module in row) for row in code.modules)


def _paint_qr(canvas: Canvas, qr: Qr) -> None:
    modules = qr_modules(qr.text)
    quiet = 4
    unit = min(qr.box.w, qr.box.h) / (len(modules) + 2 * quiet)
    canvas.setFillColorRGB(*WHITE)
    canvas.rect(qr.box.x, qr.box.y, qr.box.w, qr.box.h, stroke=0, fill=1)
    path = canvas.beginPath()
    top = qr.box.top - quiet * unit
    for r, row in enumerate(modules):
        c = 0
        while c < len(row):
            start = c
            while c < len(row) and row[c]:
                c += 1
            if c > start:
                # A hair of overlap closes the seams some rasterisers leave between modules.
                x = qr.box.x + (quiet + start) * unit
                path.rect(x, top - (r + 1) * unit, (c - start) * unit, unit * 1.02)
            c += 1
    canvas.setFillColorRGB(*BLACK)
    canvas.drawPath(path, stroke=0, fill=1)


def _paint(canvas: Canvas, item: Item) -> None:
    if isinstance(item, Line):
        canvas.setFillColorRGB(*item.color)
        canvas.setFont(item.font, item.size)
        canvas.drawString(item.x, item.y, item.text)
    elif isinstance(item, Fill):
        canvas.setFillColorRGB(*item.color)
        canvas.rect(item.box.x, item.box.y, item.box.w, item.box.h, stroke=0, fill=1)
    elif isinstance(item, Picture):
        box = item.box
        canvas.drawImage(_JpegReader(item.photo), box.x, box.y, box.w, box.h)
    else:
        _paint_qr(canvas, item)


def render_pdf(sheet: Sheet) -> bytes:
    """The sheet as a one-page PDF with its fonts embedded."""
    with embedding_fonts():
        return _written(sheet)


def _written(sheet: Sheet) -> bytes:
    out = io.BytesIO()
    # The initial font is ours: reportlab would otherwise declare an unembedded Helvetica.
    canvas = Canvas(
        out, pagesize=(sheet.width, sheet.height), lang=sheet.lang, initialFontName=FONT
    )
    canvas.setTitle(sheet.title)
    canvas.setAuthor(sheet.author)
    canvas.setCreator(sheet.author)
    for item in sheet.items:
        _paint(canvas, item)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
