"""The tray app: wires the engine (in its own thread) to the tray, the bookings window and the dialogs.

`run_tray_app(args)` is what `cita-agent` with no command runs. `TrayApp` holds no behaviour of
its own beyond routing: the engine decides, `AgentStatus` interprets, the widgets show.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QLocale, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from agent.cli_texts import choose_language as cli_language
from agent.cli_texts import say
from agent.events import BookingRecorded, FollowUpReceived, SlotsRefreshed
from agent.followups import FollowUpBook, follow_up_path
from agent.instance_lock import AgentAlreadyRunning, InstanceLock
from agent.journal import IN_PROGRESS, BookingJournal, JournalEntry
from agent.logging_setup import setup_logging
from agent.paths import AgentPaths, resolve_paths
from agent.portal.links import appointment_link
from agent.secrets import SecretStore
from agent.settings import AgentSettings, SettingsError, load_settings
from agent.ui import autostart
from agent.ui.booking_rows import LOOKBACK_DAYS, Summary, build_rows, summarize, with_agenda_links
from agent.ui.bookings_window import BookingsWindow
from agent.ui.engine_bridge import EngineBridge, EngineLike, LoginChecker
from agent.ui.followup_rows import follow_up_rows
from agent.ui.i18n import Translator, choose_language
from agent.ui.icons import state_icon
from agent.ui.login_prompt import LoginPrompt
from agent.ui.notifications import Notifier
from agent.ui.qt_binding import binding_problem
from agent.ui.settings_dialog import FirstRunWizard, SettingsDialog, SettingsEditor
from agent.ui.settings_edit import missing_items, needs_first_run, stored_secrets
from agent.ui.single_instance import SingleInstance, server_name
from agent.ui.status import OPEN_PORTAL, AgentStatus, TrayState
from agent.ui.theme import apply_app_look
from agent.ui.tray import Tray

log = logging.getLogger(__name__)

EngineFactory = Callable[[AgentPaths, AgentSettings, SecretStore], EngineLike]
Clock = Callable[[], datetime]

STATUS_TICK_MS = 5_000  # the relay-outage clock and the tooltip
ROWS_TICK_MS = 60_000  # day roll-over, and rows another process may have written
QUIT_GRACE_MS = 40_000  # a stuck browser must not keep the app from quitting
UNDER_WAY_AT_MOST = timedelta(minutes=10)  # a booking begun longer ago is a crash's leftover, not one under way
UNDO_MS = 10_000  # "Deshacer" after "Contactado": the relay (and Kommo) hear of the mark only once this is over
UNDO_GRACE = timedelta(seconds=5)  # the book keeps the mark undoable a little longer than the button shows


def default_engine_factory(paths: AgentPaths, settings: AgentSettings, secrets: SecretStore) -> EngineLike:
    from agent.engine import Engine

    return Engine(paths, settings, secrets)


class TrayApp(QObject):
    def __init__(
        self,
        paths: AgentPaths,
        *,
        engine_factory: EngineFactory | None = None,
        login_checker: LoginChecker | None = None,
        tray_available: bool | None = None,
        system_locale: str | None = None,
        clock: Clock | None = None,
        on_quit: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths.ensure()
        self.on_quit = on_quit or _leave_event_loop
        self.clock = clock or (lambda: datetime.now(UTC))
        self.engine_factory = engine_factory or default_engine_factory
        self.secrets = SecretStore(paths.keyring_service)
        self.settings_problem = ""
        try:
            self.settings = load_settings(paths)
        except SettingsError as exc:
            self.settings = AgentSettings()
            self.settings_problem = str(exc)
        self.system_locale = system_locale or QLocale.system().name()
        self.tr = Translator(choose_language(self.settings.language, self.system_locale))
        self.journal = BookingJournal(paths.journal_file)  # read-only use here: the engine writes
        # The engine stores what the relay hands off; "Contactado" is written from here.
        self.followup_book = FollowUpBook(follow_up_path(paths.journal_file))
        self.url_opener: Callable[[QUrl], object] = QDesktopServices.openUrl
        # The appointment's address in the clinic's web app, where the driver can say ("Abrir en la agenda web").
        self.appointment_link = appointment_link(self.settings.portal_kind, self.settings.portal_url)
        self.status = AgentStatus(self.clock(), configured=False)
        self.bridge = EngineBridge(login_checker=login_checker, parent=self)
        self.window = BookingsWindow(self.tr)
        self.window.set_retention_days(self.settings.retention_days)
        self.tray = Tray(self.tr, available=tray_available, parent=self)
        self.notifier = Notifier(self.tray, self.window, self.window.show_notice)
        self.summary = Summary(0, 0, 0)
        self.quitting = False
        self.quit_done = False
        self._told_still_running = False
        self._settings_window: QWidget | None = None
        self.quit_box: QMessageBox | None = None
        # The last "Contactado", while "Deshacer" can still take it back: not told to the relay before it is final.
        self.undo_ms = UNDO_MS
        self.undoable = ""  # its follow-up id
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.timeout.connect(self._contacted_final)

        self.bridge.changed.connect(self._on_engine_changed)
        self.bridge.engine_finished.connect(self._on_engine_finished)
        for source in (self.window, self.tray):
            source.pause_requested.connect(self.set_paused)
            source.settings_requested.connect(self.open_settings)
        self.window.refresh_requested.connect(lambda: self.bridge.refresh_now())
        self.window.close_requested.connect(self._on_window_close)
        self.window.fix_requested.connect(self._fix)
        self.window.follow_ups.contacted.connect(self.mark_contacted)
        self.window.undo_bar.undo_requested.connect(self.undo_contacted)
        self.window.follow_ups.copy_requested.connect(self.copy_phone)
        self.window.follow_ups.open_requested.connect(self.open_link)
        self.window.copy_requested.connect(self.copy_phone)
        self.window.open_requested.connect(self.open_link)
        self.tray.open_requested.connect(self.show_window)
        self.tray.logs_requested.connect(self.open_log_folder)
        self.tray.quit_requested.connect(self.confirm_quit)
        self.tray.pause_until_requested.connect(self.pause_until)
        # The web app asks for more than the password: the prompt, the tray's line and the notification open it.
        self.login_prompt = LoginPrompt(self.tr, self.window)
        self.login_prompt.open_requested.connect(self.open_web_app_for_person)
        self.tray.open_portal_requested.connect(self.open_web_app_for_person)
        self.tray.message_clicked.connect(self._on_notification_clicked)
        self._login_step_shown = ""

        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_TICK_MS)
        self.status_timer.timeout.connect(self._on_status_tick)
        self.rows_timer = QTimer(self)
        self.rows_timer.setInterval(ROWS_TICK_MS)
        self.rows_timer.timeout.connect(self.reload_rows)

    # -- start and stop ---------------------------------------------------

    def start(self, show_window: bool = True) -> None:
        """``show_window=False`` (start at login): only the tray icon, where there is a tray and all is set up."""
        self.status_timer.start()
        self.rows_timer.start()
        if show_window or not self.tray.available or needs_first_run(self.settings, stored_secrets(self.secrets)):
            self.window.show()
        if not self.tray.available:
            log.warning("this desktop has no system tray: the bookings window stays open instead")
            self.window.show_info(self.tr("banner.no_tray"))
        stored = stored_secrets(self.secrets)
        if needs_first_run(self.settings, stored):
            self._show_not_configured(stored.problem)
            self.open_settings(first_run=True)
        else:
            self.start_engine()
        self.reload_rows()
        self.refresh_view()

    def start_engine(self) -> None:
        try:
            engine = self.engine_factory(self.paths, self.settings, self.secrets)
        except Exception as exc:  # noqa: BLE001 - shown to the user and logged; the app stays up to fix settings
            log.exception("the agent could not start")
            self.status.engine_error = f"{type(exc).__name__}: {exc}"
            self.refresh_view()
            return
        self.status.engine_started(self.clock())
        self.bridge.start(engine)
        log.info("agent started (home: %s)", self.paths.home or "default folders")

    def quit(self) -> None:
        """Stop the engine (browser closed, journal flushed), then leave the event loop; never blocks the GUI."""
        if self.quitting:
            return
        self.quitting = True
        log.info("quitting: stopping the agent")
        self._contacted_final()  # a "Contactado" still undoable is final: the relay hears it before the engine stops
        self.status_timer.stop()
        self.rows_timer.stop()
        self.tray.hide()
        self.window.hide()
        QTimer.singleShot(QUIT_GRACE_MS, self._quit_now)
        self.bridge.stop(on_done=self._quit_now)

    def _quit_now(self) -> None:
        if not self.quit_done:
            self.quit_done = True
            self.on_quit()

    def shutdown(self) -> None:
        """After the event loop returned: stop the engine's thread and let the windows go."""
        self.bridge.shutdown()
        self.window.deleteLater()

    # -- engine -> view ---------------------------------------------------

    def _on_engine_changed(self, event: Any, snapshot: Any) -> None:
        if self.quitting:
            return  # the windows are going away; the engine's last words are in the log
        for notice in self.status.observe(snapshot, self.clock(), event):
            self.notifier.show(notice, self.tr)
        if event is None or isinstance(event, BookingRecorded | FollowUpReceived | SlotsRefreshed):
            self.reload_rows()
        self._follow_login_step(snapshot)
        self.refresh_view()

    # -- the web app asks for a code (a captcha, a new password) ----------------

    def _follow_login_step(self, snapshot: Any) -> None:
        """Show the prompt once per time the web app starts asking; say "done" when the agent is back in."""
        step = getattr(snapshot, "login_step", "") if getattr(snapshot, "portal", "") == "login_needs_person" else ""
        self.tray.show_login_needed(bool(step))
        if step and step != self._login_step_shown:
            self.login_prompt.show_step(step)
            self.login_prompt.show()
            self.login_prompt.raise_()
        elif not step and self._login_step_shown and self.login_prompt.isVisible():
            self.login_prompt.show_state("done")
        self._login_step_shown = step

    def open_web_app_for_person(self) -> None:
        """Open the web app in a visible browser window at the screen that asks; the engine takes it from there."""
        if not self._login_step_shown:
            return
        log.info("the receptionist opens the web app to finish its login")
        self.login_prompt.show_state("waiting")
        if not self.login_prompt.isVisible():
            self.login_prompt.show()
        self.bridge.finish_login_by_person(self._person_login_finished)

    def _person_login_finished(self, done: Any, error: BaseException | None) -> None:
        if error is not None:
            log.warning("could not open the web app for the receptionist: %s", type(error).__name__)
        self.login_prompt.show_state("done" if done and error is None else "closed")

    def _on_notification_clicked(self) -> None:
        if self._login_step_shown:  # "La agenda pide un código: ábrela aquí"
            self.open_web_app_for_person()

    def _fix(self, field: str) -> None:
        if field == OPEN_PORTAL:
            self.open_web_app_for_person()
        else:
            self.open_settings(focus=field)

    def _on_engine_finished(self, error: str) -> None:
        if self.quitting:
            return
        # Not asked to stop, so something went wrong even when run() returned quietly.
        log.error("the agent stopped by itself (%s); saving the settings starts it again", error or "no error given")
        self.status.engine_error = error or self.tr("engine.stopped")
        self.refresh_view()

    def _on_status_tick(self) -> None:
        for notice in self.status.tick(self.clock()):
            self.notifier.show(notice, self.tr)
        self.refresh_view()

    def reload_rows(self) -> None:
        now = self.clock()
        entries = self.journal.recent(LOOKBACK_DAYS, now=now)
        recent = self.followup_book.recent(now)
        to_contact = [item for item in recent if not item.contacted]
        gone = getattr(self.status.snapshot, "gone_from_agenda", frozenset())
        self.summary = summarize(entries, now, [item.phone for item in to_contact], gone,
                                 contacted=[item.phone for item in recent if item.contacted])
        for notice in self.status.bookings_observed(self.summary.failing):
            self.notifier.show(notice, self.tr)
        link = self.appointment_link
        # One count of the patients to contact, ``summary.follow_up`` (the list's patients and this PC's failed
        # bookings the relay has not handed over yet), shown by the list's title, the window's header and the tray's
        # tooltip and menu together, from this one reading. The list's title counted its own rows: it said one less
        # than the header from a failed booking until the relay's hand-off of it arrived.
        self.window.set_follow_ups(follow_up_rows(to_contact, self.tr, now, entries, link), self.summary.follow_up)
        self.window.set_rows(with_agenda_links(build_rows(entries, self.tr, now, gone), link), self.summary)
        self.window.under_way = self._under_way(entries, now)
        self.refresh_view()

    # -- patients to contact ------------------------------------------------

    def mark_contacted(self, followup_id: str) -> None:
        """"Contactado": the row goes, and stays gone after a restart; "Deshacer" brings it back for ``undo_ms``, after
        which (or at quit, or at the next "Contactado") the lead's Kommo tasks are completed."""
        row = next((r for r in self.window.follow_ups.rows if r.id == followup_id), None)
        undo_for = timedelta(milliseconds=self.undo_ms) + UNDO_GRACE
        if self.followup_book.mark_contacted(followup_id, self.clock(), undo_for=undo_for):
            log.info("a patient to contact was marked contacted (undoable for %d s)", self.undo_ms // 1000)
            self._contacted_final()  # one mark undoable at a time: the one the bar names
            self.undoable = followup_id
            self.window.undo_bar.show_marked(followup_id, row.text("patient") if row else "")
            self.undo_timer.start(self.undo_ms)
        self.reload_rows()

    def undo_contacted(self, followup_id: str) -> None:
        """"Deshacer": the patient is back in the list (picked), and the relay never heard of the mark."""
        if not followup_id or followup_id != self.undoable:
            return
        self.undo_timer.stop()
        self.undoable = ""
        self.window.undo_bar.clear()
        if self.followup_book.undo_contacted(followup_id, self.clock()):
            log.info("a patient marked contacted is to contact again (undone)")
        else:  # too late after all: final, as it would have been
            self.followup_book.make_final(followup_id)
            self.bridge.tell_relay_soon()
        self.reload_rows()
        self.window.follow_ups.select(followup_id)

    def _contacted_final(self) -> None:
        """The undoable "Contactado" can no longer be undone: the relay is told, and the lead's Kommo tasks done."""
        self.undo_timer.stop()
        followup_id, self.undoable = self.undoable, ""
        self.window.undo_bar.clear()
        if followup_id:
            self.followup_book.make_final(followup_id)
            self.bridge.tell_relay_soon()

    def copy_phone(self, phone: str) -> None:
        QGuiApplication.clipboard().setText(phone)
        self.window.show_notice("", self.tr("followups.copied", phone=phone))

    def open_link(self, url: str) -> None:
        """wa.me, the lead in Kommo (checked when the follow-up arrived) or the appointment in the clinic's web app
        (agent/portal/links.py keeps it on the web app's own address), in the default browser."""
        self.url_opener(QUrl(url))

    def refresh_view(self) -> None:
        now = self.clock()
        self.window.show_status(self.status, now)
        today = self.summary.today
        can_pause = self.bridge.running and self.status.snapshot is not None
        tooltip = self.status.tooltip(self.tr, now, today)
        if self.summary.follow_up:  # as the window's header counts them
            tooltip += "\n" + self.tr("tip.to_contact", count=self.summary.follow_up)
        self.tray.show_state(self.status.state(now), tooltip, self.status.paused,
                             can_pause, self.status.menu_line(self.tr, now))
        self.tray.show_to_contact(self.summary.follow_up)

    # -- view -> engine ---------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        log.info("automation %s by the receptionist", "paused" if paused else "resumed")
        self.bridge.set_paused(paused)

    def pause_until(self, until: datetime) -> None:
        """A pause that ends by itself (the tray's 30 min / 1 h / until tomorrow)."""
        log.info("automation paused by the receptionist until %s", until.strftime("%Y-%m-%d %H:%M"))
        self.bridge.set_paused(True, until=until)

    def confirm_quit(self) -> None:
        """"Salir" says what quitting means for patients before it stops the agent."""
        if self.quit_box is not None and self.quit_box.isVisible():
            self.quit_box.raise_()
            return
        body = self.tr("quit.body")
        under_way = self._bookings_under_way()
        if under_way:  # the window goes at once, the agent only once that booking is over: said before, not guessed
            body += "\n\n" + self.tr("quit.under_way", names=", ".join(under_way))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("quit.title"), body,
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a patient's name is text, never markup
        self.quit_confirm_button = box.addButton(self.tr("quit.confirm"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("quit.cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.buttonClicked.connect(lambda button: self.quit() if button is self.quit_confirm_button else None)
        self.quit_box = box
        box.open()

    def _bookings_under_way(self) -> list[str]:
        """The patients whose booking the agent is making right now (a stale row of a crash is not one)."""
        now = self.clock()
        return self._under_way(self.journal.recent(1, now=now), now)

    def _under_way(self, entries: list[JournalEntry], now: datetime) -> list[str]:
        """Of the journal's ``entries``, the patients whose booking is under way at ``now``."""
        return [entry.patient_name or self.tr("followups.no_name") for entry in entries
                if entry.status == IN_PROGRESS and entry.requested_at >= now - UNDER_WAY_AT_MOST]

    def open_settings(self, first_run: bool = False, focus: str = "") -> None:
        """The settings (or the first-run wizard); ``focus`` names the field to fix ("Corregir…")."""
        if self._settings_window is not None and self._settings_window.isVisible():
            self._settings_window.raise_()
            self._settings_window.activateWindow()
            editor = getattr(self._settings_window, "editor", None)
            if focus and editor is not None:
                editor.focus_field(focus)
            return
        editor = SettingsEditor(self.paths, self.secrets, self.settings, self.bridge, self.tr,
                                apply_start_at_login=self._apply_start_at_login)
        editor.saved.connect(self.apply_settings)
        dialog: QWidget = FirstRunWizard(editor, self.window) if first_run else SettingsDialog(editor, self.window)
        self._settings_window = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if focus:
            editor.focus_field(focus)

    def apply_settings(self, settings: AgentSettings) -> None:
        language_before = self.tr.language
        self.settings = settings
        self.appointment_link = appointment_link(settings.portal_kind, settings.portal_url)
        self.window.set_retention_days(settings.retention_days)
        self.settings_problem = ""
        language = choose_language(settings.language, self.system_locale)
        if language != language_before:
            self.tr = Translator(language)
            self.window.retranslate(self.tr)
            self.tray.retranslate(self.tr)
            self.login_prompt.retranslate(self.tr)
            if not self.tray.available:
                self.window.show_info(self.tr("banner.no_tray"))
        if self.bridge.running:
            self.bridge.reload_settings(settings)
        else:
            stored = stored_secrets(self.secrets)
            if needs_first_run(settings, stored):
                self._show_not_configured(stored.problem)
            else:
                self.start_engine()
        self.reload_rows()

    def _show_not_configured(self, keyring_problem: str) -> None:
        self.status.configured = False
        self.status.keyring_problem = keyring_problem or self.settings_problem
        missing = missing_items(self.settings, stored_secrets(self.secrets))
        self.status.missing = ", ".join(self.tr(key) for key in missing)
        self.refresh_view()

    def _apply_start_at_login(self, enabled: bool) -> None:
        home = self.paths.home
        entry = autostart.set_start_at_login(
            enabled, autostart.launch_command(home), autostart.entry_name(home)
        )
        log.info("start at login %s (%s)", "on" if enabled else "off", entry.location)

    def open_log_folder(self) -> None:
        self.paths.log_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.log_dir)))

    def show_window(self) -> None:
        self.window.bring_forward()

    def _on_window_close(self) -> None:
        if not self.tray.available:
            if self._bookings_under_way():  # the window is the app here: a reflex close would stop mid-booking
                self.confirm_quit()
            else:
                self.quit()
            return
        self.window.hide()
        if not self._told_still_running:
            self._told_still_running = True
            self.tray.notify(self.tr("note.still_running.title"), self.tr("note.still_running.body"), False)


def _leave_event_loop() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()


def _windows_app_identity() -> None:
    """On Windows: the taskbar and notifications name Cita Bridge, not python.exe."""
    if sys.platform != "win32":
        return
    import ctypes

    try:
        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID("CitaBridge.Agent")  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        log.debug("could not set the Windows app identity")


def _no_display() -> bool:
    """Linux with no display and no platform chosen: Qt would abort with a misleading xcb message."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _configured_language(paths: AgentPaths) -> str:
    try:
        return load_settings(paths).language
    except (SettingsError, OSError):
        return ""


def run_tray_app(args: Any) -> int:
    """`cita-agent` with no command: the tray app. Returns the process exit code."""
    paths = resolve_paths(getattr(args, "home", None)).ensure()
    if _no_display():
        print(
            "cita-agent: no desktop display here. Run `cita-agent run --headless` on a server, "
            "or set QT_QPA_PLATFORM=offscreen.",
            file=sys.stderr,
        )
        return 2
    setup_logging(paths, console=True)
    problem = binding_problem()
    if problem:
        log.error("cannot start the tray app: %s", problem)
        print(f"cita-agent: {problem}", file=sys.stderr)
        return 3
    app = QApplication.instance() or QApplication(["cita-agent"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cita Bridge")
    app.setApplicationDisplayName("Cita Bridge")
    app.setQuitOnLastWindowClosed(False)
    app.setDesktopFileName("citabridge")
    app.setWindowIcon(state_icon(TrayState.CONNECTED))
    apply_app_look(app)
    _windows_app_identity()

    single = SingleInstance(server_name(paths))
    if not single.acquire():
        print("Cita Bridge is already running for this folder: its window was brought forward.")
        return 0
    lock = InstanceLock(paths.instance_lock)
    try:
        lock.take()  # a headless agent (`cita-agent run --headless`) on the same folder
    except AgentAlreadyRunning as running:
        message = say("run.already_running", cli_language(_configured_language(paths)), pid=running.pid)
        log.error("%s", message)
        print(f"cita-agent: {message}", file=sys.stderr)
        QMessageBox.warning(None, "Cita Bridge", message)
        single.release()
        return 3

    controller = TrayApp(paths)
    single.activation_requested.connect(controller.show_window)
    # Ctrl+C or a service stop in a terminal: the same clean quit as the menu's Quit.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: QTimer.singleShot(0, controller.quit))
    wake = QTimer()
    wake.start(500)  # lets Python run its signal handlers while Qt's loop waits
    wake.timeout.connect(lambda: None)
    controller.start(show_window=not getattr(args, "in_tray", False))
    code = app.exec()
    controller.shutdown()
    single.release()
    log.info("the tray app has quit")
    return int(code)
