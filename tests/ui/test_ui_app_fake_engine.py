"""The tray app on real widgets (offscreen) over an in-memory engine: rows, pause, notifications, quit.

The same flows run against the real engine, relay and stand-in web app in test_ui_real_engine.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from ui_helpers import clinic_time, configure, seed_journal, table_texts

from agent.journal import BookingJournal
from agent.runtime_state import load_state
from agent.ui.status import TrayState


def now() -> datetime:
    return datetime.now(UTC)


def test_booking_made_by_the_engine_appears_with_a_notification(qtbot, agent_paths, plaintext_keyring, make_app,
                                                                  engines, shots):
    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    # the seeded bookings were requested up to 2.5 h ago: near midnight some fall on yesterday (this PC's day)
    booked_before = len(BookingJournal(agent_paths.journal_file).booked_today())
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert len(table_texts(app.window)) == 5
    [engine] = engines

    app.bridge.call(engine.book("k-live", "Ana Pérez", "+56 9 1234 5678", clinic_time(1, 12, 0), "Dra. Camila Soto"))
    qtbot.waitUntil(lambda: len(table_texts(app.window)) == 6, timeout=10_000)

    top = table_texts(app.window)[0]  # newest request first
    assert top[:2] == ["Ana Pérez", "+56 9 1234 5678"]
    assert top[2] == "mañana 12:00" and top[3] == "Dra. Camila Soto" and top[4].endswith("Reservada")
    shown = app.notifier.shown[-1]
    assert (shown.kind, shown.title) == ("booked", "Nueva reserva")
    assert shown.body == "Ana Pérez: mañana 12:00 con Dra. Camila Soto"
    assert shown.via == "window"  # no tray offscreen: the note is in the window
    assert app.window.banner_labels["notice"].text() == "Nueva reserva — Ana Pérez: mañana 12:00 con Dra. Camila Soto"
    assert f"Reservas de hoy: {booked_before + 1}" in app.tray.icon.toolTip()

    # Handed-off requests are marked for a call back, and the filter finds them; a slot taken is not one (the bot
    # offered the patient other times).
    app.window.mode_box.setCurrentIndex(app.window.mode_box.findData("follow_up"))
    follow_up = table_texts(app.window)
    assert [r[0] for r in follow_up] == ["Sebastián González"]
    assert {r[4] for r in follow_up} == {"●  Derivada: contactar"}
    app.window.mode_box.setCurrentIndex(0)
    assert next(r for r in table_texts(app.window) if r[0] == "Catalina Rojas")[4] == "●  Ocupada: se ofrecieron otras"
    app.window.mode_box.setCurrentIndex(0)
    qtbot.keyClicks(app.window.filter_box, "PABLO")
    assert [r[0] for r in table_texts(app.window)] == ["Juan Pablo Muñoz"]
    app.window.filter_box.clear()

    app.window.resize(1100, 560)
    app.window.grab().save(str(shots / "bookings-window-es.png"))


def test_pause_in_one_click_reaches_the_engine_shows_and_survives_a_restart(qtbot, agent_paths, plaintext_keyring,
                                                                            make_app, engines, shots):
    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert app.window.pause_button.text() == "Pausar"

    qtbot.mouseClick(app.window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.status.paused, timeout=10_000)
    assert engines[0].calls[-1] == "set_paused(True)"
    assert app.status.state(now()) is TrayState.PAUSED and app.tray.state is TrayState.PAUSED
    assert app.window.pause_button.text() == "Reanudar"
    assert app.window.pill.text().endswith("En pausa")
    assert app.window.banner_labels["paused"].isVisibleTo(app.window)
    assert app.tray.pause_action.text() == "Reanudar automatización"
    assert load_state(agent_paths.state_file).paused
    app.window.grab().save(str(shots / "bookings-window-paused-es.png"))

    # After a restart, still paused.
    app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    again = make_app()
    again.start()
    qtbot.waitUntil(lambda: again.status.snapshot is not None and again.status.snapshot.link == "connected",
                    timeout=10_000)
    assert again.status.state(now()) is TrayState.PAUSED

    # The tray menu resumes it.
    again.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: not again.status.paused, timeout=10_000)
    assert engines[-1].calls[-1] == "set_paused(False)"
    assert again.tray.pause_action.text() == "Pausar automatización"


def test_portal_problems_turn_the_icon_red_and_notify(qtbot, agent_paths, plaintext_keyring, make_app, engines):
    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    app.bridge.call(engines[0].set_portal("login_failed"))
    qtbot.waitUntil(lambda: app.tray.state is TrayState.ATTENTION, timeout=10_000)
    assert app.notifier.shown[-1].title == "Contraseña incorrecta"
    assert "Configuración" in app.window.banner_labels["attention"].text()
    assert "contraseña incorrecta" in app.window.portal_label.text()

    # Fixed (a new password stored): the last notice no longer says it is wrong, and the red banner goes.
    app.bridge.call(engines[0].set_portal("ok"))
    qtbot.waitUntil(lambda: app.tray.state is TrayState.CONNECTED, timeout=10_000)
    assert app.notifier.shown[-1].title == "Agenda web funcionando"
    assert "Contraseña incorrecta" not in app.window.banner_labels["notice"].text()
    assert not app.window.banner_labels["attention"].isVisibleTo(app.window)


def test_no_tray_the_window_says_so_and_closing_it_quits_cleanly(qtbot, agent_paths, plaintext_keyring, make_app,
                                                                 engines):
    configure(agent_paths)
    app = make_app(tray_available=False)
    app.start()
    assert app.window.isVisible()
    assert "no tiene bandeja del sistema" in app.window.banner_labels["info"].text()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)

    app.window.close()
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    assert engines[0].stopped
    assert app.quits == [()]  # left the event loop only after the engine stopped
    assert engines[0].calls[-1] == "stop"


def test_with_a_tray_closing_the_window_hides_it_and_the_app_keeps_running(qtbot, agent_paths, plaintext_keyring,
                                                                           make_app, engines, shots):
    configure(agent_paths)
    app = make_app(tray_available=True)
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    app.window.close()
    assert not app.window.isVisible() and not app.quitting
    app.tray.open_action.trigger()
    assert app.window.isVisible()
    menu = [a.text() for a in app.tray.menu.actions() if a.text()]
    assert menu[1:] == ["Abrir reservas", "Pausar automatización", "Configuración…", "Abrir carpeta de registros",
                        "Salir"]
    assert menu[0].startswith("Conectado · 42 horarios libres leídos ")  # the first line: the state in words
    # "Salir" says what quitting means for patients; "Seguir funcionando" keeps the agent running.
    app.tray.quit_action.trigger()
    assert app.quit_box is not None and app.quit_box.isVisible() and not app.quitting
    assert "derivados a recepción" in app.quit_box.text()
    app.quit_box.grab().save(str(shots / "quit-warning-es.png"))
    keep = next(b for b in app.quit_box.buttons() if b.text() == "Seguir funcionando")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert not app.quitting and not engines[0].stopped
    app.tray.quit_action.trigger()
    qtbot.mouseClick(app.quit_confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    assert engines[0].stopped


def test_english_when_the_system_is_english(qtbot, agent_paths, plaintext_keyring, make_app, shots):
    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    app = make_app(system_locale="en_US")
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert app.window.windowTitle() == "Cita Bridge: bookings"
    assert app.window.pause_button.text() == "Pause"
    assert app.window.model.headerData(0, Qt.Orientation.Horizontal) == "Patient"
    app.window.resize(1100, 560)
    app.window.grab().save(str(shots / "bookings-window-en.png"))


def test_relay_unreachable_for_over_two_minutes_notifies_once(qtbot, agent_paths, plaintext_keyring, make_app,
                                                              engines):
    configure(agent_paths)
    clock = [now()]
    app = make_app(clock=lambda: clock[0])
    app.start()
    qtbot.waitUntil(lambda: app.status.state(clock[0]) is TrayState.CONNECTED, timeout=10_000)
    app.bridge.call(engines[0].set_link("connecting"))
    qtbot.waitUntil(lambda: app.status.snapshot.link == "connecting", timeout=10_000)
    clock[0] = clock[0] + timedelta(seconds=90)
    app._on_status_tick()
    assert app.tray.state is TrayState.CONNECTING
    assert not [s for s in app.notifier.shown if s.kind == "relay_down"]
    clock[0] = clock[0] + timedelta(seconds=60)
    app._on_status_tick()
    app._on_status_tick()
    assert [s.title for s in app.notifier.shown if s.kind == "relay_down"] == ["Sin conexión con el servidor"]
    assert app.tray.state is TrayState.ATTENTION
    app.bridge.call(engines[0].set_link("connected"))
    qtbot.waitUntil(lambda: app.tray.state is TrayState.CONNECTED, timeout=10_000)
    assert app.notifier.shown[-1].kind == "relay_back"


def test_an_engine_that_stops_by_itself_is_shown(qtbot, agent_paths, plaintext_keyring, make_app, engines):
    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    app.bridge.call(engines[0].stop())
    qtbot.waitUntil(lambda: app.tray.state is TrayState.ATTENTION, timeout=10_000)
    assert "El agente se detuvo" in app.window.banner_labels["attention"].text()


def test_open_log_folder_opens_the_agents_log_folder(qtbot, agent_paths, plaintext_keyring, make_app, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    configure(agent_paths)
    app = make_app(tray_available=True)
    app.start()
    app.tray.logs_action.trigger()
    assert opened == [str(agent_paths.log_dir)]


def test_a_timed_pause_from_the_tray_says_until_when_and_ends_by_itself(qtbot, agent_paths, plaintext_keyring,
                                                                       make_app, engines, shots):
    from agent.ui.tray import PAUSE_CHOICES, pause_end

    configure(agent_paths)
    app = make_app(tray_available=True)
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    tray = app.tray
    assert tray.pause_action.menu() is tray.pause_menu
    assert [tray.pause_choices[c].text() for c in PAUSE_CHOICES] == [
        "Durante 30 minutos", "Durante 1 hora", "Hasta mañana", "Hasta que la reanude"
    ]
    tray.menu.popup(app.window.geometry().center())
    qtbot.waitUntil(tray.menu.isVisible, timeout=5_000)
    tray.pause_menu.popup(app.window.geometry().center())
    qtbot.waitUntil(tray.pause_menu.isVisible, timeout=5_000)
    tray.menu.grab().save(str(shots / "tray-menu-es.png"))
    tray.pause_menu.grab().save(str(shots / "tray-pause-choices-es.png"))
    tray.pause_menu.hide()
    tray.menu.hide()
    tray.pause_choices["1h"].trigger()
    qtbot.waitUntil(lambda: app.status.paused, timeout=10_000)
    assert engines[0].calls[-1] == "set_paused(True, until)"
    until = app.status.snapshot.paused_until.astimezone()
    day = "mañana " if until.date() != datetime.now().astimezone().date() else ""  # an hour before midnight
    assert tray.state_action.text() == f"En pausa hasta {day}{until:%H:%M}"
    assert tray.pause_action.text() == "Reanudar automatización" and tray.pause_action.menu() is None
    tray.menu.popup(app.window.geometry().center())
    qtbot.waitUntil(tray.menu.isVisible, timeout=5_000)
    tray.menu.grab().save(str(shots / "tray-menu-timed-pause-es.png"))
    tray.menu.hide()

    app.bridge.call(engines[0].end_timed_pause())
    qtbot.waitUntil(lambda: not app.status.paused, timeout=10_000)
    assert [s.title for s in app.notifier.shown if s.kind == "pause_ended"] == ["La pausa terminó"]
    assert tray.state_action.text().startswith("Conectado")

    morning = pause_end("tomorrow", datetime(2026, 12, 2, 18, 30).astimezone())
    assert (morning.day, morning.hour, morning.minute) == (3, 7, 0)
    assert pause_end("indefinitely", datetime(2026, 12, 2, 18, 30).astimezone()) is None


def test_news_is_queued_not_replaced_and_several_at_once_are_summarized(qtbot, agent_paths, plaintext_keyring,
                                                                         make_app, engines):
    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    engine = engines[0]
    for n, name in enumerate(("Ana Pérez", "Luis Díaz", "Eva Núñez", "Raúl Soto")):
        app.bridge.call(engine.book(f"k-q{n}", name, "+56 9 1234 5678", clinic_time(1, 9 + n, 0), "Dra. Soto"))
    qtbot.waitUntil(lambda: len(app.notifier.waiting) == 3, timeout=10_000)
    assert app.notifier.timer.isActive()  # the first is on screen (6 s); the other three wait their turn
    app.notifier.timer.stop()
    app.notifier.timer.timeout.emit()  # its time is up
    news = [s for s in app.notifier.shown if s.kind in ("booked", "summary")]
    # The first at once; the three that came while it was on screen, together, after it (none lost or replaced).
    assert [s.kind for s in news] == ["booked", "summary"]
    assert news[0].body.startswith("Ana Pérez: ")
    assert news[1].title == "3 reservas nuevas" and news[1].body == "Luis Díaz, Eva Núñez, Raúl Soto"


def test_start_at_login_starts_in_the_tray_without_opening_the_window(qtbot, agent_paths, plaintext_keyring,
                                                                     make_app, engines):
    from agent.cli import build_parser

    assert build_parser().parse_args(["--in-tray"]).in_tray  # what the start-at-login entry runs
    configure(agent_paths)
    app = make_app(tray_available=True)
    app.start(show_window=False)
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert not app.window.isVisible() and engines[0].calls[:1] == ["run"]
    app.tray.open_action.trigger()
    assert app.window.isVisible()


def test_enter_or_double_click_on_a_booking_opens_its_detail(qtbot, agent_paths, plaintext_keyring, make_app, shots):
    from PySide6.QtWidgets import QLabel

    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    app = make_app()
    opened: list[str] = []
    app.url_opener = lambda url: opened.append(url.toString())
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    table = app.window.table
    row = next(r for r in range(table.model().rowCount()) if "María José" in str(table.model().index(r, 0).data()))
    table.selectRow(row)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = app.window.detail_dialog
    assert dialog is not None and dialog.isVisible()
    shown = [label.text() for label in dialog.findChildren(QLabel)]
    assert "María José Fernández" in shown and "b-k-101" in shown and "Referencia en la agenda web:" in shown
    dialog.adjustSize()
    dialog.grab().save(str(shots / "booking-row-detail-es.png"))
    dialog.close()
    menu = app.window.row_menu(app.window.selected_row())
    assert [a.text() for a in menu.actions()] == ["Ver detalle…", "Copiar teléfono", "Abrir WhatsApp"]
    menu.actions()[2].trigger()
    assert opened == ["https://wa.me/56987654321"]


def test_a_booking_no_longer_in_the_agenda_says_so_instead_of_reservada(qtbot, agent_paths, plaintext_keyring,
                                                                         make_app, engines):
    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    upcoming = app.summary.upcoming
    app.bridge.call(engines[0].agenda_read({"k-102"}))
    qtbot.waitUntil(lambda: app.summary.upcoming == upcoming - 1, timeout=10_000)
    row = next(r for r in table_texts(app.window) if r[0] == "Juan Pablo Muñoz")
    assert row[4] == "●  Ya no está en la agenda"
    app.window.mode_box.setCurrentIndex(app.window.mode_box.findData("booked"))
    assert "Juan Pablo Muñoz" not in [r[0] for r in table_texts(app.window)]


def test_a_password_saved_untested_is_an_attention_state_with_its_fix(qtbot, agent_paths, plaintext_keyring,
                                                                      make_app, engines):
    from agent.login_gate import UNTESTED_DETAIL

    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    app.bridge.call(engines[0].set_portal("login_failed", UNTESTED_DETAIL))
    qtbot.waitUntil(lambda: app.tray.state is TrayState.ATTENTION, timeout=10_000)
    assert app.window.banner_labels["attention"].text().startswith(
        "La contraseña de la agenda web se guardó sin probarla"
    )
    assert app.notifier.shown[-1].title == "Falta probar el acceso"
    assert app.tray.state_action.text() == "Requiere atención: Falta probar el acceso"
    qtbot.mouseClick(app.window.fix_button, Qt.MouseButton.LeftButton)
    assert app._settings_window.editor.focused_field == "portal_password"
    app._settings_window.close()


def test_a_patient_name_with_markup_is_shown_as_text(qtbot, agent_paths, plaintext_keyring, make_app):
    from PySide6.QtWidgets import QLabel

    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    FollowUpBook(follow_up_path(agent_paths.journal_file)).receive(HandoffEvent(
        "fu-x", datetime.now(UTC).isoformat(), "77", "<b>Ana</b> <img src='x.png'>", "+56 9 1234 5678", "paused"
    ))
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    panel = app.window.follow_ups
    assert panel.rows[0].text("patient") == "<b>Ana</b> <img src='x.png'>"
    dialog = panel.show_detail(panel.rows[0])
    [name] = [label for label in dialog.findChildren(QLabel) if "Ana" in label.text()]
    assert name.textFormat() == Qt.TextFormat.PlainText


def test_a_follow_up_shows_what_the_patient_wrote(qtbot, agent_paths, plaintext_keyring, make_app):
    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    said = ("mi hijo se torció el tobillo, necesita kine", "<i>aceptan fonasa?</i>", "quiero hablar con una persona")
    FollowUpBook(follow_up_path(agent_paths.journal_file)).receive(HandoffEvent(
        "fu-said", datetime.now(UTC).isoformat(), "78", "Marta Díaz", "+56 9 3333 4444", "asked_for_person",
        said=said,
    ))
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    panel = app.window.follow_ups
    assert panel.rows[0].text("reason") == "pidió hablar con una persona"
    assert "«mi hijo se torció el tobillo, necesita kine»" in panel.table.item(0, 0).toolTip()
    dialog = panel.show_detail(panel.rows[0])
    assert dialog.said_label.text() == " ".join(f"«{line}»" for line in said)
    assert dialog.said_label.textFormat() == Qt.TextFormat.PlainText


def test_a_follow_up_that_settled_by_itself_leaves_the_list_and_says_not_to_book_again(qtbot, agent_paths,
                                                                                       plaintext_keyring, make_app,
                                                                                       engines):
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    [engine] = engines
    handed_off = datetime.now(UTC) - timedelta(minutes=3)
    for lead, name in (("81", "Rosa Vera"), ("82", "Iván Mora")):
        app.bridge.call(engine.follow_up(HandoffEvent(
            f"fu-{lead}", handed_off.isoformat(), lead, name, "+56 9 7000 0704", "timeout",
            chosen_start=clinic_time(1, 10, 0), chosen_professional="Dra. Camila Soto",
        )))
    panel = app.window.follow_ups
    qtbot.waitUntil(lambda: len(panel.rows) == 2, timeout=10_000)

    app.bridge.call(engine.follow_up(HandoffEvent(
        "fu-81-done", datetime.now(UTC).isoformat(), "81", "Rosa Vera", "+56 9 7000 0704", "resolved_booked",
        chosen_start=clinic_time(1, 10, 0), chosen_professional="Dra. Camila Soto",
    )))
    qtbot.waitUntil(lambda: [r.text("patient") for r in panel.rows] == ["Iván Mora"], timeout=10_000)
    shown = app.notifier.shown[-1]
    assert shown.title == "Ya no hace falta contactar"
    assert shown.body == "Rosa Vera (+56 9 7000 0704): al final su hora quedó reservada; no la reserve de nuevo"


def test_many_patients_to_contact_scroll_in_their_list_and_the_buttons_never_cover_one(qtbot, agent_paths,
                                                                                        plaintext_keyring, make_app,
                                                                                        engines, shots):
    """Seven hand-offs and two banners at the window's default size: the oldest patient is still reachable, and
    the list's buttons sit below the list, not over its last row."""
    from PySide6.QtCore import QPoint

    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    names = ["Sara Gil", "Eva Luna", "Juan Díaz", "Rosa Paz", "Iván Mora", "Marta Rojas", "Luis Soto"]
    for n, name in enumerate(names):
        at = (datetime.now(UTC) - timedelta(minutes=n)).isoformat()
        book.receive(HandoffEvent(f"fu-{n}", at, str(90 + n), name, f"+56 9 5555 14{n:02d}", "asked_for_person"))
    app = make_app()
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    window = app.window
    window.show_notice("", "Paciente para contactar — Sara Gil (+56 9 5555 1400): pidió hablar con una persona")
    window.show()
    qtbot.waitExposed(window)
    panel = window.follow_ups
    assert [r.text("patient") for r in panel.rows] == names

    table, buttons = panel.table, panel.contacted_button
    table_bottom = table.mapTo(window, QPoint(0, table.height())).y()
    assert buttons.mapTo(window, QPoint(0, 0)).y() >= table_bottom  # below the list, never over a row
    bar = table.verticalScrollBar()
    assert bar.maximum() > 0  # the rest scroll inside the list
    table.scrollToBottom()
    last = table.visualRect(table.model().index(len(names) - 1, 0))
    assert table.viewport().rect().contains(last)  # the oldest, who waited longest, can be seen
    qtbot.wait(100)  # the window settles its layout to the list's new height before the shot
    window.grab().save(str(shots / "follow-ups-many.png"))
