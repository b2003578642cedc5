"""`cita-agent pause` / `resume` / `status` as the clinic's IT person reads them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "fake_agent_cli.py"


def agent(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("CITA_AGENT_HOME", None)
    return subprocess.run([sys.executable, str(LAUNCHER), "--home", str(tmp_path / "agent-home"), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_resume_with_no_agent_running_says_patients_are_still_handed_off(tmp_path):
    """`cita-agent resume` on a PC whose agent was closed said only «Reservas automáticas reanudadas.», and the IT
    person believed patients were booking again."""
    assert agent(tmp_path, "configure", "--relay", "wss://relay.example.com/agent").returncode == 0
    paused = agent(tmp_path, "pause")
    assert paused.returncode == 0, paused.stderr
    assert "arrancará en pausa" in paused.stdout, paused.stdout
    resumed = agent(tmp_path, "resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "Reservas automáticas reanudadas." in resumed.stdout
    assert "no está en marcha" in resumed.stdout and "cita-agent run --headless" in resumed.stdout, resumed.stdout


def test_status_gives_its_times_as_the_pc_clock_reads_them(tmp_path):
    """`cita-agent status` showed «última lectura de la agenda: 2026-12-05T19:35:07.522354+00:00» (UTC, with
    microseconds) to a person whose clock said 16:35; now «2026-12-05 16:35:07»."""
    from agent.paths import resolve_paths
    from agent.runtime_state import RuntimeState, save_state

    assert agent(tmp_path, "configure", "--relay", "wss://relay.example.com/agent").returncode == 0
    paths = resolve_paths(str(tmp_path / "agent-home"))
    save_state(paths.state_file, RuntimeState(last_refresh="2026-12-05T19:35:07.522354+00:00",
                                              updated_at="2026-12-05T19:35:46.987645+00:00"))
    env = {**os.environ, "TZ": "America/Santiago", "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("CITA_AGENT_HOME", None)
    shown = subprocess.run([sys.executable, str(LAUNCHER), "--home", str(tmp_path / "agent-home"), "status"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert "Último estado conocido (2026-12-05 16:35:46)" in shown.stdout, shown.stdout
    assert "última lectura de la agenda: 2026-12-05 16:35:07" in shown.stdout, shown.stdout


def test_a_pause_asked_before_the_agent_ever_ran_is_in_the_status(tmp_path):
    """`cita-agent pause` on a PC whose agent never ran: `status` said only that the agent never ran, not that it
    will start paused (`status --json` had it)."""
    assert agent(tmp_path, "configure", "--relay", "wss://relay.example.com/agent").returncode == 0
    assert agent(tmp_path, "pause").returncode == 0
    shown = agent(tmp_path, "status")
    assert shown.returncode == 0, shown.stderr
    assert "pausado: sí" in shown.stdout, shown.stdout


def test_status_read_only_in_part_ends_without_a_traceback(tmp_path):
    """`cita-agent status | head -1` ended in a BrokenPipeError traceback."""
    assert agent(tmp_path, "configure", "--relay", "wss://relay.example.com/agent").returncode == 0
    env = {**os.environ, "LANG": "es_CL.UTF-8", "HOME": str(tmp_path / "user-home"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("CITA_AGENT_HOME", None)
    command = f"'{sys.executable}' '{LAUNCHER}' --home '{tmp_path / 'agent-home'}' status | head -c 1"
    shown = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env, timeout=120)
    assert "Traceback" not in shown.stderr and "BrokenPipe" not in shown.stderr, shown.stderr
