"""The bookings window on real widgets (offscreen) over an in-memory engine that writes the real journal:

- a cancellation and a move made from the chat are rows of their own, with a notification, and the booking they
  replaced says so;
- "Abrir en la agenda web" on a booking row and a follow-up row opens the appointment in the clinic's web app
  (where the driver can say where it is; hidden where it cannot);
- a failed self-check (the web app changed) is said in the tray's first menu line, the window's banner, the tooltip
  and one notification per change.

The same flows run against the real engine, relay and stand-in web app in test_ui_real_changes.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication
from ui_helpers import CLINIC_TZ, clinic_time, configure, seed_journal, table_texts

from agent.followups import FollowUpBook, follow_up_path
from agent.portal.drift import SelfCheckResult
from agent.ui.app import TrayApp
from agent.ui.status import TrayState
from wire.handoff import HandoffEvent

PORTAL = "http://127.0.0.1:8765"
SAVE_GONE = SelfCheckResult(ok=False, screen="la ficha de cita", element='el botón "Guardar cita"',
                            screen_en="the appointment form", element_en='the button "Guardar cita"')
FIELD_GONE = SelfCheckResult(ok=False, screen="la ficha de cita", element='el campo "Teléfono"',
                             screen_en="the appointment form", element_en='the field "Teléfono"')


@pytest.fixture
def make_app(make_app):
    """tests/ui/conftest.py's, each app's links opened into ``app.opened`` (never a real browser)."""

    def build(**options) -> TrayApp:
        app = make_app(**options)
        app.opened = []  # type: ignore[attr-defined]
        app.url_opener = lambda url: app.opened.append(url.toString())  # type: ignore[attr-defined]
        return app

    return build


def now() -> datetime:
    return datetime.now(UTC)


def started(qtbot, app: TrayApp) -> None:
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)


def row_of(app: TrayApp, name: str, status_start: str = "") -> list[str]:
    return next(r for r in table_texts(app.window) if r[0] == name and r[4].startswith("●  " + status_start))


def short(iso: str) -> str:
    """How the window says a clinic time relative to today ("mañana 09:00", "vie 4 dic 15:00")."""
    from agent.ui.i18n import Translator

    return Translator("es").day_and_time(datetime.fromisoformat(iso), now())


def test_a_cancellation_and_a_move_are_rows_of_their_own_with_a_notification(qtbot, agent_paths, plaintext_keyring,
                                                                               make_app, engines, shots):
    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    app = make_app(tray_available=True)
    started(qtbot, app)
    app.window.show()
    [engine] = engines
    upcoming = app.summary.upcoming

    app.bridge.call(engine.cancel("lead-9:cancel-1", "k-105"))
    qtbot.waitUntil(lambda: len(table_texts(app.window)) == 6, timeout=10_000)
    cancelled = table_texts(app.window)[0]  # newest request first
    assert cancelled[0] == "Valentina Contreras Sepúlveda" and cancelled[4] == "●  Cancelada"
    assert cancelled[2] == short(clinic_time(3, 11, 0)) and cancelled[3] == "Dr. Andrés Pérez"
    assert row_of(app, "Valentina Contreras Sepúlveda", "Reservada")[4] == "●  Reservada, luego cancelada"
    note = app.notifier.shown[-1]
    assert (note.kind, note.title) == ("cancelled", "Hora cancelada")
    assert note.body == f"Valentina Contreras Sepúlveda: {short(clinic_time(3, 11, 0))} con Dr. Andrés Pérez"
    assert app.summary.upcoming == upcoming - 1

    new_start = clinic_time(4, 15, 0)
    app.bridge.call(engine.move("lead-7:move-1", "k-102", new_start))
    qtbot.waitUntil(lambda: table_texts(app.window)[0][4].startswith("●  Cambiada"), timeout=10_000)
    assert len(table_texts(app.window)) == 7
    moved = table_texts(app.window)[0]
    assert moved[0] == "Juan Pablo Muñoz"
    assert moved[4] == f"●  Cambiada (de {short(clinic_time(1, 9, 0))} a {short(new_start)})"
    assert row_of(app, "Juan Pablo Muñoz", "Reservada")[4] == "●  Reservada, luego cambiada"
    qtbot.waitUntil(lambda: app.notifier.shown[-1].kind == "moved", timeout=10_000)
    note = app.notifier.shown[-1]
    assert note.title == "Hora cambiada"
    assert note.body == f"Juan Pablo Muñoz: de {short(clinic_time(1, 9, 0))} a {short(new_start)} con Dr. Andrés Pérez"
    assert [n.kind for n in app.notifier.shown].count("booked") == 0  # the move's new booking is told as the move
    assert app.summary.upcoming == upcoming - 1  # one moved (old gone, new one counted), one cancelled

    # "Reservadas" lists the move (an appointment that stands), not the cancellation nor what was replaced.
    app.window.mode_box.setCurrentIndex(app.window.mode_box.findData("booked"))
    kept = {(r[0], r[4]) for r in table_texts(app.window)}
    assert ("Juan Pablo Muñoz", moved[4]) in kept
    assert not any(status.endswith(("Cancelada", "luego cancelada", "luego cambiada")) for _, status in kept)
    app.window.mode_box.setCurrentIndex(0)

    app.window.resize(1240, 640)
    QApplication.processEvents()
    app.window.grab().save(str(shots / "bookings-window-cancel-and-move-es.png"))


def test_a_move_whose_old_appointment_could_not_be_cancelled_says_so(qtbot, agent_paths, plaintext_keyring, make_app,
                                                                      engines):
    configure(agent_paths)
    seed_journal(agent_paths.journal_file)
    app = make_app()
    started(qtbot, app)
    app.bridge.call(engines[0].move("lead-7:move-2", "k-102", clinic_time(5, 10, 0), old_cancelled=False))
    qtbot.waitUntil(lambda: table_texts(app.window)[0][4].startswith("●  Cambiada"), timeout=10_000)
    assert table_texts(app.window)[0][4].endswith("; la anterior sigue en la agenda")
    assert row_of(app, "Juan Pablo Muñoz", "Reservada")[4] == "●  Reservada"  # still in the web app: still counts


def test_open_in_the_web_agenda_from_a_booking_row_and_a_follow_up_row(qtbot, agent_paths, plaintext_keyring,
                                                                        make_app, engines, shots):
    configure(agent_paths, portal_url=PORTAL)
    seed_journal(agent_paths.journal_file)
    start = datetime.fromisoformat(clinic_time(2, 10, 0))
    end = start + timedelta(minutes=30)
    slot_id = f"dra-soto:{start:%Y-%m-%dT%H:%M}"  # as the demo driver names its slots
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    book.receive(HandoffEvent("fu-1", now().isoformat(), "901", "Rosa Ruiz", "+56 9 6060 7070", "asked_for_person"))
    app = make_app(tray_available=True)
    started(qtbot, app)
    app.window.show()
    app.bridge.call(engines[0].book_slot("k-link", slot_id, "Rosa Ruiz", "+56 9 6060 7070", start.isoformat(),
                                         end.isoformat(), "Dra. Camila Soto", "4711"))
    qtbot.waitUntil(lambda: any(r[0] == "Rosa Ruiz" for r in table_texts(app.window)), timeout=10_000)
    monday = (start.date() - timedelta(days=start.weekday())).isoformat()
    expected = f"{PORTAL}/agenda?profesional=dra-soto&semana={monday}&cita=4711"

    window = app.window
    window.table.selectRow(next(i for i, r in enumerate(table_texts(window)) if r[0] == "Rosa Ruiz"))
    menu = window.row_menu(window.selected_row())
    assert [a.text() for a in menu.actions()] == ["Ver detalle…", "Copiar teléfono", "Abrir WhatsApp",
                                                  "Abrir en la agenda web"]
    menu.actions()[3].trigger()
    assert app.opened == [expected]
    dialog = window.show_detail()
    button = dialog.action_buttons["agenda"]
    assert button.text() == "Abrir en la agenda web" and button.isEnabled()
    dialog.adjustSize()
    QApplication.processEvents()
    dialog.grab().save(str(shots / "booking-row-detail-open-in-agenda-es.png"))
    button.click()
    assert app.opened == [expected, expected]
    dialog.close()

    # A row whose appointment the driver cannot place (no slot id of its web app): no such action anywhere.
    window.table.selectRow(next(i for i, r in enumerate(table_texts(window)) if r[0] == "María José Fernández"))
    assert "Abrir en la agenda web" not in [a.text() for a in window.row_menu(window.selected_row()).actions()]
    dialog = window.show_detail()
    assert "agenda" not in dialog.action_buttons
    dialog.close()

    # The follow-up of the same patient: her appointment, from the panel's button, menu and detail.
    panel = window.follow_ups
    qtbot.waitUntil(lambda: bool(panel.rows) and bool(panel.rows[0].agenda_url), timeout=10_000)
    panel.select("fu-1")
    assert panel.agenda_button.isVisibleTo(panel)
    panel.agenda_button.click()
    assert app.opened[-1] == expected
    assert [a.text() for a in panel.row_menu(panel.rows[0]).actions()] == [
        "Ver detalle…", "Copiar teléfono", "Abrir WhatsApp", "Abrir en Kommo", "Abrir en la agenda web", "Contactado"]
    detail = panel.show_detail()
    assert detail.action_buttons["agenda"].isEnabled()
    detail.close()
    window.resize(1180, 640)
    QApplication.processEvents()
    window.grab().save(str(shots / "follow-up-open-in-agenda-es.png"))


def test_the_web_app_changed_is_said_in_the_menu_line_banner_tooltip_and_once_as_a_notification(
        qtbot, agent_paths, plaintext_keyring, make_app, engines, shots):
    configure(agent_paths)
    app = make_app(tray_available=True)
    started(qtbot, app)
    [engine] = engines
    sentence = 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'

    app.bridge.call(engine.drift(SAVE_GONE))
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.ATTENTION, timeout=10_000)
    assert app.tray.state_action.text() == sentence  # the tray menu's first line
    banner = app.window.banner_labels["attention"].text()
    assert banner.startswith(sentence + " Los pacientes reciben el mensaje de derivación")
    assert sentence in app.tray.icon.toolTip()
    [note] = [s for s in app.notifier.shown if s.kind == "portal_changed"]
    assert note.title == "La agenda web cambió" and note.body.startswith(sentence)
    assert not [s for s in app.notifier.shown if s.kind == "portal_down"]  # one notification, the one that says why
    assert "Agenda web: cambió (vea el aviso)" in app.window.portal_label.text()  # it answers: not "no responde"
    app.window.show_notice(note.title, note.body)  # where no tray shows it: the title once, not "cambió — … cambió:"
    assert app.window.banner_labels["notice"].text().count("La agenda web cambió") == 1

    app.bridge.call(engine.refresh_now())  # more snapshots while it stays changed: not notified again
    app.bridge.call(engine.drift(SAVE_GONE))
    qtbot.waitUntil(lambda: "refresh_now" in engine.calls, timeout=10_000)
    QApplication.processEvents()
    assert len([s for s in app.notifier.shown if s.kind == "portal_changed"]) == 1
    app.window.resize(1100, 520)
    QApplication.processEvents()
    app.window.grab().save(str(shots / "web-app-changed-attention-es.png"))

    app.bridge.call(engine.drift(FIELD_GONE))  # another change: told
    qtbot.waitUntil(lambda: len([s for s in app.notifier.shown if s.kind == "portal_changed"]) == 2, timeout=10_000)
    assert 'el campo "Teléfono"' in app.tray.state_action.text()

    app.bridge.call(engine.drift(SelfCheckResult(ok=True)))  # a check passed
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert not app.window.banner_labels["attention"].isVisibleTo(app.window)
    app.bridge.call(engine.drift(SAVE_GONE))  # changed again later: told again
    qtbot.waitUntil(lambda: len([s for s in app.notifier.shown if s.kind == "portal_changed"]) == 3, timeout=10_000)


def test_the_web_app_changed_in_english(qtbot, agent_paths, plaintext_keyring, make_app, engines):
    configure(agent_paths, language="en")
    app = make_app(tray_available=True, system_locale="en_US")
    started(qtbot, app)
    app.bridge.call(engines[0].drift(SAVE_GONE))
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.ATTENTION, timeout=10_000)
    sentence = 'The clinic web app changed: I cannot find the button "Guardar cita" on the appointment form.'
    assert app.tray.state_action.text() == sentence
    assert app.window.banner_labels["attention"].text().startswith(sentence + " Patients get the hand-off message")
    [note] = [s for s in app.notifier.shown if s.kind == "portal_changed"]
    assert note.title == "The clinic web app changed" and note.body.startswith(sentence)


def test_cita_agent_status_says_the_web_app_changed(agent_paths, plaintext_keyring, capsys, monkeypatch):
    import json
    import os

    from agent.cli import main
    from agent.commands.selfcheck import result_file
    from agent.portal.drift import save_result
    from agent.runtime_state import RuntimeState, save_state

    configure(agent_paths, language="es")
    save_state(agent_paths.state_file, RuntimeState(
        paused=False, link="connected", relay="ws://127.0.0.1:9/agent", portal="down",
        portal_detail=SAVE_GONE.sentence("es"), last_refresh=datetime.now(CLINIC_TZ).isoformat(),
        updated_at=datetime.now(UTC).isoformat(), pid=os.getpid()))
    save_result(result_file(agent_paths), SAVE_GONE)
    home = ["--home", str(agent_paths.home)]
    assert main([*home, "status"]) == 0
    out = capsys.readouterr().out
    assert 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.' in out
    assert main([*home, "status", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["selfcheck"]["ok"] is False
    assert shown["selfcheck"]["sentence"].startswith("La agenda web cambió")


def test_a_web_app_that_reads_but_does_not_save_is_said_until_a_booking_is_saved(qtbot, agent_paths,
                                                                                 plaintext_keyring, make_app, engines,
                                                                                 shots):
    """The web app read fine but refused every save: the tray said "Agenda web: funcionando" while every patient
    heard "no se pudo reservar". Two in a row: the window says so, once as a notification; a saved one ends it."""
    configure(agent_paths)
    app = make_app()
    started(qtbot, app)
    [engine] = engines
    start = clinic_time(1, 10, 30)
    app.bridge.call(engine.fail_booking("k-1", "Tomás Rivas", "+56 9 1111 0007", start, "Dra. Soto"))
    qtbot.waitUntil(lambda: any(r[0] == "Tomás Rivas" for r in table_texts(app.window)), timeout=10_000)
    assert app.status.state(now()) is TrayState.CONNECTED  # one failure: any web app has a bad moment
    app.bridge.call(engine.fail_booking("k-2", "Inés Soto", "+56 9 1111 0008", start, "Dra. Soto", "internal"))
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.ATTENTION, timeout=10_000)
    banner = app.window.banner_labels["attention"].text()
    assert banner.startswith("Las últimas 2 reservas no quedaron guardadas en la agenda web")
    assert "Agenda web: no guarda las reservas" in app.window.portal_label.text()
    assert "#D93025" in app.window.portal_label.text()  # its dot red, not "working" green
    assert app.status.menu_line(app.tr, now()) == "Requiere atención: La agenda web no guarda las reservas"
    [note] = [s for s in app.notifier.shown if s.kind == "bookings_failing"]
    assert note.title == "La agenda web no guarda las reservas"
    app.window.resize(1100, 560)
    QApplication.processEvents()
    app.window.grab().save(str(shots / "web-app-not-saving-es.png"))

    app.bridge.call(engine.book("k-3", "Luis Pino", "+56 9 1111 0009", clinic_time(1, 11, 0), "Dra. Soto"))
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    assert not app.window.banner_labels["attention"].isVisibleTo(app.window)
    assert [s.kind for s in app.notifier.shown if s.kind.startswith("bookings_")] == ["bookings_failing",
                                                                                       "bookings_saving"]
