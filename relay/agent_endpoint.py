"""``/agent``: the websocket each clinic's agent dials out to, served as plain ASGI.

Before the handshake is accepted: the transport must be TLS (as told by a trusted proxy) unless the agent is
on loopback or insecure agents are allowed, and the bearer token must match a clinic (HTTP 401 otherwise).
After it: frames are decoded by ``wire.messages`` and handed to the directory; a frame that does not follow
the protocol is logged and dropped, never acted upon.

Every turn sends a frame to an agent and reads one back, so the route is served straight on the server's ASGI
``receive`` and ``send`` (``relay.app.RelayApp`` hands ``/agent`` here, as it hands Kommo's widget_request to its
endpoint): no Starlette ``WebSocket`` state machine and exception-handling ``send`` wrappers on every frame, and each
frame's text is parsed once, where it arrives.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from relay.agents import CLOSE_GOING_AWAY, CLOSE_INSECURE, CLOSE_UNAUTHORIZED, AgentConnection, AgentRegistry
from relay.log_throttle import EventThrottle
from relay.logs import log
from relay.settings import RelaySettings, is_loopback_host
from relay.store import RelayStore, StoreUnavailable
from wire import json_text
from wire.handoff import Contacted
from wire.messages import Ack, Outcome, ProtocolError, Response, SlotsUpdate, Status, decode, encode

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

logger = logging.getLogger("relay.agent_endpoint")
# Refusals and bad frames come in floods when something is wrong (or someone is hostile): a few lines a second.
_refusals = EventThrottle(burst=5)

CLOSE_TOO_MANY = 4429


class AgentSockets:
    """How many agent websockets each clinic holds on this instance, within a cap.

    An agent that reconnects holds two for a moment (the new one takes over at its first status); a clinic
    with more than ``cap`` is a misconfiguration (the same token on several PCs) or an attack on the relay.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._open: dict[str, int] = {}

    def take(self, clinic: str) -> bool:
        count = self._open.get(clinic, 0)
        if count >= self._cap:
            return False
        self._open[clinic] = count + 1
        return True

    def give_back(self, clinic: str) -> None:
        count = self._open.get(clinic, 0) - 1
        if count > 0:
            self._open[clinic] = count
        else:
            self._open.pop(clinic, None)


class AsgiAgentLink:
    """``AgentLink`` over the server's ASGI ``send``: one message dict per frame, nothing else on the way."""

    __slots__ = ("_send",)

    def __init__(self, send: Send) -> None:
        self._send = send

    async def send_text(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    async def close(self, code: int, reason: str) -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})


