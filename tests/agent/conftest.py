"""Fixtures for the engine's tests: a real plaintext keyring, the in-memory web app, a scripted relay."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from agent_testkit import EngineRun, FakePortal, ScriptedRelay

from agent.engine import Engine
from agent.paths import AgentPaths, resolve_paths
from agent.portal.base import Credentials
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings

PASSWORD = "correcta-123"
TOKEN = "agent-token-xyz"


@pytest.fixture
def agent_paths(tmp_path) -> AgentPaths:
    return resolve_paths(tmp_path / "agent-home").ensure()


@pytest.fixture
def secrets(plaintext_keyring, agent_paths) -> SecretStore:
    store = SecretStore(agent_paths.keyring_service)
    store.set(PORTAL_PASSWORD, PASSWORD)
    store.set(RELAY_TOKEN, TOKEN)
    return store


@pytest.fixture
def portal() -> FakePortal:
    return FakePortal(password=PASSWORD)


@pytest.fixture
async def relay() -> AsyncIterator[ScriptedRelay]:
    async with ScriptedRelay(token=TOKEN) as scripted:
        yield scripted


@pytest.fixture
async def start_engine(agent_paths, secrets, portal, relay):
    """start_engine(**settings_changes) -> EngineRun, stopped at the end of the test."""
    runs: list[EngineRun] = []

    def settings(**changes) -> AgentSettings:
        values = {
            "relay_url": relay.url, "portal_kind": "demo", "portal_url": "http://127.0.0.1:9/clinic",
            "portal_user": "recepcion", "refresh_minutes": 5.0,
        }
        values.update(changes)
        return AgentSettings(**values)

    def driver_factory():
        return portal.driver(credentials=Credentials("recepcion", secrets.get(PORTAL_PASSWORD) or ""))

    def start(**changes) -> EngineRun:
        engine = Engine(agent_paths, settings(**changes), secrets, driver_factory=driver_factory)
        run = EngineRun(engine)
        runs.append(run)
        return run

    start.settings = settings  # type: ignore[attr-defined]
    yield start
    for run in runs:
        await run.stop()
