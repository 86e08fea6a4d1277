"""Photo uploads: only real images, re-encoded, without metadata, within limits."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from alerts import errors
from alerts.cases import photos
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


# -- decoding off the event loop, within bounds ----------------------------------------------------

DECODE_PEAK = """
import resource, sys
from alerts.cases.photos import clean_image
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
clean = clean_image(data, max_bytes=len(data), max_pixels=40_000_000, max_side=2000)
assert clean.width == 2000 and 1330 <= clean.height <= 1336, (clean.width, clean.height)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_a_40_megapixel_jpeg_is_decoded_at_the_scale_it_is_kept_at(tmp_path: Path) -> None:
    """Decoded whole, 7744 x 5163 pixels take 120 MB, and the copies on the way to the kept
    2000 x 1333 photo three times that; drafted at half scale, a fraction."""
    path = tmp_path / "big.jpg"
    Image.new("RGB", (7744, 5163), (90, 120, 150)).save(path, "JPEG", quality=85)
    decoder = subprocess.run(
        [sys.executable, "-c", DECODE_PEAK, str(path)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    grown_mb = int(decoder.stdout.strip())
    assert grown_mb < 150, f"decoding grew the process by {grown_mb} MB"


async def test_photos_are_decoded_in_worker_threads_a_bounded_number_at_a_time() -> None:
    running, most, threads = 0, 0, set()
    lock = threading.Lock()

    def work(seconds: float) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        time.sleep(seconds)
        with lock:
            running -= 1
        return running

    await asyncio.gather(*(photos.off_loop(2, work, 0.05) for _ in range(6)))

    assert most == 2
    assert threading.get_ident() not in threads


async def test_a_cleaned_photo_off_the_loop_is_the_same_photo() -> None:
    data = images.jpeg(3000, 1500)

    clean = await photos.clean_image_off_loop(data, workers=2, **LIMITS)

    assert clean == clean_image(data, **LIMITS)
