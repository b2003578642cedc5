"""Keyed locks: a lead's turns one at a time, a clinic's OAuth refresh once at a time.

``KeyedLocks`` serves one process (the embedded relay); ``relay.cluster.leases.RedisLeases`` serves several
instances sharing Redis. Both are a ``LockSet``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol


class LockSet(Protocol):
    def hold(self, *key: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Wait for the lock named ``key`` and hold it for the ``async with`` block."""
        ...


class KeyedLocks:
    """One asyncio.Lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, ...], tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, *key: str) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._locks.pop(key, None)

    def __len__(self) -> int:
        return len(self._locks)
