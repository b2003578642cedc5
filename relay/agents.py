"""Which clinic's agent is connected, and request/response over its websocket, correlated by id, with deadlines.

``AgentDirectory`` is what the Kommo side asks: "send this request to clinic X's agent and await the answer
within T seconds"; ``AgentRegistry`` adds what the websocket side tells it (attach, frames, detach).
``LocalAgentDirectory`` serves both from the websockets this process holds; with several relay instances,
``relay.cluster.agents.RedisAgentDirectory`` wraps it and forwards a request to the instance that holds the
agent instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from relay.logs import log
from relay.slot_answers import SLOT_DAYS, StandingAnswer, standing_after
from wire.messages import BookArgs, Request, Response, SlotsArgs, SlotsUpdate, Status, encode

logger = logging.getLogger("relay.agents")

# Close codes the relay uses on /agent (the agent shows them to the receptionist).
CLOSE_UNAUTHORIZED = 4401
CLOSE_INSECURE = 4403
CLOSE_REPLACED = 4409
CLOSE_GOING_AWAY = 1001


class AgentUnavailable(Exception):
    """The request could not be answered by the agent: ``reason`` is agent_offline, paused, portal_changed (the
    agent said its web app changed: asking it would only fail) or timeout."""

    def __init__(self, reason: str, *, sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent  # the request reached the agent's socket: it may have acted on it


@dataclass(frozen=True)
class AgentPresence:
    """What /healthz shows per clinic (nothing secret)."""

    clinic: str
    connected: bool
    paused: bool | None = None  # None until the agent's first status
    portal: str = "unknown"
    version: str = ""
    connected_at: float | None = None  # time.time()
    last_seen: float | None = None  # time.time() of the last frame (pings do not reach the app)
    portal_changed: str = ""  # the agent's self-check found the web app changed (its sentence): patients handed off


class AgentLink(Protocol):
    """One live agent connection as the directory sees it: the websocket layer implements this."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class AgentDirectory(Protocol):
    async def request(self, clinic: str, op: str, args: SlotsArgs | BookArgs, timeout_s: float) -> Response:
        """The agent's response (ok or error). Raises ``AgentUnavailable`` when there is none in time."""
        ...

    async def presences(self) -> dict[str, AgentPresence]: ...

    def standing_slots(self, clinic: str) -> StandingAnswer | None:
        """The slots answer the clinic's agent keeps standing on this instance, while fresh and the agent not
        paused; None: ask it."""
        ...

    def connected_count(self) -> int:
        """Agents connected to this relay process."""
        ...


class AgentRegistry(AgentDirectory, Protocol):
    """The directory as the ``/agent`` websocket endpoint and the relay's shutdown see it."""

    def attach(self, clinic: str, link: AgentLink, peer: str = "") -> AgentConnection: ...

    def detach(self, connection: AgentConnection, why: str = "") -> None: ...

    def on_status(self, connection: AgentConnection, status: Status) -> None: ...

    def on_response(self, connection: AgentConnection, response: Response) -> None: ...

    def on_slots_update(self, connection: AgentConnection, update: SlotsUpdate) -> None: ...

    async def close_all(self, code: int = CLOSE_GOING_AWAY, reason: str = "relay shutting down") -> None: ...

    def requests_in_flight(self) -> int: ...


@dataclass(eq=False)
class AgentConnection:
    """The directory's handle on one attached link."""

    clinic: str
    link: AgentLink
    peer: str
    connected_at: float
    connection_id: str = ""
    pending: dict[str, asyncio.Future[Response]] = field(default_factory=dict)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: bool = False
    standing: StandingAnswer | None = None  # its slots answer, kept up to date by its slots_update frames


