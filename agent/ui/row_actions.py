"""What a row of the bookings window and of the "Para contactar" panel offers, written once.

Both lists offer the same things on a row: copy the phone, open WhatsApp, open the lead in Kommo, open the
appointment in the clinic's web app (only where the driver can give its address: agent/portal/links.py), and its
detail (double-click, Enter, or the first entry of the right-click menu). ``RowLinks`` says what a row has;
``fill_menu`` and ``add_buttons`` build the menu entries and dialog buttons from it; ``RowTable`` wires a table's
right-click and Enter. The widgets only forward what was chosen (a phone to copy, a URL to open): the app acts.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialogButtonBox, QMenu, QPushButton, QTableView

from agent.ui.i18n import Translator

# (action, label key), in the order menus and dialogs show them.
LINK_ACTIONS: tuple[tuple[str, str], ...] = (
    ("copy", "followups.copy_phone"),
    ("whatsapp", "followups.whatsapp"),
    ("kommo", "followups.kommo"),
    ("agenda", "followups.open_agenda"),
)
# Offered only when the row has one: a web app whose driver cannot say where an appointment is shows no such entry.
HIDDEN_WHEN_MISSING = frozenset({"agenda"})


@dataclass(frozen=True)
class RowLinks:
    """What one row can be acted on with ("" where it has none)."""

    phone: str = ""
    whatsapp: str = ""  # wa.me link
    kommo: str = ""  # the lead in Kommo
    agenda: str = ""  # the appointment in the clinic's web app

    def target(self, action: str) -> str:
        return {"copy": self.phone, "whatsapp": self.whatsapp, "kommo": self.kommo, "agenda": self.agenda}[action]


def whatsapp_url(phone: str) -> str:
    """wa.me link to write to a patient ("" without a usable number)."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"https://wa.me/{digits}" if 6 <= len(digits) <= 15 else ""


class RowActor:
    """Turns a chosen action into the widget's signal: ``copy(phone)`` or ``open(url)``."""

    def __init__(self, copy: Callable[[str], None], open_url: Callable[[str], None]) -> None:
        self._copy = copy
        self._open = open_url

    def act(self, action: str, links: RowLinks) -> None:
        target = links.target(action)
        if not target:
            return
        if action == "copy":
            self._copy(target)
        else:
            self._open(target)


def fill_menu(menu: QMenu, tr: Translator, links: RowLinks, actor: RowActor, *,
              actions: tuple[str, ...] = ("copy", "whatsapp", "agenda")) -> None:
    """Append the row's link entries to a right-click menu (disabled when missing; the agenda's hidden)."""
    for action, key in LINK_ACTIONS:
        if action not in actions:
            continue
        target = links.target(action)
        if not target and action in HIDDEN_WHEN_MISSING:
            continue
        entry = menu.addAction(tr(key))
        entry.setObjectName(f"action_{action}")
        entry.setEnabled(bool(target))
        entry.triggered.connect(lambda _checked=False, a=action: actor.act(a, links))


def add_buttons(box: QDialogButtonBox, tr: Translator, links: RowLinks, actor: RowActor, *,
                actions: tuple[str, ...] = ("whatsapp", "copy", "agenda")) -> dict[str, QPushButton]:
    """Add the row's link buttons to a detail dialog, in ``actions`` order; returns them by action."""
    labels = dict(LINK_ACTIONS)
    buttons: dict[str, QPushButton] = {}
    for action in actions:
        target = links.target(action)
        if not target and action in HIDDEN_WHEN_MISSING:
            continue
        button = box.addButton(tr(labels[action]), QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(f"button_{action}")
        button.setEnabled(bool(target))
        button.clicked.connect(lambda _checked=False, a=action: actor.act(a, links))
        buttons[action] = button
    return buttons


class RowTable(QObject):
    """A table's right-click menu and Enter key: ``menu_for(row_index)`` builds the menu, ``open_detail()`` opens
    the selected row's detail (double-click does too)."""

    def __init__(self, table: QTableView, menu_for: Callable[[int], QMenu | None],
                 open_detail: Callable[[], object]) -> None:
        super().__init__(table)
        self.table = table
        self._menu_for = menu_for
        self._open_detail = open_detail
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(lambda _index: open_detail())
        table.installEventFilter(self)

    def _context_menu(self, position: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = self._menu_for(index.row())
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_detail()
                return True
        return super().eventFilter(watched, event)


def detail_entry(menu: QMenu, tr: Translator, open_detail: Callable[[], object]) -> None:
    """The menu's first entry: the row's detail."""
    entry = menu.addAction(tr("followups.detail"))
    entry.triggered.connect(lambda _checked=False: open_detail())


def plain_tip(lines: list[str]) -> str:
    """A tooltip showing ``lines`` as typed: a patient's name or words from Kommo are text, never markup."""
    if not lines:
        return ""
    return "<qt>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</qt>"
