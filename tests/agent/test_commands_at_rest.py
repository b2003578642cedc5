"""`cita-agent configure` for what is kept on the PC: the retention, and a relay address that would leak a token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parent / "fake_agent_cli.py"
LEAKY_TOKEN = "tok-0123456789abcdef0123"


@pytest.fixture
def agent(tmp_path):
    env = {**os.environ, "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("CITA_AGENT_HOME", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    home = tmp_path / "agent-home"

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(LAUNCHER), "--home", str(home), *args], capture_output=True,
                              text=True, env={**env, **extra_env}, timeout=120)

    run.home = home  # type: ignore[attr-defined]
    return run


def test_retention_days_is_set_by_configure_and_checked(agent):
    done = agent("configure", "--relay", "wss://relay.example.com/agent", "--retention-days", "30")
    assert done.returncode == 0, done.stderr
    status = agent("status", "--json")
    assert json.loads(status.stdout)["settings"]["retention_days"] == 30
    assert "Historial: 30 días (reservas, registros y capturas; lo anterior se borra solo)" in \
        agent("status").stdout

    refused = agent("configure", "--retention-days", "0")
    assert refused.returncode == 2
    assert "retention_days debe ser un número entero de días entre 1 y 3650" in refused.stderr
    assert json.loads(agent("status", "--json").stdout)["settings"]["retention_days"] == 30


def test_an_unset_retention_is_90_days(agent):
    assert agent("configure", "--relay", "wss://relay.example.com/agent").returncode == 0
    assert json.loads(agent("status", "--json").stdout)["settings"]["retention_days"] == 90


@pytest.mark.parametrize(("language", "expected"), [
    ("es_CL.UTF-8", "tiene parámetros (?...): quítelos. La clave del agente nunca va en la dirección"),
    ("en_US.UTF-8", "has a query string (?...): remove it. The agent token never goes in the address"),
])
def test_a_relay_address_with_a_query_string_is_refused_without_repeating_it(agent, language, expected):
    done = agent("configure", "--relay", f"wss://relay.example.com/agent?token={LEAKY_TOKEN}", LANG=language)
    assert done.returncode == 2
    assert expected in done.stderr and "'wss://relay.example.com/agent?…'" in done.stderr
    assert LEAKY_TOKEN not in done.stdout + done.stderr
    assert not (agent.home / "config" / "agent.toml").exists()


def test_a_settings_file_edited_by_hand_with_a_query_string_does_not_run(agent):
    config = agent.home / "config"
    config.mkdir(parents=True)
    (config / "agent.toml").write_text(
        f'relay_url = "wss://relay.example.com/agent?token={LEAKY_TOKEN}"\nportal_url = "http://127.0.0.1:9/"\n'
        'portal_user = "recepcion"\n'
    )
    done = agent("run", "--headless")
    assert done.returncode == 2 and "tiene parámetros" in done.stderr
    assert LEAKY_TOKEN not in done.stdout + done.stderr


def test_the_kommo_bot_address_given_as_the_relay_is_taken_as_the_same_relay(agent):
    """The operator sends two addresses; the bot's (…/kommo/clinica-sol) pasted as --relay is the same relay: taken,
    and dialled at …/agent (agent/relay_address.py)."""
    done = agent("configure", "--relay", "wss://relay.clinica.cl/kommo/clinica-sol")
    assert done.returncode == 0, done.stderr


def test_a_plain_http_relay_address_is_said_as_typed(agent):
    """`--relay http://relay.clinica.cl` was refused as «la dirección del servidor 'ws://relay.clinica.cl/agent'
    debe empezar con wss://», an address the person never typed."""
    done = agent("configure", "--relay", "http://relay.clinica.cl")
    assert done.returncode == 2, done.stdout
    assert "http://relay.clinica.cl empieza con http://" in done.stderr and "https://" in done.stderr, done.stderr
    assert "ws://relay.clinica.cl/agent" not in done.stderr
    assert agent("configure", "--relay", "http://127.0.0.1:8700").returncode == 0  # a relay on this PC may be plain


def test_a_setting_that_cannot_work_is_refused_in_the_readers_spanish(agent):
    """«Configuración no válida: unknown driver setting 'foo'; this driver takes: none» and «…: refresh_minutes must
    be between 0.1 and 240»: Spanish around English."""
    unknown = agent("configure", "--set", "foo=1")
    assert unknown.returncode == 2 and "este sistema no tiene el ajuste 'foo'" in unknown.stderr, unknown.stderr
    too_often = agent("configure", "--refresh-minutes", "0")
    assert too_often.returncode == 2 and "deben estar entre 0,1 y 240" in too_often.stderr, too_often.stderr
