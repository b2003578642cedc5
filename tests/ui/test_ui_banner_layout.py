"""A banner in the bookings window is as tall as its text; the bookings table gets the window's spare height."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint

from agent.ui.bookings_window import BookingsWindow
from agent.ui.i18n import Translator


@pytest.mark.parametrize("width", [1060, 520])
def test_a_standing_banner_leaves_the_spare_height_to_the_bookings_table(qtbot, shots: Path, width: int) -> None:
    window = BookingsWindow(Translator("es"))
    qtbot.addWidget(window)
    window.show_info(window.tr("banner.no_tray"))
    window.resize(width, 640)
    window.show()
    qtbot.waitExposed(window)

    banner = window.banner_labels["info"]
    assert banner.isVisible()
    # The banner's box holds its wrapped text and no more; the table below is the tallest thing in the window.
    assert banner.height() <= banner.heightForWidth(banner.width()) + 2
    assert window.stack.height() > 3 * banner.height()
    banner_bottom = banner.mapTo(window, QPoint(0, banner.height())).y()
    table_top = window.stack.mapTo(window, QPoint(0, 0)).y()
    assert 0 < table_top - banner_bottom < 120  # the filter row between, no void
    window.grab().save(str(shots / f"bookings-window-banner-{width}.png"))
