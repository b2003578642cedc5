"""Kommo's 7 requests per second per account, counted across every relay instance (a ``KommoBudget``).

The same rule as ``relay.kommo_client.AccountRateLimit``, kept in one Redis sorted set per account: a call is a
member scored with the time it ends — while it is in flight, its latest possible end (admission + the HTTP
timeout), and its real end once the answer is back. A call counts while its end is within the last window
(1 s + margin), so Kommo, whose count is over one second, never sees more than 7 from all instances together.
Times are Redis's own clock (``TIME`` inside the scripts): the instances' clocks may disagree.

An instance that dies mid-call leaves its call counted until its latest possible end: conservative, never over.
Within one instance, calls to an account queue on a local lock first (first come, first served).

A call can also be admitted by another step's script, in its round trip (``adopt``: the settle step of a turn
admits the call of its continuation, which follows it at once): the next call here to that account takes it,
without waiting in the queue (it is counted in Redis already). Not taken within ``ADOPTED_FOR_S``, it is ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator

import redis.asyncio

from relay.cluster import keys as redis_keys
from relay.cluster.later import Command, LaterWrites, OnFailure, evalsha
from relay.locks import KeyedLocks
from relay.logs import log

logger = logging.getLogger("relay.cluster.budget")

# Returns 0 when admitted, else how many ms until the earliest counted call leaves the window.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, in_flight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + in_flight, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], in_flight + window + 1000)
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) + window - now)
"""

_FINISH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 0
"""


# Calls that ended are written back with the instance's other later writes (relay.cluster.later), within 20 ms
# (they stay counted meanwhile with their latest possible end: later than the real one, so never more than the limit).
# A call admitted by another step and not made within this long is ended (it counts a window longer, never more).
ADOPTED_FOR_S = 2.0


class SharedKommoBudget:
    def __init__(
        self,
        client: redis.asyncio.Redis,
        instance: str,
        per_s: float,
        *,
        margin_s: float = 0.1,
        in_flight_s: float = 15.0,
        max_poll_s: float = 0.1,
        later: LaterWrites | None = None,
    ) -> None:
        self.limit = max(1, int(per_s))
        self.window_s = 1.0 + margin_s
        self._redis = client
        self._instance = instance
        self._in_flight_ms = int(in_flight_s * 1000)
        self._max_poll_s = max_poll_s
        self._admit = client.register_script(_ADMIT)
        self._ids = itertools.count(1)
        self._local = KeyedLocks()
        self._ended: list[tuple[str, str]] = []  # (key, member) of calls whose real end is not written yet
        self._later = later if later is not None else LaterWrites(client)
        self._later.join(self)
        self._finish = self._later.script(_FINISH)
        self._adopted: dict[str, list[tuple[str, float]]] = {}  # account -> (member, when) admitted by another step
        self._sweeping: asyncio.Task[None] | None = None

    def new_member(self) -> str:
        return f"{self._instance}:{next(self._ids)}"

    def admit_args(self) -> tuple[int, int, int]:
        """What another step's script needs to admit a call as ``_ADMIT`` does: limit, window (ms), in flight (ms)."""
        return self.limit, int(self.window_s * 1000), self._in_flight_ms

    def adopt(self, account: str, member: str) -> None:
        """Another step's script admitted a call to ``account`` as ``member``: the next call here makes it."""
        self._adopted.setdefault(account, []).append((member, time.monotonic()))
        if self._sweeping is None:
            self._sweeping = asyncio.get_running_loop().create_task(self._sweep_adopted())

    def _take_adopted(self, account: str) -> str | None:
        adopted = self._adopted.get(account)
        if not adopted:
            return None
        member, _ = adopted.pop(0)
        if not adopted:
            del self._adopted[account]
        return member

    async def _sweep_adopted(self) -> None:
        try:
            while self._adopted:
                await asyncio.sleep(ADOPTED_FOR_S)
                cutoff = time.monotonic() - ADOPTED_FOR_S
                for account, adopted in list(self._adopted.items()):
                    stale = [member for member, at in adopted if at < cutoff]
                    if stale:
                        adopted[:] = [(member, at) for member, at in adopted if at >= cutoff]
                        if not adopted:
                            del self._adopted[account]
                        for member in stale:
                            self._ended_now(redis_keys.kommo_budget(account), member)
        finally:
            self._sweeping = None

    @contextlib.asynccontextmanager
    async def hold(self, account: str) -> AsyncIterator[None]:
        key = redis_keys.kommo_budget(account)
        adopted = self._take_adopted(account)
        if adopted is not None:
            try:
                yield
            finally:
                self._ended_now(key, adopted)
            return
        member = self.new_member()
        async with self._local.hold(account):
            while True:
                wait_ms = await self._admit(
                    keys=[key], args=[self.limit, int(self.window_s * 1000), self._in_flight_ms, member]
                )
                if not wait_ms:
                    break
                # An in-flight call may end (and free its place a window later) before its latest possible end.
                await asyncio.sleep(min(int(wait_ms) / 1000, self._max_poll_s))
        try:
            yield
        finally:
            self._ended_now(key, member)

    def _ended_now(self, key: str, member: str) -> None:
        self._ended.append((key, member))
        self._later.soon()

    def take(self) -> tuple[list[Command], OnFailure] | None:
        """The real ends of the calls that ended since the last batch, with the instance's other later writes."""
        if not self._ended:
            return None
        ended, self._ended = self._ended, []

        def not_released(error: BaseException) -> None:  # they stay counted until their latest possible end
            log(logger, logging.WARNING, "kommo_budget_not_released", calls=len(ended), error=type(error).__name__)

        return [evalsha(self._finish, [key], [member]) for key, member in ended], not_released

    def forget_idle(self) -> None:
        """Nothing to do: the local locks go with their last waiter, the Redis sets expire by themselves."""
