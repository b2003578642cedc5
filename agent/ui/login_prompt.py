"""The prompt shown when the web app asks for more than the password: "La agenda pide un código: ábrela aquí".

A small non-modal window with one action: open the web app in a visible browser window at the screen that asks
(the engine does it: ``Engine.finish_login_by_person``). It says what happens next, then that it is done, or that
the window was closed first. It holds no behaviour: ``open_requested`` goes to the app, the app calls ``show_state``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from agent.ui.i18n import Translator

STEPS = ("code", "captcha", "new_password")
STATES = ("asking", "waiting", "done", "closed")


class LoginPrompt(QDialog):
    """``show_step(step)`` when the engine reports login_needs_person; ``show_state`` as the window comes and goes."""

    open_requested = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPrompt")
        self.setModal(False)
        self.setMinimumWidth(460)
        self.tr = tr
        self.step = "code"
        self.state = "asking"

        self.heading = QLabel(self)
        self.heading.setObjectName("heading")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("summary")
        self.progress = QLabel(self)
        self.progress.setWordWrap(True)
        self.progress.setObjectName("banner")
        self.progress.hide()
        for label in (self.heading, self.explain, self.hint, self.progress):
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.open_button = QPushButton(self)
        self.open_button.setObjectName("primary")
        self.open_button.setDefault(True)
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.clicked.connect(self.open_requested.emit)
        self.later_button = QPushButton(self)
        self.later_button.clicked.connect(self.hide)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        for widget in (self.heading, self.explain, self.hint, self.progress):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.retranslate(tr)

    def show_step(self, step: str) -> None:
        """What the web app asks for; shows the prompt (again) in its asking state."""
        self.step = step if step in STEPS else "code"
        self.show_state("asking")

    def show_state(self, state: str) -> None:
        """asking | waiting (the window is open) | done (the agent is back in) | closed (closed before the end)."""
        self.state = state if state in STATES else "asking"
        self._fill()

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self._fill()

    def _fill(self) -> None:
        tr = self.tr
        self.setWindowTitle(tr("prompt.title"))
        self.heading.setText(tr(f"prompt.{self.step}"))
        self.explain.setText(tr("prompt.explain"))
        self.hint.setText(tr("prompt.new_password_hint"))
        self.hint.setVisible(self.step == "new_password")
        self.open_button.setText(tr("prompt.open"))
        words = {"waiting": "prompt.waiting", "done": "prompt.done", "closed": "prompt.closed"}.get(self.state)
        self.progress.setText(tr(words) if words else "")
        self.progress.setVisible(words is not None)
        self.progress.setStyleSheet("background: #E8F1FB; color: #0F4C81;" if self.state != "closed"
                                    else "background: #FFF4CE; color: #8A5300;")
        self.open_button.setEnabled(self.state in ("asking", "closed"))
        self.open_button.setVisible(self.state != "done")
        self.later_button.setText(tr("prompt.later" if self.state != "done" else "prompt.close"))
