"""Agents across relay instances: each agent's websocket lives on one instance; any instance can ask it.

- This instance's websockets are a ``LocalAgentDirectory``. Each attach, status and detach is also written to
  the clinic's record in Redis (``cita:agent:NAME``: which instance and connection hold it, paused, portal...),
  in order, by one writer task; a write that fails while Redis is away is retried until it lands.
- A request for an agent held here goes straight to its websocket. Otherwise it is published on the holding
  instance's channel (``cita:instance:NAME``) with the same relative deadline; that instance asks its agent
  once and publishes the answer back on the asker's channel. Pub/sub delivers at most once and nothing
  re-sends a request, so one delivery is one agent request, whichever instance received it.
- An instance is alive while its subscription is (``PUBSUB CHANNELS``): Redis drops it the moment the process
  dies, and one already waiting is released within a second, not at its deadline. A request that finds the
  holder's channel (or this instance's own) without a subscriber waits a short grace before it becomes a hand-off
  (``agent_offline``): after a Redis restart every instance subscribes again within a moment, and the agent of a
  dead instance reconnects to another one; nobody received the request, so asking again sends it once.
- The newest connection of a clinic wins across instances too: the instance that takes over tells the previous
  holder, which closes its stale connection with 4409.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import redis.asyncio
from redis.exceptions import NoScriptError, RedisError

from relay.agents import (
    CLOSE_GOING_AWAY,
    CLOSE_REPLACED,
    AgentConnection,
    AgentLink,
    AgentPresence,
    AgentUnavailable,
    LocalAgentDirectory,
)
from relay.cluster import keys as redis_keys
from relay.cluster.client import UNREACHABLE, lane_of
from relay.cluster.later import evalsha
from relay.logs import log
from relay.slot_answers import StandingAnswer
from wire.appointments import args_from_json
from wire.messages import BookArgs, ProtocolError, Response, SlotsArgs, SlotsUpdate, Status, decode, encode

logger = logging.getLogger("relay.cluster.agents")

# Record fields: instance, conn, connected ("1"/"0"), paused ("1"/"0"/"" before the first status), portal,
# version, connected_at, last_seen.
_TAKE = """
local prev = redis.call('HMGET', KEYS[1], 'instance', 'conn', 'connected')
redis.call('HSET', KEYS[1], 'instance', ARGV[1], 'conn', ARGV[2], 'connected', '1', 'connected_at', ARGV[3],
  'last_seen', ARGV[4], 'paused', ARGV[6], 'portal', ARGV[7], 'version', ARGV[8])
redis.call('SADD', KEYS[2], ARGV[5])
if prev[3] == '1' and prev[1] ~= ARGV[1] and prev[2] ~= ARGV[2] then return {prev[1], prev[2]} end
return false
"""

_REFRESH = """
local current = redis.call('HGET', KEYS[1], 'conn')
if current and current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'instance', ARGV[1], 'conn', ARGV[2], 'connected', '1', 'connected_at', ARGV[3],
  'last_seen', ARGV[4], 'paused', ARGV[6], 'portal', ARGV[7], 'version', ARGV[8])
redis.call('SADD', KEYS[2], ARGV[5])
return 1
"""

_RELEASE = """
if redis.call('HGET', KEYS[1], 'conn') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'connected', '0', 'last_seen', ARGV[2])
return 1
"""


# A request for an agent held by another instance, in one round trip: the clinic's record read, and the request
# published on its holder's channel if the agent is connected and not paused.
# KEYS: the record; ARGV: this instance, the channel prefix, the request (JSON).
# Returns {'agent_offline'}, {'paused'} or {'sent', holder, receivers}.
_FORWARD = """
local r = redis.call('HMGET', KEYS[1], 'instance', 'connected', 'paused')
if r[2] ~= '1' or not r[1] or r[1] == '' or r[1] == ARGV[1] then return {'agent_offline'} end
if r[3] == '1' then return {'paused'} end
return {'sent', r[1], redis.call('PUBLISH', ARGV[2] .. r[1], ARGV[3])}
"""


@dataclass(frozen=True)
class _Write:
    kind: str  # attach | refresh | release
    clinic: str
    conn: str
    presence: AgentPresence


_GRACE_STEP_S = 0.05  # how often a request in its grace looks again for a listening holder


class _NobodyListening(Exception):
    """The holder's channel had no subscriber: nobody received the request."""


def _flag(value: bool | None) -> str:
    return "" if value is None else "1" if value else "0"


def _seconds(value: str | None) -> float | None:
    return float(value) if value else None


