"""The look: colours and the style sheet shared by the windows. One place to change it."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

from agent.ui.status import TrayState

TEXT = "#1F1F1F"
MUTED = "#5F6368"
BORDER = "#DADCE0"
SURFACE = "#FFFFFF"
BACKGROUND = "#F3F4F6"
ACCENT = "#0F6CBD"  # Windows 11 accent blue

STATUS_TEXT = {
    "booked": "#0B6A2E",
    "in_progress": "#1A56B0",
    "failed": "#B3261E",
    "handoff": "#8A5300",
    "gone": "#5F6368",
    "cancelled": "#5F6368",
    "moved": "#1A56B0",
    "replaced": "#5F6368",
}
ROW_TINT = {
    "failed": "#FDECEA",
    "handoff": "#FFF4E0",
}
BANNER = {
    "paused": ("#FFF4CE", "#8A5300"),
    "attention": ("#FDE7E9", "#A4262C"),
    "info": ("#E8F1FB", "#0F4C81"),
}
PILL = {
    TrayState.CONNECTED: ("#E6F4EA", "#0B6A2E"),
    TrayState.CONNECTING: ("#E8F0FE", "#1A56B0"),
    TrayState.PAUSED: ("#F1F3F4", "#3C4043"),
    TrayState.ATTENTION: ("#FCE8E6", "#A4262C"),
}

STYLE_SHEET = f"""
QMainWindow, QDialog, QWizard {{ background: {BACKGROUND}; }}
QWidget#header {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QLabel#heading {{ color: {TEXT}; }}
QLabel#summary {{ color: {MUTED}; }}
QLabel#banner {{ border-radius: 6px; padding: 8px 12px; }}
QPushButton {{
    background: {SURFACE}; color: {TEXT}; border: 1px solid {BORDER}; border-radius: 4px;
    padding: 5px 14px; min-height: 20px;
}}
QPushButton:hover {{ background: #F5F5F5; }}
QPushButton:pressed {{ background: #EBEBEB; }}
QPushButton:disabled {{ color: #A0A0A0; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; font-weight: 600; }}
QPushButton#primary:hover {{ background: #115EA3; }}
QPushButton#primary:disabled {{ background: #9CBFE3; border-color: #9CBFE3; }}
QLineEdit {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-bottom: 1px solid #8A8A8A; border-radius: 4px;
    padding: 4px 8px; min-height: 20px; color: {TEXT};
}}
QLineEdit:focus {{ border-bottom: 2px solid {ACCENT}; }}
QComboBox {{ min-height: 24px; padding: 2px 8px; }}
QTableView {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; gridline-color: transparent;
    selection-background-color: #CFE4FA; selection-color: {TEXT}; alternate-background-color: #FAFAFA;
}}
QTableView::item {{ padding-left: 8px; padding-right: 8px; }}
QHeaderView::section {{
    background: {SURFACE}; color: {MUTED}; border: none; border-bottom: 1px solid {BORDER};
    padding: 6px 8px; font-weight: 600;
}}
QGroupBox {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; margin-top: 14px;
    padding: 14px 12px 10px 12px; font-weight: 600;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {TEXT}; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; color: {TEXT}; }}
QStatusBar::item {{ border: none; }}
QLabel#note {{ color: {MUTED}; }}
"""


def apply_app_look(app: QApplication) -> None:
    """Fusion everywhere but Windows and macOS, where the native style already looks native."""
    if sys.platform not in ("win32", "darwin"):
        app.setStyle("Fusion")
        font = QFont(app.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.5))
        app.setFont(font)


def pill_style(state: TrayState) -> str:
    background, foreground = PILL[state]
    return (f"background: {background}; color: {foreground}; border: 1px solid {foreground}33; border-radius: 12px;"
            " padding: 3px 12px; font-weight: 600;")


def color(name: str) -> QColor:
    return QColor(name)
