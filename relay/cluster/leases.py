"""Short Redis locks shared by every relay instance: one holder per name at a time.

A lease is ``SET name token NX PX lease`` and is renewed while its holder works, so a long turn (a booking may
take 20 s) keeps it, while an instance that dies mid-turn loses it within one lease. Release deletes the key only
if it still holds the holder's token. Waiters poll with a short, growing delay: a lead's turns rarely overlap,
and an OAuth refresh happens once a day per clinic.

Inside one instance, waiters first queue on a local lock (first come, first served), so only one of them at
a time polls Redis for a name. A lease let go is given back to Redis within ``RELEASE_DELAY_S``, many in one
round trip; a waiter of this instance that comes meanwhile takes it over as it is (it is still this instance's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import AsyncIterator

import redis.asyncio
from redis.exceptions import RedisError

from relay.cluster import keys as redis_keys
from relay.cluster.client import UNREACHABLE
from relay.locks import KeyedLocks
from relay.logs import log

logger = logging.getLogger("relay.cluster.leases")

RELEASE_DELAY_S = 0.02

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeases:
    """A ``LockSet`` across every instance: ``hold(*key)`` holds the lease ``NAMESPACE:key...``."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        namespace: str,
        *,
        lease_s: float = 15.0,
        first_poll_s: float = 0.02,
        max_poll_s: float = 0.25,
    ) -> None:
        self._redis = client
        self._lease_ms = int(lease_s * 1000)
        self._first_poll_s = first_poll_s
        self._max_poll_s = max_poll_s
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._namespace = namespace
        self._local = KeyedLocks()  # this instance's waiters queue here first
        self._letting_go: dict[str, str] = {}  # lease name -> token: let go here, not yet deleted in Redis
        self._releasing: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def hold(self, *key: str) -> AsyncIterator[None]:
        """Wait for the lease and hold it for the ``async with`` block (Redis errors propagate)."""
        async with self._local.hold(*key):
            name = redis_keys.lease(":".join((self._namespace, *key)))
            token = self._letting_go.pop(name, None)  # still held in Redis by this instance: taken over
            if token is None:
                token = secrets.token_hex(8)
                delay = self._first_poll_s
                while not await self._redis.set(name, token, nx=True, px=self._lease_ms):
                    await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                    delay = min(self._max_poll_s, delay * 1.5)
            renewing = asyncio.get_running_loop().create_task(self._keep(name, token))
            try:
                yield
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                self._letting_go[name] = token
                if self._releasing is None:
                    self._releasing = asyncio.get_running_loop().create_task(self._release_soon())

    async def _release_soon(self) -> None:
        await asyncio.sleep(RELEASE_DELAY_S)
        self._releasing = None  # a lease let go from here on starts the next batch
        leases, self._letting_go = self._letting_go, {}
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name, token in leases.items():
                    await self._release(keys=[name], args=[token], client=pipe)
                await pipe.execute()
        except (*UNREACHABLE, RedisError):
            pass  # they run out by themselves within one lease

    async def _keep(self, name: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                if not await self._renew(keys=[name], args=[token, self._lease_ms]):
                    log(logger, logging.WARNING, "lease_lost", lease=name)
                    return
            except (*UNREACHABLE, RedisError) as exc:
                log(logger, logging.WARNING, "lease_renewal_failed", lease=name, error=type(exc).__name__)