def scope_headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (ASGI gives them lower-case); a repeated one keeps its first value."""
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def _in_networks(host: str, networks: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def effective_peer(
    peer_host: str, scheme: str, headers: Mapping[str, str], trusted_proxies: tuple[str, ...]
) -> tuple[str, bool]:
    """(the agent's address, whether it came over TLS). X-Forwarded-* count only from a trusted proxy."""
    secure = scheme in ("wss", "https")
    if _in_networks(peer_host, trusted_proxies):
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto:
            secure = proto in ("https", "wss")
        forwarded_for = headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if forwarded_for:
            return forwarded_for, secure
    return peer_host, secure


def transport_refusal(peer_host: str, scheme: str, headers: Mapping[str, str], settings: RelaySettings) -> str:
    """Why this connection may not carry an agent token ("" when it may)."""
    if settings.allow_insecure_agents:
        return ""
    client, secure = effective_peer(peer_host, scheme, headers, settings.trusted_proxies)
    if secure or is_loopback_host(client):
        return ""
    return "agents must connect over wss:// (TLS); plain ws:// is accepted only from loopback"


def bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


async def _deny(scope: Scope, send: Send, status: int, close_code: int, error: str, detail: str) -> None:
    """An HTTP answer to the handshake; a server without the denial-response extension gets accept, then close."""
    if "websocket.http.response" in (scope.get("extensions") or {}):
        body = json_text.dumps_bytes({"error": error, "detail": detail})
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": close_code, "reason": detail[:120]})


class AckSink(Protocol):
    def on_ack(self, clinic: str, followup_id: str) -> None: ...

    def on_contacted(self, connection: AgentConnection, contacted: Contacted) -> None: ...

    def on_outcome(self, clinic: str, outcome: Outcome) -> None: ...


async def agent_endpoint(
    scope: Scope,
    receive: Receive,
    send: Send,
    store: RelayStore,
    directory: AgentRegistry,
    settings: RelaySettings,
    sockets: AgentSockets | None = None,
    followups: AckSink | None = None,
) -> None:
    """One agent's websocket, from the handshake (``websocket.connect``) to its end."""
    if (await receive())["type"] != "websocket.connect":
        return  # gone before the handshake
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    headers = scope_headers(scope)
    refusal = transport_refusal(peer, str(scope.get("scheme", "ws")), headers, settings)
    if refusal:
        _refusals.log(logger, logging.WARNING, "agent_refused_insecure", peer=peer)
        await _deny(scope, send, 403, CLOSE_INSECURE, "tls_required", refusal)
        return
    token = bearer_token(headers)
    try:
        clinic = await store.clinic_for_agent_token(token) if token else None
    except StoreUnavailable:
        # The shared store is away: the agent retries with its backoff (or moves to another relay instance).
        log(logger, logging.ERROR, "agent_refused_store_unavailable", peer=peer)
        await _deny(scope, send, 503, CLOSE_GOING_AWAY, "store_unavailable", "the relay cannot reach its store; retry")
        return
    if clinic is None:
        _refusals.log(logger, logging.WARNING, "agent_refused_token", peer=peer, had_token=bool(token))
        await _deny(
            scope,
            send,
            401,
            CLOSE_UNAUTHORIZED,
            "unauthorized",
            "unknown agent token: paste the token `cita-relay add-clinic` printed into the agent",
        )
        return
    sockets = sockets if sockets is not None else AgentSockets(settings.max_agent_sockets_per_clinic)
    if not sockets.take(clinic.name):
        _refusals.log(logger, logging.WARNING, "agent_refused_too_many", clinic=clinic.name, peer=peer)
        await _deny(
            scope,
            send,
            429,
            CLOSE_TOO_MANY,
            "too_many_connections",
            "this clinic already holds the most agent connections allowed: is its token on several PCs?",
        )
        return
    try:
        await _serve_agent(receive, send, store, directory, clinic.name, peer, followups)
    finally:
        sockets.give_back(clinic.name)


async def _serve_agent(
    receive: Receive,
    send: Send,
    store: RelayStore,
    directory: AgentRegistry,
    clinic_name: str,
    peer: str,
    followups: AckSink | None = None,
) -> None:
    await send({"type": "websocket.accept"})
    connection = directory.attach(clinic_name, AsgiAgentLink(send), peer=peer)
    why = "closed"
    try:
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":  # websocket.disconnect: the only other message after accept
                why = f"closed code={message.get('code', '')}"
                break
            text = message.get("text")
            if text is None:
                text = message.get("bytes") or b""
            await _dispatch(directory, store, connection, text, followups)
    except Exception as exc:  # the socket broke; anything else is logged too, never silently dropped
        why = f"error {type(exc).__name__}"
        if not connection.closed:
            log(logger, logging.WARNING, "agent_link_error", clinic=clinic_name, error=type(exc).__name__)
    finally:
        directory.detach(connection, why)


async def _dispatch(
    directory: AgentRegistry,
    store: RelayStore,
    connection: AgentConnection,
    text: str | bytes,
    followups: AckSink | None = None,
) -> None:
    try:
        frame = decode(text)
    except (ProtocolError, UnicodeDecodeError) as exc:
        _refusals.log(logger, logging.WARNING, "agent_bad_frame", clinic=connection.clinic, problem=str(exc)[:200])
        return
    if isinstance(frame, Response):
        directory.on_response(connection, frame)
    elif isinstance(frame, Status):
        directory.on_status(connection, frame)
    elif isinstance(frame, SlotsUpdate):  # the agent's slots answer, kept standing (relay.slot_answers)
        directory.on_slots_update(connection, frame)
    elif isinstance(frame, Outcome):
        await _keep_outcome(store, connection, frame)
        if followups is not None:  # a booking the clinic's team was handed as "not known yet" may be settled now
            followups.on_outcome(connection.clinic, frame)
    elif isinstance(frame, Ack):  # agent -> relay: a follow-up is stored on the clinic's PC (relay.followups)
        if followups is not None:
            followups.on_ack(connection.clinic, frame.id)
    elif isinstance(frame, Contacted):  # agent -> relay: reception contacted the patient (relay.followups)
        if followups is not None:
            followups.on_contacted(connection, frame)
    else:
        _refusals.log(
            logger, logging.WARNING, "agent_unexpected_frame", clinic=connection.clinic, type=type(frame).__name__
        )


async def _keep_outcome(store: RelayStore, connection: AgentConnection, outcome: Outcome) -> None:
    """A booking's final outcome, told by the agent: kept for the patient's next message, then acknowledged."""
    try:
        await store.record_outcome(connection.clinic, outcome.key, outcome.to_json(), time.time())
    except StoreUnavailable:
        return  # not acknowledged: the agent tells it again on its next connection
    log(logger, logging.INFO, "booking_outcome_reported", clinic=connection.clinic, ok=outcome.ok)
    try:
        async with connection.send_lock:
            await connection.link.send_text(encode(Ack(id=outcome.key)))
    except Exception:  # the socket went away: the agent tells it again, and keeping it twice is harmless
        return
