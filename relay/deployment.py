"""What differs between one relay process and several relay instances: where state lives and who is counted.

A ``Deployment`` gives the relay its store, its agent registry, Kommo's request budget and its keyed locks.
``EmbeddedDeployment`` (the default) keeps them in this process and one SQLite file; with a Redis URL,
``relay.cluster.deployment.RedisDeployment`` shares them with every other instance using that Redis.
"""

from __future__ import annotations

from typing import Any, Protocol

from relay.agents import AgentRegistry, LocalAgentDirectory
from relay.kommo_client import AccountRateLimit, KommoBudget
from relay.locks import KeyedLocks, LockSet
from relay.settings import RelaySettings
from relay.store import RelayStore, SqliteStore

# Conversations silent for 30 minutes are over; their state goes a little later (no patient data kept longer).
CONVERSATION_RETENTION_S = 3600.0


class Deployment(Protocol):
    several_instances: bool  # whether other relay instances may share this state
    instance: str  # this instance's name on the turns it accepts ("" for one process)
    store: RelayStore
    agents: AgentRegistry
    kommo_budget: KommoBudget
    lead_locks: LockSet
    refresh_locks: LockSet

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """After the turns are drained and the agents closed (the store is closed after this)."""
        ...

    def health(self, store_writable: bool) -> tuple[bool, dict[str, Any]]:
        """(healthy, fields for /healthz) given whether the store could be written just now."""
        ...

    async def live_instances(self) -> set[str]:
        """The instances alive now, whose accepted turns are theirs to finish (none but this one when embedded)."""
        ...

    def describe(self) -> dict[str, str]:
        """Fields for the relay_started log line (nothing secret)."""
        ...

    def pool_waits(self) -> int:
        """Store commands that had to wait for a pooled connection so far (0 when there is no pool)."""
        ...

    def round_trips(self) -> int:
        """Round trips to the shared store so far (0 with SQLite in the process)."""
        ...


class EmbeddedDeployment:
    """One relay process: SQLite in the data folder; agents, budgets and locks in memory."""

    several_instances = False
    instance = ""

    def __init__(
        self, settings: RelaySettings, *, store: RelayStore | None = None, agents: AgentRegistry | None = None
    ) -> None:
        self._settings = settings
        self.store: RelayStore = store if store is not None else SqliteStore(settings.database_path)
        self.agents: AgentRegistry = agents if agents is not None else LocalAgentDirectory()
        self.kommo_budget: KommoBudget = AccountRateLimit(settings.kommo_requests_per_s)
        self.lead_locks: LockSet = KeyedLocks()
        self.refresh_locks: LockSet = KeyedLocks()

    async def start(self) -> None:
        if isinstance(self.store, SqliteStore):
            self.store.checkpoint_in_background()

    async def stop(self) -> None:
        pass

    def health(self, store_writable: bool) -> tuple[bool, dict[str, Any]]:
        return store_writable, {"store": "sqlite"}

    async def live_instances(self) -> set[str]:
        return set()

    def describe(self) -> dict[str, str]:
        return {"store": "sqlite", "data": str(self._settings.data_dir)}

    def pool_waits(self) -> int:
        return 0

    def round_trips(self) -> int:
        return 0


def open_deployment(
    settings: RelaySettings, *, store: RelayStore | None = None, agents: AgentRegistry | None = None
) -> Deployment:
    """The embedded deployment, or the Redis one when ``settings.redis_url`` is set."""
    if settings.uses_redis:
        from relay.cluster.deployment import RedisDeployment

        return RedisDeployment(settings, store=store, agents=agents)
    return EmbeddedDeployment(settings, store=store, agents=agents)
