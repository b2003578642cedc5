"""The receptionist's walk through the window, in Spanish, on real widgets (offscreen) over the in-memory engine:
long names and reasons in "Para contactar", quitting while a booking is under way."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtGui import QTextDocument
from ui_helpers import clinic_time, configure

from agent.ui.status import TrayState


def window_shown(qtbot, make_app, *, connected: bool = False):
    """The app started (its first status in; ``connected``: the relay link up) and its window shown."""
    app = make_app()
    app.start()
    if connected:
        qtbot.waitUntil(lambda: app.status.state(datetime.now(UTC)) is TrayState.CONNECTED, timeout=10_000)
    else:
        qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    return app, window

def shown_tip(tip: str) -> str:
    """What a tooltip reads on screen (Qt renders ``<qt>…`` as rich text)."""
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def test_a_long_name_and_reason_cut_in_the_list_are_read_whole_on_hover(qtbot, agent_paths, plaintext_keyring,
                                                                       make_app, shots):
    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    name = "María de los Ángeles Valenzuela Undurraga del Solar"
    FollowUpBook(follow_up_path(agent_paths.journal_file)).receive(HandoffEvent(
        "fu-long", datetime.now(UTC).isoformat(), "91", name, "+56 9 5555 1401", "booked_unsent",
        chosen_start=clinic_time(1, 10, 0), chosen_professional="Dra. Camila Soto Errázuriz",
    ))
    FollowUpBook(follow_up_path(agent_paths.journal_file)).receive(HandoffEvent(
        "fu-tags", datetime.now(UTC).isoformat(), "92", "<b>Ana</b>", "+56 9 5555 1402", "asked_for_person",
    ))
    app, window = window_shown(qtbot, make_app)
    panel = window.follow_ups
    row = next(r for r, item in enumerate(panel.rows) if item.id == "fu-long")
    table = panel.table
    reason = "su hora SÍ quedó reservada, pero no le llegó el aviso: avísele (no la reserve de nuevo)"
    assert panel.rows[row].text("reason") == reason
    # the column is narrower than the words: the receptionist sees them cut ...
    metrics = table.fontMetrics()
    for column, text in ((0, name), (2, reason)):
        assert metrics.horizontalAdvance(text) > table.columnWidth(column)
        # ... and reads them whole when the pointer rests on the cell
        assert shown_tip(table.item(row, column).toolTip()) == text
    chosen = shown_tip(table.item(row, 3).toolTip())
    assert chosen.startswith("mañana 10:00") and chosen.endswith("Dra. Camila Soto Errázuriz")
    tags = next(r for r, item in enumerate(panel.rows) if item.id == "fu-tags")
    assert shown_tip(table.item(tags, 0).toolTip()) == "<b>Ana</b>"  # a name from Kommo is text, never markup
    window.grab().save(str(shots / "follow-ups-long-texts-es.png"))


def test_quitting_while_a_booking_is_under_way_names_it_and_says_it_is_finished_first(qtbot, agent_paths,
                                                                                       plaintext_keyring, make_app,
                                                                                       engines, shots):
    from datetime import timedelta

    from PySide6.QtCore import Qt

    from agent.journal import BookingJournal

    configure(agent_paths)
    journal = BookingJournal(agent_paths.journal_file)
    now = datetime.now(UTC)
    # a crash's leftover from yesterday is no booking under way; Ana's began a moment ago
    journal.begin("k-old", "slot-old", "Pedro Viejo", "+56 9 1111 0000", start=clinic_time(0, 9, 0),
                  professional="Dr. Andrés Pérez", now=now - timedelta(hours=20))
    journal.begin("k-now", "slot-now", "Ana Pérez", "+56 9 1234 5678", start=clinic_time(1, 12, 0),
                  professional="Dra. Camila Soto", now=now - timedelta(seconds=5))
    app = make_app(tray_available=True)
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    row = next(r for r in app.window.model.rows if r.text("patient") == "Ana Pérez")
    assert row.text("status") == "Reservando…"  # what the receptionist sees in the list

    app.tray.quit_action.trigger()
    box = app.quit_box
    assert box is not None and box.isVisible()
    text = box.text()
    assert "derivados a recepción" in text
    assert "Ahora mismo se está reservando la hora de Ana Pérez: Cita Bridge la termina antes de cerrarse" in text
    assert "Pedro Viejo" not in text
    box.grab().save(str(shots / "quit-warning-booking-under-way-es.png"))
    keep = next(b for b in box.buttons() if b.text() == "Seguir funcionando")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert not app.quitting and not engines[0].stopped

    journal.mark_booked("k-now", "b-now", clinic_time(1, 12, 0), clinic_time(1, 12, 30), "Dra. Camila Soto")
    app.tray.quit_action.trigger()  # once it is booked, quitting leaves nothing half done: no such line
    assert "se está reservando" not in app.quit_box.text()


def test_a_web_app_that_never_answers_the_login_test_is_said_to_be_slow_while_waiting(qtbot, agent_paths,
                                                                                      plaintext_keyring, monkeypatch,
                                                                                      shots):
    """First start: "Probar acceso" against a web app that takes the connection and never answers (90 s with the
    real driver) says, while it waits, that the web app is slow and when the test gives up."""
    import asyncio
    import threading

    from PySide6.QtCore import Qt

    from agent.secrets import SecretStore
    from agent.settings import AgentSettings
    from agent.ui import settings_dialog
    from agent.ui.engine_bridge import EngineBridge
    from agent.ui.i18n import Translator
    from agent.ui.settings_dialog import FirstRunWizard, SettingsEditor

    monkeypatch.setattr(settings_dialog, "SLOW_TEST_AFTER_S", 1, raising=False)
    answer = threading.Event()

    async def slow_web_app(settings, password, work_dir):
        while not answer.is_set():
            await asyncio.sleep(0.05)
        return type("Check", (), {"ok": False, "code": "portal_down", "message": "no answer"})()

    bridge = EngineBridge(login_checker=slow_web_app)
    settings = AgentSettings(portal_kind="demo", portal_url="https://agenda.clinica-aromos.cl", portal_user="recepcion")
    editor = SettingsEditor(agent_paths, SecretStore(agent_paths.keyring_service), settings, bridge, Translator("es"))
    wizard = FirstRunWizard(editor)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        editor.portal_password.setText("una-clave")
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        assert editor.test_button.text() == "Probando…" and not editor.test_button.isEnabled()
        qtbot.waitUntil(lambda: editor.test_result.text().startswith("La agenda web tarda en responder…"),
                        timeout=5_000)
        assert editor.test_result.text().endswith("s (se deja de esperar a los 90 s).")
        assert editor.test_result.isVisible()
        wizard.grab().save(str(shots / "first-run-wizard-slow-web-app-es.png"))

        with qtbot.waitSignal(editor.login_checked, timeout=10_000):
            answer.set()
        assert editor.test_result.text() == "✕ La agenda web no responde."
        assert editor.test_button.text() == "Probar acceso" and editor.test_button.isEnabled()
        qtbot.wait(1_500)  # the waiting note does not come back over the answer
        assert editor.test_result.text() == "✕ La agenda web no responde."
    finally:
        answer.set()
        bridge.shutdown()


def test_the_web_app_down_is_said_once_in_the_window_not_twice(qtbot, agent_paths, plaintext_keyring, make_app,
                                                               engines, monkeypatch, shots):
    """No tray here: the notification is a banner in the window, under the red one saying the same words."""
    from datetime import timedelta

    from agent.ui import status as status_module

    monkeypatch.setattr(status_module, "PORTAL_DOWN_ALERT_AFTER", timedelta(0))
    configure(agent_paths)
    app, window = window_shown(qtbot, make_app, connected=True)
    app.bridge.call(engines[0].set_portal("down", "the clinic web app is not answering"))
    said = "No se pudo leer la agenda web. Los pacientes reciben el mensaje de derivación mientras tanto."
    qtbot.waitUntil(lambda: window.banner_labels["attention"].text() == said, timeout=10_000)
    qtbot.waitUntil(lambda: any(n.title == "La agenda web no responde" for n in app.notifier.shown), timeout=10_000)
    shown = [label.text() for label in window.banner_labels.values() if label.isVisible()]
    assert sum(said in text for text in shown) == 1, shown
    qtbot.wait(200)  # the layout settles before the picture
    window.grab().save(str(shots / "bookings-window-web-app-down-once-es.png"))

    # a notice about something else still shows beside the red banner
    window.show_notice("Nueva reserva", "Ana Pérez: mañana 12:00 con Dra. Camila Soto")
    assert window.banner_labels["notice"].isVisible()


def test_pausing_while_a_booking_is_under_way_says_that_one_is_still_finished(qtbot, agent_paths, plaintext_keyring,
                                                                              make_app, engines, shots):
    """A pause stops new bookings (agent/booking.py hands them off), not the one the browser is making: the banner
    says so while it lasts, and only the pause once it is booked."""
    from datetime import timedelta

    from PySide6.QtCore import Qt

    from agent.journal import BookingJournal

    configure(agent_paths)
    journal = BookingJournal(agent_paths.journal_file)
    journal.begin("k-now", "slot-now", "Ana Pérez", "+56 9 1234 5678", start=clinic_time(1, 12, 0),
                  professional="Dra. Camila Soto", now=datetime.now(UTC) - timedelta(seconds=5))
    app, window = window_shown(qtbot, make_app, connected=True)
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.status.paused, timeout=10_000)
    banner = window.banner_labels["paused"]
    assert banner.isVisible()
    assert banner.text() == ("Automatización en pausa: los pacientes reciben el mensaje de derivación a recepción. "
                             "La reserva que ya estaba en curso (Ana Pérez) se termina igual.")
    qtbot.wait(200)  # the layout settles before the picture
    window.grab().save(str(shots / "bookings-window-paused-booking-under-way-es.png"))

    journal.mark_booked("k-now", "b-now", clinic_time(1, 12, 0), clinic_time(1, 12, 30), "Dra. Camila Soto")
    app.reload_rows()  # as on the engine's BookingRecorded
    assert banner.text() == "Automatización en pausa: los pacientes reciben el mensaje de derivación a recepción."


def test_contactado_on_one_patient_never_leaves_the_next_click_on_another(qtbot, agent_paths, plaintext_keyring,
                                                                         make_app, shots):
    """The receptionist picks the third patient and presses "Contactado": that row goes, and nothing else is
    picked for her, so a second (double) click marks nobody; the next one she picks is marked as before."""
    from datetime import timedelta

    from PySide6.QtCore import Qt

    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    names = ["Sara Gil", "Eva Luna", "Juan Díaz", "Rosa Paz"]
    for n, name in enumerate(names):
        at = (datetime.now(UTC) - timedelta(minutes=n)).isoformat()
        book.receive(HandoffEvent(f"fu-{n}", at, str(90 + n), name, f"+56 9 5555 14{n:02d}", "asked_for_person"))
    app, window = window_shown(qtbot, make_app)
    panel = window.follow_ups
    assert [r.text("patient") for r in panel.rows] == names
    assert panel.title.text() == "Para contactar: 4"

    panel.table.selectRow(2)
    assert panel.selected().text("patient") == "Juan Díaz"
    qtbot.mouseClick(panel.contacted_button, Qt.MouseButton.LeftButton)
    assert [r.text("patient") for r in panel.rows] == ["Sara Gil", "Eva Luna", "Rosa Paz"]
    assert panel.title.text() == "Para contactar: 3"
    assert "Para contactar: 3" in window.summary_label.text()
    assert panel.selected() is None  # no other patient picked in her place
    assert not panel.contacted_button.isEnabled()
    qtbot.mouseClick(panel.contacted_button, Qt.MouseButton.LeftButton)  # the double click's second press
    assert [r.text("patient") for r in panel.rows] == ["Sara Gil", "Eva Luna", "Rosa Paz"]
    qtbot.wait(200)  # the layout settles before the picture
    window.grab().save(str(shots / "follow-ups-after-contactado-es.png"))

    panel.table.selectRow(0)
    assert panel.contacted_button.isEnabled()
    qtbot.mouseClick(panel.contacted_button, Qt.MouseButton.LeftButton)
    assert [r.text("patient") for r in panel.rows] == ["Eva Luna", "Rosa Paz"]
    assert {item.name for item in book.recent() if item.contacted} == {"Juan Díaz", "Sara Gil"}


def test_the_tray_menu_and_tooltip_say_how_many_patients_wait_for_reception(qtbot, agent_paths, plaintext_keyring,
                                                                            make_app, shots):
    """A notification may be long gone: the tray itself says patients are waiting, and stops once they are not."""
    from PySide6.QtCore import Qt

    from agent.followups import FollowUpBook, follow_up_path
    from wire.handoff import HandoffEvent

    configure(agent_paths)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    for n, name in enumerate(["Sara Gil", "Eva Luna"]):
        book.receive(HandoffEvent(f"fu-{n}", datetime.now(UTC).isoformat(), str(90 + n), name,
                                  f"+56 9 5555 14{n:02d}", "asked_for_person"))
    app = make_app(tray_available=True)
    app.start()
    qtbot.waitUntil(lambda: app.status.state(datetime.now(UTC)) is TrayState.CONNECTED, timeout=10_000)
    menu = [a.text() for a in app.tray.menu.actions() if a.text()]
    assert menu[1] == "Abrir reservas · 2 para contactar"
    assert app.tray.icon.toolTip().splitlines()[-1] == "Para contactar: 2"
    assert "Para contactar: 2" in app.window.summary_label.text()  # the same number as the window's
    app.tray.menu.grab().save(str(shots / "tray-menu-to-contact-es.png"))

    panel = app.window.follow_ups
    for _ in range(2):
        panel.table.selectRow(0)
        qtbot.mouseClick(panel.contacted_button, Qt.MouseButton.LeftButton)
    assert [a.text() for a in app.tray.menu.actions() if a.text()][1] == "Abrir reservas"
    assert "Para contactar" not in app.tray.icon.toolTip()


def test_no_tray_closing_the_window_mid_booking_asks_first(qtbot, agent_paths, plaintext_keyring, make_app, engines):
    """Without a tray the window is the app: its close button stops the agent (the banner says so). With a booking
    under way it asks first, as "Salir" does, naming it; "Seguir funcionando" keeps everything running."""
    from datetime import timedelta

    from PySide6.QtCore import Qt

    from agent.journal import BookingJournal

    configure(agent_paths)
    BookingJournal(agent_paths.journal_file).begin(
        "k-now", "slot-now", "Ana Pérez", "+56 9 1234 5678", start=clinic_time(1, 12, 0),
        professional="Dra. Camila Soto", now=datetime.now(UTC) - timedelta(seconds=5))
    app = make_app(tray_available=False)
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None, timeout=10_000)
    app.window.close()
    box = app.quit_box
    assert box is not None and box.isVisible() and not app.quitting
    assert "se está reservando la hora de Ana Pérez" in box.text()
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Seguir funcionando"), Qt.MouseButton.LeftButton)
    assert not app.quitting and not engines[0].stopped and app.window.isVisible()

    app.window.close()
    qtbot.mouseClick(app.quit_confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    assert engines[0].stopped


def test_a_long_name_cut_in_the_bookings_list_is_read_whole_on_hover(qtbot, agent_paths, plaintext_keyring,
                                                                     make_app, engines):
    from PySide6.QtCore import Qt

    configure(agent_paths)
    app, window = window_shown(qtbot, make_app, connected=True)
    name = "María de los Ángeles Valenzuela Undurraga del Solar"
    app.bridge.call(engines[0].book("k-long", name, "+56 9 1234 5678", clinic_time(1, 12, 0), "Dra. Camila Soto"))
    app.bridge.call(engines[0].fail_booking("k-taken", "<b>Ana</b>", "+56 9 5555 0101", clinic_time(1, 9, 0),
                                            "Dr. Andrés Pérez"))
    qtbot.waitUntil(lambda: len(window.model.rows) == 2, timeout=10_000)
    table, proxy = window.table, window.proxy

    def tip(patient: str, column: int) -> str:
        row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == patient)
        return shown_tip(proxy.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")

    assert table.fontMetrics().horizontalAdvance(name) > table.columnWidth(0)  # cut with "…" on screen
    assert tip(name, 0) == name  # read whole on hover
    taken = tip("<b>Ana</b>", 0).splitlines()
    assert taken[0] == "<b>Ana</b>"  # a name from Kommo is text, never markup
    assert len(taken) == 2 and taken[1].endswith(": la agenda web no respondía")  # and why, as before
