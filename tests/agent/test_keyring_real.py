"""The secrets in a real SecretService keyring (gnome-keyring), as on a Linux desktop.

Run under scripts/with-secret-service.sh (`make test` does): a private D-Bus session with an
unlocked gnome-keyring-daemon and PYTHON_KEYRING_BACKEND unset, so `keyring` picks SecretService.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from agent_testkit import ScriptedRelay, write_fake_portal_state

from agent.paths import resolve_paths

pytestmark = pytest.mark.keyring_real

# Exits 0 when SecretService itself (not a fallback backend) holds the two secrets given on stdin.
_READ_FROM_SECRET_SERVICE = """
import sys
from keyring.backends.SecretService import Keyring
password, token = sys.stdin.read().splitlines()
service = sys.argv[1]
backend = Keyring()
ok = backend.get_password(service, "portal-password") == password and backend.get_password(service, "relay-token") == token
sys.exit(0 if ok else 1)
"""
LAUNCHER = Path(__file__).resolve().parent / "fake_agent_cli.py"
PASSWORD = "correcta-123"
TOKEN = "agent-token-real-keyring"


async def test_login_stores_the_secrets_in_secret_service_and_the_agent_uses_them(tmp_path, browser_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "CITA_AGENT_HOME")}
    env["CITA_FAKE_PORTAL"] = str(write_fake_portal_state(tmp_path / "fake-portal.json"))
    home = tmp_path / "agent-home"

    def agent(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(LAUNCHER), "--home", str(home), *args], input=stdin,
                              capture_output=True, text=True, env=env, timeout=120)

    async with ScriptedRelay(token=TOKEN) as relay:
        configured = await asyncio.to_thread(
            agent, "configure", "--relay", relay.url, "--portal", "fake", "--portal-url", "http://127.0.0.1:9/",
            "--user", "recepcion", "--browser-path", browser_path,
        )
        assert configured.returncode == 0, configured.stderr
        login = await asyncio.to_thread(agent, "login", "--password-stdin", "--relay-token-stdin",
                                        stdin=f"{PASSWORD}\n{TOKEN}\n")
        assert login.returncode == 0, login.stderr
        in_secret_service = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", _READ_FROM_SECRET_SERVICE, resolve_paths(home).keyring_service],
            input=f"{PASSWORD}\n{TOKEN}\n", capture_output=True, text=True, env=env, timeout=60,
        )
        assert in_secret_service.returncode == 0, in_secret_service.stderr

        status = await asyncio.to_thread(agent, "status")
        assert status.stdout.count("guardado") == 2

        running = subprocess.Popen([sys.executable, str(LAUNCHER), "--home", str(home), "run", "--headless"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            await relay.next_status(portal="ok", wait_s=60)  # logged in with the keyring's password
        finally:
            running.send_signal(signal.SIGTERM)
            await asyncio.to_thread(running.communicate, timeout=60)
    assert relay.auth_headers[-1] == f"Bearer {TOKEN}"  # the token came from the keyring
    assert running.returncode == 0
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PASSWORD.encode() not in content and TOKEN.encode() not in content, path


def test_the_stored_web_app_session_is_sealed_with_a_key_held_in_secret_service(tmp_path):
    """The session file opens only with the key SecretService holds; forgetting deletes both."""
    import keyring
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    from agent.secrets import PORTAL_SESSION_KEY, SecretStore
    from agent.session_store import WebSessionStore, forget_web_session

    previous = keyring.get_keyring()
    keyring.set_keyring(SecretServiceKeyring())
    try:
        paths = resolve_paths(tmp_path / "agent-home").ensure()
        secrets = SecretStore(paths.keyring_service)
        store = WebSessionStore(paths.web_session_file, secrets, lambda: ("https://agenda.example", "recepcion"))
        state = {"cookies": [{"name": "sid", "value": "cookie-value-xyz"}], "origins": []}
        store.save(state)
        assert SecretServiceKeyring().get_password(paths.keyring_service, PORTAL_SESSION_KEY)
        assert b"cookie-value-xyz" not in paths.web_session_file.read_bytes()
        assert store.load() == state
        forget_web_session(paths.web_session_file, secrets)
        assert not paths.web_session_file.exists()
        assert SecretServiceKeyring().get_password(paths.keyring_service, PORTAL_SESSION_KEY) is None
    finally:
        keyring.set_keyring(previous)
