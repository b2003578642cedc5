"""Redis clients as the relay uses them: short timeouts (a health check must answer while Redis is away), one
quick retry, and the URL shown without its password."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from relay.cluster.lane import RedisLane
from relay.store import StoreUnavailable

CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 5.0
# Commands beyond this many at once wait for a connection (up to COMMAND_TIMEOUT_S) instead of failing;
# the relay sizes its own pool from its settings (redis_pool_size) and waits as long as a turn's agent deadline.
MAX_CONNECTIONS = 64
# The pub/sub connection pings Redis this often, so a silently dead connection is noticed.
HEALTH_CHECK_S = 10.0

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CountingPool(redis.asyncio.BlockingConnectionPool):
    """A blocking pool that counts the commands that had to wait for a connection, and the round trips (a command, a
    script or a pipeline each take a connection once): both shown in /metrics."""

    waits = 0
    round_trips = 0
    # Every pool of the process together (the store's, the leases', the Kommo budget's): what /metrics shows.
    all_round_trips = 0

    _lane: RedisLane | None = None

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        self.count_round_trip()
        if not self.can_get_connection():
            self.waits += 1
        return await super().get_connection(*args, **kwargs)

    def count_round_trip(self) -> None:
        self.round_trips += 1
        CountingPool.all_round_trips += 1

    @property
    def lane(self) -> RedisLane:
        """The pool's one connection for a turn's hot commands, many at once (``relay.cluster.lane``): counted
        here, closed with the pool, never waited for."""
        if self._lane is None:
            self._lane = RedisLane(self, on_round_trip=self.count_round_trip)
        return self._lane

    async def disconnect(self, *args: Any, **kwargs: Any) -> None:
        if self._lane is not None:
            await self._lane.close()
        await super().disconnect(*args, **kwargs)


def _no_client_setinfo() -> dict[str, Any]:
    """redis-py sends CLIENT SETINFO (and reads its own version from the package metadata) on every new connection:
    a round trip and a file read each time the pool grows. Turned off where the installed redis-py says how."""
    parameters = inspect.signature(redis.asyncio.connection.AbstractConnection.__init__).parameters
    if "driver_info" in parameters:
        return {"driver_info": None}
    if "lib_name" in parameters:
        return {"lib_name": None, "lib_version": None}
    return {}


_NO_SETINFO = _no_client_setinfo()


def async_client(
    url: str, max_connections: int = MAX_CONNECTIONS, wait_s: float = COMMAND_TIMEOUT_S
) -> redis.asyncio.Redis:
    """A client whose pool holds ``max_connections``; a command waits ``wait_s`` at most for a free one."""
    pool = CountingPool.from_url(
        url,
        max_connections=max_connections,
        timeout=wait_s,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        health_check_interval=HEALTH_CHECK_S,
        retry=AsyncRetry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        **_NO_SETINFO,
        # TCP only: redis-py's Unix-socket connections refuse the option (a unix:// URL could not connect at all).
        **({} if urlsplit(url).scheme == "unix" else {"socket_keepalive": True}),
    )
    return redis.asyncio.Redis.from_pool(pool)  # closing the client closes its pool


def lane_of(client: redis.asyncio.Redis) -> RedisLane:
    """The lane of ``client``'s pool (one of its own when the pool is not the relay's)."""
    pool = client.connection_pool
    return pool.lane if isinstance(pool, CountingPool) else RedisLane(pool)


def sync_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
    )


def shown_url(url: str) -> str:
    """The Redis URL for logs and messages: scheme, host, port and database, never the user or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@contextlib.contextmanager
def reachable() -> Iterator[None]:
    """Redis connection failures become ``StoreUnavailable`` (what the relay's handlers understand)."""
    try:
        yield
    except UNREACHABLE as exc:
        raise StoreUnavailable(f"Redis is unreachable ({type(exc).__name__})") from exc
