"""The tray app over the real parts: the real Engine in its thread, the real relay (relay.app on uvicorn), the
stand-in Kommo playing the patient's chat, the stand-in clinic web app, and the demo driver on Chromium.

A booking made in the chat appears in the window with a notification; pause reaches the engine and the
relay's /healthz shows the clinic's agent as paused; "Probar acceso" runs the real driver.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from relay_world import relay_with_clinic
from ui_helpers import configure, quit_and_shut_down, recorder, table_texts

from agent.runtime_state import load_state
from agent.ui.app import TrayApp
from agent.ui.status import TrayState
from demo.kommo import StandInKommo
from demo.kommo.chat_view import bot_turn
from demo.portal import PortalAdmin, PortalSettings, create_portal_app
from demo.serving import ServerThread

STAFF_USER = "recepcion"
STAFF_PASSWORD = "Aromos-" + secrets.token_urlsafe(6)
CLINIC = "aromos"


@dataclass
class World:
    kommo: StandInKommo
    relay_url: str
    portal_url: str
    agent_token: str
    admin_token: str

    @property
    def ws_url(self) -> str:
        return self.relay_url.replace("http://", "ws://") + "/agent"

    @property
    def widget_url(self) -> str:
        return f"{self.relay_url}/kommo/{CLINIC}"

    def clinic_health(self) -> dict[str, Any]:
        health = httpx.get(f"{self.relay_url}/healthz", timeout=5).json()
        return health.get("clinics", {}).get(CLINIC, {})

    def chat(self, lead_id: str, *messages_or_picks: str, name: str, phone: str) -> tuple[threading.Thread, list[Any]]:
        """The patient's turns (a message, or "#n" for the n-th button of the last answer), in a thread of its own
        so the Qt event loop keeps running while the relay waits for the agent."""
        turns: list[Any] = []

        async def talk() -> None:
            buttons: tuple[str, ...] = ()
            for step in messages_or_picks:
                message = buttons[int(step[1:])] if step.startswith("#") else step
                record = await self.kommo.say(self.widget_url, CLINIC, lead_id, message, name=name, phone=phone,
                                              timeout=60)
                turn = bot_turn(record.body)
                turns.append(record)
                buttons = turn.buttons or buttons

        thread = threading.Thread(target=lambda: asyncio.run(talk()), name="patient-chat")
        thread.start()
        return thread, turns


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("ui-world")
    with relay_with_clinic(root, CLINIC, address="Av. Providencia 1234, Santiago") as (kommo, relay_url, token):
        admin_token = secrets.token_urlsafe(12)
        portal = ServerThread(create_portal_app(PortalSettings(
            seed=11, staff_user=STAFF_USER, staff_password=STAFF_PASSWORD, admin_token=admin_token,
        ))).start()
        yield World(kommo, relay_url, portal.url, token, admin_token)
        portal.stop()


@pytest.fixture
def tray_app(qtbot, agent_paths, plaintext_keyring, world, browser_path) -> Iterator[TrayApp]:
    configure(agent_paths, relay_url=world.ws_url, portal_url=world.portal_url, portal_user=STAFF_USER,
              browser_path=browser_path)
    from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore

    store = SecretStore(agent_paths.keyring_service)
    store.set(PORTAL_PASSWORD, STAFF_PASSWORD)
    store.set(RELAY_TOKEN, world.agent_token)
    quits, on_quit = recorder()
    app = TrayApp(agent_paths, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.quits = quits  # type: ignore[attr-defined]
    app.start()
    yield app
    quit_and_shut_down(qtbot, app)


def now() -> datetime:
    return datetime.now(UTC)


def wait_until_ready(qtbot, app: TrayApp) -> None:
    """Connected to the relay and the first read of the web app done."""
    qtbot.waitUntil(
        lambda: app.status.state(now()) is TrayState.CONNECTED and app.status.snapshot.last_refresh is not None,
        timeout=90_000,
    )


def test_a_booking_made_in_the_chat_appears_in_the_window_with_a_notification(qtbot, tray_app, world, shots, caplog):
    caplog.set_level("INFO")  # what the tray app writes to its log (websockets logs the Authorization header at DEBUG)
    app = tray_app
    wait_until_ready(qtbot, app)
    assert app.status.snapshot.portal == "ok"
    assert world.clinic_health().get("agent_connected") is True
    assert table_texts(app.window) == []

    chat, turns = world.chat("7001", "Hola, quiero una hora con cualquier profesional", "#0", "#0", name="Ana Pérez",
                             phone="+56 9 1234 5678")
    qtbot.waitUntil(lambda: any(r[0] == "Ana Pérez" and r[4].endswith("Reservada") for r in table_texts(app.window)),
                    timeout=90_000)
    chat.join(60)
    booked = turns[-1].body["data"]
    assert booked["status"] == "booked"

    [row] = table_texts(app.window)
    assert row[1] == "+56 9 1234 5678" and row[3] == booked["professional"]
    start = datetime.fromisoformat(booked["start"])
    assert row[2].endswith(start.strftime("%H:%M"))
    shown = [s for s in app.notifier.shown if s.kind == "booked"]
    assert shown and shown[-1].title == "Nueva reserva" and shown[-1].body.startswith("Ana Pérez: ")
    assert "Reservas de hoy: 1" in app.tray.icon.toolTip()
    # The clinic web app has it too: the window showed what really happened.
    with PortalAdmin(world.portal_url, world.admin_token) as admin:
        appointments = admin.appointments()
    assert any(a.get("patient_name", a.get("patient", "")) and "Ana Pérez" in str(a) for a in appointments)

    app.window.resize(1100, 520)
    app.window.grab().save(str(shots / "bookings-window-live-booking-es.png"))
    assert STAFF_PASSWORD not in caplog.text and world.agent_token not in caplog.text


def test_pause_reaches_the_engine_and_the_relay_sees_paused(qtbot, tray_app, world, agent_paths):
    app = tray_app
    wait_until_ready(qtbot, app)
    qtbot.waitUntil(lambda: world.clinic_health().get("paused") is False, timeout=30_000)

    qtbot.mouseClick(app.window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: world.clinic_health().get("paused") is True, timeout=30_000)
    qtbot.waitUntil(lambda: app.status.paused, timeout=30_000)  # the engine's event reaches the GUI thread too
    assert app.tray.state is TrayState.PAUSED
    assert app.window.banner_labels["paused"].isVisibleTo(app.window)
    assert load_state(agent_paths.state_file).paused

    app.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: world.clinic_health().get("paused") is False, timeout=30_000)
    qtbot.waitUntil(lambda: app.tray.state is TrayState.CONNECTED, timeout=30_000)
    assert not load_state(agent_paths.state_file).paused

    # Quit: the engine stops (browser closed, state written) before the app leaves its event loop.
    app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=90_000)
    assert app.quits == [()]
    assert load_state(agent_paths.state_file).pid == 0  # the engine's final write: it stopped cleanly
    qtbot.waitUntil(lambda: world.clinic_health().get("agent_connected") is False, timeout=30_000)


def test_probar_acceso_runs_the_real_driver_and_reports_failure_then_success(qtbot, world, agent_paths,
                                                                             plaintext_keyring, browser_path, shots):
    pytest.importorskip("agent.login_check", reason="agent/login_check.py (the engine issue) is not in the tree yet")
    from agent.secrets import SecretStore
    from agent.settings import AgentSettings
    from agent.ui.engine_bridge import EngineBridge
    from agent.ui.i18n import Translator
    from agent.ui.settings_dialog import SettingsDialog, SettingsEditor

    bridge = EngineBridge()  # the default checker: agent.login_check.test_login, on the bridge's loop thread
    settings = AgentSettings(portal_kind="demo", portal_url=world.portal_url, portal_user=STAFF_USER,
                             browser_path=browser_path)
    editor = SettingsEditor(agent_paths, SecretStore(agent_paths.keyring_service), settings, bridge, Translator("es"))
    dialog = SettingsDialog(editor)
    dialog.show()
    try:
        editor.portal_password.setText("no-es-la-clave")
        with qtbot.waitSignal(editor.login_checked, timeout=120_000):
            qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        failed = editor.test_result.text()
        assert failed.startswith("✕ Usuario o contraseña incorrectos. La agenda web dice: «Le quedan ")
        assert failed.endswith("antes de que la cuenta se bloquee.»")  # the web app's own warning, where it is read
        dialog.adjustSize()
        QApplication.processEvents()
        dialog.grab().save(str(shots / "settings-dialog-login-failed-attempts-es.png"))

        editor.portal_password.setText(STAFF_PASSWORD)
        with qtbot.waitSignal(editor.login_checked, timeout=120_000):
            qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        assert editor.test_result.text() == "✓ Acceso correcto."
        dialog.adjustSize()
        QApplication.processEvents()  # let the layout settle before the picture
        dialog.grab().save(str(shots / "settings-dialog-login-ok-es.png"))
    finally:
        dialog.close()
        dialog.deleteLater()
        bridge.shutdown()


def test_a_patient_handed_off_while_paused_reaches_the_tray_and_the_kommo_task_list(qtbot, tray_app, world, shots,
                                                                                  agent_paths):
    from agent.followups import FollowUpBook, follow_up_path

    app = tray_app
    opened: list[str] = []
    app.url_opener = lambda url: opened.append(url.toString())
    wait_until_ready(qtbot, app)
    qtbot.mouseClick(app.window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: world.clinic_health().get("paused") is True, timeout=30_000)

    chat, turns = world.chat("7101", "Hola, quiero una hora para mañana", name="Pedro Ignacio Soto",
                             phone="+56 9 7777 1111")
    panel = app.window.follow_ups
    qtbot.waitUntil(lambda: any(r.text("patient") == "Pedro Ignacio Soto" for r in panel.rows), timeout=60_000)
    chat.join(60)
    assert turns[-1].body["data"]["status"] == "handoff"

    # The tray: a row with the reason in plain words, and one notification.
    [row] = panel.rows
    assert row.text("phone") == "+56 9 7777 1111"
    assert row.text("reason") == "la automatización estaba en pausa"
    assert panel.isVisibleTo(app.window) and panel.title.text() == "Para contactar: 1"
    assert "Para contactar: 1" in app.window.summary_label.text()
    [note] = [s for s in app.notifier.shown if s.kind == "handoff"]
    assert note.title == "Paciente para contactar"
    assert note.body == "Pedro Ignacio Soto (+56 9 7777 1111): la automatización estaba en pausa"

    # The clinic's Kommo: a task on the lead, and a note with the reason.
    qtbot.waitUntil(lambda: bool(world.kommo.tasks(CLINIC, "7101")), timeout=30_000)
    [task] = world.kommo.tasks(CLINIC, "7101")
    assert "Pedro Ignacio Soto (+56 9 7777 1111)" in task.text and "pausa" in task.text
    qtbot.waitUntil(lambda: bool(world.kommo.notes(CLINIC, "7101")), timeout=30_000)  # posted after the task

    app.window.resize(1100, 620)
    app.window.grab().save(str(shots / "follow-up-list-es.png"))

    # Row actions: copy the phone, open WhatsApp and the Kommo lead, the detail (Enter), then "Contactado".
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "+56 9 7777 1111"
    qtbot.mouseClick(panel.whatsapp_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.kommo_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://wa.me/56977771111", f"{world.kommo.account_base_url(CLINIC)}/leads/detail/7101"]
    menu = panel.row_menu(row)
    assert [a.text() for a in menu.actions()] == [
        "Ver detalle…", "Copiar teléfono", "Abrir WhatsApp", "Abrir en Kommo", "Contactado"
    ]
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    detail = panel.detail_dialog
    assert detail is not None and detail.isVisible()
    detail.adjustSize()
    QApplication.processEvents()
    detail.grab().save(str(shots / "follow-up-detail-es.png"))
    qtbot.mouseClick(detail.contacted_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.rows, timeout=10_000)
    assert not panel.isVisibleTo(app.window)
    assert FollowUpBook(follow_up_path(agent_paths.journal_file)).open_items() == []  # what a restarted tray reads
    # Kommo hears it too: the lead's task is done, so nobody working in Kommo writes to the patient again.
    qtbot.waitUntil(lambda: all(t.completed for t in world.kommo.tasks(CLINIC, "7101")), timeout=30_000)
    [task] = world.kommo.tasks(CLINIC, "7101")
    assert "ya no hace falta contactar a Pedro Ignacio Soto" in task.result and "Contactado" in task.result
    qtbot.waitUntil(lambda: not FollowUpBook(follow_up_path(agent_paths.journal_file)).owed_contacts(),
                    timeout=10_000)  # the relay acknowledged it: not told again

    app.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: world.clinic_health().get("paused") is False, timeout=30_000)


def test_a_refused_agent_key_is_an_attention_state_fixed_from_the_window(qtbot, world, agent_paths, plaintext_keyring,
                                                                         browser_path, shots):
    from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore

    # The provider's address as given (https, no /agent), and a key with a typo.
    configure(agent_paths, relay_url=world.relay_url, portal_url=world.portal_url, portal_user=STAFF_USER,
              browser_path=browser_path)
    store = SecretStore(agent_paths.keyring_service)
    store.set(PORTAL_PASSWORD, STAFF_PASSWORD)
    store.set(RELAY_TOKEN, world.agent_token[:-2] + "xx")
    quits, on_quit = recorder()
    app = TrayApp(agent_paths, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.start()
    try:
        qtbot.waitUntil(lambda: app.status.link_problem == "token_refused", timeout=60_000)
        assert app.status.state(now()) is TrayState.ATTENTION  # at once, not after two minutes of "Conectando…"
        banner = app.window.banner_labels["attention"].text()
        assert banner.startswith("El servidor no reconoce la clave del agente.")
        assert app.window.fix_button.isVisibleTo(app.window) and app.window.fix_button.text() == "Corregir…"
        assert "Clave del agente rechazada" in app.tray.icon.toolTip()
        assert [s.title for s in app.notifier.shown if s.kind == "link_token_refused"] == ["Clave del agente rechazada"]
        app.window.resize(1100, 520)
        app.window.grab().save(str(shots / "wrong-key-attention-es.png"))

        qtbot.mouseClick(app.window.fix_button, Qt.MouseButton.LeftButton)
        dialog = app._settings_window
        assert dialog is not None and dialog.isVisible()
        editor = dialog.editor
        assert editor.focused_field == "relay_token"
        editor.relay_token.setText(world.agent_token)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=60_000)
        assert not app.window.fix_button.isVisibleTo(app.window)
        assert app.settings.relay_urls == (world.ws_url,)
    finally:
        app.quit()
        qtbot.waitUntil(lambda: app.quit_done, timeout=90_000)
        app.shutdown()
