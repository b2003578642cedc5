"""The live bookings window: a table over the journal, a filter, the state, and the pause button.

It only shows what it is given (rows, summary, AgentStatus) and forwards clicks as signals;
the app decides what they do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent.settings import DEFAULT_RETENTION_DAYS
from agent.ui import theme
from agent.ui.booking_rows import COLUMNS, BookingRow, Summary
from agent.ui.followup_panel import FollowUpPanel, UndoBar
from agent.ui.followup_rows import FollowUpRow
from agent.ui.i18n import Translator
from agent.ui.icons import state_icon
from agent.ui.row_actions import (
    RowActor,
    RowLinks,
    RowTable,
    add_buttons,
    detail_entry,
    fill_menu,
    plain_tip,
    whatsapp_url,
)
from agent.ui.status import FAILING_ALERT, AgentStatus, TrayState

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
FILTER_ALL, FILTER_FOLLOW_UP, FILTER_BOOKED = "all", "follow_up", "booked"
STATUS_WIDTH_MIN, STATUS_WIDTH_MAX = 195, 440  # the status column: the longest status shown, within these
NOTICE_SHOWN_MS = 60_000  # standing problems have their own banner; a notice is news, then goes

Index = QModelIndex | QPersistentModelIndex


class BookingsModel(QAbstractTableModel):
    """The rows the app computed from the journal, as a Qt model."""

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.rows: list[BookingRow] = []

    def set_rows(self, rows: list[BookingRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(f"col.{COLUMNS[section]}")
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = row.cells[index.column()]
            return f"●  {text}" if column == "status" else text
        if role == SORT_ROLE:
            return row.sort_keys[index.column()]
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole cell (a long name is cut with "…"), then the why
            text = row.cells[COLUMNS.index(column)]
            why = f"{row.cells[COLUMNS.index('status')]}: {row.detail}" if row.detail else ""
            lines = [text] if text else []
            if why and why != text:
                lines.append(why)
            return plain_tip(lines) or None
        if role == Qt.ItemDataRole.ForegroundRole and column == "status":
            return QBrush(QColor(theme.STATUS_TEXT.get(row.status, theme.TEXT)))
        if role == Qt.ItemDataRole.BackgroundRole and row.status in theme.ROW_TINT:
            return QBrush(QColor(theme.ROW_TINT[row.status]))
        if role == Qt.ItemDataRole.FontRole and column in ("patient", "status"):
            font = QFont()
            font.setWeight(QFont.Weight.DemiBold)
            return font
        return None


class BookingsFilter(QSortFilterProxyModel):
    """The search box (any column) and the view choice (all, to contact, booked)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.mode = FILTER_ALL
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text))

    def set_mode(self, mode: str) -> None:
        self._refilter(lambda: setattr(self, "mode", mode))

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; invalidateFilter() is deprecated there
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, BookingsModel)
        row = model.rows[source_row]
        if self.mode == FILTER_FOLLOW_UP and not row.follow_up:
            return False
        if self.mode == FILTER_BOOKED and row.status not in ("booked", "moved"):
            return False
        return row.matches(self.text)


