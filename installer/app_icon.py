"""The agent's icon, drawn at build time from the product's mark (``wire.brand_mark``): PNG, ICO (Windows) and
ICNS (macOS). Pure Python (zlib + struct) so the build needs no image library and the repository carries no binary.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from wire import brand_mark
from wire.brand_mark import TEAL

__all__ = ["ICNS_TYPES", "ICO_SIZES", "TEAL", "IconFiles", "Image", "icns_bytes", "ico_bytes", "png_bytes", "render",
           "write_icons"]

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (Apple's "icp4".."ic14").
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"ic11", 32), (b"ic12", 64), (b"ic07", 128),
              (b"ic13", 256), (b"ic08", 256), (b"ic14", 512), (b"ic09", 512))


@dataclass(frozen=True)
class Image:
    size: int
    rgba: bytes  # rows top to bottom, 4 bytes a pixel, straight (not premultiplied) alpha


def render(size: int) -> Image:
    return Image(size, brand_mark.render_mark(size))


def png_bytes(image: Image) -> bytes:
    return brand_mark.png_bytes(image.size, image.size, image.rgba)


def _bmp_entry(image: Image) -> bytes:
    """A classic ICO image (BITMAPINFOHEADER + bottom-up BGRA + AND mask): every Windows tool reads it."""
    size = image.size
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = bytearray()
    for row in reversed(range(size)):
        for col in range(size):
            i = (row * size + col) * 4
            r, g, b, a = image.rgba[i : i + 4]
            pixels += bytes((b, g, r, a))
    mask_stride = ((size + 31) // 32) * 4
    mask = bytes(mask_stride * size)  # all zero: the alpha channel decides
    return header + bytes(pixels) + mask


def ico_bytes(images: Iterable[Image]) -> bytes:
    images = sorted(images, key=lambda im: im.size)
    blobs = [png_bytes(im) if im.size >= 256 else _bmp_entry(im) for im in images]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for image, blob in zip(images, blobs, strict=True):
        side = 0 if image.size >= 256 else image.size  # 0 means 256
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    return out + b"".join(blobs)


def icns_bytes(render_size: Callable[[int], Image]) -> bytes:
    pngs: dict[int, bytes] = {}
    body = b""
    for kind, size in ICNS_TYPES:
        if size not in pngs:
            pngs[size] = png_bytes(render_size(size))
        body += kind + struct.pack(">I", len(pngs[size]) + 8) + pngs[size]
    return b"icns" + struct.pack(">I", len(body) + 8) + body


@dataclass(frozen=True)
class IconFiles:
    png: Path
    ico: Path
    icns: Path | None


def write_icons(folder: Path, basename: str, *, icns: bool = False) -> IconFiles:
    """Write <basename>.png (256 px) and .ico (16-256 px), and .icns when asked (macOS builds only: it is slow)."""
    folder.mkdir(parents=True, exist_ok=True)
    cache: dict[int, Image] = {}

    def sized(size: int) -> Image:
        if size not in cache:
            cache[size] = render(size)
        return cache[size]

    png = folder / f"{basename}.png"
    png.write_bytes(png_bytes(sized(256)))
    ico = folder / f"{basename}.ico"
    ico.write_bytes(ico_bytes(sized(size) for size in ICO_SIZES))
    icns_path = None
    if icns:
        icns_path = folder / f"{basename}.icns"
        icns_path.write_bytes(icns_bytes(sized))
    return IconFiles(png, ico, icns_path)
