"""Writes that can wait a moment, from every part of one instance, sent together: one pipeline every
``DELAY_S`` instead of one per part (a turn's lease let go, its Kommo call ended, the turn finished).

Each part keeps its own pending writes and joins as a ``LaterPart``: ``add_to`` moves them into the pipeline and
returns what to do if the pipeline does not go through (each part decides what that costs it). A part that must
have its writes in Redis before it goes on (the store before it takes unfinished turns over) calls ``flush``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

import redis.asyncio
from redis.asyncio.client import Pipeline

DELAY_S = 0.02


OnFailure = Callable[[BaseException], None]


class LaterPart(Protocol):
    async def add_to(self, pipe: Pipeline) -> OnFailure | None:
        """Move this part's pending writes into ``pipe``; what to do if they do not go through (None: nothing
        was pending)."""
        ...


class LaterWrites:
    def __init__(self, client: redis.asyncio.Redis, delay_s: float = DELAY_S) -> None:
        self._redis = client
        self._delay_s = delay_s
        self._parts: list[LaterPart] = []
        self._sending: asyncio.Task[None] | None = None

    def join(self, part: LaterPart) -> None:
        self._parts.append(part)

    def soon(self) -> None:
        """A part has writes pending: they go within ``delay_s``, with every other part's."""
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send_soon())

    async def _send_soon(self) -> None:
        await asyncio.sleep(self._delay_s)
        self._sending = None  # writes added from here on start the next batch
        await self.flush()

    async def flush(self) -> None:
        """Send every part's pending writes now (errors go to the parts, never raised here)."""
        on_failure: list[OnFailure] = []
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for part in list(self._parts):
                    handler = await part.add_to(pipe)
                    if handler is not None:
                        on_failure.append(handler)
                if on_failure:
                    await pipe.execute()
        except Exception as exc:  # each part says what it costs
            for handler in on_failure:
                handler(exc)

    async def close(self) -> None:
        """Send what is pending now; nothing is sent later."""
        if self._sending is not None:
            self._sending.cancel()
            self._sending = None
        await self.flush()
