"""Desktop notifications: through the tray where there is one, else as a note in the bookings window.

News (a booking, a patient to contact) is queued, never replaced: the first shows at once, and what arrives while
it is on screen is shown next — one at a time, or summarized when several came together ("3 reservas nuevas").
Problems (the web app refused the password, the relay is unreachable…) show at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from agent.ui.i18n import Translator
from agent.ui.status import Notice
from agent.ui.tray import Tray

log = logging.getLogger(__name__)

NEWS = ("booked", "handoff", "cancelled", "moved")
NEWS_SHOWN_MS = 6_000  # how long the tray shows news: the next waits until then


@dataclass(frozen=True)
class Shown:
    kind: str  # a Notice kind, or "summary" for several news at once
    title: str
    body: str
    via: str  # "tray" | "window"


def summary_text(notices: list[Notice], tr: Translator) -> tuple[str, str]:
    """(title, body) for several news at once: "3 reservas nuevas", "2 pacientes para contactar", or both."""
    booked = sum(1 for n in notices if n.kind == "booked")
    handoffs = sum(1 for n in notices if n.kind == "handoff")
    changes = len(notices) - booked - handoffs
    parts = []
    if booked:
        parts.append(tr("note.summary.booked", count=booked) if booked > 1 else tr("note.summary.booked_one"))
    if handoffs:
        parts.append(tr("note.summary.handoff", count=handoffs) if handoffs > 1 else tr("note.summary.handoff_one"))
    if changes:
        parts.append(tr("note.summary.changed", count=changes) if changes > 1 else tr("note.summary.changed_one"))
    names = [dict(n.params).get("patient", "") for n in notices]
    return " · ".join(parts), ", ".join(name for name in names if name)[:200]


class Notifier(QObject):
    def __init__(self, tray: Tray, window: QWidget, show_in_window: Callable[[str, str], None],
                 news_shown_ms: int = NEWS_SHOWN_MS) -> None:
        super().__init__(window)
        self.tray = tray
        self.window = window
        self.show_in_window = show_in_window
        self.shown: list[Shown] = []  # this session's notifications, newest last
        self.waiting: list[tuple[Notice, Translator]] = []  # news queued behind the one on screen
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(news_shown_ms)
        self.timer.timeout.connect(self._show_waiting)

    def show(self, notice: Notice, tr: Translator) -> None:
        if notice.kind not in NEWS:
            self._display(notice.kind, *notice.text(tr), notice.problem)
            return
        self.waiting.append((notice, tr))
        if not self.timer.isActive():
            self._show_waiting()

    def _show_waiting(self) -> None:
        batch, self.waiting = self.waiting, []
        if not batch:
            return
        if len(batch) == 1:
            notice, tr = batch[0]
            self._display(notice.kind, *notice.text(tr), False)
        else:
            tr = batch[-1][1]
            self._display("summary", *summary_text([n for n, _ in batch], tr), False)
        self.timer.start()

    def _display(self, kind: str, title: str, body: str, problem: bool) -> None:
        if self.tray.notify(title, body, problem):
            via = "tray"
        else:
            self.show_in_window(title, body)
            QApplication.alert(self.window)  # flashes the taskbar entry on Windows
            via = "window"
        # Only the kind: patient names stay out of the log.
        log.info("notification shown (%s) via %s", kind, via)
        self.shown.append(Shown(kind, title, body, via))
        del self.shown[:-200]
