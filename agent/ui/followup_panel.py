"""The "Para contactar" panel of the bookings window: patients the bot handed to reception, with what to do.

Each row offers: copy the phone, open WhatsApp (wa.me), open the lead in Kommo, and "Contactado" (the row goes,
remembered in the follow-up book). The same actions are on the row's right-click menu; double-click or Enter
opens the row's detail. The panel only shows and forwards: the app decides what each action does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
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

ID_ROLE = Qt.ItemDataRole.UserRole + 10


class FollowUpPanel(QFrame):
    contacted = Signal(str)  # follow-up id
    copy_requested = Signal(str)  # phone
    open_requested = Signal(str)  # a URL: wa.me or the Kommo lead

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.rows: list[FollowUpRow] = []
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
        layout.addWidget(self.title)
        layout.addWidget(self.hint)

        self.table = QTableWidget(0, len(FOLLOW_UP_COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.show_detail())
        self.table.installEventFilter(self)
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
        self.detail_button = QPushButton(self)
        self.contacted_button = QPushButton(self)
        self.contacted_button.setObjectName("primary")
        self.copy_button.clicked.connect(lambda: self._act("copy"))
        self.whatsapp_button.clicked.connect(lambda: self._act("whatsapp"))
        self.kommo_button.clicked.connect(lambda: self._act("kommo"))
        self.detail_button.clicked.connect(lambda: self.show_detail())
        self.contacted_button.clicked.connect(lambda: self._act("contacted"))
        for button in (self.copy_button, self.whatsapp_button, self.kommo_button, self.detail_button):
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
        self.detail_button.setText(tr("followups.detail"))
        self.contacted_button.setText(tr("followups.contacted"))
        self.title.setText(tr("followups.title", count=len(self.rows)))

    def set_rows(self, rows: list[FollowUpRow]) -> None:
        selected = self.selected()
        self.rows = list(rows)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row.cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, row.id)
                if FOLLOW_UP_COLUMNS[c] == "patient":
                    font = item.font()
                    font.setWeight(QFont.Weight.DemiBold)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        keep = next((i for i, row in enumerate(rows) if selected and row.id == selected.id), 0 if rows else -1)
        if keep >= 0:
            self.table.selectRow(keep)
        self.table.setFixedHeight(min(6, max(1, len(rows))) * 30 + self.table.horizontalHeader().height() + 4)
        self.title.setText(self.tr("followups.title", count=len(rows)))
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
        self.detail_button.setEnabled(row is not None)
        self.contacted_button.setEnabled(row is not None)

    # -- acting -------------------------------------------------------------------------

    def _act(self, action: str, row: FollowUpRow | None = None) -> None:
        row = row or self.selected()
        if row is None:
            return
        if action == "copy" and row.phone:
            self.copy_requested.emit(row.phone)
        elif action == "whatsapp" and row.whatsapp_url:
            self.open_requested.emit(row.whatsapp_url)
        elif action == "kommo" and row.kommo_url:
            self.open_requested.emit(row.kommo_url)
        elif action == "contacted":
            self.contacted.emit(row.id)

    def row_menu(self, row: FollowUpRow) -> QMenu:
        """The right-click menu of a row: the same actions as the buttons."""
        menu = QMenu(self)
        entries = (
            ("followups.detail", lambda: self.show_detail(row), True),
            ("followups.copy_phone", lambda: self._act("copy", row), bool(row.phone)),
            ("followups.whatsapp", lambda: self._act("whatsapp", row), bool(row.whatsapp_url)),
            ("followups.kommo", lambda: self._act("kommo", row), bool(row.kommo_url)),
            ("followups.contacted", lambda: self._act("contacted", row), True),
        )
        for key, handler, enabled in entries:
            action = menu.addAction(self.tr(key))
            action.setEnabled(enabled)
            action.triggered.connect(handler)
        return menu

    def _context_menu(self, position: object) -> None:
        index = self.table.indexAt(position)  # type: ignore[arg-type]
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        row = self.rows[index.row()]
        self.row_menu(row).popup(self.table.viewport().mapToGlobal(position))  # type: ignore[arg-type]

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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.show_detail()
                return True
        return super().eventFilter(watched, event)


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
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.whatsapp_button = buttons.addButton(tr("followups.whatsapp"), QDialogButtonBox.ButtonRole.ActionRole)
        self.whatsapp_button.setEnabled(bool(row.whatsapp_url))
        self.whatsapp_button.clicked.connect(lambda: self.open_requested.emit(row.whatsapp_url))
        self.copy_button = buttons.addButton(tr("followups.copy_phone"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setEnabled(bool(row.phone))
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(row.phone))
        self.contacted_button = buttons.addButton(tr("followups.contacted"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.contacted_button.clicked.connect(lambda: self.contacted.emit(row.id))
        buttons.addButton(tr("detail.close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
