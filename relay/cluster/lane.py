"""A turn's hot Redis commands on one connection of their own, many in flight at once (``RedisLane``).

redis-py takes a connection from its pool for every command (a lock, a condition, a liveness check, observability
hooks, a retry wrapper and a timeout each time), then packs the command argument by argument: most of what a turn
costs this process in Redis. Redis answers the commands of one connection in the order they came, so one
connection can carry every concurrent turn's commands: each is packed in one C call (hiredis), written at once,
and its answer is the next one the connection reads (hiredis parses them as they arrive). Nothing waits for a
connection, and a pipeline is simply several commands written together.

The connection is made by redis-py (its URL, password, database, TLS or Unix socket and handshake), then read
here. One watchdog per lane, not one timer per command: a command unanswered for ``timeout_s`` breaks the lane
(every command in flight fails with ``TimeoutError``; the next one connects again), as redis-py's socket timeout
would. A lane that breaks (Redis restarted or gone) fails the commands in flight with ``ConnectionError``; they
are never sent twice (a claim sent twice would find itself). A script Redis does not know (``NOSCRIPT``: a Redis
restarted with an empty script cache) is loaded and run again: it had not run.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import hiredis
import redis.asyncio
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

COMMAND_TIMEOUT_S = 5.0


class LaneScript(Protocol):
    """A Lua script as a lane runs it (redis-py's registered scripts are): its text and SHA1 (``EVALSHA``)."""

    script: Any
    sha: str


def _error(reply: ResponseError) -> ResponseError:
    message = str(reply)
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return reply


def pairs(reply: Any) -> dict[Any, Any]:
    """A hash as Redis answers it: a flat list of fields and values (RESP2) or a map (RESP3)."""
    if isinstance(reply, dict):
        return reply
    return dict(zip(reply[::2], reply[1::2], strict=True)) if reply else {}


class _Protocol(asyncio.Protocol):
    """Replies are matched to commands in order; a command whose caller stopped waiting is read and dropped."""

    def __init__(self, lane: RedisLane, reader: hiredis.Reader, transport: asyncio.Transport) -> None:
        self._lane = lane
        self._reader = reader
        self._transport: asyncio.Transport | None = transport
        self.pending: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self._outgoing: list[bytes] = []  # written together once the loop's current callbacks are done

    def write(self, data: bytes) -> None:
        self._outgoing.append(data)
        if len(self._outgoing) == 1:
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        if self._transport is not None and outgoing:
            self._transport.write(outgoing[0] if len(outgoing) == 1 else b"".join(outgoing))

    def data_received(self, data: bytes) -> None:
        reader, pending = self._reader, self.pending
        reader.feed(data)
        try:
            while True:
                reply = reader.gets()
                if reply is False:
                    return
                future, _ = pending.popleft()
                if future.done():
                    continue
                if isinstance(reply, ResponseError):
                    future.set_exception(_error(reply))
                else:
                    future.set_result(reply)
        except (hiredis.ProtocolError, InvalidResponse, IndexError) as exc:
            self._lane.broken(self, RedisConnectionError(f"unreadable reply from Redis ({type(exc).__name__})"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._lane.broken(self, RedisConnectionError("Connection closed by server."))

    def fail(self, error: Exception) -> None:
        self._transport, self._outgoing = None, []
        while self.pending:
            future, _ = self.pending.popleft()
            if not future.done():
                future.set_exception(error)


class RedisLane:
    """``execute``, ``evalsha`` and ``pipeline`` on one shared connection of ``pool``'s kind. ``on_round_trip`` is
    called once per command or pipeline sent (the relay's round-trip count)."""

    def __init__(
        self,
        pool: redis.asyncio.ConnectionPool,
        *,
        timeout_s: float = COMMAND_TIMEOUT_S,
        on_round_trip: Callable[[], None] | None = None,
    ) -> None:
        self._pool = pool
        self._timeout_s = timeout_s
        self._on_round_trip = on_round_trip
        kwargs = pool.connection_kwargs
        self._encoding = kwargs.get("encoding", "utf-8") if kwargs.get("decode_responses") else None
        self._errors = kwargs.get("encoding_errors", "strict")
        self._transport: asyncio.Transport | None = None
        self._protocol: _Protocol | None = None
        self._connection: Any = None  # redis-py's connection object, kept to close it
        self._connecting: asyncio.Task[_Protocol] | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    # -- commands

    async def execute(self, *args: Any) -> Any:
        """One command, one round trip: its reply (a Redis error reply raised as redis-py raises it)."""
        protocol = self._protocol if self._transport is not None else None
        if protocol is None:
            protocol = await self._connect()
        return await self._send(protocol, hiredis.pack_command(args), 1)[0]

    async def evalsha(self, script: LaneScript, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        try:
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            await self.execute("SCRIPT", "LOAD", script.script)
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)

    async def hgetall(self, key: str) -> dict[Any, Any]:
        return pairs(await self.execute("HGETALL", key))

    async def pipeline(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """Several commands written together, one round trip: their replies in order, or the first error raised
        once every reply is in (as redis-py's pipeline)."""
        if not commands:
            return []
        protocol = self._protocol if self._transport is not None else None
        if protocol is None:
            protocol = await self._connect()
        data = b"".join(hiredis.pack_command(tuple(command)) for command in commands)
        futures = self._send(protocol, data, len(commands))
        replies = await asyncio.gather(*futures, return_exceptions=True)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return replies

    def _send(self, protocol: _Protocol, data: bytes, count: int) -> list[asyncio.Future[Any]]:
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        futures = [loop.create_future() for _ in range(count)]
        protocol.pending.extend((future, now) for future in futures)
        protocol.write(data)
        if self._on_round_trip is not None:
            self._on_round_trip()
        if self._watchdog is None:
            self._watchdog = loop.call_later(self._timeout_s / 2, self._watch)
        return futures

    # -- the connection

    async def _connect(self) -> _Protocol:
        """The lane's connection, made once for every command that waits for it (they all see its failure)."""
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._open())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, task: asyncio.Task[_Protocol]) -> None:
        if self._connecting is task:
            self._connecting = None
        if not task.cancelled():
            task.exception()  # seen by every waiter; none left is no error of its own

    async def _open(self) -> _Protocol:
        connection = self._pool.make_connection()
        await connection.connect()  # redis-py's handshake: AUTH, SELECT, TLS, its connect retries
        transport: asyncio.Transport = connection._writer.transport
        reader = hiredis.Reader(
            replyError=ResponseError,
            protocolError=InvalidResponse,
            **({"encoding": self._encoding, "errors": self._errors} if self._encoding else {}),
        )
        protocol = _Protocol(self, reader, transport)
        transport.set_protocol(protocol)
        self._connection, self._transport, self._protocol = connection, transport, protocol
        return protocol

    def broken(self, protocol: _Protocol, error: Exception) -> None:
        """The lane's connection is gone: what is in flight fails; the next command connects again."""
        if protocol is self._protocol:
            transport = self._transport
            self._transport = self._protocol = self._connection = None
            if transport is not None:
                transport.close()
        protocol.fail(error)

    def _watch(self) -> None:
        self._watchdog = None
        protocol = self._protocol
        if protocol is None or not protocol.pending:
            return
        if protocol.pending[0][1] < time.monotonic() - self._timeout_s:
            self.broken(protocol, RedisTimeoutError("Timeout reading from Redis"))
            return
        self._watchdog = asyncio.get_running_loop().call_later(self._timeout_s / 2, self._watch)

    async def close(self) -> None:
        """Close the connection (what is in flight fails); a command after this connects again, as redis-py's
        pool does after ``disconnect``."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._protocol is not None:
            self.broken(self._protocol, RedisConnectionError("the Redis client is closed"))
