"""The agent's icon, drawn at build time: a calendar card with a check mark on a teal tile.

Pure Python (zlib + struct) so the build needs no image library and the repository carries no binary.
Shapes are signed distance functions; a pixel's coverage is its distance to the edge, which
anti-aliases every size without supersampling. Writes PNG, ICO (Windows) and ICNS (macOS).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

Color = tuple[int, int, int]
Distance = Callable[[float, float], float]  # negative inside, in units of the icon's side

TEAL: Color = (14, 124, 102)
DARK_TEAL: Color = (8, 80, 66)
AMBER: Color = (255, 181, 71)
WHITE: Color = (255, 255, 255)

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (Apple's "icp4".."ic14").
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"ic11", 32), (b"ic12", 64), (b"ic07", 128),
              (b"ic13", 256), (b"ic08", 256), (b"ic14", 512), (b"ic09", 512))


def _rounded_box(x0: float, y0: float, x1: float, y1: float, radius: float) -> Distance:
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - radius, (y1 - y0) / 2 - radius

    def distance(x: float, y: float) -> float:
        qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return distance


def _segment(ax: float, ay: float, bx: float, by: float, half_width: float) -> Distance:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def distance(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) - half_width

    return distance


def _union(*parts: Distance) -> Distance:
    return lambda x, y: min(part(x, y) for part in parts)


def _intersection(*parts: Distance) -> Distance:
    return lambda x, y: max(part(x, y) for part in parts)


def _below(limit: float) -> Distance:
    """The half-plane y < limit (y grows downwards)."""
    return lambda x, y: y - limit


_CARD = _rounded_box(0.21, 0.27, 0.79, 0.81, 0.07)
LAYERS: tuple[tuple[Distance, Color], ...] = (
    (_rounded_box(0.03, 0.03, 0.97, 0.97, 0.21), TEAL),
    (_CARD, WHITE),
    (_intersection(_CARD, _below(0.42)), AMBER),
    (_union(_rounded_box(0.31, 0.2, 0.38, 0.34, 0.035), _rounded_box(0.62, 0.2, 0.69, 0.34, 0.035)), DARK_TEAL),
    (_union(_segment(0.35, 0.6, 0.46, 0.7, 0.045), _segment(0.46, 0.7, 0.66, 0.5, 0.045)), TEAL),
)


@dataclass(frozen=True)
class Image:
    size: int
    rgba: bytes  # rows top to bottom, 4 bytes a pixel, straight (not premultiplied) alpha


def render(size: int) -> Image:
    out = bytearray(size * size * 4)
    for row in range(size):
        y = (row + 0.5) / size
        for col in range(size):
            x = (col + 0.5) / size
            r = g = b = a = 0.0
            for distance, (lr, lg, lb) in LAYERS:
                coverage = min(1.0, max(0.0, 0.5 - distance(x, y) * size))
                if coverage <= 0.0:
                    continue
                # "over" compositing with straight alpha
                new_a = coverage + a * (1.0 - coverage)
                r = (lr * coverage + r * a * (1.0 - coverage)) / new_a
                g = (lg * coverage + g * a * (1.0 - coverage)) / new_a
                b = (lb * coverage + b * a * (1.0 - coverage)) / new_a
                a = new_a
            i = (row * size + col) * 4
            out[i : i + 4] = bytes((round(r), round(g), round(b), round(a * 255)))
    return Image(size, bytes(out))


def png_bytes(image: Image) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    stride = image.size * 4
    raw = b"".join(b"\x00" + image.rgba[row * stride : (row + 1) * stride] for row in range(image.size))
    header = struct.pack(">IIBBBBB", image.size, image.size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


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
