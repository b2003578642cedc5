"""The tray icon and its menu. Where the desktop has no tray, `available` is False and nothing is shown."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from agent.ui.i18n import Translator
from agent.ui.icons import state_icon
from agent.ui.status import TrayState

PAUSE_CHOICES: tuple[str, ...] = ("30m", "1h", "tomorrow", "indefinitely")
TOMORROW_AT_HOUR = 7  # "until tomorrow": before the clinic opens


def pause_end(choice: str, now: datetime) -> datetime | None:
    """When a pause chosen in the menu ends by itself (None: until resumed). ``now`` is aware, local."""
    if choice == "30m":
        return now + timedelta(minutes=30)
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        return (now + timedelta(days=1)).replace(hour=TOMORROW_AT_HOUR, minute=0, second=0, microsecond=0)
    return None


class Tray(QObject):
    open_requested = Signal()
    pause_requested = Signal(bool)  # True = pause (until resumed)
    pause_until_requested = Signal(object)  # an aware datetime: a pause that ends by itself
    settings_requested = Signal()
    logs_requested = Signal()
    quit_requested = Signal()
    open_portal_requested = Signal()  # the web app asks for a code: open it for the receptionist (otp)
    message_clicked = Signal()

    def __init__(self, tr: Translator, available: bool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.paused = False
        self.to_contact = 0  # patients waiting for reception (the window's "Para contactar")
        self.state = TrayState.CONNECTING
        self.menu = QMenu()
        self.state_action = QAction(self.menu)  # the first line: the state in words, not clickable
        self.state_action.setEnabled(False)
        self.open_action = QAction(self.menu)
        self.pause_action = QAction(self.menu)
        # Pause for a while: it ends by itself (triggering pause_action itself pauses until resumed).
        self.pause_menu = QMenu()
        self.pause_choices: dict[str, QAction] = {}
        for choice in PAUSE_CHOICES:
            action = self.pause_menu.addAction("")
            action.triggered.connect(lambda _checked=False, c=choice: self._pause_for(c))
            self.pause_choices[choice] = action
        self.settings_action = QAction(self.menu)
        self.logs_action = QAction(self.menu)
        self.quit_action = QAction(self.menu)
        self.open_action.triggered.connect(self.open_requested)
        self.pause_action.triggered.connect(lambda: self.pause_requested.emit(not self.paused))
        self.settings_action.triggered.connect(self.settings_requested)
        self.logs_action.triggered.connect(self.logs_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.state_action)
        self.open_portal_action = QAction(self.menu)  # shown only while the web app asks for a code
        self.open_portal_action.setVisible(False)
        self.open_portal_action.triggered.connect(self.open_portal_requested)
        self.menu.addAction(self.open_portal_action)
        self.menu.addSeparator()
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction(self.settings_action)
        self.menu.addAction(self.logs_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        font = self.open_action.font()
        font.setBold(True)  # the default action, as Windows shows it
        self.open_action.setFont(font)

        self.icon = QSystemTrayIcon(state_icon(self.state), self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.message_clicked)
        self.retranslate(tr)
        if self.available:
            self.icon.show()

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self._show_open()
        self.settings_action.setText(tr("menu.settings"))
        self.logs_action.setText(tr("menu.logs"))
        self.quit_action.setText(tr("menu.quit"))
        self.open_portal_action.setText(tr("menu.open_portal") if self.open_portal_action.isVisible() else "")
        for choice, action in self.pause_choices.items():
            action.setText(tr(f"menu.pause_{choice}"))
        self._show_pause()

    def show_login_needed(self, needed: bool) -> None:
        """The web app asks for a code: the menu offers to open it (right under the state line)."""
        self.open_portal_action.setVisible(needed)
        self.open_portal_action.setText(self.tr("menu.open_portal") if needed else "")

    def show_state(self, state: TrayState, tooltip: str, paused: bool, can_pause: bool, line: str = "") -> None:
        self.state_action.setText(line or self.tr(f"state.{state.value}"))
        if state != self.state:
            self.state = state
            self.icon.setIcon(state_icon(state))
        self.icon.setToolTip(tooltip)
        self.paused = paused
        self.pause_action.setEnabled(can_pause)
        self._show_pause()

    def show_to_contact(self, count: int) -> None:
        """The patients waiting for reception, on the menu's first entry: a notification may be long gone."""
        self.to_contact = count
        self._show_open()

    def _show_open(self) -> None:
        count = self.to_contact
        self.open_action.setText(self.tr("menu.open_to_contact", count=count) if count else self.tr("menu.open"))

    def _show_pause(self) -> None:
        self.pause_action.setText(self.tr("menu.resume" if self.paused else "menu.pause"))
        self.pause_action.setMenu(None if self.paused else self.pause_menu)

    def _pause_for(self, choice: str, now: datetime | None = None) -> None:
        until = pause_end(choice, now or datetime.now().astimezone())
        if until is None:
            self.pause_requested.emit(True)
        else:
            self.pause_until_requested.emit(until)

    def notify(self, title: str, body: str, problem: bool) -> bool:
        """A desktop notification through the tray; False where there is no tray to show it."""
        if not (self.available and self.icon.isVisible() and QSystemTrayIcon.supportsMessages()):
            return False
        kind = QSystemTrayIcon.MessageIcon.Warning if problem else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(title, body, kind, 10_000 if problem else 6_000)
        return True

    def hide(self) -> None:
        self.icon.hide()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
