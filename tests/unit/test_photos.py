"""Photo uploads: only real images, re-encoded, without metadata, within limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from alerts import errors
from alerts.cases.photos import clean_image
from tests.support import images

LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 2000}


@pytest.mark.parametrize("maker", [images.jpeg, images.png, images.webp])
def test_jpeg_png_and_webp_are_accepted_and_reencoded_as_jpeg(maker: object) -> None:
    clean = clean_image(maker(), **LIMITS)  # type: ignore[operator]
    assert clean.jpeg.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(clean.jpeg)).format == "JPEG"


def test_gps_exif_is_removed() -> None:
    original = images.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file has GPS
    clean = clean_image(original, **LIMITS)
    reopened = Image.open(io.BytesIO(clean.jpeg))
    assert not reopened.getexif()
    assert b"Exif" not in clean.jpeg and b"PhoneMaker" not in clean.jpeg


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not an image", "Only JPEG, PNG or WebP"),
        (images.SVG, "Only JPEG, PNG or WebP"),
        (b"", "empty"),
        (b"\xff\xd8\xff" + b"garbage" * 100, "not a valid image"),
        (b"\x89PNG\r\n\x1a\n" + images.jpeg()[8:], "not a valid image"),
    ],
)
def test_non_images_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(errors.InvalidInput, match=message):
        clean_image(data, **LIMITS)


def test_oversized_file_is_refused() -> None:
    with pytest.raises(errors.InvalidInput, match="too large"):
        clean_image(images.jpeg() + b"\0" * LIMITS["max_bytes"], **LIMITS)


def test_pixel_flood_is_refused_before_decoding() -> None:
    with pytest.raises(errors.InvalidInput, match="too many pixels"):
        clean_image(images.pixel_flood(), **LIMITS)


def test_large_photo_is_scaled_down() -> None:
    clean = clean_image(images.jpeg(3000, 1500), **LIMITS)
    assert (clean.width, clean.height) == (2000, 1000)
