"""Writes that can wait a moment, from every part of one instance, sent together: one pipeline every
``DELAY_S`` instead of one per part (a turn's lease let go, its Kommo call ended, the turn finished).

Each part keeps its own pending writes and joins as a ``LaterPart``: ``take`` hands them over as Redis commands,
with what to do if they do not go through (each part decides what that costs it). A part that must have its
writes in Redis before it goes on (the store before it takes unfinished turns over) calls ``flush``.

Scripts run as ``EVALSHA`` of a script registered here (``script``): redis-py's own pipelined scripts ask
``SCRIPT EXISTS`` first, a round trip of its own each time. After a Redis restart (its script cache empty) the
batch loads them and goes again once: every write here may be sent twice (compare-and-delete, re-score, delete).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import redis.asyncio
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from relay.cluster.client import lane_of

DELAY_S = 0.02

OnFailure = Callable[[BaseException], None]
Command = tuple[Any, ...]


class LaterPart(Protocol):
    def take(self) -> tuple[Sequence[Command], OnFailure] | None:
        """This part's pending writes as commands, and what to do if they do not go through (None: nothing)."""
        ...


class LaterWrites:
    def __init__(self, client: redis.asyncio.Redis, delay_s: float = DELAY_S) -> None:
        self._redis = client
        self._lane = lane_of(client)  # written with the turns' own commands
        self._delay_s = delay_s
        self._parts: list[LaterPart] = []
        self._scripts: list[AsyncScript] = []
        self._sending: asyncio.Task[None] | None = None

    def join(self, part: LaterPart) -> None:
        self._parts.append(part)

    def script(self, lua: str) -> AsyncScript:
        """A script a part sends here: ``evalsha(script, keys, args)`` makes its command."""
        registered = self._redis.register_script(lua)
        self._scripts.append(registered)
        return registered

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
        commands: list[Command] = []
        on_failure: list[OnFailure] = []
        for part in list(self._parts):
            taken = part.take()
            if taken is not None:
                commands.extend(taken[0])
                on_failure.append(taken[1])
        if not commands:
            return
        try:
            try:
                await self._send(commands)
            except NoScriptError:
                for registered in self._scripts:  # Redis restarted: its script cache is empty
                    await self._redis.script_load(registered.script)
                await self._send(commands)
        except Exception as exc:  # each part says what it costs
            for handler in on_failure:
                handler(exc)

    async def _send(self, commands: Sequence[Command]) -> None:
        await self._lane.pipeline(commands)

    async def close(self) -> None:
        """Send what is pending now; nothing is sent later."""
        if self._sending is not None:
            self._sending.cancel()
            self._sending = None
        await self.flush()


def evalsha(script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Command:
    return ("EVALSHA", script.sha, len(keys), *keys, *args)
