"""«Contactado» can be taken back, and every place that counts the patients to contact says the same number.

- A mis-click on the wrong row: «Deshacer» for a few seconds brings the patient back into «Para contactar» (picked),
  and the relay (so Kommo) has heard nothing of it; once the seconds pass, or at the next «Contactado», the mark is
  final and owed to the relay. Quitting inside those seconds still tells the relay (the real engine and relay, and
  the stand-in Kommo's task completed).
- «Para contactar: N» in the list's title, the window's header, the tray's tooltip and its menu: one number, also
  in the moment a booking failed and the relay's hand-off of it has not arrived yet.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from relay_world import relay_with_clinic
from ui_helpers import clinic_time, configure, quit_and_shut_down, recorder, table_texts

from agent.followups import FollowUpBook, follow_up_path
from agent.ui.app import TrayApp
from agent.ui.status import TrayState
from wire.handoff import HandoffEvent


def now() -> datetime:
    return datetime.now(UTC)


def handed_off(book: FollowUpBook, *names: str) -> None:
    for n, name in enumerate(names):
        book.receive(HandoffEvent(f"fu-{n}", (now() - timedelta(minutes=n)).isoformat(), str(90 + n), name,
                                  f"+56 9 5555 14{n:02d}", "asked_for_person"))


def shown_app(qtbot, make_app, **options) -> TrayApp:
    app = make_app(**options)
    app.start()
    qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED, timeout=10_000)
    app.window.show()
    qtbot.waitExposed(app.window)
    return app


def listed(app: TrayApp) -> list[str]:
    return [r.text("patient") for r in app.window.follow_ups.rows]


def counts(app: TrayApp) -> list[str]:
    """«Para contactar: N» as each place says it: the list's title, the window's header, the tray's tooltip and the
    tray menu's first entry ("" where a place says nothing)."""
    window, tray = app.window, app.tray
    header = next((part.strip() for part in window.summary_label.text().split("·") if "Para contactar" in part), "")
    tip = next((line for line in tray.icon.toolTip().splitlines() if line.startswith("Para contactar")), "")
    menu = [a.text() for a in tray.menu.actions() if a.text()][1]
    return [window.follow_ups.title.text() if window.follow_ups.isVisibleTo(window) else "", header, tip, menu]


def says(count: int, *, listed: bool = True) -> list[str]:
    menu = f"Abrir reservas · {count} para contactar" if count else "Abrir reservas"
    said = f"Para contactar: {count}"
    return [said if listed else "", said, said if count else "", menu]


def click_contactado(qtbot, app: TrayApp, name: str) -> None:
    panel = app.window.follow_ups
    panel.table.selectRow(listed(app).index(name))
    qtbot.mouseClick(panel.contacted_button, Qt.MouseButton.LeftButton)


def test_deshacer_brings_a_patient_marked_by_mistake_back_and_kommo_hears_nothing(qtbot, agent_paths,
                                                                                plaintext_keyring, make_app, shots):
    configure(agent_paths)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    handed_off(book, "Sara Gil", "Eva Luna", "Juan Díaz")
    app = shown_app(qtbot, make_app)
    window, panel = app.window, app.window.follow_ups
    assert listed(app) == ["Sara Gil", "Eva Luna", "Juan Díaz"]

    click_contactado(qtbot, app, "Eva Luna")  # she meant Sara Gil
    assert listed(app) == ["Sara Gil", "Juan Díaz"]
    bar = window.undo_bar
    assert bar.isVisibleTo(window)
    assert bar.label.text() == "Marcado «Contactado»: Eva Luna"
    assert bar.undo_button.text() == "Deshacer" and bar.undo_button.isEnabled()
    assert panel.title.text() == "Para contactar: 2" and "Para contactar: 2" in window.summary_label.text()
    assert book.owed_contacts() == []  # nothing for the relay (Kommo) while it can still be undone
    window.resize(1100, 620)
    QApplication.processEvents()
    window.grab().save(str(shots / "follow-up-undo-es.png"))

    qtbot.mouseClick(bar.undo_button, Qt.MouseButton.LeftButton)
    assert listed(app) == ["Sara Gil", "Eva Luna", "Juan Díaz"]  # back in its place
    assert panel.selected() is not None and panel.selected().text("patient") == "Eva Luna"  # picked, to see it
    assert panel.title.text() == "Para contactar: 3" and "Para contactar: 3" in window.summary_label.text()
    assert not bar.isVisibleTo(window)
    assert [item.name for item in book.open_items()] == ["Sara Gil", "Eva Luna", "Juan Díaz"]  # after a restart too
    assert book.owed_contacts() == []  # never told: nobody's Kommo task was completed

    # The one she meant: marked, and once the undo's seconds pass, final and owed to the relay.
    app.undo_ms = 300
    click_contactado(qtbot, app, "Sara Gil")
    assert listed(app) == ["Eva Luna", "Juan Díaz"]
    assert bar.label.text() == "Marcado «Contactado»: Sara Gil"
    assert book.owed_contacts() == []
    qtbot.waitUntil(lambda: not bar.isVisibleTo(window), timeout=5_000)
    assert [c.name for c in book.owed_contacts()] == ["Sara Gil"]
    assert listed(app) == ["Eva Luna", "Juan Díaz"]


