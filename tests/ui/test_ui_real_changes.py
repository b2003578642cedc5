"""The tray app over the real parts (the real Engine in its thread, the real relay on uvicorn, the stand-in Kommo
playing the patient's chat, the stand-in clinic web app, the demo driver on Chromium):

- a patient cancels and moves appointments from the chat: the bookings window shows a "Cancelada" row and a
  "Cambiada (de … a …)" row with notifications, and "Abrir en la agenda web" opens the appointment in the web app
  (checked in a real browser: the agenda opens on its detail);
- the web app's markup changed (a renamed button): the self-check's sentence is the tray's banner and first menu
  line, and the next patient is handed off with the reason "the web app changed", in the tray and in Kommo.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from relay_world import relay_with_clinic
from test_ui_real_engine import CLINIC, STAFF_PASSWORD, STAFF_USER, World, tray_app, wait_until_ready, world  # noqa: F401 - its fixtures, asked for by name below
from ui_helpers import configure, recorder, table_texts

from agent.ui.app import TrayApp
from agent.ui.status import TrayState
from demo.portal import PortalSettings, create_portal_app
from demo.serving import ServerThread

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "drivers"))
from stand_in_markup import changed_markup  # noqa: E402

SENTENCE = 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'


def now() -> datetime:
    return datetime.now(UTC)


def statuses(app: TrayApp, name: str) -> list[str]:
    return [r[4].removeprefix("●  ") for r in table_texts(app.window) if r[0] == name]


def test_cancel_and_move_from_the_chat_are_rows_of_their_own_and_open_in_the_web_agenda(qtbot, request, shots,
                                                                                      browser_path):
    app: TrayApp = request.getfixturevalue("tray_app")
    live: World = request.getfixturevalue("world")
    opened: list[str] = []
    app.url_opener = lambda url: opened.append(url.toString())
    wait_until_ready(qtbot, app)
    name, phone = "Carla Cambia", "+56 9 3131 5252"

    chat, turns = live.chat("7301", "Hola, quiero una hora con cualquier profesional", "#0", "#0", name=name,
                             phone=phone)
    qtbot.waitUntil(lambda: statuses(app, name) == ["Reservada"], timeout=90_000)
    chat.join(60)
    booked = turns[-1].body["data"]
    assert booked["status"] == "booked"

    # "Abrir en la agenda web": the URL the driver gives, opened in a real browser, shows that appointment.
    window = app.window
    window.table.selectRow(next(i for i, r in enumerate(table_texts(window)) if r[0] == name))
    menu = window.row_menu(window.selected_row())
    [agenda] = [a for a in menu.actions() if a.text() == "Abrir en la agenda web"]
    agenda.trigger()
    [url] = opened
    assert url.startswith(f"{live.portal_url}/agenda?") and f"cita={booked['booking_id']}" in url
    detail = open_in_browser(url, live.portal_url, browser_path, shots / "web-agenda-opened-from-the-tray.png")
    assert name in detail and str(booked["booking_id"]) in detail

    # Moved from the chat: one "Cambiada" row, the old booking says it was replaced, one notification.
    chat, turns = live.chat("7301", "hola, quiero cambiar mi hora", "Sí, cambiarla", "#0", "#0", name=name,
                             phone=phone)
    qtbot.waitUntil(lambda: any(s.startswith("Cambiada (de ") for s in statuses(app, name)), timeout=120_000)
    chat.join(90)
    moved = turns[-1].body["data"]
    assert moved["status"] == "booked" and moved["rescheduled_from"] == booked["booking_id"], moved
    qtbot.waitUntil(lambda: "Reservada, luego cambiada" in statuses(app, name), timeout=30_000)
    qtbot.waitUntil(lambda: any(n.kind == "moved" for n in app.notifier.shown), timeout=30_000)  # news is queued
    assert [n.title for n in app.notifier.shown if n.kind == "moved"] == ["Hora cambiada"]

    # Cancelled from the chat: a "Cancelada" row, the move's row says it was cancelled later, one notification.
    chat, turns = live.chat("7301", "necesito cancelar mi hora", "Sí, cancelar", name=name, phone=phone)
    qtbot.waitUntil(lambda: "Cancelada" in statuses(app, name), timeout=120_000)
    chat.join(90)
    assert turns[-1].body["data"]["status"] == "cancelled", turns[-1].body
    qtbot.waitUntil(lambda: "Cambiada, luego cancelada" in statuses(app, name), timeout=30_000)
    qtbot.waitUntil(lambda: any(n.kind == "cancelled" for n in app.notifier.shown), timeout=30_000)
    [note] = [n for n in app.notifier.shown if n.kind == "cancelled"]
    assert note.title == "Hora cancelada" and note.body.startswith(f"{name}: ")
    assert statuses(app, name) == ["Cancelada", "Cambiada, luego cancelada", "Reservada, luego cambiada"]

    window.resize(1240, 600)
    QApplication.processEvents()
    window.grab().save(str(shots / "bookings-window-cancel-and-move-live-es.png"))


def open_in_browser(url: str, portal_url: str, browser_path: str, shot: Path) -> str:
    """Log in to the stand-in web app as the receptionist would, open ``url``; the appointment detail's text."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(f"{portal_url}/login")
            page.fill("#usuario", STAFF_USER)
            page.fill("#clave", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/agenda**")
            page.goto(url)
            page.wait_for_selector("#modal-detalle:not([hidden])", timeout=30_000)
            page.screenshot(path=str(shot))
            return page.inner_text("#detalle-cita")
        finally:
            browser.close()


@pytest.fixture(scope="module")
def changed_world(tmp_path_factory) -> Iterator[World]:
    """A relay, a stand-in Kommo, and a stand-in web app after an update: its save button reads "Grabar"."""
    root = tmp_path_factory.mktemp("ui-changed-world")
    with relay_with_clinic(root, CLINIC) as (kommo, relay_url, token):
        admin_token = secrets.token_urlsafe(12)
        portal_app = create_portal_app(PortalSettings(seed=12, staff_user=STAFF_USER, staff_password=STAFF_PASSWORD,
                                                      admin_token=admin_token))
        portal = ServerThread(changed_markup({"Guardar cita": "Grabar"})(portal_app)).start()
        yield World(kommo, relay_url, portal.url, token, admin_token)
        portal.stop()


def test_a_changed_web_app_is_the_trays_banner_and_patients_are_handed_off_with_that_reason(
        qtbot, changed_world, agent_paths, plaintext_keyring, browser_path, shots):
    from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore

    changed = changed_world
    configure(agent_paths, relay_url=changed.ws_url, portal_url=changed.portal_url, portal_user=STAFF_USER,
              browser_path=browser_path, language="es")
    store = SecretStore(agent_paths.keyring_service)
    store.set(PORTAL_PASSWORD, STAFF_PASSWORD)
    store.set(RELAY_TOKEN, changed.agent_token)
    _, on_quit = recorder()
    app = TrayApp(agent_paths, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.start()
    try:
        wait_until_ready(qtbot, app)  # reading the agenda still works: only the form changed
        # What the engine does nightly and after a web app error: a first miss is looked at again (confirm_s) before
        # it counts as a change, so two checks in a row.
        app.bridge.call(app.bridge.engine.drift.check()).result(timeout=120)
        app.bridge.call(app.bridge.engine.drift.check())
        qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.ATTENTION, timeout=120_000)
        banner = app.window.banner_labels["attention"].text()
        assert banner.startswith(SENTENCE), banner
        assert app.tray.state_action.text() == SENTENCE
        assert [n.body.split(" Los pacientes")[0] for n in app.notifier.shown if n.kind == "portal_changed"] == [
            SENTENCE]
        qtbot.waitUntil(lambda: changed.clinic_health().get("portal_changed") is True, timeout=30_000)

        chat, turns = changed.chat("7401", "Hola, quiero una hora para mañana", name="Pía Derivada",
                                 phone="+56 9 4040 5050")
        panel = app.window.follow_ups
        qtbot.waitUntil(lambda: any(r.text("patient") == "Pía Derivada" for r in panel.rows), timeout=60_000)
        chat.join(60)
        answer = turns[-1].body["data"]
        assert (answer["status"], answer["reason"]) == ("handoff", "portal_changed")
        [row] = [r for r in panel.rows if r.text("patient") == "Pía Derivada"]
        assert row.text("reason") == "la agenda web cambió de aspecto"
        qtbot.waitUntil(lambda: bool(changed.kommo.tasks(CLINIC, "7401")), timeout=30_000)
        [task] = changed.kommo.tasks(CLINIC, "7401")
        assert "la agenda web cambió de aspecto" in task.text
        assert app.status.state(now()) is TrayState.ATTENTION  # still changed: said once, not on every snapshot
        assert len([n for n in app.notifier.shown if n.kind == "portal_changed"]) == 1

        app.window.resize(1100, 620)
        QApplication.processEvents()
        app.window.grab().save(str(shots / "web-app-changed-live-es.png"))
    finally:
        app.quit()
        qtbot.waitUntil(lambda: app.quit_done, timeout=90_000)
        app.shutdown()
