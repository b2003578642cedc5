"""What the receptionist reads about what this PC keeps: the history's retention under the bookings table, and a
relay address with a query string refused in the settings dialog (in her language, never repeating the token)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from ui_fake_engine import FakeEngine
from ui_helpers import configure, recorder, seed_journal

from agent.settings import load_settings
from agent.ui.app import TrayApp
from agent.ui.settings_dialog import SettingsDialog

LEAKY_TOKEN = "tok-0123456789abcdef0123"


@pytest.fixture
def make_app(qtbot, agent_paths):
    made: list[TrayApp] = []

    def build(system_locale: str = "es_CL") -> TrayApp:
        _, on_quit = recorder()
        app = TrayApp(agent_paths, engine_factory=FakeEngine, tray_available=False, system_locale=system_locale,
                      on_quit=on_quit)
        made.append(app)
        app.start()
        app.window.show()
        return app

    yield build
    for app in made:
        app.quit()
        qtbot.waitUntil(lambda app=app: app.quit_done, timeout=10_000)
        app.shutdown()


def test_the_bookings_window_says_how_long_history_is_kept(qtbot, agent_paths, plaintext_keyring, make_app, shots):
    configure(agent_paths, retention_days=30)
    seed_journal(agent_paths.journal_file)
    app = make_app()
    label = app.window.retention_label
    assert label.isVisible()
    assert label.text() == ("Este equipo guarda 30 días de historial (reservas, registros y capturas); "
                            "lo anterior se borra solo.")
    app.window.resize(1100, 560)
    app.window.grab().save(str(shots / "bookings-window-retention.png"))


def test_in_english_and_with_the_default_of_90_days(qtbot, agent_paths, plaintext_keyring, make_app):
    configure(agent_paths)
    app = make_app(system_locale="en_US")
    assert app.window.retention_label.text() == (
        "This PC keeps 90 days of history (bookings, logs and screenshots); older entries are deleted automatically."
    )


def test_a_relay_address_with_a_query_string_is_refused_in_the_dialog(qtbot, agent_paths, plaintext_keyring,
                                                                      make_app):
    configure(agent_paths)
    app = make_app()
    app.open_settings()
    dialog = app._settings_window
    assert isinstance(dialog, SettingsDialog)
    dialog.editor.relay_url.clear()
    qtbot.keyClicks(dialog.editor.relay_url, f"wss://relay.example.com/agent?token={LEAKY_TOKEN}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.editor.error_label.text()
    assert dialog.isVisible() and dialog.editor.error_label.isVisibleTo(dialog)
    assert "tiene parámetros (?...): quítelos" in error and LEAKY_TOKEN not in error
    assert load_settings(agent_paths).relay_url == "ws://127.0.0.1:9/agent"
    dialog.reject()
