"""The web app asks for more than the password: the prompt, the notification, the tray line and the window's
button, over the real engine and the stand-in web app with ``--otp`` in Chromium (the window the receptionist types
the code in is headless here: no screen on this machine; Xvfb shows it for real where one runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from ui_helpers import real_app_without_relay

from agent.ui.app import TrayApp
from agent.ui.i18n import Translator
from agent.ui.login_prompt import LoginPrompt
from agent.ui.status import OPEN_PORTAL, AgentStatus, TrayState
from demo.portal import PortalAdmin, PortalSettings, create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD
from demo.serving import ServerThread

ADMIN_TOKEN = "admin-token-for-ui-tests"


@pytest.fixture
def otp_portal() -> Iterator[ServerThread]:
    with ServerThread(create_portal_app(PortalSettings(seed=5, admin_token=ADMIN_TOKEN, otp=True))) as server:
        yield server


@pytest.fixture
def tray_app(qtbot, agent_paths, plaintext_keyring, otp_portal, browser_path) -> Iterator[TrayApp]:
    # No relay listens there: the link keeps retrying, which does not stop the web app's side.
    yield from real_app_without_relay(qtbot, agent_paths, otp_portal.url, browser_path, DEFAULT_STAFF_PASSWORD)


def test_the_receptionist_types_the_code_from_the_prompt_and_the_agent_carries_on(qtbot, tray_app, otp_portal,
                                                                                   shots):
    app = tray_app
    prompt = app.login_prompt
    qtbot.waitUntil(prompt.isVisible, timeout=120_000)
    assert prompt.heading.text() == "La agenda pide un código: ábrela aquí"
    notes = [s for s in app.notifier.shown if s.kind == "login_needs_person"]
    assert [(n.title, n.body) for n in notes] == [("La agenda pide un código", "La agenda pide un código: ábrela aquí.")]
    assert app.tray.open_portal_action.isVisible() and app.tray.open_portal_action.text().startswith("La agenda pide")
    assert app.status.state(datetime.now(UTC)) is TrayState.ATTENTION
    assert app.window.fix_field == OPEN_PORTAL and app.window.fix_button.text() == "Abrir la agenda…"
    prompt.grab().save(str(shots / "login-prompt-code-es.png"))
    app.window.resize(1100, 520)
    app.window.grab().save(str(shots / "bookings-window-login-needs-person-es.png"))

    qtbot.mouseClick(prompt.open_button, Qt.MouseButton.LeftButton)
    engine = app.bridge.engine
    qtbot.waitUntil(lambda: engine.portal.person_window is not None, timeout=60_000)
    assert prompt.progress.text() == "Ventana abierta: termine de ingresar allí."

    with PortalAdmin(otp_portal.url, ADMIN_TOKEN) as admin:
        code = admin.last_code()

        async def type_the_code() -> None:  # what the receptionist does in the browser window
            page = engine.portal.person_window.page
            await page.get_by_label("Código de verificación").fill(code)
            await page.get_by_role("button", name="Verificar").click()

        app.bridge.call(type_the_code()).result(60)
        qtbot.waitUntil(lambda: prompt.state == "done", timeout=60_000)
        qtbot.waitUntil(lambda: app.status.snapshot.last_refresh is not None, timeout=60_000)
        counts = admin.login_counts()
    assert engine.portal.person_window is None
    assert app.status.snapshot.portal == "ok" and not app.tray.open_portal_action.isVisible()
    assert prompt.progress.text() == "Listo: Cita Bridge volvió a entrar a la agenda."
    assert counts["password_ok"] == 1 and counts["codes_ok"] == 1
    prompt.grab().save(str(shots / "login-prompt-done-es.png"))


def test_the_prompt_in_english_for_a_new_password(qtbot, shots):
    prompt = LoginPrompt(Translator("en"))
    qtbot.addWidget(prompt)
    prompt.show_step("new_password")
    prompt.show()
    texts = [prompt.windowTitle(), prompt.heading.text(), prompt.explain.text(), prompt.hint.text(),
             prompt.open_button.text(), prompt.later_button.text()]
    assert texts[1] == "The web app asks for a new password: open it here"
    assert prompt.hint.isVisible() and "Settings" in prompt.hint.text()
    assert not any(word in " ".join(texts) for word in ("agenda", "código", "contraseña", "Abrir"))
    prompt.grab().save(str(shots / "login-prompt-new-password-en.png"))
    prompt.show_state("closed")
    assert prompt.open_button.isEnabled() and prompt.progress.text().startswith("The window closed")


class _Snap:
    link = "connected"
    relay = "wss://relay.example/agent"
    portal = "login_needs_person"
    portal_detail = "after the password, the clinic web app asks for a verification code"
    paused = False
    last_refresh = None
    slot_count = 0
    login_step = "code"


def test_the_status_says_it_once_and_points_at_the_web_app():
    now = datetime.now(UTC)
    status = AgentStatus(now)
    status.engine_started(now)
    first = status.observe(_Snap(), now)
    again = status.observe(_Snap(), now)
    assert [n.kind for n in first] == ["login_needs_person"] and again == []
    assert first[0].text(Translator("es")) == ("La agenda pide un código", "La agenda pide un código: ábrela aquí.")
    assert first[0].text(Translator("en")) == ("The web app asks for a code", "The web app asks for a code: open it here.")
    assert status.state(now) is TrayState.ATTENTION and status.fix_field == OPEN_PORTAL
    assert status.menu_line(Translator("es"), now) == "Requiere atención: La agenda pide un código"
