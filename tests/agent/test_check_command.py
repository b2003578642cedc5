"""`cita-agent check` as the clinic's IT person types it, with the usual mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parent / "fake_agent_cli.py"


@pytest.fixture
def agent(tmp_path):
    env = {**os.environ, "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("CITA_AGENT_HOME", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(LAUNCHER), "--home", str(tmp_path / "agent-home"), *args],
                              input=stdin, capture_output=True, text=True, env=env, timeout=120)

    return run


@pytest.mark.parametrize("typed", ["agenda.clinica-sol.cl", "127.0.0.1:8600"])
def test_an_address_without_https_is_said_at_once(agent, typed):
    """`check --url agenda.clinica-sol.cl` (no https://) tried the web app 4 times and ended in «la agenda web no
    responde … Detalle técnico [portal_down]: … Invalid URL», exit 5, as if the web app were down."""
    done = agent("check", "--portal", "demo", "--url", typed, "--user", "recepcion", "--password-stdin",
                 stdin="la-clave-9\n")
    assert done.returncode == 2, done.stderr
    assert "debe empezar con https://" in done.stderr and "no responde" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "la-clave-9" not in done.stdout + done.stderr


@pytest.mark.parametrize(("flags", "said"), [
    ((), "no llegó la contraseña de la agenda web"),
    (("--days", "0"), "--days debe ser 1 o más"),
    (("--book", "x:1"), "--book necesita --patient-name y --patient-phone"),
    (("--patient-name", "Ana"), "van con --book"),
])
def test_a_usage_mistake_is_said_in_spanish(agent, flags, said):
    """Every other line of `check` is Spanish, but these were English only («no password: give it on standard input
    with --password-stdin», «--days must be 1 or more», …)."""
    done = agent("check", "--portal", "demo", "--url", "http://127.0.0.1:9", "--user", "recepcion",
                 "--password-stdin", *flags, stdin="" if not flags else "la-clave-9\n")
    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr


def test_a_browser_that_cannot_start_says_what_to_give(tmp_path):
    """«no se pudo abrir el navegador. Detalle técnico [browser_missing]: …» said nothing of what to do next."""
    env = {**os.environ, "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home")}
    env.pop("CITA_AGENT_HOME", None)
    done = subprocess.run(
        [sys.executable, str(LAUNCHER), "--home", str(tmp_path / "agent-home"), "check", "--portal", "demo", "--url",
         "http://127.0.0.1:9", "--user", "recepcion", "--password-stdin", "--browser-path", str(tmp_path / "nada")],
        input="la-clave-9\n", capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 7, done.stderr
    assert "no se pudo abrir el navegador: instale Microsoft Edge o Google Chrome" in done.stderr, done.stderr
    assert "--browser-path" in done.stderr and "la-clave-9" not in done.stdout + done.stderr
