"""The tray icon for each state, drawn with QPainter: no image files to ship or lose.

A coloured disc says the state from across the room (green connected, blue connecting, grey
paused, red needs attention); the white glyph on it says the same for anyone who does not
rely on colour (check, arc, pause bars, exclamation mark).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap

from agent.ui.status import TrayState

STATE_COLORS: dict[TrayState, str] = {
    TrayState.CONNECTED: "#188038",
    TrayState.CONNECTING: "#1A73E8",
    TrayState.PAUSED: "#5F6368",
    TrayState.ATTENTION: "#D93025",
}
GLYPH_COLOR = "#FFFFFF"
ICON_SIZES = (16, 20, 24, 32, 48, 64, 128)


def render_state_image(state: TrayState, size: int = 64) -> QImage:
    """The icon at one size, on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _draw(painter, state, float(size))
    finally:
        painter.end()
    return image


def state_icon(state: TrayState) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(render_state_image(state, size)))
    return icon


def _draw(painter: QPainter, state: TrayState, size: float) -> None:
    margin = max(0.5, size * 0.03)
    disc = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(STATE_COLORS[state]))
    painter.drawEllipse(disc)

    pen = QPen(QColor(GLYPH_COLOR))
    pen.setWidthF(max(1.6, size * 0.11))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    c = size / 2

    if state is TrayState.CONNECTED:
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath(QPointF(c - size * 0.22, c + size * 0.01))
        path.lineTo(QPointF(c - size * 0.06, c + size * 0.17))
        path.lineTo(QPointF(c + size * 0.23, c - size * 0.15))
        painter.drawPath(path)
    elif state is TrayState.CONNECTING:
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        r = size * 0.22
        # Three quarters of a circle: the "working on it" arc.
        painter.drawArc(QRectF(c - r, c - r, 2 * r, 2 * r), 90 * 16, 270 * 16)
    elif state is TrayState.PAUSED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(GLYPH_COLOR))
        bar_w, bar_h = size * 0.12, size * 0.42
        gap = size * 0.08
        for left in (c - gap - bar_w, c + gap):
            painter.drawRoundedRect(QRectF(left, c - bar_h / 2, bar_w, bar_h), bar_w * 0.3, bar_w * 0.3)
    else:  # ATTENTION
        painter.setPen(pen)
        painter.drawLine(QPointF(c, c - size * 0.22), QPointF(c, c + size * 0.06))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(GLYPH_COLOR))
        dot = pen.widthF() * 0.62
        painter.drawEllipse(QPointF(c, c + size * 0.21), dot, dot)
