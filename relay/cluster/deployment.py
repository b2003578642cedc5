"""One relay instance among several sharing Redis: its store, agents, Kommo budget and leases, on one client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from typing import Any

from redis.exceptions import RedisError

from relay.agents import AgentRegistry
from relay.cluster import keys as redis_keys
from relay.cluster.agents import RedisAgentDirectory
from relay.cluster.budget import SharedKommoBudget
from relay.cluster.client import UNREACHABLE, CountingPool, async_client, shown_url
from relay.cluster.later import LaterWrites
from relay.cluster.leases import RedisLeases
from relay.cluster.store import RedisStore
from relay.deployment import CONVERSATION_RETENTION_S
from relay.logs import log
from relay.settings import RelaySettings
from relay.store import RelayStore

logger = logging.getLogger("relay.cluster")

STORE_CHECK_S = 5.0  # how often the store's birth mark (keys.STORE_MARK) is looked for


def default_instance_name() -> str:
    """Unique among the instances sharing a Redis, and readable in /healthz and the logs."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


class RedisDeployment:
    several_instances = True

    def __init__(
        self, settings: RelaySettings, *, store: RelayStore | None = None, agents: AgentRegistry | None = None
    ) -> None:
        self.instance = settings.instance_name or default_instance_name()
        self._shown_url = shown_url(settings.redis_url)
        # A turn waits for a pooled connection as long as it would wait for its agent: never a hand-off for that.
        self._client = async_client(
            settings.redis_url, max_connections=settings.redis_pool_size, wait_s=settings.slots_timeout_s
        )
        self.store: RelayStore = (
            store if store is not None else RedisStore(self._client, conversation_ttl_s=CONVERSATION_RETENTION_S)
        )
        # The writes that can wait a moment (leases let go, Kommo calls ended, turns finished): one pipeline.
        later = self.store.later if isinstance(self.store, RedisStore) else LaterWrites(self._client)
        self._directory = RedisAgentDirectory(self._client, self.instance)
        self.agents: AgentRegistry = agents if agents is not None else self._directory
        # A call still in flight after the HTTP timeout is over (its instance died): stop counting it then.
        self.kommo_budget = SharedKommoBudget(
            self._client,
            self.instance,
            settings.kommo_requests_per_s,
            in_flight_s=settings.continuation_timeout_s,
            later=later,
        )
        self.lead_locks = RedisLeases(self._client, "lead", later=later)
        if isinstance(self.store, RedisStore):  # a turn's accept and settle steps take one round trip each
            self.store.share_with(self.lead_locks, self.kommo_budget)
        self.refresh_locks = RedisLeases(self._client, "kommo-refresh", lease_s=30.0, later=later)
        self._store_mark: bytes | None = None
        self._store_lost = False
        self._store_watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._directory.start()
        await self._check_persistence()
        await self._mark_store()
        self._store_watch = asyncio.get_running_loop().create_task(self._watch_store(), name="redis-store-watch")

    async def stop(self) -> None:
        if self._store_watch is not None:
            self._store_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._store_watch
        await self._directory.stop()

    async def _mark_store(self) -> None:
        """The store's birth mark, written by the first instance: a Redis that comes back without it lost its data
        (restarted without persistence, flushed, replaced) and holds no clinic any more."""
        try:
            await self._client.set(redis_keys.STORE_MARK, str(int(time.time())), nx=True)
            self._store_mark = await self._client.get(redis_keys.STORE_MARK)
        except (*UNREACHABLE, RedisError):
            self._store_mark = None  # unreachable: marked once it answers (health says "redis": false meanwhile)

    async def _watch_store(self) -> None:
        while True:
            await asyncio.sleep(STORE_CHECK_S)
            if self._store_mark is None:
                await self._mark_store()
                continue
            try:
                lost = await self._client.get(redis_keys.STORE_MARK) != self._store_mark
            except (*UNREACHABLE, RedisError):
                continue  # unreachable is reported as such
            if lost and not self._store_lost:
                log(logger, logging.ERROR, "redis_data_lost", redis=self._shown_url,
                    action="Redis came back without the relay's data (no persistence, or flushed): every clinic is"
                    " gone for the relay; restore the Redis backup (run-several-relays.md), then restart the relay")
            self._store_lost = lost

    async def live_instances(self) -> set[str]:
        return await self._directory.live_instances()

    def store_lost(self) -> bool:
        """Redis came back without the relay's data (``_watch_store``)."""
        return self._store_lost

    def health(self, store_writable: bool) -> tuple[bool, dict[str, Any]]:
        reachable = store_writable and self._directory.listening
        extra: dict[str, Any] = {"store": "redis", "redis": reachable, "instance": self.instance}
        if self._store_lost:
            extra["redis_data_lost"] = True  # answers, but empty: restore the backup
        return reachable and not self._store_lost, extra

    def pool_waits(self) -> int:
        pool = self._client.connection_pool
        return pool.waits if isinstance(pool, CountingPool) else 0

    def round_trips(self) -> int:
        return CountingPool.all_round_trips

    def describe(self) -> dict[str, str]:
        return {"store": "redis", "redis": self._shown_url, "instance": self.instance}

    async def _check_persistence(self) -> None:
        """Kommo refresh tokens live in Redis: without persistence, a Redis restart means re-installing."""
        try:
            info = await self._client.info("persistence")
        except (*UNREACHABLE, RedisError) as exc:
            log(
                logger,
                logging.ERROR,
                "redis_unreachable",
                redis=self._shown_url,
                error=type(exc).__name__,
                action="start Redis or fix CITA_RELAY_REDIS_URL; the relay reports 503 on /healthz until it answers",
            )
            return
        if not int(info.get("aof_enabled", 0)):
            log(
                logger,
                logging.WARNING,
                "redis_without_append_only_file",
                redis=self._shown_url,
                action="set appendonly yes (appendfsync everysec or always): a rotated Kommo refresh token must"
                " survive a Redis restart",
            )
