"""The engine with the real parts around it: the stand-in clinic web app in headless Chromium through the
real driver, and the real relay (cita-relay's app) on 127.0.0.1, restarted under the agent.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
import uvicorn
from agent_testkit import EngineRun, ScriptedRelay, book_args
from polling import wait_until

from agent.engine import Engine
from agent.events import PortalChangedState, SlotsRefreshed
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings
from demo.portal.admin_client import PortalAdmin
from demo.portal.app import create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD, PortalSettings
from demo.serving import ServerThread, free_port
from wire.messages import BookArgs, SlotsArgs, WirePatient

ADMIN_TOKEN = "admin-token-for-tests"


@pytest.fixture(scope="module")
def portal_server():
    app = create_portal_app(PortalSettings(seed=11, admin_token=ADMIN_TOKEN))
    with ServerThread(app) as server:
        server.app = app
        yield server


@pytest.fixture
def admin(portal_server):
    with PortalAdmin(portal_server.url, ADMIN_TOKEN) as client:
        yield client


def _future_ids(slots: list[dict], margin: timedelta = timedelta(minutes=10)) -> set[str]:
    """Slot ids that cannot start between two reads taken a moment apart."""
    soon = datetime.now().astimezone() + margin
    return {s["id"] for s in slots if datetime.fromisoformat(s["start"]) > soon}


async def test_slots_and_bookings_through_the_real_driver_and_web_app(
    agent_paths, plaintext_keyring, portal_server, admin, browser_path
):
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, DEFAULT_STAFF_PASSWORD)
    secrets.set(RELAY_TOKEN, "agent-token-xyz")
    async with ScriptedRelay(token="agent-token-xyz") as relay:
        settings = AgentSettings(relay_url=relay.url, portal_kind="demo", portal_url=portal_server.url,
                                 portal_user="recepcion", browser_path=browser_path)
        run = EngineRun(Engine(agent_paths, settings, secrets))  # the driver from the registry and the keyring
        try:
            await run.wait_event(SlotsRefreshed, wait_s=120)
            offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
            truth = await asyncio.to_thread(admin.free_slots, 14)
            assert _future_ids(offered) == _future_ids(truth)

            wanted = next(s for s in offered if s["id"] in _future_ids(offered))
            first = await relay.request("book", book_args(wanted["id"], "lead-9:conv-1"), timeout_s=20, wait_s=60)
            repeats = [await relay.request("book", book_args(wanted["id"], "lead-9:conv-1")) for _ in range(4)]

            staff = next(s for s in offered if s["id"] in _future_ids(offered) and s["id"] != wanted["id"])
            await asyncio.to_thread(admin.book, staff["professional"], staff["start"])  # by phone, at the desk
            taken = await relay.request("book", book_args(staff["id"], "lead-10:conv-1"), timeout_s=20, wait_s=60)
        finally:
            await run.stop()

    appointments = await asyncio.to_thread(admin.appointments)
    ours = [a for a in appointments if a["slot_id"] == wanted["id"]]
    assert first["ok"], first
    assert len(ours) == 1 and ours[0]["patient_name"] == "Ana Pérez"
    assert first["result"]["booking_id"] == ours[0]["id"] and first["result"]["start"] == wanted["start"]
    assert all(r["ok"] and r["result"]["repeat"] and r["result"]["booking_id"] == ours[0]["id"] for r in repeats)
    assert taken["ok"] is False and taken["error"]["code"] == "slot_taken"
    assert taken["error"]["alternatives"] and staff["id"] not in {a["id"] for a in taken["error"]["alternatives"]}
    assert len([a for a in appointments if a["slot_id"] == staff["id"]]) == 1  # only the receptionist's


async def test_a_wrong_password_costs_the_real_web_app_one_failed_login(
    agent_paths, plaintext_keyring, portal_server, browser_path
):
    throttle = portal_server.app.state.portal.throttle
    throttle.unlock_all()
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, "not-the-password")
    secrets.set(RELAY_TOKEN, "agent-token-xyz")
    async with ScriptedRelay(token="agent-token-xyz") as relay:
        settings = AgentSettings(relay_url=relay.url, portal_kind="demo", portal_url=portal_server.url,
                                 portal_user="recepcion", browser_path=browser_path)
        run = EngineRun(Engine(agent_paths, settings, secrets))
        try:
            await run.wait_event(PortalChangedState, lambda e: e.state == "login_failed", wait_s=120)
            status = await relay.next_status(portal="login_failed")
            answers = [await relay.request("slots", {"days": 14}) for _ in range(3)]
            await run.engine.refresh_now()
        finally:
            await run.stop()
    assert status["portal"] == "login_failed"
    assert {a["error"]["code"] for a in answers} == {"login_failed"}
    assert throttle.failures_in_a_row("recepcion") == 1
    throttle.unlock_all()


class RealRelay:
    """cita-relay's app served by uvicorn in the test's own loop, so the test can ask the agent through it."""

    def __init__(self, data_dir, port: int) -> None:
        from relay.agents import LocalAgentDirectory
        from relay.app import build_app
        from relay.settings import RelaySettings

        self.agents = LocalAgentDirectory()
        self.app = build_app(RelaySettings(data_dir=data_dir, port=port), agents=self.agents)
        self.port = port
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task | None = None

    async def start(self) -> RealRelay:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                ws_ping_interval=20.0)
        self.server = uvicorn.Server(config)
        self.task = asyncio.get_running_loop().create_task(self.server.serve())
        await wait_until(lambda: self.server.started)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            await asyncio.wait_for(self.task, 30)
            self.server = None


async def test_through_the_real_relay_which_restarts_under_the_agent(agent_paths, plaintext_keyring, portal, tmp_path):
    from relay.store import ClinicDetails, SqliteStore

    store = SqliteStore(tmp_path / "relay" / "relay.sqlite3")
    token = store.add_clinic(ClinicDetails("aromos", kommo_subdomain="aromos", kommo_client_id="id", kommo_client_secret="s" * 32))
    store.close_now()
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, portal.password)
    secrets.set(RELAY_TOKEN, token)
    port = free_port()
    relay = await RealRelay(tmp_path / "relay", port).start()
    settings = AgentSettings(relay_url=f"ws://127.0.0.1:{port}/agent", portal_url="http://127.0.0.1:9/",
                             portal_user="recepcion")
    run = EngineRun(Engine(agent_paths, settings, secrets, driver_factory=portal.driver))
    try:
        await wait_until(lambda: (p := relay.agents.presence("aromos")) is not None and p.connected
                         and p.portal == "ok")
        slots = await relay.agents.request("aromos", "slots", SlotsArgs(days=14), 8.0)
        assert slots.ok and slots.slots_result().slots

        await relay.stop()  # the relay restarts (a deploy) while the agent is connected
        relay = await RealRelay(tmp_path / "relay", port).start()
        await wait_until(lambda: (p := relay.agents.presence("aromos")) is not None and p.connected, wait_s=60)
        pick = slots.slots_result().slots[0]
        booked = await relay.agents.request(
            "aromos", "book", BookArgs(pick.id, WirePatient("Ana Pérez", "+56 9 1234 5678"), "lead-3:c:1"), 20.0
        )
        assert booked.ok and booked.book_result().start == pick.start

        await run.engine.set_paused(True)
        await wait_until(lambda: relay.agents.presence("aromos").paused is True)
    finally:
        await run.stop()
        await relay.stop()
    assert portal.book_calls == 1 and run.engine.link.connections == 2
