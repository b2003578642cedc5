"""The receptionist's walk over the real engine (its link to a relay that is not there, the stand-in web app in
Chromium), on real widgets (offscreen), in Spanish."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_helpers import real_app_without_relay

from agent.ui.app import TrayApp
from demo.portal import PortalSettings, create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD
from demo.serving import ServerThread, free_port


@pytest.fixture
def portal() -> Iterator[ServerThread]:
    with ServerThread(create_portal_app(PortalSettings(seed=5, admin_token="admin-token-for-ui-tests"))) as server:
        yield server


@pytest.fixture
def portal_url(portal) -> str:
    return portal.url


@pytest.fixture
def tray_app(qtbot, agent_paths, plaintext_keyring, portal_url, browser_path) -> Iterator[TrayApp]:
    # No relay listens there: the link keeps retrying.
    yield from real_app_without_relay(qtbot, agent_paths, portal_url, browser_path, DEFAULT_STAFF_PASSWORD)


def test_the_relay_unreachable_is_said_in_spanish_on_the_status_line_and_its_tooltip(qtbot, tray_app, shots):
    window = tray_app.window
    window.show()
    qtbot.waitUntil(lambda: "cannot reach the relay" in getattr(tray_app.status.snapshot, "link_detail", ""),
                    timeout=30_000)
    qtbot.waitUntil(lambda: "sin conexión" in window.relay_label.text() or "conectando" in window.relay_label.text(),
                    timeout=10_000)
    tip = window.relay_label.toolTip().splitlines()
    assert tip[0].startswith("ws://127.0.0.1:")  # the address, as configured
    # what it means, in the receptionist's words; the engine's English only as labelled detail for support
    assert tip[1] == "No se llega al servidor de Cita Bridge; se reintenta solo."
    assert tip[2].startswith("Detalle técnico (para soporte): cannot reach the relay")
    assert all(not line.startswith("cannot") for line in tip)
    qtbot.wait(200)  # the layout settles before the picture
    window.grab().save(str(shots / "bookings-window-relay-unreachable-es.png"))


@pytest.mark.parametrize("portal_url", [f"http://127.0.0.1:{free_port()}"])  # nothing listens: the web app is down
def test_the_web_app_down_is_said_in_spanish_on_the_status_line_and_its_tooltip(qtbot, tray_app, shots):
    window = tray_app.window
    window.show()
    qtbot.waitUntil(lambda: "no responde" in window.portal_label.text(), timeout=60_000)
    tip = window.portal_label.toolTip().splitlines()
    assert tip[0] == "Agenda web: no responde"
    assert tip[1].startswith("Detalle técnico (para soporte): the clinic web app at http://127.0.0.1:")
    assert len(tip) == 2
    assert window.banner_labels["attention"].text() == (
        "No se pudo leer la agenda web. Los pacientes reciben el mensaje de derivación mientras tanto.")
    qtbot.wait(200)  # the layout settles before the picture
    window.grab().save(str(shots / "bookings-window-web-app-down-es.png"))
