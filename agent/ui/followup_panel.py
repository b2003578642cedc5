"""The "Para contactar" panel of the bookings window: patients the bot handed to reception, with what to do.

Each row offers: copy the phone, open WhatsApp (wa.me), open the lead in Kommo, open the patient's appointment in
the clinic's web app (where the driver can say where it is), and "Contactado" (the row goes, remembered in the
follow-up book; ``UndoBar`` then offers "Deshacer" for a few seconds). The same actions are on the row's right-click
menu; double-click or Enter opens the row's detail (agent/ui/row_actions.py, shared with the bookings window). The
panel only shows and forwards: the app decides, and gives the count its title shows (the window's and the tray's).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent.ui.followup_rows import FOLLOW_UP_COLUMNS, FollowUpRow
from agent.ui.i18n import Translator
from agent.ui.row_actions import RowActor, RowLinks, RowTable, add_buttons, detail_entry, fill_menu, plain_tip

MENU_ACTIONS = ("copy", "whatsapp", "kommo", "agenda")
VISIBLE_ROWS = 4  # patients shown at once; more scroll inside the list

ID_ROLE = Qt.ItemDataRole.UserRole + 10


class FollowUpPanel(QFrame):
    contacted = Signal(str)  # follow-up id
    copy_requested = Signal(str)  # phone
    open_requested = Signal(str)  # a URL: wa.me, the Kommo lead, or the appointment in the web app

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.rows: list[FollowUpRow] = []
        self.count = 0  # the patients to contact, as the app counts them (the window's header and the tray say it too)
        self.setObjectName("followUps")
        self.setStyleSheet("QFrame#followUps { background: #FFF8EC; border: 1px solid #F2C46D; border-radius: 6px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        self.title = QLabel(self)
        font = self.title.font()
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.hint = QLabel(self)
        self.hint.setObjectName("note")
        self.hint.setWordWrap(True)
        # The count above also counts this PC's failed bookings the relay has not handed over yet: said where they are
        self.also_below = QLabel(self)
        self.also_below.setObjectName("note")
        self.also_below.setWordWrap(True)
        self.also_below.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.also_below)

        self.table = QTableWidget(0, len(FOLLOW_UP_COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.actor = RowActor(self.copy_requested.emit, self.open_requested.emit)
        self.row_table = RowTable(self.table, self._menu_at, self.show_detail)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in zip(FOLLOW_UP_COLUMNS, (200, 140, 260, 190, 120), strict=True):
            self.table.setColumnWidth(FOLLOW_UP_COLUMNS.index(column), width)
        header.setSectionResizeMode(FOLLOW_UP_COLUMNS.index("reason"), QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.copy_button = QPushButton(self)
        self.whatsapp_button = QPushButton(self)
        self.kommo_button = QPushButton(self)
        self.agenda_button = QPushButton(self)
        self.agenda_button.hide()  # only for a row whose appointment the driver can show
        self.detail_button = QPushButton(self)
        self.contacted_button = QPushButton(self)
        self.contacted_button.setObjectName("primary")
        for action, button in (("copy", self.copy_button), ("whatsapp", self.whatsapp_button),
                               ("kommo", self.kommo_button), ("agenda", self.agenda_button)):
            button.clicked.connect(lambda _checked=False, a=action: self._act(a))
        self.detail_button.clicked.connect(lambda: self.show_detail())
        self.contacted_button.clicked.connect(lambda: self._act("contacted"))
        for button in (self.copy_button, self.whatsapp_button, self.kommo_button, self.agenda_button,
                       self.detail_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.contacted_button)
        layout.addLayout(buttons)
        self.detail_dialog: QDialog | None = None
        self.retranslate(tr)

    # -- showing ------------------------------------------------------------------------

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self.table.setHorizontalHeaderLabels([tr(f"col.{c}") for c in FOLLOW_UP_COLUMNS])
        self.hint.setText(tr("followups.hint"))
        self.copy_button.setText(tr("followups.copy_phone"))
        self.whatsapp_button.setText(tr("followups.whatsapp"))
        self.kommo_button.setText(tr("followups.kommo"))
        self.agenda_button.setText(tr("followups.open_agenda"))
        self.detail_button.setText(tr("followups.detail"))
        self.contacted_button.setText(tr("followups.contacted"))
        self._show_count()

    def _show_count(self) -> None:
        self.title.setText(self.tr("followups.title", count=self.count))
        below = self.count - len(self.rows)
        self.also_below.setText(self.tr("followups.also_below", count=below) if below > 0 else "")
        self.also_below.setVisible(below > 0)

    def set_rows(self, rows: list[FollowUpRow], count: int | None = None) -> None:
        """``count``: the patients to contact as the app counts them (at least these rows; ``None``: the rows)."""
        selected = self.selected()
        self.rows = list(rows)
        self.count = len(rows) if count is None else max(count, len(rows))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row.cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, row.id)
                # The whole text on hover: a long name or reason is cut with "…" in its column.
                tip = [text] if text else []
                if row.said:
                    tip.append(self.tr("detail.said") + ": " + row.said)
                item.setToolTip(plain_tip(tip))
                if FOLLOW_UP_COLUMNS[c] == "patient":
                    font = item.font()
                    font.setWeight(QFont.Weight.DemiBold)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        # The picked patient stays picked. When that row went ("Contactado"), nobody is picked in its place: the
        # first row was, and the double click's second press marked a patient nobody had contacted.
        first = 0 if rows and selected is None else -1
        keep = next((i for i, row in enumerate(rows) if selected and row.id == selected.id), first)
        if keep >= 0:
            self.table.selectRow(keep)
        else:
            self.table.clearSelection()
        # At most VISIBLE_ROWS rows tall, the rest scrolled to inside the list: a taller list squeezed the window's
        # other parts until the buttons covered the oldest patient waiting.
        shown = min(VISIBLE_ROWS, max(1, len(rows)))
        self.table.setFixedHeight(shown * 30 + self.table.horizontalHeader().height() + 4)
        self._show_count()
        self.setVisible(bool(rows))
        self._update_buttons()

    def selected(self) -> FollowUpRow | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes:
            return None
        row = indexes[0].row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def select(self, followup_id: str) -> None:
        for r, row in enumerate(self.rows):
            if row.id == followup_id:
                self.table.selectRow(r)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.copy_button.setEnabled(bool(row and row.phone))
        self.whatsapp_button.setEnabled(bool(row and row.whatsapp_url))
        self.kommo_button.setEnabled(bool(row and row.kommo_url))
        self.agenda_button.setVisible(bool(row and row.agenda_url))
        self.detail_button.setEnabled(row is not None)
        self.contacted_button.setEnabled(row is not None)

    # -- acting -------------------------------------------------------------------------

    def _act(self, action: str, row: FollowUpRow | None = None) -> None:
        row = row or self.selected()
        if row is None:
            return
        if action == "contacted":
            self.contacted.emit(row.id)
        else:
            self.actor.act(action, row_links(row))

    def row_menu(self, row: FollowUpRow) -> QMenu:
        """The right-click menu of a row: the same actions as the buttons."""
        menu = QMenu(self)
        detail_entry(menu, self.tr, lambda: self.show_detail(row))
        fill_menu(menu, self.tr, row_links(row), self.actor, actions=MENU_ACTIONS)
        contacted = menu.addAction(self.tr("followups.contacted"))
        contacted.triggered.connect(lambda _checked=False: self._act("contacted", row))
        return menu

    def _menu_at(self, index: int) -> QMenu | None:
        return self.row_menu(self.rows[index]) if 0 <= index < len(self.rows) else None

    def show_detail(self, row: FollowUpRow | None = None) -> QDialog | None:
        row = row or self.selected()
        if row is None:
            return None
        dialog = FollowUpDetail(row, self.tr, self)
        dialog.contacted.connect(self.contacted)
        dialog.copy_requested.connect(self.copy_requested)
        dialog.open_requested.connect(self.open_requested)
        self.detail_dialog = dialog
        dialog.show()
        return dialog


class UndoBar(QFrame):
    """Right after "Contactado": «Marcado «Contactado»: Ana Pérez  [Deshacer]», for the few seconds the mark can be
    taken back (the app hides it when they are over). Stands apart from the list, which hides with its last row."""

    undo_requested = Signal(str)  # follow-up id

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.followup_id = ""
        self.patient = ""
        self.setObjectName("undoBar")
        self.setStyleSheet("QFrame#undoBar { background: #EEF3FB; border: 1px solid #B7C9E8; border-radius: 6px; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(8)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a patient's name is text, never markup
        self.label.setWordWrap(True)
        self.undo_button = QPushButton(self)
        self.undo_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.undo_button.clicked.connect(lambda: self.undo_requested.emit(self.followup_id))
        row.addWidget(self.label, 1)
        row.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()
        self.retranslate(tr)

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self.undo_button.setText(tr("followups.undo"))
        self.label.setText(tr("followups.marked", patient=self.patient) if self.followup_id else "")

    def show_marked(self, followup_id: str, patient: str) -> None:
        self.followup_id, self.patient = followup_id, patient
        self.retranslate(self.tr)
        self.show()

    def clear(self) -> None:
        self.followup_id = self.patient = ""
        self.label.setText("")
        self.hide()


class FollowUpDetail(QDialog):
    """One patient to contact, in full: who, why, what they had chosen, when; with the row's actions."""

    contacted = Signal(str)
    copy_requested = Signal(str)
    open_requested = Signal(str)

    def __init__(self, row: FollowUpRow, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle(tr("detail.title"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        for key, column in (("detail.patient", "patient"), ("detail.phone", "phone"), ("detail.reason", "reason"),
                            ("detail.chosen", "chosen"), ("detail.when", "handed_off")):
            value = QLabel(row.text(column), self)
            value.setTextFormat(Qt.TextFormat.PlainText)  # a patient's name from Kommo is text, never markup
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(tr(key) + ":", value)
        if row.said:
            said = QLabel(row.said, self)
            said.setTextFormat(Qt.TextFormat.PlainText)  # the patient's words are text, never markup
            said.setWordWrap(True)
            said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(tr("detail.said") + ":", said)
            self.said_label = said
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        actor = RowActor(self.copy_requested.emit, self.open_requested.emit)
        self.action_buttons = add_buttons(buttons, tr, row_links(row), actor)
        self.whatsapp_button = self.action_buttons["whatsapp"]
        self.copy_button = self.action_buttons["copy"]
        self.contacted_button = buttons.addButton(tr("followups.contacted"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.contacted_button.clicked.connect(lambda: self.contacted.emit(row.id))
        buttons.addButton(tr("detail.close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def row_links(row: FollowUpRow) -> RowLinks:
    return RowLinks(phone=row.phone, whatsapp=row.whatsapp_url, kommo=row.kommo_url, agenda=row.agenda_url)
