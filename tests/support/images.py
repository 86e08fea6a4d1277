"""Image files for the tests, made on the fly: photos, other formats, a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw


def jpeg(
    width: int = 400,
    height: int = 300,
    *,
    color: str | tuple[int, int, int] = (180, 90, 40),
    gps: bool = False,
) -> bytes:
    """A plain photo of one colour; with `gps`, a camera's EXIF data naming where it was taken."""
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        gps_ifd = {1: "N", 2: (50.0, 50.0, 47.0), 3: "E", 4: (4.0, 21.0, 10.0)}
        exif[0x8825] = gps_ifd  # GPSInfo
    image.save(out, "JPEG", exif=exif.tobytes() if gps else b"")
    return out.getvalue()


def png(width: int = 64, height: int = 64) -> bytes:
    """A half-transparent PNG."""
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    """A WebP image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 200)).save(out, "WEBP")
    return out.getvalue()


def pixel_flood(side: int = 30_000) -> bytes:
    """A tiny PNG that claims side x side pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    # Rewrite the IHDR width and height, with a valid CRC, so only the size gives it away.
    data[16:24] = struct.pack(">II", side, side)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def portrait(width: int = 600, height: int = 750) -> bytes:
    """A drawn stand-in for a child's photo (a silhouette on a soft background), as a JPEG."""
    image = Image.new("RGB", (width, height), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    cx = width // 2
    draw.ellipse((cx - 250, height - 260, cx + 250, height + 240), fill=(200, 60, 55))
    draw.ellipse((cx - 120, 150, cx + 120, 420), fill=(233, 196, 160))
    draw.pieslice((cx - 135, 120, cx + 135, 390), 180, 360, fill=(92, 62, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
