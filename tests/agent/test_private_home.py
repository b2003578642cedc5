"""The agent's home is the user's alone: folders 0700, files 0600, whatever the umask, after a real run.

The run: the real engine, the stand-in clinic web app in headless Chromium through the real driver, log files,
a refused login (with its screenshot), a fixed password, a booking, a pause from the command line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path

import pytest
from agent_testkit import EngineRun, ScriptedRelay, book_args

from agent.engine import Engine
from agent.events import PortalChangedState, SlotsRefreshed
from agent.journal import BookingJournal
from agent.logging_setup import setup_logging
from agent.paths import resolve_paths
from agent.pause_control import request_pause
from agent.runtime_state import RuntimeState, save_state
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings, save_settings
from demo.portal.admin_client import PortalAdmin
from demo.portal.app import create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD, PortalSettings
from demo.serving import ServerThread

ADMIN_TOKEN = "admin-token-for-home-tests"
WRONG_PASSWORD = "no-es-la-clave-7"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="modes are POSIX; on Windows the profile is private")


@pytest.fixture
def loose_umask():
    """The most permissive umask: whatever the agent writes must still come out private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def file_logging(agent_paths):
    log_file = setup_logging(agent_paths, console=False)
    yield log_file
    setup_logging(None, console=False)  # removes the agent's handlers (and closes the file)


def modes_under(root: Path) -> dict[str, str]:
    """Every folder and file under root (root included) whose mode is not 0700 / 0600."""
    wrong = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        if mode != expected:
            wrong[str(path.relative_to(root))] = oct(mode)
    return wrong


async def test_after_a_real_run_every_folder_and_file_of_the_home_is_private(
    agent_paths, plaintext_keyring, browser_path, loose_umask, file_logging
):
    app = create_portal_app(PortalSettings(seed=12, admin_token=ADMIN_TOKEN))
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, WRONG_PASSWORD)
    secrets.set(RELAY_TOKEN, "agent-token-xyz")
    with ServerThread(app) as portal, PortalAdmin(portal.url, ADMIN_TOKEN) as admin:
        async with ScriptedRelay(token="agent-token-xyz") as relay:
            settings = AgentSettings(relay_url=relay.url, portal_kind="demo", portal_url=portal.url,
                                     portal_user="recepcion", browser_path=browser_path)
            save_settings(agent_paths, settings)
            run = EngineRun(Engine(agent_paths, settings, secrets))
            try:
                await run.wait_event(PortalChangedState, lambda e: e.state == "login_failed", wait_s=120)
                secrets.set(PORTAL_PASSWORD, DEFAULT_STAFF_PASSWORD)  # the receptionist fixes the password
                await run.engine.reload_settings(settings)
                await run.wait_event(SlotsRefreshed, wait_s=120)
                offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
                booked = await relay.request("book", book_args(offered[-1]["id"], "lead-77:conv-1"), timeout_s=20,
                                             wait_s=60)
                request_pause(agent_paths, True)  # `cita-agent pause` from a terminal
                await relay.next_status(paused=True)
            finally:
                await run.stop()
        appointments = await asyncio.to_thread(admin.appointments)
    app.state.portal.throttle.unlock_all()

    assert booked["ok"], booked
    assert [a["patient_name"] for a in appointments if a["slot_id"] == offered[-1]["id"]] == ["Ana Pérez"]
    home = agent_paths.home
    written = {p.name for p in home.rglob("*")}
    assert {"agent.toml", "journal.sqlite3", "state.json", "control.json", "agent.log"} <= written
    screenshots = list(agent_paths.portal_work_dir.rglob("*.png"))
    assert screenshots, "the refused login left a screenshot"
    assert modes_under(home) == {}

    log_text = file_logging.read_text(encoding="utf-8")
    assert WRONG_PASSWORD not in log_text and DEFAULT_STAFF_PASSWORD not in log_text
    # the web app's own words reach the IT person: only secret values are masked, not the words around them
    assert "or its password: Usuario o contraseña incorrectos" in log_text


def test_a_home_an_older_version_left_readable_is_made_private_on_start(tmp_path, loose_umask):
    home = tmp_path / "old-home"
    for folder in ("config", "data/portal/screenshots", "logs"):
        (home / folder).mkdir(parents=True, mode=0o755)
        (home / folder).chmod(0o755)
    for name in ("config/agent.toml", "data/journal.sqlite3", "data/journal.sqlite3-wal", "logs/agent.log",
                 "logs/agent.log.1", "data/portal/screenshots/x.png", "data/state.json"):
        (home / name).write_text("old")
        (home / name).chmod(0o644)
    outside = tmp_path / "not-ours.txt"
    outside.write_text("someone else's")
    outside.chmod(0o644)
    (home / "data" / "link-out").symlink_to(outside)

    resolve_paths(home).ensure()

    assert {k: v for k, v in modes_under(home).items() if k != "data/link-out"} == {}
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a link out of the home is not followed


def test_each_writer_creates_private_files_whatever_the_umask(tmp_path, loose_umask, file_logging, agent_paths):
    save_settings(agent_paths, AgentSettings(relay_url="wss://relay.example/agent"))
    save_state(agent_paths.state_file, RuntimeState(paused=True))
    request_pause(agent_paths, False)
    journal = BookingJournal(agent_paths.journal_file)
    journal.begin("lead-1:c", "slot-1", "Ana Pérez", "+56 9 1234 5678")
    for n in range(3):
        logging.getLogger("agent.test").info("line %d", n)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_cita_agent", False) and hasattr(handler, "doRollover"):
            handler.doRollover()  # a rotated file and its fresh successor
    logging.getLogger("agent.test").info("after the rotation")

    names = {p.name for p in agent_paths.home.rglob("*")}
    assert {"agent.toml", "state.json", "control.json", "journal.sqlite3", "agent.log", "agent.log.1"} <= names
    assert modes_under(agent_paths.home) == {}
