"""The product's mark (a calendar card with a check mark on a teal tile), drawn in pure Python (zlib + struct).

Both sides draw it: the agent's installer (``installer/app_icon.py``: PNG, ICO, ICNS) and the relay's Kommo
widget archive (``relay/kommo_widget_art.py``: logos). ``wire`` is the one package both carry, and the relay's
image has no Qt and no image library. Shapes are signed distance functions; a pixel's coverage is its distance to
the edge, which anti-aliases every size without supersampling.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable

Color = tuple[int, int, int]
Distance = Callable[[float, float], float]  # negative inside, in units of the mark's side

TEAL: Color = (14, 124, 102)
DARK_TEAL: Color = (8, 80, 66)
AMBER: Color = (255, 181, 71)
WHITE: Color = (255, 255, 255)


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
    return lambda x, y: y - limit


_CARD = _rounded_box(0.21, 0.27, 0.79, 0.81, 0.07)
LAYERS: tuple[tuple[Distance, Color], ...] = (
    (_rounded_box(0.03, 0.03, 0.97, 0.97, 0.21), TEAL),
    (_CARD, WHITE),
    (_intersection(_CARD, _below(0.42)), AMBER),
    (_union(_rounded_box(0.31, 0.2, 0.38, 0.34, 0.035), _rounded_box(0.62, 0.2, 0.69, 0.34, 0.035)), DARK_TEAL),
    (_union(_segment(0.35, 0.6, 0.46, 0.7, 0.045), _segment(0.46, 0.7, 0.66, 0.5, 0.045)), TEAL),
)


def render_mark(size: int) -> bytes:
    """The mark on a transparent square: RGBA rows top to bottom, straight alpha."""
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
                new_a = coverage + a * (1.0 - coverage)
                r = (lr * coverage + r * a * (1.0 - coverage)) / new_a
                g = (lg * coverage + g * a * (1.0 - coverage)) / new_a
                b = (lb * coverage + b * a * (1.0 - coverage)) / new_a
                a = new_a
            i = (row * size + col) * 4
            out[i : i + 4] = bytes((round(r), round(g), round(b), round(a * 255)))
    return bytes(out)


def png_bytes(width: int, height: int, rgba: bytes) -> bytes:
    """An 8-bit RGBA PNG of straight-alpha rows, top to bottom."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    stride = width * 4
    raw = b"".join(b"\x00" + rgba[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
