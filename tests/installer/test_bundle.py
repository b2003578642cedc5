"""The PyInstaller bundle of the agent, built with installer/cita-agent.spec and started as a clinic PC would.

It answers --version; it carries its icon, Playwright's driver and the OS keyring backends, but no browser and
no way to fall back to a plaintext keyring by itself; and `run --headless` from the bundle connects to a real
relay and answers a patient's "when can I come?" from the stand-in clinic web app.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import layout
import pytest

import agent

pytestmark = pytest.mark.installer


def program(bundle: Path, name: str = layout.CLI_NAME) -> Path:
    return bundle / layout.exe_name(name)


def run_bundle(bundle: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "",
               name: str = layout.CLI_NAME) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(program(bundle, name)), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=180, check=False)


@pytest.mark.parametrize("name", [layout.CLI_NAME, layout.TRAY_NAME])
def test_both_programs_report_the_version(agent_bundle, name):
    result = run_bundle(agent_bundle, "--version", name=name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cita-agent {agent.__version__}"


def test_carries_its_icon_and_playwright_driver_but_no_browser(agent_bundle):
    internal = agent_bundle / layout.CONTENTS_DIR
    for suffix in (".png", ".ico"):
        assert (internal / layout.ASSETS_DIR / f"{layout.ICON_BASENAME}{suffix}").stat().st_size > 0
    node = internal / "playwright" / "driver" / ("node.exe" if sys.platform == "win32" else "node")
    assert node.exists(), "Playwright's driver is missing: the agent could not drive any browser"
    browser_names = {"chrome", "chrome.exe", "msedge", "msedge.exe", "chromium", "headless_shell",
                     "chrome-headless-shell", "headless_shell.exe"}
    browsers = [p for p in agent_bundle.rglob("*")
                if ".local-browsers" in p.parts or (p.is_file() and p.name in browser_names)]
    assert not browsers, f"the bundle carries a browser: {browsers[:3]}"
    assert any(internal.glob("PySide6/QtWidgets*")), "the tray app's Qt widgets are missing"


def test_keyring_backends_come_only_from_keyring_itself(agent_bundle):
    """keyring finds backends through package metadata: only keyring's own may be in the bundle, so the
    bundle picks the OS keyring, and keyrings.alt's plaintext file is used only when asked for by name."""
    internal = agent_bundle / layout.CONTENTS_DIR
    distributions = {p.name.split("-")[0].lower() for p in internal.glob("*.dist-info")}
    assert "keyring" in distributions
    assert not {d for d in distributions if d.startswith("keyrings")}, distributions
    pure = internal / "base_library.zip"
    assert pure.exists()


def test_without_an_os_keyring_the_bundle_refuses_to_store_secrets(agent_bundle, tmp_path):
    """No OS keyring here and no backend named: the bundle says so, and no secret lands in a file by a fallback."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               DBUS_SESSION_BUS_ADDRESS="disabled:")
    home = ["--home", str(tmp_path / "home")]
    configured = run_bundle(agent_bundle, *home, "configure", "--relay", "ws://127.0.0.1:9/agent", "--portal", "demo",
                            "--portal-url", "http://127.0.0.1:9", "--user", "recepcion", env=env)
    assert configured.returncode == 0, configured.stderr

    status = run_bundle(agent_bundle, *home, "status", "--json", env=env)
    keyring_state = json.loads(status.stdout)["keyring"]
    assert "plaintext" not in keyring_state["backend"].lower(), keyring_state
    assert "alt" not in keyring_state["backend"].split("."), keyring_state

    login = run_bundle(agent_bundle, *home, "login", "--password-stdin", "--relay-token-stdin", env=env,
                       stdin="not-a-real-password\nnot-a-real-token\n")
    assert login.returncode != 0
    assert "keyring" in (login.stdout + login.stderr).lower(), login.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "not-a-real" in p.read_text(errors="ignore")]
    assert not written, f"a secret was written to {written}"


def test_tray_program_starts_and_quits_cleanly(agent_bundle, tmp_path):
    """The bundled Qt (platform plugins, QtNetwork for the single-instance lock) is enough for the tray app."""
    home = tmp_path / "home"
    log_file = home / "logs" / "agent.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(program(agent_bundle, layout.TRAY_NAME)), "--home", str(home)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 60
        # Its first log line (unconfigured here: the welcome window, no tray host offscreen) means Qt is up.
        while "agent.ui.app" not in (log_file.read_text(encoding="utf-8") if log_file.exists() else ""):
            assert process.poll() is None, f"the tray app exited: {process.stdout.read().decode(errors='replace')}"
            assert time.monotonic() < deadline, "the tray app did not start within 60 s"
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert "the tray app has quit" in log_file.read_text(encoding="utf-8")


def test_headless_agent_from_the_bundle_serves_a_patient(agent_bundle, browser_path, tmp_path, monkeypatch):
    """The whole chain with the bundled agent: stand-in Kommo -> real relay -> bundle -> stand-in web app."""
    import demo.system
    from demo.system import DemoSystem, SystemConfig

    bundled = str(program(agent_bundle))
    console_script = demo.system._bin
    monkeypatch.setattr(demo.system, "_bin", lambda name: bundled if name == "cita-agent" else console_script(name))

    config = SystemConfig(root=tmp_path / "system", browser_path=browser_path, refresh_minutes=5.0)
    with DemoSystem(config) as system:
        assert Path(system.agent.args[0]) == program(agent_bundle)
        health = demo.system.httpx.get(f"{system.relay_url}/healthz", timeout=10).json()
        clinic = health["clinics"][config.clinic]
        assert clinic["agent_connected"] is True
        assert clinic["agent_version"] == agent.__version__

        reply = asyncio.run(system.kommo.say(system.widget_url, config.subdomain, "51001", "Hola", timeout=60))
        assert reply.accepted, reply.reason
        data = reply.body["data"]
        assert data["status"] == "choose_day", data
        buttons = [h["params"]["buttons"] for h in reply.body["execute_handlers"]
                   if h["params"].get("type") == "buttons"]
        assert buttons and buttons[0], "the patient was shown no days"
        metrics = demo.system.httpx.get(f"{system.relay_url}/metrics", timeout=10).text
        assert 'cita_relay_agent_requests_total{kind="slots",outcome="ok"}' in metrics
