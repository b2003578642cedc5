"""The test login, with the real driver and browser against the stand-in clinic web app."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from agent_testkit import ROOT

from agent import login_check
from agent.paths import resolve_paths
from agent.settings import AgentSettings
from demo.portal.app import create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD, PortalSettings
from demo.serving import ServerThread, free_port


@pytest.fixture(scope="module")
def portal_server():
    app = create_portal_app(PortalSettings(seed=3))
    with ServerThread(app) as server:
        server.throttle = app.state.portal.throttle
        yield server


def settings_for(url: str, browser_path: str) -> AgentSettings:
    return AgentSettings(portal_kind="demo", portal_url=url, portal_user="recepcion", browser_path=browser_path)


async def test_the_test_login_tells_each_case_apart(portal_server, browser_path, tmp_path):
    portal_server.throttle.unlock_all()
    settings = settings_for(portal_server.url, browser_path)

    accepted = await login_check.test_login(settings, DEFAULT_STAFF_PASSWORD, tmp_path)
    refused = await login_check.test_login(settings, "not-the-password", tmp_path)
    failures = portal_server.throttle.failures_in_a_row("recepcion")
    no_browser = await login_check.test_login(settings_for(portal_server.url, str(tmp_path / "nope")), "x", tmp_path)
    nobody_home = await login_check.test_login(
        settings_for(f"http://127.0.0.1:{free_port()}", browser_path), DEFAULT_STAFF_PASSWORD, tmp_path
    )

    assert (accepted.ok, accepted.code) == (True, "ok")
    assert (refused.ok, refused.code) == (False, "login_failed") and failures == 1
    assert no_browser.code == "browser_missing"
    assert nobody_home.code == "portal_down"
    for check in (accepted, refused, no_browser, nobody_home):
        assert DEFAULT_STAFF_PASSWORD not in check.message and "not-the-password" not in check.message
    portal_server.throttle.unlock_all()


async def test_a_browser_channel_that_is_not_installed_is_the_browser_never_the_web_app(portal_server, tmp_path):
    """`configure --browser-channel msedge` on a PC without Edge: the test login said «La agenda web no responde»."""
    settings = AgentSettings(portal_kind="demo", portal_url=portal_server.url, portal_user="recepcion",
                             browser_channel="msedge")
    checked = await login_check.test_login(settings, DEFAULT_STAFF_PASSWORD, tmp_path)
    assert (checked.ok, checked.code) == (False, "browser_missing"), checked.message


def agent_cli(home, lang: str) -> Callable[..., subprocess.CompletedProcess]:
    """`cita-agent …` with its own home folder (under ``home``), a file keyring and the language ``lang``."""
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(home / "user-home"), "XDG_DATA_HOME": str(home / "xdg"),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "LANG": lang,
    }

    def agent(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agent.cli", "--home", str(home / "agent-home"), *args],
                              cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)

    return agent


def test_cita_agent_login_with_the_real_web_app(portal_server, browser_path, tmp_path):
    portal_server.throttle.unlock_all()
    home = tmp_path / "agent-home"
    agent = agent_cli(tmp_path, "en_US.UTF-8")
    configured = agent("configure", "--relay", "ws://127.0.0.1:8700/agent", "--portal", "demo", "--portal-url",
                       portal_server.url, "--user", "recepcion", "--browser-path", browser_path)
    wrong = agent("login", "--password-stdin", "--relay-token-stdin", stdin="not-the-password\ntoken-123\n")
    right = agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{DEFAULT_STAFF_PASSWORD}\ntoken-123\n")

    assert configured.returncode == 0, configured.stderr
    assert wrong.returncode == 1 and "refused the user or password" in wrong.stderr
    assert right.returncode == 0 and "login works" in right.stdout and "not tested yet" in right.stdout, right.stderr
    stored = resolve_paths(home)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert stored.config_file in files
    assert not [p for p in files if DEFAULT_STAFF_PASSWORD.encode() in p.read_bytes()]
    portal_server.throttle.unlock_all()


def test_cita_agent_check_with_nothing_given_checks_what_the_agent_uses(portal_server, browser_path, tmp_path):
    """`cita-agent check` after `configure` and `login` asked again for --url and --user (and the password), which
    the IT person had just saved: it checks the saved web app, user, browser and password now."""
    portal_server.throttle.unlock_all()
    agent = agent_cli(tmp_path, "es_CL.UTF-8")
    unconfigured = agent("check")
    assert unconfigured.returncode == 2 and "use «cita-agent configure»" in unconfigured.stderr, unconfigured.stderr
    first = agent("configure", "--relay", "ws://127.0.0.1:8700/agent", "--portal", "demo", "--portal-url",
                  portal_server.url, "--user", "recepcion", "--browser-path", browser_path)
    assert "Siguiente paso: cita-agent login" in first.stdout, first.stdout
    assert agent("login", "--password-stdin", "--relay-token-stdin",
                 stdin=f"{DEFAULT_STAFF_PASSWORD}\ntoken-123\n").returncode == 0

    checked = agent("check", "--days", "3")
    half = agent("check", "--url", portal_server.url)
    refused = agent("check", "--days", "1", "--password-stdin", stdin="not-the-password\n")

    assert checked.returncode == 0, checked.stderr
    assert "horas libres en los próximos 3 días" in checked.stdout or "No hay horas libres" in checked.stdout
    assert half.returncode == 2 and "dé --url y --user juntos" in half.stderr, half.stderr
    assert refused.returncode == 3 and "rechazó el usuario o la contraseña" in refused.stderr, refused.stderr
    for done in (checked, half, refused):
        assert DEFAULT_STAFF_PASSWORD not in done.stdout + done.stderr
    # configured again once both secrets are stored: no `login` to run again, unless the web app's user changed
    again = agent("configure", "--refresh-minutes", "5")
    assert "ya están guardados: cita-agent check prueba" in again.stdout and "login" not in again.stdout, again.stdout
    other_user = agent("configure", "--user", "caja")
    assert "guarde la contraseña de este usuario con cita-agent login" in other_user.stdout, other_user.stdout
    portal_server.throttle.unlock_all()