class RedisAgentDirectory:
    """``AgentRegistry`` for one instance among several sharing Redis."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        instance: str,
        *,
        local: LocalAgentDirectory | None = None,
        clock: Callable[[], float] = time.time,
        sync_every_s: float = 15.0,
        holder_check_s: float = 1.0,
        holder_grace_s: float = 3.0,
    ) -> None:
        self.instance = instance
        self.local = local if local is not None else LocalAgentDirectory(clock)
        self._redis = client
        self._lane = lane_of(client)  # requests, answers and records go with the turns' own commands
        self._clock = clock
        self._channel = redis_keys.instance_channel(instance)
        self._sync_every_s = sync_every_s
        self._holder_check_s = holder_check_s
        self._holder_grace_s = holder_grace_s
        self._take = client.register_script(_TAKE)
        self._refresh = client.register_script(_REFRESH)
        self._release = client.register_script(_RELEASE)
        self._forward_script = client.register_script(_FORWARD)
        self._writes: asyncio.Queue[_Write] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[Response]] = {}
        self._answering: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._resync = asyncio.Event()
        self.listening = False  # subscribed to this instance's channel: requests and answers reach it

    # -- life cycle ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._listen_forever(), name="agents:listen"),
            loop.create_task(self._write_forever(), name="agents:write"),
            loop.create_task(self._sync_forever(), name="agents:sync"),
        ]

    async def stop(self, flush_s: float = 2.0) -> None:
        """After ``close_all``: let the last records (disconnections) reach Redis, then stop listening."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(flush_s):
                await self._writes.join()
        for task in [*self._tasks, *self._answering]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._answering, return_exceptions=True)
        self._fail_waiting("agent_offline")

    # -- the websocket side (AgentRegistry) -----------------------------------------------------------------

    def attach(self, clinic: str, link: AgentLink, peer: str = "") -> AgentConnection:
        return self.local.attach(clinic, link, peer)  # it takes the clinic over at its first status

    def detach(self, connection: AgentConnection, why: str = "") -> None:
        held = self.local.current(connection.clinic) is connection
        self.local.detach(connection, why)
        if held:
            self._enqueue("release", connection)

    def on_status(self, connection: AgentConnection, status: Status) -> None:
        held = self.local.current(connection.clinic) is connection
        self.local.on_status(connection, status)
        if self.local.current(connection.clinic) is connection:
            self._enqueue("refresh" if held else "attach", connection)

    def on_response(self, connection: AgentConnection, response: Response) -> None:
        self.local.on_response(connection, response)

    def on_slots_update(self, connection: AgentConnection, update: SlotsUpdate) -> None:
        self.local.on_slots_update(connection, update)

    def standing_slots(self, clinic: str) -> StandingAnswer | None:
        """Only an agent connected to this instance keeps an answer standing here; another's is asked through
        the instance that holds it."""
        return self.local.standing_slots(clinic)

    async def close_all(self, code: int = CLOSE_GOING_AWAY, reason: str = "relay shutting down") -> None:
        await self.local.close_all(code, reason)

    def connected_count(self) -> int:
        return self.local.connected_count()

    def requests_in_flight(self) -> int:
        return self.local.requests_in_flight()

    # -- the Kommo side (AgentDirectory) --------------------------------------------------------------------

    async def request(self, clinic: str, op: str, args: SlotsArgs | BookArgs, timeout_s: float) -> Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        grace_ends = loop.time() + min(self._holder_grace_s, timeout_s)
        while True:
            remaining = deadline - loop.time()
            if self.local.holds(clinic):
                return await self.local.request(clinic, op, args, remaining)
            if self.listening:  # else the answer could not reach this instance
                try:
                    return await self._forward(clinic, op, args, remaining)
                except _NobodyListening:
                    pass
            if loop.time() >= grace_ends:
                raise AgentUnavailable("agent_offline")
            await asyncio.sleep(_GRACE_STEP_S)

    async def _forward(self, clinic: str, op: str, args: SlotsArgs | BookArgs, timeout_s: float) -> Any:
        """Raises ``_NobodyListening`` when the request reached nobody (it may be sent again)."""
        request_id = f"{self.instance}/{next(self._ids)}"
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        ask = {
            "kind": "ask",
            "id": request_id,
            "reply_to": self.instance,
            "clinic": clinic,
            "op": op,
            "args": args.to_json(),
            "timeout_s": timeout_s,
        }
        sent_on = False  # the holder took the request: its agent may have acted on it
        try:
            async with asyncio.timeout(timeout_s):
                try:  # the holder looked up and asked in one round trip
                    sent = await self._lane.evalsha(
                        self._forward_script,
                        [redis_keys.agent(clinic)],
                        [self.instance, redis_keys.instance_channel(""), json.dumps(ask)],
                    )
                except (*UNREACHABLE, RedisError) as exc:
                    raise AgentUnavailable("agent_offline") from exc
                if sent[0] != "sent":
                    raise AgentUnavailable(str(sent[0]))
                holder, receivers = str(sent[1]), int(sent[2])
                if not receivers:  # the holder is subscribing again, or gone (its agent will turn up elsewhere)
                    raise _NobodyListening
                sent_on = True
                while True:
                    done, _ = await asyncio.wait({future}, timeout=self._holder_check_s)
                    if done:
                        return future.result()
                    if not await self._instance_alive(holder):
                        log(logger, logging.WARNING, "agent_instance_gone", clinic=clinic, instance=holder)
                        raise AgentUnavailable("agent_offline", sent=True)
        except TimeoutError:
            raise AgentUnavailable("timeout", sent=sent_on) from None
        finally:
            self._waiting.pop(request_id, None)

    async def _instance_alive(self, instance: str) -> bool:
        try:
            counts = await self._redis.pubsub_numsub(redis_keys.instance_channel(instance))
        except (*UNREACHABLE, RedisError):
            return True  # cannot tell: the deadline decides
        return bool(counts and int(counts[0][1]) > 0)

    async def presences(self) -> dict[str, AgentPresence]:
        """Every clinic's agent as the whole deployment sees it; this instance's own connections are freshest."""
        mine = await self.local.presences()
        try:
            names = sorted(await self._redis.smembers(redis_keys.AGENTS))
            async with self._redis.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.hgetall(redis_keys.agent(name))
                records = await pipe.execute()
            live = await self._live_instances()
        except (*UNREACHABLE, RedisError):
            return mine
        out: dict[str, AgentPresence] = {}
        for name, record in zip(names, records, strict=True):
            if not record:
                continue
            out[name] = AgentPresence(
                clinic=name,
                connected=record.get("connected") == "1" and record.get("instance") in live,
                paused=None if not record.get("paused") else record["paused"] == "1",
                portal=record.get("portal") or "unknown",
                version=record.get("version", ""),
                connected_at=_seconds(record.get("connected_at")),
                last_seen=_seconds(record.get("last_seen")),
            )
        for name, presence in mine.items():
            if presence.connected or name not in out:
                out[name] = presence
        return out

    async def live_instances(self) -> set[str]:
        """The instances subscribed to their channel right now (Redis drops a dead one's at once)."""
        return await self._live_instances()

    async def _live_instances(self) -> set[str]:
        channels = await self._redis.pubsub_channels(redis_keys.INSTANCE_CHANNEL_PATTERN)
        return {redis_keys.instance_of_channel(channel) for channel in channels}

    # -- records in Redis ------------------------------------------------------------------------------------

    def _conn_id(self, connection: AgentConnection) -> str:
        return f"{self.instance}/{connection.connection_id}"

    def _enqueue(self, kind: str, connection: AgentConnection) -> None:
        presence = self.local.presence(connection.clinic) or AgentPresence(connection.clinic, connected=False)
        self._writes.put_nowait(_Write(kind, connection.clinic, self._conn_id(connection), presence))

    async def _write_forever(self) -> None:
        while True:
            write = await self._writes.get()
            delay = 0.1
            while True:
                try:
                    await self._apply(write)
                    break
                except (*UNREACHABLE, RedisError) as exc:
                    if delay == 0.1:
                        log(logger, logging.WARNING, "agent_record_retry", clinic=write.clinic, error=repr(exc)[:80])
                    await asyncio.sleep(delay)
                    delay = min(2.0, delay * 2)
            self._writes.task_done()

    async def _apply(self, write: _Write) -> None:
        record = redis_keys.agent(write.clinic)
        presence = write.presence
        now = repr(presence.last_seen or self._clock())
        if write.kind == "release":
            await self._lane.evalsha(self._release, [record], [write.conn, now])
            return
        args = self._refresh_args(write.clinic, write.conn, presence)
        if write.kind == "attach":
            previous = await self._lane.evalsha(self._take, [record, redis_keys.AGENTS], args)
            if previous:
                holder, conn = previous
                retire = {"kind": "retire", "clinic": write.clinic, "conn": conn}
                await self._lane.execute("PUBLISH", redis_keys.instance_channel(holder), json.dumps(retire))
            return
        await self._lane.evalsha(self._refresh, [record, redis_keys.AGENTS], args)

    async def _sync_forever(self) -> None:
        """Now and then, the last-seen time of the agents held here that spoke since; everything held here as soon
        as Redis is back (it may have lost the records). A record another connection took over is left alone."""
        synced: dict[str, float | None] = {}
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._sync_every_s):
                    await self._resync.wait()
            everything = self._resync.is_set()
            self._resync.clear()
            connections = self.local.connections()
            current = {self._conn_id(connection) for connection in connections}
            synced = {conn: seen for conn, seen in synced.items() if conn in current}
            due = []
            for connection in connections:
                conn, presence = self._conn_id(connection), self.local.presence(connection.clinic)
                if presence is not None and (everything or synced.get(conn) != presence.last_seen):
                    due.append((connection, conn, presence))
            if not due:
                continue
            refreshes = [
                evalsha(
                    self._refresh,
                    [redis_keys.agent(connection.clinic), redis_keys.AGENTS],
                    self._refresh_args(connection.clinic, conn, presence),
                )
                for connection, conn, presence in due
            ]
            try:
                try:
                    await self._lane.pipeline(refreshes)
                except NoScriptError:  # Redis restarted: its script cache is empty
                    await self._redis.script_load(self._refresh.script)
                    await self._lane.pipeline(refreshes)
            except (*UNREACHABLE, RedisError) as exc:
                log(logger, logging.WARNING, "agent_records_not_synced", error=type(exc).__name__)
                continue
            synced.update({conn: presence.last_seen for _, conn, presence in due})

    def _refresh_args(self, clinic: str, conn: str, presence: AgentPresence) -> list[str]:
        return [
            self.instance,
            conn,
            repr(presence.connected_at or self._clock()),
            repr(presence.last_seen or self._clock()),
            clinic,
            _flag(presence.paused),
            presence.portal,
            presence.version,
        ]

    # -- this instance's channel ------------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        delay = 0.1
        outage_logged = False
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.listening = True
                        delay = 0.1
                        if outage_logged:
                            log(logger, logging.INFO, "redis_back", instance=self.instance)
                            outage_logged = False
                        self._resync.set()
                    elif message["type"] == "message":
                        self._on_message(message["data"])
            except (*UNREACHABLE, RedisError) as exc:
                self.listening = False
                self._fail_waiting("agent_offline")  # their answers cannot reach us any more
                if not outage_logged:
                    log(
                        logger,
                        logging.ERROR,
                        "redis_unreachable",
                        instance=self.instance,
                        error=type(exc).__name__,
                        action="check the Redis server; this instance retries by itself",
                    )
                    outage_logged = True
            finally:
                self.listening = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(0.5, delay * 2)  # subscribed again within half a second of Redis coming back

    def _on_message(self, data: str) -> None:
        try:
            message = json.loads(data)
            kind = message["kind"]
        except (ValueError, KeyError, TypeError):
            log(logger, logging.WARNING, "instance_message_unreadable", instance=self.instance)
            return
        if kind == "ask":
            task = asyncio.get_running_loop().create_task(self._answer(message))
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)
        elif kind in ("answer", "unavailable"):
            self._settle(message)
        elif kind == "retire":
            self.local.retire_connection(
                str(message.get("clinic", "")),
                str(message.get("conn", "")).rpartition("/")[2],
                CLOSE_REPLACED,
                "replaced by a newer connection of the same clinic",
            )

    def _settle(self, message: dict[str, Any]) -> None:
        future = self._waiting.get(str(message.get("id", "")))
        if future is None or future.done():
            return  # late: its deadline passed and the patient was already answered
        if message["kind"] == "unavailable":  # an older instance does not say whether its agent had the request
            future.set_exception(AgentUnavailable(str(message.get("reason", "agent_offline")),
                                                  sent=message.get("sent") is not False))
            return
        try:
            frame = decode(message["frame"])
        except (ProtocolError, KeyError, TypeError):
            future.set_exception(AgentUnavailable("agent_offline"))
            return
        if isinstance(frame, Response):
            future.set_result(replace(frame, id=str(message["id"])))
        else:
            future.set_exception(AgentUnavailable("agent_offline"))

    async def _answer(self, ask: dict[str, Any]) -> None:
        """Another instance asks an agent held here: ask it once, publish its answer back."""
        request_id, reply_to = str(ask.get("id", "")), str(ask.get("reply_to", ""))
        try:
            op = ask["op"]
            args = args_from_json(str(op), ask["args"])
            response = await self.local.request(str(ask["clinic"]), op, args, float(ask["timeout_s"]))
            answer: dict[str, Any] = {"kind": "answer", "id": request_id, "frame": encode(response)}
        except AgentUnavailable as unavailable:
            answer = {"kind": "unavailable", "id": request_id, "reason": unavailable.reason, "sent": unavailable.sent}
        except (ProtocolError, KeyError, TypeError, ValueError):
            log(logger, logging.WARNING, "instance_request_unreadable", instance=self.instance)
            answer = {"kind": "unavailable", "id": request_id, "reason": "agent_offline"}
        try:
            await self._lane.execute("PUBLISH", redis_keys.instance_channel(reply_to), json.dumps(answer))
        except (*UNREACHABLE, RedisError) as exc:
            log(logger, logging.WARNING, "instance_answer_lost", to=reply_to, error=type(exc).__name__)

    def _fail_waiting(self, reason: str) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(AgentUnavailable(reason, sent=True))  # it may have reached the agent
