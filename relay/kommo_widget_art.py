"""Logos of any size for the Kommo widget archive: the product's mark (``wire.brand_mark``, the agent's icon too)
centred on a background. Pure Python: the relay's image has no Qt and no image library.
"""

from __future__ import annotations

from wire.brand_mark import WHITE, Color, png_bytes, render_mark

__all__ = ["png_bytes", "render_logo", "render_mark"]


def render_logo(width: int, height: int, *, background: Color | None = WHITE, mark_share: float = 0.78) -> bytes:
    """A ``width``×``height`` logo: the mark centred (its side ``mark_share`` of the shorter edge) on
    ``background`` (``None``: transparent). RGBA rows, straight alpha."""
    side = max(1, round(min(width, height) * mark_share))
    mark = render_mark(side)
    left, top = (width - side) // 2, (height - side) // 2
    base = bytes((*background, 255)) if background is not None else bytes(4)
    out = bytearray(base * (width * height))
    for row in range(side):
        for col in range(side):
            m = (row * side + col) * 4
            mr, mg, mb, ma = mark[m : m + 4]
            if ma == 0:
                continue
            i = ((top + row) * width + left + col) * 4
            br, bg, bb, ba = out[i : i + 4]
            out[i : i + 4] = _over((mr, mg, mb, ma), (br, bg, bb, ba))
    return bytes(out)


def _over(top: tuple[int, int, int, int], below: tuple[int, int, int, int]) -> bytes:
    ta, ba = top[3] / 255, below[3] / 255
    alpha = ta + ba * (1 - ta)
    if alpha <= 0:
        return bytes(4)
    channels = [round((top[c] * ta + below[c] * ba * (1 - ta)) / alpha) for c in range(3)]
    return bytes((*channels, round(alpha * 255)))
