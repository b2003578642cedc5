"""Fixtures for the engine's tests: a real plaintext keyring, the in-memory web app, a scripted relay."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

# pytest puts tests/ on sys.path, where tests/agent would pass for the `agent` package (a namespace
# package wins over the editable install's finder): the repository root must come first.
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
for _name in [m for m in sys.modules if m == "agent" or m.startswith("agent.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

from agent_testkit import FakePortal, ScriptedRelay  # noqa: E402

from agent.engine import Engine  # noqa: E402
from agent.events import Event  # noqa: E402
from agent.paths import AgentPaths, resolve_paths  # noqa: E402
from agent.portal.base import Credentials  # noqa: E402
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore  # noqa: E402
from agent.settings import AgentSettings  # noqa: E402

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


class EngineRun:
    """An Engine running in a task of the test's loop, with the events it emitted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        engine.subscribe(self._on_event)
        self.task = asyncio.get_running_loop().create_task(engine.run())

    def _on_event(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_event(self, kind: type, predicate: Callable[[Event], bool] = lambda e: True,
                         wait_s: float = 30.0) -> Event:
        async def find() -> Event:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if isinstance(event, kind) and predicate(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(find(), wait_s)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    async def stop(self) -> None:
        await self.engine.stop()
        await asyncio.wait_for(self.task, 30)


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