def test_the_next_contactado_makes_the_one_before_final_and_only_the_last_can_be_undone(qtbot, agent_paths,
                                                                                      plaintext_keyring, make_app):
    configure(agent_paths)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    handed_off(book, "Sara Gil", "Eva Luna")
    app = shown_app(qtbot, make_app)
    bar = app.window.undo_bar

    click_contactado(qtbot, app, "Sara Gil")
    click_contactado(qtbot, app, "Eva Luna")
    assert listed(app) == []
    assert not app.window.follow_ups.isVisibleTo(app.window)  # the list hides with its last row ...
    assert bar.isVisibleTo(app.window) and bar.label.text() == "Marcado «Contactado»: Eva Luna"  # ... not the bar
    assert [c.name for c in book.owed_contacts()] == ["Sara Gil"]  # no longer undoable: told

    qtbot.mouseClick(bar.undo_button, Qt.MouseButton.LeftButton)
    assert listed(app) == ["Eva Luna"]
    assert app.window.follow_ups.title.text() == "Para contactar: 1"
    assert [c.name for c in book.owed_contacts()] == ["Sara Gil"]


def test_para_contactar_says_one_number_everywhere_also_before_the_relays_hand_off_arrives(qtbot, agent_paths,
                                                                                          plaintext_keyring, make_app,
                                                                                          engines, shots):
    """A booking the web app did not save counts at once (the window's header and the tray always counted it); the
    list's title counted only its rows, one less, until the relay's hand-off of that patient arrived."""
    configure(agent_paths)
    handed_off(FollowUpBook(follow_up_path(agent_paths.journal_file)), "Sara Gil")
    app = shown_app(qtbot, make_app, tray_available=True)
    [engine] = engines
    assert counts(app) == says(1)

    app.bridge.call(engine.fail_booking("k-9", "Tomás Rivas", "+56 9 7000 0009", clinic_time(1, 10, 0), "Dra. Soto"))
    qtbot.waitUntil(lambda: any(r[0] == "Tomás Rivas" for r in table_texts(app.window)), timeout=10_000)
    assert counts(app) == says(2)
    below = app.window.follow_ups.also_below
    assert below.isVisibleTo(app.window)
    assert below.text() == "Y 1 más en la lista de abajo («Falló: contactar» o «Derivada: contactar»)."
    app.window.resize(1100, 640)
    QApplication.processEvents()
    app.window.grab().save(str(shots / "follow-up-count-before-hand-off-es.png"))

    app.bridge.call(engine.follow_up(HandoffEvent("fu-t", now().isoformat(), "99", "Tomás Rivas", "+56 9 7000 0009",
                                                  "portal_down")))
    qtbot.waitUntil(lambda: "Tomás Rivas" in listed(app), timeout=10_000)
    assert counts(app) == says(2)
    assert not below.isVisibleTo(app.window)

    click_contactado(qtbot, app, "Tomás Rivas")  # every place at once, right after the mark
    assert counts(app) == says(1)
    qtbot.mouseClick(app.window.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert counts(app) == says(2)
    for name in ("Tomás Rivas", "Sara Gil"):
        click_contactado(qtbot, app, name)
    assert counts(app) == says(0, listed=False)


# -- quitting inside the undo's seconds, over the real engine, relay and stand-in Kommo ---------------------------

STAFF_USER = "recepcion"
STAFF_PASSWORD = "Aromos-" + secrets.token_urlsafe(6)
CLINIC = "aromos"


@dataclass
class World:
    kommo: object
    relay_url: str
    portal_url: str
    agent_token: str

    @property
    def ws_url(self) -> str:
        return self.relay_url.replace("http://", "ws://") + "/agent"

    def paused(self) -> bool | None:
        import httpx

        health = httpx.get(f"{self.relay_url}/healthz", timeout=5).json()
        return health.get("clinics", {}).get(CLINIC, {}).get("paused")

    def chat(self, lead_id: str, message: str, *, name: str, phone: str) -> threading.Thread:
        """The patient's message, in a thread of its own so the Qt event loop keeps running meanwhile."""
        kommo = self.kommo

        async def talk() -> None:
            await kommo.say(f"{self.relay_url}/kommo/{CLINIC}", CLINIC, lead_id, message, name=name,  # type: ignore[attr-defined]
                            phone=phone, timeout=60)

        thread = threading.Thread(target=lambda: asyncio.run(talk()), name="patient-chat")
        thread.start()
        return thread


@pytest.fixture
def world(tmp_path_factory) -> Iterator[World]:
    from demo.portal import PortalSettings, create_portal_app
    from demo.serving import ServerThread

    root = tmp_path_factory.mktemp("undo-world")
    with relay_with_clinic(root, CLINIC) as (kommo, relay_url, token):
        portal = ServerThread(create_portal_app(PortalSettings(
            seed=11, staff_user=STAFF_USER, staff_password=STAFF_PASSWORD, admin_token=secrets.token_urlsafe(12),
        ))).start()
        yield World(kommo, relay_url, portal.url, token)
        portal.stop()


def test_quitting_while_deshacer_is_still_offered_still_completes_the_kommo_task(qtbot, agent_paths,
                                                                                 plaintext_keyring, world,
                                                                                 browser_path):
    from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore

    configure(agent_paths, relay_url=world.ws_url, portal_url=world.portal_url, portal_user=STAFF_USER,
              browser_path=browser_path)
    store = SecretStore(agent_paths.keyring_service)
    store.set(PORTAL_PASSWORD, STAFF_PASSWORD)
    store.set(RELAY_TOKEN, world.agent_token)
    _, on_quit = recorder()
    app = TrayApp(agent_paths, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.start()
    try:
        qtbot.waitUntil(lambda: app.status.state(now()) is TrayState.CONNECTED
                        and app.status.snapshot.last_refresh is not None, timeout=90_000)
        qtbot.mouseClick(app.window.pause_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: world.paused() is True, timeout=30_000)
        chat = world.chat("7201", "Hola, quiero una hora para mañana", name="Marta Reyes", phone="+56 9 7777 2222")
        qtbot.waitUntil(lambda: listed(app) == ["Marta Reyes"], timeout=60_000)
        chat.join(60)
        kommo = world.kommo
        qtbot.waitUntil(lambda: bool(kommo.tasks(CLINIC, "7201")), timeout=30_000)  # type: ignore[attr-defined]
        # The relay completes the tasks made before the mark's second, not in it: she calls the patient first
        qtbot.wait(1_200)

        app.undo_ms = 60_000  # she quits long before it is over
        click_contactado(qtbot, app, "Marta Reyes")
        assert app.window.undo_bar.isVisibleTo(app.window)
        qtbot.wait(1_500)  # the relay would have heard by now, were it told before the mark is final
        assert not any(t.completed for t in kommo.tasks(CLINIC, "7201"))  # type: ignore[attr-defined]

        app.quit()
        qtbot.waitUntil(lambda: app.quit_done, timeout=90_000)
        qtbot.waitUntil(lambda: all(t.completed for t in kommo.tasks(CLINIC, "7201")),  # type: ignore[attr-defined]
                        timeout=30_000)
        assert FollowUpBook(follow_up_path(agent_paths.journal_file)).open_items() == []
    finally:
        quit_and_shut_down(qtbot, app)
