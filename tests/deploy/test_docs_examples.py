"""The guides' examples, run: the driver guide's `cita-agent check` commands against the stand-in web app
(exactly as written, only the port changed), and the relay guide's online backup of the SQLite file."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_checks import DOCS


def _sh_lines(guide: str, contains: str) -> list[str]:
    text = (DOCS / guide).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if contains in line and not line.startswith(("#", "`"))]


@pytest.fixture(scope="module")
def stand_in_portal():
    from demo.portal import PortalSettings, create_portal_app
    from demo.serving import ServerThread

    with ServerThread(create_portal_app(PortalSettings(seed=3))) as server:
        yield server


def _run_documented(line: str, port: int, browser_path: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`printf '%s\\n' PASSWORD | .venv/bin/cita-agent check ...` from the guide, with the stand-in's real port."""
    feed, _, command = line.partition("|")
    password = shlex.split(feed)[-1]
    words = shlex.split(command.replace("127.0.0.1:8600", f"127.0.0.1:{port}"))
    assert words[0] == ".venv/bin/cita-agent"
    program = str(Path(sys.executable).with_name("cita-agent"))
    env = {**os.environ, "CHROMIUM_PATH": browser_path, "CITA_AGENT_HOME": str(home)}
    return subprocess.run([program, *words[1:]], input=password + "\n", capture_output=True, text=True,
                          env=env, timeout=180, check=False)


def test_driver_guide_check_commands_work_on_the_stand_in(stand_in_portal, browser_path, tmp_path):
    lines = _sh_lines("write-a-driver.md", "cita-agent check --portal demo --url http://127.0.0.1:8600")
    listing = next(line for line in lines if "--json" in line)
    result = _run_documented(listing, stand_in_portal.port, browser_path, tmp_path)
    assert result.returncode == 0, result.stderr
    slots = json.loads(result.stdout)
    assert slots and all(slot["professional"] == "Dra. Camila Soto" for slot in slots)

    booking_line = next(line for line in lines if "--book" in line)
    documented_id = re.search(r"--book (\S+)", booking_line).group(1)
    assert documented_id.split(":")[0] == slots[0]["id"].split(":")[0], "the guide's slot id has the wrong shape"
    result = _run_documented(booking_line.replace(documented_id, slots[0]["id"]), stand_in_portal.port,
                             browser_path, tmp_path)
    assert result.returncode == 0, result.stderr
    booking = json.loads(result.stdout)
    assert booking["slot_id"] == slots[0]["id"]
    assert booking["patient"]["name"] == "Paciente Prueba"


def test_relay_guide_backup_makes_a_usable_copy_of_a_live_database(tmp_path):
    from relay.store import ClinicDetails, SqliteStore

    line = next(iter(_sh_lines("operate-the-relay.md", "sqlite3.connect(sys.argv[1]).backup")))
    code = re.search(r'-c "([^"]+)"', line).group(1)
    live = SqliteStore(tmp_path / "relay.sqlite3")  # stays open, in WAL mode, as under a running relay
    try:
        live.add_clinic(ClinicDetails("clinica-sol", kommo_subdomain="clinicasol", kommo_client_id="id", kommo_client_secret="s"))
        copy = tmp_path / "relay-backup.sqlite3"
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "relay.sqlite3"), str(copy)], check=True,
                       timeout=60)
    finally:
        live.close_now()
    restored = SqliteStore(copy)
    try:
        assert [c.name for c in restored.list_clinics()] == ["clinica-sol"]
    finally:
        restored.close_now()