class BookingsWindow(QMainWindow):
    pause_requested = Signal(bool)  # the state asked for: True = pause
    settings_requested = Signal()
    fix_requested = Signal(str)  # the settings field to open ("relay_url", "relay_token")
    copy_requested = Signal(str)  # a phone number
    open_requested = Signal(str)  # a wa.me link, or the appointment in the clinic's web app
    refresh_requested = Signal()
    close_requested = Signal()  # the app decides: hide to the tray, or quit where there is no tray

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.paused = False
        self.under_way: list[str] = []  # the patients whose booking the agent is making right now (the app says)
        self.shown_state: TrayState | None = None
        self.setObjectName("bookingsWindow")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1060, 640)
        self.setMinimumSize(760, 420)

        self.model = BookingsModel(tr, self)
        self.proxy = BookingsFilter(self)
        self.proxy.setSourceModel(self.model)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())

        body = QWidget(central)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(16, 12, 16, 12)
        body_layout.setSpacing(10)
        # The banners sit in a box as tall as their text: a word-wrapped label straight in the body's layout made
        # Qt hand it the spare height the bookings table's stretch should get.
        banner_box = QWidget(body)
        banner_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.banners = QVBoxLayout(banner_box)
        self.banners.setContentsMargins(0, 0, 0, 0)
        self.banners.setSpacing(6)
        self.banner_labels: dict[str, QLabel] = {}
        for kind in ("attention", "paused", "info", "notice"):
            label = QLabel(body)
            label.setObjectName("banner")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            background, foreground = theme.BANNER["info" if kind == "notice" else kind]
            label.setStyleSheet(f"background: {background}; color: {foreground};")
            label.hide()
            self.banner_labels[kind] = label
            if kind == "attention":
                row = QHBoxLayout()
                row.setSpacing(8)
                row.addWidget(label, 1)
                self.fix_button = QPushButton(body)
                self.fix_button.setObjectName("primary")
                self.fix_button.setCursor(Qt.CursorShape.PointingHandCursor)
                self.fix_button.clicked.connect(lambda: self.fix_requested.emit(self.fix_field))
                self.fix_button.hide()
                row.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignVCenter)
                self.banners.addLayout(row)
            else:
                self.banners.addWidget(label)
        self.fix_field = ""
        body_layout.addWidget(banner_box)
        self.follow_ups = FollowUpPanel(tr, body)
        self.follow_ups.hide()
        body_layout.addWidget(self.follow_ups)
        self.undo_bar = UndoBar(tr, body)  # "Deshacer" a "Contactado", for a few seconds (shown by the app)
        body_layout.addWidget(self.undo_bar)
        body_layout.addLayout(self._build_filter_row())

        self.table = QTableView(body)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("requested"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.actor = RowActor(self.copy_requested.emit, self.open_requested.emit)
        self.row_table = RowTable(self.table, lambda _row: self._selected_menu(), self.show_detail)
        self.detail_dialog: QDialog | None = None
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in zip(COLUMNS, (240, 140, 140, 170, 195, 105), strict=True):
            self.table.setColumnWidth(COLUMNS.index(column), width)
        header.setSectionResizeMode(COLUMNS.index("patient"), QHeaderView.ResizeMode.Stretch)

        self.empty = QLabel(body)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("note")
        self.stack = QStackedWidget(body)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        body_layout.addWidget(self.stack, 1)
        self.retention_label = QLabel(body)
        self.retention_label.setObjectName("note")
        self.retention_label.setWordWrap(True)
        self.retention_days = DEFAULT_RETENTION_DAYS
        body_layout.addWidget(self.retention_label)
        # The body scrolls when the window is shorter than its parts (banners, patients to contact, the bookings):
        # they are never drawn over each other.
        scroller = QScrollArea(central)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(body)
        layout.addWidget(scroller, 1)
        self.setCentralWidget(central)
        self.notice_timer = QTimer(self)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.setInterval(NOTICE_SHOWN_MS)
        self.notice_timer.timeout.connect(lambda: self._banner("notice", ""))

        bar = QStatusBar(self)
        bar.setSizeGripEnabled(False)
        self.relay_label = QLabel(bar)
        self.portal_label = QLabel(bar)
        self.refresh_label = QLabel(bar)
        for label in (self.relay_label, self.portal_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.refresh_label)
        bar.setContentsMargins(8, 2, 8, 2)
        self.setStatusBar(bar)
        self.retranslate(tr)

    # -- building ---------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = QWidget(self)
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        row.setContentsMargins(20, 14, 16, 14)
        row.setSpacing(10)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.heading = QLabel(header)
        self.heading.setObjectName("heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setWeight(QFont.Weight.DemiBold)
        self.heading.setFont(font)
        self.summary_label = QLabel(header)
        self.summary_label.setObjectName("summary")
        titles.addWidget(self.heading)
        titles.addWidget(self.summary_label)
        row.addLayout(titles, 1)

        self.pill = QLabel(header)
        self.pill.setObjectName("pill")
        row.addWidget(self.pill, 0, Qt.AlignmentFlag.AlignVCenter)
        self.refresh_button = QPushButton(header)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.settings_button = QPushButton(header)
        self.settings_button.clicked.connect(self.settings_requested)
        self.pause_button = QPushButton(header)
        self.pause_button.setObjectName("primary")
        self.pause_button.clicked.connect(lambda: self.pause_requested.emit(not self.paused))
        for button in (self.refresh_button, self.settings_button, self.pause_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return header

    def _build_filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.filter_box = QLineEdit(self)
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.proxy.set_text)
        self.filter_box.textChanged.connect(lambda _text: self._update_empty())
        self.mode_box = QComboBox(self)
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        row.addWidget(self.filter_box, 1)
        row.addWidget(self.mode_box)
        return row

    # -- showing ----------------------------------------------------------

    def retranslate(self, tr: Translator) -> None:
        self.tr = tr
        self.model.retranslate(tr)
        self.follow_ups.retranslate(tr)
        self.undo_bar.retranslate(tr)
        self.setWindowTitle(tr("window.title"))
        self.heading.setText(tr("window.heading"))
        self.filter_box.setPlaceholderText(tr("window.filter"))
        current = self.mode_box.currentData() or FILTER_ALL
        self.mode_box.blockSignals(True)
        self.mode_box.clear()
        for mode, key in ((FILTER_ALL, "window.show_all"), (FILTER_FOLLOW_UP, "window.show_follow_up"),
                          (FILTER_BOOKED, "window.show_booked")):
            self.mode_box.addItem(tr(key), mode)
        self.mode_box.setCurrentIndex(max(0, self.mode_box.findData(current)))
        self.mode_box.blockSignals(False)
        self.refresh_button.setText(tr("window.refresh"))
        self.fix_button.setText(tr("banner.fix"))
        self.settings_button.setText(tr("window.settings"))
        self.empty.setText(tr("window.empty"))
        self.retention_label.setText(tr("window.retention", days=self.retention_days))
        self._show_pause_button()

    def set_retention_days(self, days: int) -> None:
        """How long this PC keeps the history, said under the table."""
        self.retention_days = days
        self.retention_label.setText(self.tr("window.retention", days=days))

    def set_follow_ups(self, rows: list[FollowUpRow], count: int | None = None) -> None:
        """The patients to contact (the panel hides itself when there are none); ``count``: how many there are, as
        the header says it (``Summary.follow_up``, which ``set_rows`` is given)."""
        self.follow_ups.set_rows(rows, count)

    def set_rows(self, rows: list[BookingRow], summary: Summary) -> None:
        self.model.set_rows(rows)
        self._fit_status_column()
        self.summary_label.setText(
            self.tr("window.summary", today=summary.today, upcoming=summary.upcoming, follow_up=summary.follow_up)
        )
        self._update_empty()

    def _fit_status_column(self) -> None:
        """Wide enough for the longest status ("Cambiada (de mañana 09:00 a vie 4 dic 11:00)"), within reason."""
        column = COLUMNS.index("status")
        font = QFont(self.table.font())
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        widest = max((metrics.horizontalAdvance(f"●  {r.cells[column]}") for r in self.model.rows), default=0)
        self.table.setColumnWidth(column, min(STATUS_WIDTH_MAX, max(STATUS_WIDTH_MIN, widest + 24)))

    def show_status(self, status: AgentStatus, now: datetime) -> None:
        state = status.state(now)
        if state is not self.shown_state:
            self.shown_state = state
            self.setWindowIcon(state_icon(state))
        self.pill.setStyleSheet(theme.pill_style(state))
        self.pill.setText("●  " + self.tr(f"state.{state.value}"))
        self.paused = status.paused
        self._show_pause_button()
        self.pause_button.setEnabled(status.snapshot is not None)
        self.refresh_button.setEnabled(status.snapshot is not None)

        self.relay_label.setText(_dot(_link_color(status)) + status.relay_text(self.tr))
        self.portal_label.setText(_dot(_portal_color(status)) + status.portal_text(self.tr))
        self.refresh_label.setText(status.refresh_text(self.tr, now))
        for label in (self.relay_label, self.portal_label):
            label.setTextFormat(Qt.TextFormat.RichText)
        snap = status.snapshot
        if snap is not None:
            link_detail = getattr(snap, "link_detail", "")  # the real engine says why a connection failed (English)
            lines = [snap.relay]
            if link_detail and snap.link != "connected":  # said in the receptionist's words; the engine's for support
                lines += [self.tr("tip.link_retrying"), self.tr("tip.technical", detail=link_detail)]
            self.relay_label.setToolTip("\n".join(t for t in lines if t))
            # the engine's own words are English: the state in the receptionist's words first, those for support
            detail = snap.portal_detail
            self.portal_label.setToolTip(
                status.portal_text(self.tr) + "\n" + self.tr("tip.technical", detail=detail) if detail else "")

        paused = self.tr("banner.paused") if status.paused else ""
        if paused and self.under_way:  # a pause stops new bookings, not the one the browser is making
            paused += " " + self.tr("banner.paused_under_way", names=", ".join(self.under_way))
        self._banner("paused", paused)
        attention = self._attention_text(status, state)
        self._banner("attention", attention)
        self._drop_repeated_notice()
        self.fix_field = status.fix_field if attention else ""
        self.fix_button.setVisible(bool(self.fix_field))
        self.fix_button.setText(self.tr("banner.open_portal" if self.fix_field == "open_portal" else "banner.fix"))
        if status.link_problem:  # the tooltip says it in words too, not the link's English detail
            self.relay_label.setToolTip(self.tr(f"note.link_{status.link_problem}.body"))

    def _attention_text(self, status: AgentStatus, state: TrayState) -> str:
        if status.keyring_problem:
            return status.keyring_problem
        if not status.configured:
            return self.tr("banner.not_configured", missing=status.missing or "-")
        if status.engine_error:
            return self.tr("banner.engine_stopped", error=status.engine_error)
        if state is not TrayState.ATTENTION:
            return ""
        if status.link_problem:
            return self.tr(f"note.link_{status.link_problem}.body")
        portal = status.snapshot.portal if status.snapshot is not None else ""
        if status.login_untested:
            return self.tr("note.untested.body")
        if portal == "login_failed":
            return self.tr("note.login_failed.body")
        if portal == "locked":
            return self.tr("note.locked.body")
        if portal == "login_needs_person":
            return self.tr("note.login_needs_person.body")
        if status.drift_sentence(self.tr):
            return f'{status.drift_sentence(self.tr)} {self.tr("note.portal_changed.hint")}'
        if status.bookings_failing >= FAILING_ALERT:
            return self.tr("note.bookings_failing.body", count=status.bookings_failing)
        if portal == "down":
            return self.tr("note.portal_down.body")
        return self.tr("note.relay_down.body")

    def show_info(self, text: str) -> None:
        """A standing note (no system tray here)."""
        self._banner("info", text)

    def show_notice(self, title: str, body: str) -> None:
        """Where no tray can show a notification, the latest one is shown in the window for a while instead."""
        said = body if not title or body.startswith(title) else f"{title} — {body}"  # never the title twice
        self._banner("notice", said)
        self.notice_timer.start()
        self._drop_repeated_notice()

    def _drop_repeated_notice(self) -> None:
        """A notice saying what the red banner above already says is not shown a second time under it."""
        attention = self.banner_labels["attention"]
        notice = self.banner_labels["notice"]
        if attention.text() and not attention.isHidden() and notice.text().endswith(attention.text()):
            self._banner("notice", "")

    def _banner(self, kind: str, text: str) -> None:
        label = self.banner_labels[kind]
        label.setText(text)
        label.setVisible(bool(text))

    def _show_pause_button(self) -> None:
        self.pause_button.setText(self.tr("window.resume" if self.paused else "window.pause"))
        self.pause_button.setIcon(state_icon(TrayState.CONNECTED if self.paused else TrayState.PAUSED))

    def _update_empty(self) -> None:
        self.stack.setCurrentWidget(self.empty if not self.model.rows else self.table)

    def _on_mode(self, _index: int) -> None:
        self.proxy.set_mode(self.mode_box.currentData() or FILTER_ALL)

    # -- a row's detail and actions ----------------------------------------

    def selected_row(self) -> BookingRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        key = self.proxy.data(indexes[0], KEY_ROLE)
        return next((r for r in self.model.rows if r.key == key), None)

    def row_menu(self, row: BookingRow) -> QMenu:
        """Right-click on a row: the same actions as its detail."""
        menu = QMenu(self)
        detail_entry(menu, self.tr, lambda: self.show_detail(row))
        fill_menu(menu, self.tr, row_links(row), self.actor)
        return menu

    def _selected_menu(self) -> QMenu | None:
        row = self.selected_row()
        return self.row_menu(row) if row is not None else None

    def show_detail(self, row: BookingRow | None = None) -> QDialog | None:
        """Double-click or Enter on a row: everything known about the request, with its actions."""
        row = row or self.selected_row()
        if row is None:
            return None
        tr = self.tr
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("detail.booking_title"))
        dialog.setMinimumWidth(460)
        layout = QVBoxLayout(dialog)
        form = QFormLayout()
        fields = [(tr(f"col.{c}"), row.text(c)) for c in COLUMNS]
        if row.detail:
            fields.insert(5, (tr("detail.reason"), row.detail))
        if row.reference:
            fields.append((tr("detail.reference"), row.reference))
        for label, value in fields:
            shown = QLabel(value, dialog)
            shown.setTextFormat(Qt.TextFormat.PlainText)  # a patient's name is text, never markup
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label + ":", shown)
        layout.addLayout(form)
        buttons = QDialogButtonBox(dialog)
        dialog.action_buttons = add_buttons(buttons, tr, row_links(row), self.actor)  # type: ignore[attr-defined]
        buttons.addButton(tr("detail.close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        self.detail_dialog = dialog
        dialog.show()
        return dialog

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState((self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.close_requested.emit()


def row_links(row: BookingRow) -> RowLinks:
    phone = row.text("phone")
    return RowLinks(phone=phone, whatsapp=whatsapp_url(phone), agenda=row.agenda_url)


def _dot(color: str) -> str:
    return f'<span style="color:{color}; font-size: 11pt;">●</span>&nbsp;'


def _link_color(status: AgentStatus) -> str:
    link = status.snapshot.link if status.snapshot is not None else "disconnected"
    return {"connected": "#188038", "connecting": "#1A73E8"}.get(link, "#D93025")


def _portal_color(status: AgentStatus) -> str:
    portal = status.snapshot.portal if status.snapshot is not None else "unknown"
    if portal == "ok" and status.bookings_failing >= FAILING_ALERT:
        return "#D93025"  # it reads, but does not save
    return {"ok": "#188038", "unknown": "#9AA0A6"}.get(portal, "#D93025")
