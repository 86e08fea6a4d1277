"""Photo uploads: only real JPEG, PNG or WebP images, re-encoded without any metadata."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from alerts.errors import InvalidInput

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
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("The photo has too many pixels.", field="photo") from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidInput("The file is not a valid image.", field="photo") from None
    return _reencode(image, max_side)


def _reencode(image: Image.Image, max_side: int) -> CleanImage:
    # Apply the EXIF orientation before dropping EXIF, so the photo stays upright.
    image = ImageOps.exif_transpose(image) or image
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
