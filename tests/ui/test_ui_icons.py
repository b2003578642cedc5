"""Each state draws its own icon: the disc's colour says the state, the white glyph says it without colour."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage

from agent.ui.icons import GLYPH_COLOR, STATE_COLORS, render_state_image, state_icon
from agent.ui.status import TrayState


def opaque_colors(image: QImage) -> Counter[str]:
    counts: Counter[str] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() == 255:
                counts[color.name()] += 1
    return counts


@pytest.mark.parametrize("state", list(TrayState))
def test_icon_is_a_disc_of_the_state_colour_with_a_white_glyph(state, shots):
    image = render_state_image(state, 64)
    image.save(str(shots / f"icon-{state.value}.png"))
    counts = opaque_colors(image)
    disc, glyph = QColor(STATE_COLORS[state]).name(), QColor(GLYPH_COLOR).name()
    assert counts.most_common(1)[0][0] == disc
    assert counts[glyph] > 64  # the glyph is there, and big enough to read
    assert image.pixelColor(0, 0).alpha() == 0  # round, on a transparent background
    assert image.pixelColor(4, 32).name() == disc


def test_glyphs_differ_where_colour_alone_would_not_tell():
    def glyph_mask(state: TrayState) -> set[tuple[int, int]]:
        image = render_state_image(state, 64)
        return {(x, y) for y in range(64) for x in range(64) if image.pixelColor(x, y).name() == GLYPH_COLOR.lower()}

    masks = {state: glyph_mask(state) for state in TrayState}
    states = list(TrayState)
    for i, a in enumerate(states):
        for b in states[i + 1:]:
            overlap = len(masks[a] & masks[b]) / max(len(masks[a] | masks[b]), 1)
            assert overlap < 0.5, (a, b)
    # Paused: the centre is between the two bars; attention: the centre is on the bar of the "!".
    assert (32, 32) not in masks[TrayState.PAUSED]
    assert (32, 26) in masks[TrayState.ATTENTION]


def test_icon_has_every_tray_size(qapp):
    icon = state_icon(TrayState.CONNECTED)
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (64, 64)} <= sizes
    small = icon.pixmap(16, 16).toImage()
    assert small.pixelColor(8, 3).name() == QColor(STATE_COLORS[TrayState.CONNECTED]).name()