class LocalAgentDirectory:
    """The in-process directory: one connection per clinic, the newest authenticated one wins."""

    def __init__(self, clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._monotonic = monotonic
        self._connections: dict[str, AgentConnection] = {}
        self._presence: dict[str, AgentPresence] = {}
        # Each frame from an agent moves this only (not a new AgentPresence per frame); read into the presences.
        self._last_seen: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._id_prefix = secrets.token_hex(3)
        self._closing: set[asyncio.Task[None]] = set()

    # -- the websocket side ------------------------------------------------------------------------------

    def attach(self, clinic: str, link: AgentLink, peer: str = "") -> AgentConnection:
        """A newly authenticated connection. It takes the clinic over at its first status frame, which every agent
        sends on connect: a connection that never says hello (an agent checking whether this relay is back) never
        displaces the live one."""
        return AgentConnection(
            clinic=clinic,
            link=link,
            peer=peer,
            connected_at=self._clock(),
            connection_id=f"{self._id_prefix}-c{next(self._ids)}",
        )

    def _take_over(self, connection: AgentConnection) -> None:
        clinic = connection.clinic
        stale = self._connections.get(clinic)
        self._connections[clinic] = connection
        previous = self._presence.get(clinic)
        now = self._clock()
        self._presence[clinic] = AgentPresence(
            clinic=clinic,
            connected=True,
            paused=None,
            portal="unknown",
            version=previous.version if previous else "",
            connected_at=connection.connected_at,
            last_seen=now,
        )
        self._last_seen[clinic] = now
        if stale is not None:
            log(logger, logging.WARNING, "agent_replaced", clinic=clinic, old_peer=stale.peer, new_peer=connection.peer)
            self._retire(stale, CLOSE_REPLACED, "replaced by a newer connection of the same clinic")
        log(logger, logging.INFO, "agent_connected", clinic=clinic, peer=connection.peer)

    def detach(self, connection: AgentConnection, why: str = "") -> None:
        if self._forget(connection):
            log(logger, logging.INFO, "agent_disconnected", clinic=connection.clinic, peer=connection.peer, why=why)

    def on_status(self, connection: AgentConnection, status: Status) -> None:
        if connection.closed:
            return
        if self._connections.get(connection.clinic) is not connection:
            self._take_over(connection)
        self._seen(connection)
        presence = self._presence[connection.clinic]
        changed = (presence.paused != status.paused or presence.portal != status.portal
                   or presence.portal_changed != status.portal_changed)
        if changed:
            connection.standing = None  # asked again: the agent's next update, or its answer, tells what stands now
            log(
                logger,
                logging.WARNING if status.portal_changed else logging.INFO,
                "agent_status",
                clinic=connection.clinic,
                paused=status.paused,
                portal=status.portal,
                version=status.version,
                portal_changed=bool(status.portal_changed),
            )
        self._presence[connection.clinic] = replace(
            presence, paused=status.paused, portal=status.portal, version=status.version,
            portal_changed=status.portal_changed,
        )

    def on_response(self, connection: AgentConnection, response: Response) -> None:
        self._seen(connection)
        future = connection.pending.get(response.id)
        if future is None:
            # Late (after its deadline) or unknown: the patient was already answered.
            log(logger, logging.INFO, "agent_late_response", clinic=connection.clinic, request_id=response.id)
            return
        if not future.done():
            future.set_result(response)

    def on_slots_update(self, connection: AgentConnection, update: SlotsUpdate) -> None:
        if connection.closed or self._connections.get(connection.clinic) is not connection:
            return
        self._seen(connection)
        connection.standing = standing_after(connection.standing, update, self._monotonic(), SLOT_DAYS)

    def standing_slots(self, clinic: str) -> StandingAnswer | None:
        connection = self._connections.get(clinic)
        if connection is None or connection.closed or connection.standing is None:
            return None
        presence = self._presence.get(clinic)
        if presence is None or presence.paused is not False or presence.portal_changed:
            return None
        standing = connection.standing
        return standing if self._monotonic() < standing.fresh_until else None

    def _seen(self, connection: AgentConnection) -> None:
        if self._connections.get(connection.clinic) is connection:
            self._last_seen[connection.clinic] = self._clock()

    async def close_all(self, code: int = CLOSE_GOING_AWAY, reason: str = "relay shutting down") -> None:
        for connection in list(self._connections.values()):
            self._retire(connection, code, reason)
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=5.0)

    # -- the Kommo side (AgentDirectory) -----------------------------------------------------------------

    async def request(self, clinic: str, op: str, args: SlotsArgs | BookArgs, timeout_s: float) -> Response:
        connection = self._connections.get(clinic)
        if connection is None or connection.closed:
            raise AgentUnavailable("agent_offline")
        presence = self._presence.get(clinic)
        if presence is not None and presence.paused:
            raise AgentUnavailable("paused")
        if presence is not None and presence.portal_changed:
            raise AgentUnavailable("portal_changed")  # a hand-off that says why, not an error from the web app
        request_id = f"{self._id_prefix}-{next(self._ids)}"
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        connection.pending[request_id] = future
        sent = False
        try:
            frame = encode(Request(id=request_id, op=op, timeout_s=timeout_s, args=args))
            async with asyncio.timeout(timeout_s):
                try:
                    async with connection.send_lock:
                        await connection.link.send_text(frame)
                except Exception as exc:  # the socket went away under us
                    raise AgentUnavailable("agent_offline") from exc
                sent = True
                return await future
        except TimeoutError:
            raise AgentUnavailable("timeout", sent=sent) from None
        except AgentUnavailable as gone:  # the socket closed while the agent had the request
            raise AgentUnavailable(gone.reason, sent=sent) from None
        finally:
            connection.pending.pop(request_id, None)

    async def presences(self) -> dict[str, AgentPresence]:
        return {clinic: self._with_last_seen(presence) for clinic, presence in self._presence.items()}

    def presence(self, clinic: str) -> AgentPresence | None:
        presence = self._presence.get(clinic)
        return None if presence is None else self._with_last_seen(presence)

    def _with_last_seen(self, presence: AgentPresence) -> AgentPresence:
        seen = self._last_seen.get(presence.clinic)
        return presence if seen is None or seen == presence.last_seen else replace(presence, last_seen=seen)

    def holds(self, clinic: str) -> bool:
        connection = self._connections.get(clinic)
        return connection is not None and not connection.closed

    def current(self, clinic: str) -> AgentConnection | None:
        """The clinic's connection that requests go to (the newest), if this process holds one."""
        return self._connections.get(clinic)

    def connections(self) -> list[AgentConnection]:
        return list(self._connections.values())

    def retire_connection(self, clinic: str, connection_id: str, code: int, reason: str) -> bool:
        """Close this process's connection ``connection_id`` of ``clinic`` (e.g. the agent is now elsewhere)."""
        connection = self._connections.get(clinic)
        if connection is None or connection.connection_id != connection_id:
            return False
        log(logger, logging.WARNING, "agent_replaced", clinic=clinic, old_peer=connection.peer, new_peer="elsewhere")
        self._retire(connection, code, reason)
        return True

    def connected_count(self) -> int:
        return len(self._connections)

    def requests_in_flight(self) -> int:
        """Requests sent to this process's agents and not answered yet (also those other instances forwarded)."""
        return sum(len(connection.pending) for connection in self._connections.values())

    # -- internals ---------------------------------------------------------------------------------------

    def _forget(self, connection: AgentConnection) -> bool:
        """Fail its pending requests and mark it closed; True if it was the clinic's current connection."""
        self._fail_pending(connection)
        connection.closed = True
        if self._connections.get(connection.clinic) is not connection:
            return False
        del self._connections[connection.clinic]
        presence = self._presence.get(connection.clinic)
        if presence is not None:
            self._presence[connection.clinic] = replace(presence, connected=False)
        return True

    def _retire(self, connection: AgentConnection, code: int, reason: str) -> None:
        self._forget(connection)
        task = asyncio.get_running_loop().create_task(_close_quietly(connection.link, code, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _fail_pending(self, connection: AgentConnection) -> None:
        for future in connection.pending.values():
            if not future.done():
                future.set_exception(AgentUnavailable("agent_offline"))
        connection.pending.clear()


async def _close_quietly(link: AgentLink, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await link.close(code, reason)
