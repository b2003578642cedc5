"""Desktop notifications: through the tray where there is one, else as a note in the bookings window."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QWidget

from agent.ui.i18n import Translator
from agent.ui.status import Notice
from agent.ui.tray import Tray

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shown:
    kind: str
    title: str
    body: str
    via: str  # "tray" | "window"


class Notifier:
    def __init__(self, tray: Tray, window: QWidget, show_in_window: Callable[[str, str], None]) -> None:
        self.tray = tray
        self.window = window
        self.show_in_window = show_in_window
        self.shown: list[Shown] = []  # this session's notifications, newest last

    def show(self, notice: Notice, tr: Translator) -> None:
        title, body = notice.text(tr)
        if self.tray.notify(title, body, notice.problem):
            via = "tray"
        else:
            self.show_in_window(title, body)
            QApplication.alert(self.window)  # flashes the taskbar entry on Windows
            via = "window"
        # Only the kind: patient names stay out of the log.
        log.info("notification shown (%s) via %s", notice.kind, via)
        self.shown.append(Shown(notice.kind, title, body, via))
        del self.shown[:-200]
