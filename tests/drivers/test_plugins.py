"""Drivers are plug-ins: a third-party package that declares `cita_bridge.drivers` shows up everywhere a clinic picks
its web app (`cita-agent drivers`, `configure --portal`, `check --portal`, the settings window's "Sistema" list)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from thirdparty import DRIVER_NAME, PACKAGE, TITLE, VERSION, write_package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    return write_package(tmp_path_factory.mktemp("site-packages"))


def agent(plugin_dir: Path | None, home: Path, *args: str, stdin: str = "",
          lang: str = "es_CL.UTF-8") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")} | {"LANG": lang}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(plugin_dir or ""), str(ROOT)) if p)
    return subprocess.run([sys.executable, "-m", "agent.cli", "--home", str(home), *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def test_the_product_lists_its_own_driver(tmp_path):
    done = agent(None, tmp_path, "drivers", "--json")
    assert done.returncode == 0, done.stderr
    listed = {d["name"]: d for d in json.loads(done.stdout)}
    assert listed["demo"]["title"] == "Demo (agenda de prueba)"
    assert listed["demo"]["package"] == "cita-bridge"
    assert listed["demo"]["capabilities"]["free_time"] == "cells"
    assert DRIVER_NAME not in listed


def test_an_installed_third_party_driver_is_listed_with_its_title_package_version_and_capabilities(plugin_dir, tmp_path):
    done = agent(plugin_dir, tmp_path, "drivers", "--json")
    assert done.returncode == 0, done.stderr
    listed = {d["name"]: d for d in json.loads(done.stdout)}
    assert {"demo", DRIVER_NAME} <= set(listed)
    acme = listed[DRIVER_NAME]
    assert (acme["title"], acme["package"], acme["version"]) == (TITLE, PACKAGE, VERSION)
    assert acme["capabilities"] == {"free_time": "derived", "can_cancel": False, "can_find_by_phone": True,
                                    "needs_service": True}
    assert [s["name"] for s in acme["settings"]] == ["branch", "minutes"]

    table = agent(plugin_dir, tmp_path, "drivers").stdout  # the IT person's terminal, in Spanish
    assert f"{DRIVER_NAME}  —  {TITLE}" in table
    assert f"paquete: {PACKAGE} {VERSION}" in table
    assert "calcula las horas libres, encuentra las citas por teléfono, necesita un servicio" in table
    assert "package:" not in table and "required" not in table and "default " not in table
    english = agent(plugin_dir, tmp_path, "drivers", lang="en_US.UTF-8").stdout
    assert f"package: {PACKAGE} {VERSION}" in english
    assert "derives free time, finds by phone, needs a service" in english


def test_configure_takes_the_plugin_and_its_declared_settings_and_refuses_unknown_ones(plugin_dir, tmp_path):
    home = tmp_path / "home"
    done = agent(plugin_dir, home, "configure", "--portal", DRIVER_NAME, "--portal-url", "https://acme.example",
                 "--user", "recepcion", "--set", "branch=Centro", "--set", "minutes=45")
    assert done.returncode == 0, done.stderr
    status = agent(plugin_dir, home, "status", "--json")
    assert status.returncode == 0, status.stderr

    refused = agent(plugin_dir, home, "configure", "--set", "color=azul")
    assert refused.returncode == 2
    assert "color" in refused.stderr and "branch" in refused.stderr  # names the unknown key and the known ones
    wrong_kind = agent(plugin_dir, home, "configure", "--set", "minutes=media hora")
    assert wrong_kind.returncode == 2 and "minutes" in wrong_kind.stderr

    from agent.paths import resolve_paths
    from agent.settings import load_settings

    saved = load_settings(resolve_paths(str(home)))
    assert saved.portal_kind == DRIVER_NAME
    assert saved.driver_settings() == {"branch": "Centro", "minutes": 45}

    without_plugin = agent(None, home, "configure", "--portal", DRIVER_NAME)
    assert without_plugin.returncode == 2 and "invalid choice" in without_plugin.stderr


def test_check_runs_the_plugin_with_its_settings(plugin_dir, tmp_path):
    done = agent(plugin_dir, tmp_path, "check", "--portal", DRIVER_NAME, "--url", "https://acme.example",
                 "--user", "u", "--password-stdin", "--json", "--set", "branch=Norte", stdin="pw\n")
    assert done.returncode == 0, done.stderr
    slots = json.loads(done.stdout)
    assert slots == [{"id": "acme-1", "start": "2030-01-07T09:00:00-03:00", "end": "2030-01-07T09:30:00-03:00",
                      "professional": "Dra. Acme (Norte)"}]
    missing = agent(plugin_dir, tmp_path, "check", "--portal", DRIVER_NAME, "--url", "https://acme.example",
                    "--user", "u", "--password-stdin", stdin="pw\n")
    assert missing.returncode == 2 and "branch" in missing.stderr


def test_the_settings_window_lists_the_plugin_by_its_title(plugin_dir, monkeypatch, qtbot, tmp_path):
    from agent.paths import resolve_paths
    from agent.secrets import SecretStore
    from agent.settings import AgentSettings
    from agent.ui.engine_bridge import EngineBridge
    from agent.ui.i18n import Translator
    from agent.ui.settings_dialog import SettingsDialog, SettingsEditor

    monkeypatch.syspath_prepend(str(plugin_dir))
    paths = resolve_paths(str(tmp_path / "home"))
    bridge = EngineBridge()
    editor = SettingsEditor(paths, SecretStore(paths.keyring_service), AgentSettings(portal_kind=DRIVER_NAME), bridge,
                            Translator("es"))
    dialog = SettingsDialog(editor)
    qtbot.addWidget(dialog)
    titles = [editor.kind_box.itemText(i) for i in range(editor.kind_box.count())]
    assert {TITLE, "Demo (agenda de prueba)", "django-appointment (agenda del personal)"} == set(titles)
    assert editor.kind_box.currentText() == TITLE
    bridge.shutdown()


def test_the_demo_command_takes_any_installed_driver_but_needs_its_address(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "demo.cli", "all", "--portal", "django-appointment", "--no-chat"],
                          capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and "--portal-url" in done.stderr
    done = subprocess.run([sys.executable, "-m", "demo.cli", "all", "--portal", "django-appointment", "--portal-url",
                           "http://127.0.0.1:9", "--no-chat"], capture_output=True, text=True, env=env, timeout=60,
                          cwd=ROOT)
    assert done.returncode == 2 and "--portal-user" in done.stderr


def test_the_settings_window_asks_for_the_chosen_drivers_own_settings(qtbot, tmp_path):
    from agent.paths import resolve_paths
    from agent.secrets import SecretStore
    from agent.settings import AgentSettings, load_settings
    from agent.ui.engine_bridge import EngineBridge
    from agent.ui.i18n import Translator
    from agent.ui.settings_dialog import SettingsDialog, SettingsEditor
    from agent.ui.settings_edit import save_form

    paths = resolve_paths(str(tmp_path / "home"))
    bridge = EngineBridge()
    settings = AgentSettings(relay_url="wss://relay.example.com/agent", portal_url="https://agenda.example.cl",
                             portal_user="recepcion")
    editor = SettingsEditor(paths, SecretStore(paths.keyring_service), settings, bridge, Translator("es"))
    dialog = SettingsDialog(editor)
    qtbot.addWidget(dialog)
    assert editor.driver_fields == {}  # the stand-in's driver takes none
    editor.kind_box.setCurrentIndex(editor.kind_box.findData("django-appointment"))
    assert set(editor.driver_fields) == {"service", "service_minutes", "time_zone", "email_domain", "ask_email"}
    assert editor.driver_fields["service_minutes"].placeholderText() == "30"
    editor.driver_fields["service"].setText("Consulta general")
    editor.driver_fields["service_minutes"].setText("media hora")
    import pytest

    from agent.settings import SettingsError

    with pytest.raises(SettingsError, match="whole number"):
        save_form(paths, editor.secrets, editor.settings, editor.form())
    editor.driver_fields["service_minutes"].setText("45")
    save_form(paths, editor.secrets, editor.settings, editor.form())
    saved = load_settings(paths)
    assert saved.portal_kind == "django-appointment"
    assert saved.driver_settings() == {"service": "Consulta general", "service_minutes": 45}
    bridge.shutdown()
