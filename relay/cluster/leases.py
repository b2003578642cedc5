"""Short Redis locks shared by every relay instance: one holder per name at a time.

A lease is ``SET name token NX PX lease`` and is renewed while its holder works, so a long turn (a booking may
take 20 s) keeps it, while an instance that dies mid-turn loses it within one lease. Release deletes the key only
if it still holds the holder's token. Waiters poll with a short, growing delay: a lead's turns rarely overlap,
and an OAuth refresh happens once a day per clinic.

Inside one instance, waiters first queue on a local lock (first come, first served), so only one of them at
a time polls Redis for a name. A lease let go is given back to Redis within 20 ms, many in one round trip
(``relay.cluster.later``); a waiter of this instance that comes meanwhile takes it over as it is (it is still
this instance's).

A lease can also be taken by another step's script (``adopt``: the relay's accept step takes a new turn's lead
lease in the same round trip as its claim, and reads the conversation with it): the first holder here then takes
it over as it is, with what was read under it (``prefetched``). A lease can be given back by another step's script
too (``give_back``: the reply's settle step deletes it in its own round trip).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio
from redis.exceptions import NoScriptError, RedisError

from relay.cluster import keys as redis_keys
from relay.cluster.client import UNREACHABLE, lane_of
from relay.cluster.later import Command, LaterWrites, OnFailure, evalsha
from relay.locks import KeyedLocks
from relay.logs import log

logger = logging.getLogger("relay.cluster.leases")

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
        later: LaterWrites | None = None,
    ) -> None:
        self._redis = client
        self._lease_ms = int(lease_s * 1000)
        self._first_poll_s = first_poll_s
        self._max_poll_s = max_poll_s
        self._renew = client.register_script(_RENEW)
        self._lane = lane_of(client)
        self._namespace = namespace
        self._local = KeyedLocks()  # this instance's waiters queue here first
        self._letting_go: dict[str, str] = {}  # lease name -> token: let go here, not yet deleted in Redis
        self._letting_go_renewed_at: dict[str, float] = {}
        self._later = later if later is not None else LaterWrites(client)
        self._later.join(self)
        self._release = self._later.script(_RELEASE)
        # lease name -> (token, when taken, what was read under it): taken by another step, no holder yet.
        self._adopted: dict[str, tuple[str, float, Any]] = {}
        self._sweeping: asyncio.Task[None] | None = None
        self._held: dict[str, str] = {}  # lease name -> token, while a holder here is inside ``hold``
        # held name -> when its lease was last set or renewed in Redis (renewed by one task for all: ``_renewal``)
        self._renewed_at: dict[str, float] = {}
        self._renewing: asyncio.Task[None] | None = None
        self._given_back: set[str] = set()  # held names whose lease another step's script already deleted
        self._prefetched: dict[str, Any] = {}  # held name -> what was read when its lease was adopted

    def name(self, *key: str) -> str:
        """The Redis key of the lease ``key``."""
        return redis_keys.lease(":".join((self._namespace, *key)))

    def new_token(self) -> str:
        return secrets.token_hex(8)

    @property
    def lease_ms(self) -> int:
        return self._lease_ms

    def adopt(self, name: str, token: str, prefetched: Any = None) -> None:
        """Another step's script took the lease ``name`` with ``token`` (``SET NX PX lease_ms``): the next holder
        here takes it over, and ``prefetched`` with it. Not taken within a third of a lease, it is let go."""
        self._adopted[name] = (token, time.monotonic(), prefetched)
        if self._sweeping is None:
            self._sweeping = asyncio.get_running_loop().create_task(self._sweep_adopted())

    def holder_token(self, name: str) -> str | None:
        """The token of the lease ``name`` while a holder here is inside ``hold`` (None otherwise)."""
        return self._held.get(name)

    def give_back(self, name: str, token: str) -> None:
        """Another step's script deleted the held lease ``name`` (if it still held ``token``): not let go again."""
        if self._held.get(name) == token:
            self._given_back.add(name)
            self._prefetched.pop(name, None)

    def prefetched(self, name: str) -> Any:
        """What was read when the held lease ``name`` was adopted, once (None when nothing or already taken)."""
        return self._prefetched.pop(name, None)

    def forget_prefetched(self, name: str) -> None:
        """What was read under the lease is out of date (this instance writes it now)."""
        self._prefetched.pop(name, None)

    def _take_adopted(self, name: str) -> tuple[str, float] | None:
        adopted = self._adopted.pop(name, None)
        if adopted is None:
            return None
        token, taken_at, prefetched = adopted
        if time.monotonic() - taken_at > self._lease_ms / 3000:  # too close to its expiry to count on: let go
            self._let_go(name, token)
            return None
        if prefetched is not None:
            self._prefetched[name] = prefetched
        return token, taken_at

    async def _sweep_adopted(self) -> None:
        try:
            while self._adopted:
                await asyncio.sleep(self._lease_ms / 3000)
                cutoff = time.monotonic() - self._lease_ms / 3000
                for name, (token, taken_at, _) in list(self._adopted.items()):
                    if taken_at < cutoff:
                        del self._adopted[name]
                        self._let_go(name, token)
        finally:
            self._sweeping = None

    def _let_go(self, name: str, token: str, renewed_at: float | None = None) -> None:
        self._letting_go[name] = token
        if renewed_at is not None:  # taken over as is by the next holder here: its renewal goes on from then
            self._letting_go_renewed_at[name] = renewed_at
        self._later.soon()

    @contextlib.asynccontextmanager
    async def hold(self, *key: str) -> AsyncIterator[None]:
        """Wait for the lease and hold it for the ``async with`` block (Redis errors propagate)."""
        async with self._local.hold(*key):
            name = self.name(*key)
            token = self._letting_go.pop(name, None)  # still held in Redis by this instance: taken over
            renewed_at = self._letting_go_renewed_at.pop(name, None)
            if token is None:
                adopted = self._take_adopted(name)
                if adopted is not None:
                    token, renewed_at = adopted
            if token is None:
                token = secrets.token_hex(8)
                delay = self._first_poll_s
                while not await self._redis.set(name, token, nx=True, px=self._lease_ms):
                    await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                    delay = min(self._max_poll_s, delay * 1.5)
            self._held[name] = token
            self._renewed_at[name] = renewed_at if renewed_at is not None else time.monotonic()
            if self._renewing is None:
                self._renewing = asyncio.get_running_loop().create_task(self._renewal())
            try:
                yield
            finally:
                del self._held[name]
                renewed_at = self._renewed_at.pop(name, None)
                self._prefetched.pop(name, None)
                if name in self._given_back:
                    self._given_back.discard(name)
                else:
                    self._let_go(name, token, renewed_at)

    def take(self) -> tuple[list[Command], OnFailure] | None:
        """The leases let go since the last batch, deleted with the instance's other later writes."""
        if not self._letting_go:
            return None
        leases, self._letting_go = self._letting_go, {}
        self._letting_go_renewed_at = {}
        return [evalsha(self._release, [name], [token]) for name, token in leases.items()], _run_out

    async def _renewal(self) -> None:
        """While leases are held here: every sixth of a lease, those set or renewed a third of a lease ago or more
        are renewed, all in one round trip (so each is renewed with at least half a lease left, and a turn starts
        no timer of its own)."""
        try:
            while self._held:
                await asyncio.sleep(self._lease_ms / 6000)
                now = time.monotonic()
                due = [
                    (name, self._held[name])
                    for name, renewed_at in self._renewed_at.items()
                    if renewed_at <= now - self._lease_ms / 3000 and name not in self._given_back
                ]
                if not due:
                    continue
                try:
                    renewed = await self._lane.pipeline(
                        [evalsha(self._renew, [name], [token, self._lease_ms]) for name, token in due]
                    )
                except NoScriptError:  # Redis restarted: its script cache is empty (the leases are gone, too)
                    await self._redis.script_load(self._renew.script)
                    continue
                except (*UNREACHABLE, RedisError) as exc:
                    log(logger, logging.WARNING, "lease_renewal_failed", leases=len(due), error=type(exc).__name__)
                    continue
                for (name, token), done in zip(due, renewed, strict=True):
                    if self._held.get(name) != token or name not in self._renewed_at:
                        continue
                    if done:
                        self._renewed_at[name] = now
                    else:  # expired or taken meanwhile: not renewed again
                        del self._renewed_at[name]
                        log(logger, logging.WARNING, "lease_lost", lease=name)
        finally:
            self._renewing = None


def _run_out(error: BaseException) -> None:
    """Leases not deleted run out by themselves within one lease."""
