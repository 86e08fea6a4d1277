"""Photo uploads: only real JPEG, PNG or WebP images, re-encoded without any metadata.

Decoding a large photo takes seconds of CPU and up to 360 MB: `clean_image_off_loop` does it
in a worker thread (Pillow lets go of the GIL while it decodes and resamples), a bounded number
at a time, so a request with a 40-megapixel photo neither stalls the others nor multiplies the
memory it takes. A JPEG is decoded straight at about the scale it is kept at (`Image.draft`: 1/2 to
1/8 of each side, from the compressed data), never at its full size.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image, ImageOps

from alerts.errors import InvalidInput

T = TypeVar("T")
_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}


@dataclass(frozen=True, kw_only=True)
class CleanImage:
    jpeg: bytes
    width: int
    height: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The image format the bytes start with (JPEG, PNG, WEBP), or None."""
    for magic, fmt in _SIGNATURES.items():
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_image(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> CleanImage:
    """`data` decoded and re-encoded as a JPEG with no EXIF, GPS or other metadata.

    Refuses anything that is not a JPEG, PNG or WebP image by content (not by name or declared
    type), files over `max_bytes`, and images over `max_pixels` before decoding them.
    """
    if not data:
        raise InvalidInput("The file is empty.", field="photo")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"The photo is too large (at most {max_bytes // (1024 * 1024)} MB).", field="photo"
        )
    declared = sniff(data)
    if declared is None:
        raise InvalidInput("Only JPEG, PNG or WebP photos are accepted.", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != declared:
                raise InvalidInput("The file is not a valid image.", field="photo")
            if image.width * image.height > max_pixels:
                raise InvalidInput("The photo has too many pixels.", field="photo")
            _draft(image, max_side)
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("The photo has too many pixels.", field="photo") from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidInput("The file is not a valid image.", field="photo") from None
    return _reencode(image, max_side)


def _draft(image: Image.Image, max_side: int) -> None:
    """Let a JPEG decode at the smallest of 1/1..1/8 scale that still covers max_side (the
    decoder drops the detail while reading: a quarter or less of the pixels in memory)."""
    if image.format != "JPEG":
        return
    scale = max_side / max(image.width, image.height)
    if scale < 1:
        image.draft(None, (round(image.width * scale), round(image.height * scale)))


def _reencode(image: Image.Image, max_side: int) -> CleanImage:
    # Apply the EXIF orientation before dropping EXIF, so the photo stays upright.
    ImageOps.exif_transpose(image, in_place=True)  # in place: no second copy of the pixels
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif/icc arguments: no EXIF, GPS or profile. Pillow would still copy the source's JPEG
    # comment (COM segment, which can carry anything, markup included) unless told not to.
    image.save(out, "JPEG", quality=85, optimize=True, comment=b"")
    jpeg = out.getvalue()
    return CleanImage(
        jpeg=jpeg, width=image.width, height=image.height, sha256=hashlib.sha256(jpeg).hexdigest()
    )


DECODER_NICENESS = 10
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def decoder_pool(workers: int) -> ThreadPoolExecutor:
    """The process's photo decoders: `workers` threads (one pool per size, made at first use);
    work beyond them waits in the pool's queue, holding only its compressed bytes."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = ThreadPoolExecutor(
                max(workers, 1), thread_name_prefix="photo-decoder", initializer=_yield_cpu
            )
            _pools[workers] = pool
        return pool


def _yield_cpu() -> None:
    """Lower this decoder thread's priority (Linux: per thread), so that the event loop's
    thread gets the CPU first when the cores are busy decoding."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODER_NICENESS)


async def off_loop(workers: int, work: Callable[..., T], *args: object) -> T:
    """`work(*args)` run by one of the photo decoders, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(decoder_pool(workers), functools.partial(work, *args))


async def clean_image_off_loop(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int, workers: int
) -> CleanImage:
    """`clean_image`, run by one of the process's `workers` photo decoders."""
    clean = functools.partial(
        clean_image, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side
    )
    return await off_loop(workers, clean, data)
