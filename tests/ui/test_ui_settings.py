"""Settings and the first-run wizard on real widgets: secrets to the keyring, the rest to the settings file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from ui_fake_engine import FakeEngine
from ui_helpers import PORTAL_PASSWORD_VALUE, configure, recorder

from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings, load_settings
from agent.ui.app import TrayApp
from agent.ui.engine_bridge import EngineBridge
from agent.ui.i18n import Translator
from agent.ui.settings_dialog import SettingsDialog, SettingsEditor
from agent.ui.settings_edit import save_form

NEW_PASSWORD = "otra-Clave-99"
NEW_TOKEN = "token-Nuevo-77"


@pytest.fixture
def user_home(tmp_path, monkeypatch) -> Path:
    """Start-at-login writes to the user's autostart folder: a temporary one here."""
    home = tmp_path / "user-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


@pytest.fixture
def running_app(qtbot, agent_paths, plaintext_keyring, user_home):
    configure(agent_paths)
    engines: list[FakeEngine] = []

    def factory(paths, settings, secrets):
        engines.append(FakeEngine(paths, settings, secrets))
        return engines[-1]

    _, on_quit = recorder()
    app = TrayApp(agent_paths, engine_factory=factory, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.engines = engines  # type: ignore[attr-defined]
    app.start()
    qtbot.waitUntil(lambda: app.status.snapshot is not None and app.status.snapshot.link == "connected",
                    timeout=10_000)
    yield app
    app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    app.shutdown()


def settings_dialog(app: TrayApp) -> SettingsDialog:
    app.open_settings()
    dialog = app._settings_window
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    return dialog


def type_into(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_saved_settings_go_to_the_keyring_and_the_settings_file(qtbot, running_app, agent_paths, plaintext_keyring,
                                                                 user_home, shots, caplog):
    caplog.set_level("DEBUG")
    app = running_app
    dialog = settings_dialog(app)
    editor = dialog.editor
    assert editor.portal_password.text() == ""  # a stored password never comes back to the screen
    assert editor.portal_password.placeholderText().startswith("(guardada")
    type_into(qtbot, editor.portal_url, "https://agenda.clinica-aromos.cl")
    type_into(qtbot, editor.portal_user, "recepcion2")
    qtbot.keyClicks(editor.portal_password, NEW_PASSWORD)
    type_into(qtbot, editor.relay_url, "wss://relay.citabridge.example/agent")
    qtbot.keyClicks(editor.relay_token, NEW_TOKEN)
    editor.start_at_login.setChecked(True)
    dialog.adjustSize()
    dialog.grab().save(str(shots / "settings-dialog-es.png"))

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    service = agent_paths.keyring_service
    assert plaintext_keyring.get_password(service, PORTAL_PASSWORD) == NEW_PASSWORD
    assert plaintext_keyring.get_password(service, RELAY_TOKEN) == NEW_TOKEN
    saved = load_settings(agent_paths)
    assert (saved.portal_url, saved.portal_user, saved.relay_url, saved.start_at_login) == (
        "https://agenda.clinica-aromos.cl", "recepcion2", "wss://relay.citabridge.example/agent", True,
    )
    config_text = agent_paths.config_file.read_text()
    assert NEW_PASSWORD not in config_text and NEW_TOKEN not in config_text
    autostart_files = list((user_home / ".config" / "autostart").glob("citabridge*.desktop"))
    assert len(autostart_files) == 1 and "agent.cli" in autostart_files[0].read_text()
    qtbot.waitUntil(lambda: "reload_settings" in app.engines[0].calls, timeout=10_000)
    assert app.engines[0].reloaded[-1] == saved
    assert NEW_PASSWORD not in caplog.text and NEW_TOKEN not in caplog.text


def test_an_empty_password_field_keeps_the_stored_one_and_language_applies_at_once(qtbot, running_app, agent_paths,
                                                                                   plaintext_keyring):
    app = running_app
    dialog = settings_dialog(app)
    dialog.editor.language_box.setCurrentIndex(dialog.editor.language_box.findData("en"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert plaintext_keyring.get_password(agent_paths.keyring_service, PORTAL_PASSWORD) == PORTAL_PASSWORD_VALUE
    assert load_settings(agent_paths).language == "en"
    assert app.window.windowTitle() == "Cita Bridge: bookings"
    assert app.tray.quit_action.text() == "Quit"


def test_a_relay_address_that_cannot_work_is_explained_and_nothing_is_saved(qtbot, running_app, agent_paths,
                                                                            plaintext_keyring):
    dialog = settings_dialog(running_app)
    type_into(qtbot, dialog.editor.relay_url, "ws://relay.example.com/agent")
    qtbot.keyClicks(dialog.editor.portal_password, NEW_PASSWORD)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "wss://" in dialog.editor.error_label.text() and dialog.editor.error_label.isVisibleTo(dialog)
    assert load_settings(agent_paths).relay_url == "ws://127.0.0.1:9/agent"
    assert plaintext_keyring.get_password(agent_paths.keyring_service, PORTAL_PASSWORD) == PORTAL_PASSWORD_VALUE
    dialog.reject()


def test_no_keyring_says_how_to_fix_it_and_writes_nothing(qtbot, agent_paths):
    # The default backend in tests is keyring's "fail" one: like a Linux PC with no desktop keyring.
    bridge = EngineBridge()
    editor = SettingsEditor(agent_paths, SecretStore(agent_paths.keyring_service), AgentSettings(), bridge,
                            Translator("es"))
    dialog = SettingsDialog(editor)
    qtbot.addWidget(dialog)
    assert "keyring" in editor.error_label.text()  # said as soon as the dialog opens
    editor.portal_url.setText("https://agenda.example.cl")
    editor.portal_user.setText("recepcion")
    editor.portal_password.setText(NEW_PASSWORD)
    editor.relay_url.setText("wss://relay.example.com/agent")
    editor.relay_token.setText(NEW_TOKEN)
    assert editor.save() is None
    assert "No se pudo guardar la contraseña" in editor.error_label.text()
    assert "gnome-keyring" in editor.error_label.text()
    assert not agent_paths.config_file.exists()
    bridge.shutdown()


@dataclass(frozen=True)
class Check:
    ok: bool
    code: str
    message: str


def test_test_login_reports_success_and_failure(qtbot, agent_paths, plaintext_keyring):
    """With a scripted checker; the real driver against the stand-in web app is in test_ui_real_engine.py."""
    seen: list[tuple[str, str]] = []

    async def checker(settings, password, work_dir):
        seen.append((settings.portal_user, password))
        if password == "buena":
            return Check(True, "ok", "logged in")
        return Check(False, "login_failed", "usuario o contraseña incorrectos")

    bridge = EngineBridge(login_checker=checker)
    editor = SettingsEditor(agent_paths, SecretStore(agent_paths.keyring_service), AgentSettings(), bridge,
                            Translator("es"))
    dialog = SettingsDialog(editor)
    qtbot.addWidget(dialog)
    dialog.show()

    qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    assert editor.test_result.text() == "✕ Complete dirección, usuario y contraseña."

    editor.portal_url.setText("https://agenda.example.cl")
    editor.portal_user.setText("recepcion")
    editor.portal_password.setText("mala")
    with qtbot.waitSignal(editor.login_checked, timeout=10_000):
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    assert editor.test_result.text() == "✕ Usuario o contraseña incorrectos."

    editor.portal_password.setText("buena")
    with qtbot.waitSignal(editor.login_checked, timeout=10_000):
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    assert editor.test_result.text() == "✓ Acceso correcto."
    assert editor.test_button.isEnabled()
    assert seen == [("recepcion", "mala"), ("recepcion", "buena")]
    assert not agent_paths.config_file.exists()  # testing is not saving
    bridge.shutdown()


def test_first_run_wizard_then_the_agent_starts(qtbot, agent_paths, plaintext_keyring, user_home, shots):
    engines: list[FakeEngine] = []

    def factory(paths, settings, secrets):
        engines.append(FakeEngine(paths, settings, secrets))
        return engines[-1]

    from agent.login_check import LoginCheck

    tried: list[str] = []

    async def checker(settings, password, work_dir):  # the web app: refuses the first password, takes the second
        tried.append(password)
        if password != NEW_PASSWORD:
            return LoginCheck(False, "login_failed", "refused")
        return LoginCheck(True, "ok", "logged in")

    quits, on_quit = recorder()
    app = TrayApp(agent_paths, engine_factory=factory, login_checker=checker, tray_available=False,
                  system_locale="es_CL", on_quit=on_quit)
    app.start()
    wizard = app._settings_window
    assert isinstance(wizard, QWizard) and wizard.isVisible()
    assert engines == []  # nothing to run yet
    assert app.window.banner_labels["attention"].text().startswith(
        "Falta configurar: dirección de la agenda web, usuario, contraseña, dirección del servidor, clave del agente."
    )
    editor = wizard.editor
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.keyClicks(editor.portal_url, "https://agenda.clinica-aromos.cl")
    qtbot.keyClicks(editor.portal_user, "recepcion")
    qtbot.keyClicks(editor.portal_password, "una-clave-mal-escrita")
    assert not next_button.isEnabled()  # "Siguiente" waits for a login test that passes

    with qtbot.waitSignal(editor.login_checked, timeout=10_000):
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    assert editor.test_result.text() == "✕ Usuario o contraseña incorrectos."
    assert not next_button.isEnabled()  # a password the web app just refused is never saved
    wizard.grab().save(str(shots / "first-run-wizard-failed-test-es.png"))
    editor.save_untested.setChecked(True)
    assert next_button.isEnabled()  # the explicit way on, e.g. when the web app is not answering now
    editor.save_untested.setChecked(False)

    editor.portal_password.clear()
    qtbot.keyClicks(editor.portal_password, NEW_PASSWORD)
    with qtbot.waitSignal(editor.login_checked, timeout=10_000):
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    assert next_button.isEnabled() and editor.test_result.text() == "✓ Acceso correcto."
    wizard.grab().save(str(shots / "first-run-wizard-es.png"))
    qtbot.keyClicks(editor.portal_password, "x")
    assert not next_button.isEnabled()  # changed after the test: test again
    editor.portal_password.setText(NEW_PASSWORD)
    editor.login_passed = True
    editor.readiness_changed.emit()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    editor.relay_url.setText("relay.citabridge.example")  # as the provider wrote it: no scheme, no /agent
    editor.relay_token.setText(NEW_TOKEN)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    wizard.accept()
    assert tried == ["una-clave-mal-escrita", NEW_PASSWORD]
    assert load_settings(agent_paths).relay_urls == ("wss://relay.citabridge.example/agent",)

    assert not wizard.isVisible()
    assert plaintext_keyring.get_password(agent_paths.keyring_service, RELAY_TOKEN) == NEW_TOKEN
    assert load_settings(agent_paths).portal_user == "recepcion"
    qtbot.waitUntil(lambda: bool(engines) and engines[0].calls[:1] == ["run"], timeout=10_000)
    qtbot.waitUntil(lambda: app.window.banner_labels["attention"].text() == "", timeout=10_000)
    app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    app.shutdown()


def test_save_form_without_qt(agent_paths, plaintext_keyring):
    """The saving rules alone: secrets only when typed, start-at-login applied, settings validated."""
    store = SecretStore(agent_paths.keyring_service)
    applied: list[bool] = []
    from agent.ui.settings_edit import SettingsForm

    form = SettingsForm("demo", "https://a.example.cl", "u", "wss://r.example/agent", "es", True,
                        portal_password="p1", relay_token="t1")
    saved = save_form(agent_paths, store, AgentSettings(), form, applied.append)
    assert store.get(PORTAL_PASSWORD) == "p1" and store.get(RELAY_TOKEN) == "t1" and applied == [True]
    assert "p1" not in repr(form) and "t1" not in repr(form)
    again = save_form(agent_paths, store, saved, form.__class__(**{**form.__dict__, "portal_password": "",
                                                                     "start_at_login": False}), applied.append)
    assert store.get(PORTAL_PASSWORD) == "p1" and applied == [True, False] and not again.start_at_login


def test_the_wizard_can_go_on_untested_and_then_the_agent_waits_for_a_test(qtbot, agent_paths, plaintext_keyring,
                                                                           user_home):
    from agent.login_gate import untested

    engines: list[FakeEngine] = []

    def factory(paths, settings, secrets):
        engines.append(FakeEngine(paths, settings, secrets))
        return engines[-1]

    _, on_quit = recorder()
    app = TrayApp(agent_paths, engine_factory=factory, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.start()
    wizard = app._settings_window
    editor = wizard.editor
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    editor.portal_url.setText("agenda.clinica-aromos.cl")  # no scheme: https:// is added
    editor.portal_user.setText("recepcion")
    editor.portal_password.setText(NEW_PASSWORD)
    editor.save_untested.setChecked(True)  # the web app does not answer from here right now
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    editor.relay_url.setText("relay.citabridge.example")
    editor.relay_token.setText(NEW_TOKEN)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    wizard.accept()
    assert not wizard.isVisible()
    assert untested(agent_paths)  # the engine will not log in with it until a login test passes
    assert load_settings(agent_paths).portal_url == "https://agenda.clinica-aromos.cl"
    app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
    app.shutdown()
