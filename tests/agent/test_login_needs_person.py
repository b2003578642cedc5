"""A web app that asks for more than the password, and a web app session that outlives the agent: the stand-in
portal with ``--otp`` in headless Chromium through the real driver, the scripted relay, a file-backed keyring.

The receptionist's part is played on the window the agent opens (headless here: this machine has no screen), typing
the code the portal "sent by SMS" (its admin interface) as a person would.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from agent_testkit import EngineRun, ScriptedRelay, book_args
from polling import wait_until

from agent.engine import Engine
from agent.events import PortalChangedState, SlotsRefreshed
from agent.secrets import PORTAL_PASSWORD, PORTAL_SESSION_KEY, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings
from demo.portal.admin_client import PortalAdmin
from demo.portal.app import SESSION_COOKIE, create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD, PortalSettings
from demo.serving import ServerThread

ADMIN_TOKEN = "admin-token-for-tests"
TOKEN = "agent-token-xyz"


def _portal(**options):
    app = create_portal_app(PortalSettings(seed=12, admin_token=ADMIN_TOKEN, **options))
    server = ServerThread(app)
    server.app = app
    return server


@pytest.fixture
def otp_portal():
    with _portal(otp=True) as server:
        yield server


@pytest.fixture
def plain_portal():
    with _portal() as server:
        yield server


def _secrets(agent_paths) -> SecretStore:
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, DEFAULT_STAFF_PASSWORD)
    secrets.set(RELAY_TOKEN, TOKEN)
    return secrets


def _engine(agent_paths, secrets, relay, portal_url, browser_path) -> Engine:
    settings = AgentSettings(relay_url=relay.url, portal_kind="demo", portal_url=portal_url,
                             portal_user="recepcion", browser_path=browser_path)
    return Engine(agent_paths, settings, secrets)


def _future_slot(slots: list[dict]) -> dict:
    soon = datetime.now().astimezone() + timedelta(minutes=30)
    return next(s for s in slots if datetime.fromisoformat(s["start"]) > soon)


async def test_a_code_after_the_password_is_typed_by_the_receptionist_and_the_agent_carries_on(
    agent_paths, plaintext_keyring, otp_portal, browser_path
):
    secrets = _secrets(agent_paths)
    with PortalAdmin(otp_portal.url, ADMIN_TOKEN) as admin:
        async with ScriptedRelay(token=TOKEN) as relay:
            run = EngineRun(_engine(agent_paths, secrets, relay, otp_portal.url, browser_path))
            try:
                stopped = await run.wait_event(PortalChangedState, lambda e: e.state == "login_needs_person",
                                               wait_s=120)
                assert "verification code" in stopped.detail
                slots = await relay.request("slots", {"days": 14})
                booking = await relay.request("book", book_args("dra-soto-2030-01-07T10:00", "lead-1:conv-1"))
                # The patient is handed off: the agent says why, and never typed the password again.
                assert slots["ok"] is False and slots["error"]["code"] == "login_needs_person"
                assert booking["ok"] is False and booking["error"]["code"] == "login_needs_person"
                counts = await asyncio.to_thread(admin.login_counts)
                assert counts["password_ok"] == 1 and counts["password_wrong"] == 0
                assert counts["codes_sent"] == 1 and counts["sessions_opened"] == 0

                # The receptionist opens the web app from the prompt: a window at the code screen.
                finishing = asyncio.get_running_loop().create_task(run.engine.finish_login_by_person())
                await wait_until(lambda: run.engine.portal.person_window is not None, wait_s=60)
                window = run.engine.portal.person_window.page
                await window.get_by_label("Código de verificación").wait_for()
                code = await asyncio.to_thread(admin.last_code)
                await window.get_by_label("Código de verificación").fill(code)
                await window.get_by_role("button", name="Verificar").click()
                assert await asyncio.wait_for(finishing, 60) is True
                assert run.engine.portal.person_window is None  # the window was closed by the agent

                await run.wait_event(PortalChangedState, lambda e: e.state == "ok", wait_s=60)
                await run.wait_event(SlotsRefreshed, wait_s=60)
                offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
                wanted = _future_slot(offered)
                booked = await relay.request("book", book_args(wanted["id"], "lead-2:conv-1"), timeout_s=20,
                                             wait_s=60)
            finally:
                await run.stop()
        appointments = await asyncio.to_thread(admin.appointments)
        counts = await asyncio.to_thread(admin.login_counts)
    assert booked["ok"], booked
    assert [a["patient_name"] for a in appointments if a["slot_id"] == wanted["id"]] == ["Ana Pérez"]
    assert counts["password_ok"] == 1 and counts["codes_ok"] == 1 and counts["sessions_opened"] == 1


async def test_the_web_app_session_survives_a_restart_without_a_login(
    agent_paths, plaintext_keyring, otp_portal, browser_path
):
    """Even behind a second factor: the second start reuses the stored session, no password and no code."""
    secrets = _secrets(agent_paths)
    with PortalAdmin(otp_portal.url, ADMIN_TOKEN) as admin:
        async with ScriptedRelay(token=TOKEN) as relay:
            run = EngineRun(_engine(agent_paths, secrets, relay, otp_portal.url, browser_path))
            try:
                await run.wait_event(PortalChangedState, lambda e: e.state == "login_needs_person", wait_s=120)
                finishing = asyncio.get_running_loop().create_task(run.engine.finish_login_by_person())
                await wait_until(lambda: run.engine.portal.person_window is not None, wait_s=60)
                window = run.engine.portal.person_window.page
                await window.get_by_label("Código de verificación").fill(await asyncio.to_thread(admin.last_code))
                await window.get_by_role("button", name="Verificar").click()
                assert await asyncio.wait_for(finishing, 60) is True
                await run.wait_event(SlotsRefreshed, wait_s=60)
            finally:
                await run.stop()
            first = await asyncio.to_thread(admin.login_counts)

            stored = agent_paths.web_session_file.read_bytes()
            assert SESSION_COOKIE.encode() not in stored and b"cookies" not in stored  # sealed, not plain JSON
            assert secrets.get(PORTAL_SESSION_KEY)

            again = EngineRun(_engine(agent_paths, secrets, relay, otp_portal.url, browser_path))
            try:
                await again.wait_event(SlotsRefreshed, wait_s=120)
                offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
                booked = await relay.request("book", book_args(_future_slot(offered)["id"], "lead-3:conv-1"),
                                             timeout_s=20, wait_s=60)
            finally:
                await again.stop()
        second = await asyncio.to_thread(admin.login_counts)
    assert booked["ok"], booked
    assert not again.of(PortalChangedState) or all(e.state != "login_needs_person" for e in again.of(PortalChangedState))
    assert (first["password_ok"], first["codes_ok"]) == (1, 1)
    assert second == first  # the restart cost no login at all


@pytest.mark.parametrize("spoil", ["corrupt", "stale", "foreign_key"])
async def test_an_unusable_stored_session_is_dropped_silently_and_a_normal_login_follows(
    agent_paths, plaintext_keyring, plain_portal, browser_path, spoil
):
    secrets = _secrets(agent_paths)
    with PortalAdmin(plain_portal.url, ADMIN_TOKEN) as admin:
        async with ScriptedRelay(token=TOKEN) as relay:
            run = EngineRun(_engine(agent_paths, secrets, relay, plain_portal.url, browser_path))
            try:
                await run.wait_event(SlotsRefreshed, wait_s=120)
            finally:
                await run.stop()
            assert agent_paths.web_session_file.exists()
            if spoil == "corrupt":
                agent_paths.web_session_file.write_bytes(b"gAAAAA-not-a-session")
            elif spoil == "stale":
                await asyncio.to_thread(admin.expire_sessions)
            else:  # another key (a keyring restored from elsewhere): the file cannot be opened
                from cryptography.fernet import Fernet

                secrets.set(PORTAL_SESSION_KEY, Fernet.generate_key().decode())

            again = EngineRun(_engine(agent_paths, secrets, relay, plain_portal.url, browser_path))
            try:
                await again.wait_event(SlotsRefreshed, wait_s=120)
                served = await relay.request("slots", {"days": 14})
            finally:
                await again.stop()
        counts = await asyncio.to_thread(admin.login_counts)
    assert served["ok"], served
    assert counts["password_ok"] == 2 and counts["password_wrong"] == 0
    assert all(e.state in ("ok", "unknown") for e in again.of(PortalChangedState))
    assert agent_paths.web_session_file.exists()  # the new session replaced it


def test_forget_secrets_deletes_the_stored_session_and_its_key(agent_paths, plaintext_keyring):
    from agent.cli import main
    from agent.session_store import WebSessionStore

    secrets = _secrets(agent_paths)
    store = WebSessionStore(agent_paths.web_session_file, secrets, lambda: ("http://127.0.0.1:1", "recepcion"))
    store.save({"cookies": [{"name": "sid", "value": "v"}], "origins": []})
    assert agent_paths.web_session_file.exists() and secrets.get(PORTAL_SESSION_KEY)

    assert main(["--home", str(agent_paths.home), "forget-secrets", "--yes"]) == 0
    assert not agent_paths.web_session_file.exists()
    assert secrets.get(PORTAL_SESSION_KEY) is None and secrets.get(PORTAL_PASSWORD) is None


def test_a_session_of_another_web_app_or_user_is_not_used(agent_paths, plaintext_keyring):
    from agent.session_store import WebSessionStore

    secrets = _secrets(agent_paths)
    state = {"cookies": [{"name": "sid", "value": "v"}], "origins": []}
    WebSessionStore(agent_paths.web_session_file, secrets, lambda: ("https://a.example", "ana")).save(state)
    assert WebSessionStore(agent_paths.web_session_file, secrets, lambda: ("https://b.example", "ana")).load() is None
    assert not agent_paths.web_session_file.exists()
    WebSessionStore(agent_paths.web_session_file, secrets, lambda: ("https://a.example", "ana")).save(state)
    assert WebSessionStore(agent_paths.web_session_file, secrets, lambda: ("https://a.example", "ana")).load() == state
    raw = agent_paths.web_session_file.read_bytes()
    assert b"sid" not in raw and json.dumps(state).encode() not in raw


@pytest.fixture
def x_display(monkeypatch, tmp_path):
    """A real X server (Xvfb) of this test's own: where the agent's window for the receptionist is really headed."""
    import os
    import shutil
    import subprocess
    import time as clock
    from pathlib import Path

    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed")
    number = next(n for n in range(120 + os.getpid() % 200, 1000) if not os.path.exists(f"/tmp/.X{n}-lock"))
    process = subprocess.Popen([xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    for _ in range(200):  # its socket appears when it is ready
        if socket.exists() or process.poll() is not None:
            break
        clock.sleep(0.05)
    if process.poll() is not None:
        pytest.skip("Xvfb did not start")
    monkeypatch.setenv("DISPLAY", f":{number}")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield f":{number}"
    process.terminate()
    process.wait(10)


async def test_on_a_screen_the_window_is_a_real_headed_browser(
    agent_paths, plaintext_keyring, otp_portal, browser_path, x_display, test_output
):
    secrets = _secrets(agent_paths)
    with PortalAdmin(otp_portal.url, ADMIN_TOKEN) as admin:
        async with ScriptedRelay(token=TOKEN) as relay:
            run = EngineRun(_engine(agent_paths, secrets, relay, otp_portal.url, browser_path))
            try:
                await run.wait_event(PortalChangedState, lambda e: e.state == "login_needs_person", wait_s=120)
                finishing = asyncio.get_running_loop().create_task(run.engine.finish_login_by_person())
                await wait_until(lambda: run.engine.portal.person_window is not None, wait_s=60)
                window = run.engine.portal.person_window.page
                assert "HeadlessChrome" not in await window.evaluate("navigator.userAgent")
                field = window.get_by_label("Código de verificación")
                await field.wait_for()
                (test_output / "ui").mkdir(parents=True, exist_ok=True)
                await window.screenshot(path=str(test_output / "ui" / "web-app-code-window.png"))
                await field.fill(await asyncio.to_thread(admin.last_code))
                await window.get_by_role("button", name="Verificar").click()
                assert await asyncio.wait_for(finishing, 60) is True
                await run.wait_event(SlotsRefreshed, wait_s=60)
            finally:
                await run.stop()
