"""A small HTTP/1.1 client for the relay's calls to Kommo: POST JSON, read a bounded answer, keep connections.

Why not httpx: on the relay's hot path (hundreds of continuations a second on a 2-core host) httpx/httpcore
cost several milliseconds of CPU per request and its pool degrades badly when many requests queue. The relay
needs one thing — POST a small JSON body to a Kommo host over TLS and read the status — so this is h11 (the
HTTP/1.1 state machine uvicorn uses too) over asyncio streams, with a few idle keep-alive connections per
origin. Redirects are never followed: a redirect could carry the clinic's bearer token elsewhere.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import h11

from wire import json_text

MAX_RESPONSE_BYTES = 1024 * 1024
_READ_CHUNK = 65536


class TransportError(Exception):
    """No HTTP answer: connection refused or reset, TLS failure, timeout, or a malformed response.

    ``request_sent``: the whole request had been written and no answer came in time. The server may be acting on
    it still, so a caller for whom a second request is not harmless must not simply send it again.
    """

    def __init__(self, message: str, *, request_sent: bool = False) -> None:
        super().__init__(message)
        self.request_sent = request_sent


@dataclass(frozen=True)
class HttpResponse:
    status_code: int
    content: bytes = field(repr=False)
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case name, value), as received

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def json(self) -> Any:
        return json_text.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection
    last_used: float

    def usable(self, now: float, idle_limit_s: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.last_used < idle_limit_s

    def close(self) -> None:
        self.writer.close()


class _StaleConnection(Exception):
    """A reused keep-alive connection the server had already closed: nothing was received, so resend."""


Origin = tuple[str, str, int]


class HttpClient:
    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_per_origin: int = 64,
        idle_limit_s: float = 30.0,
        user_agent: str = "cita-relay",
    ) -> None:
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._idle_limit_s = idle_limit_s
        self._user_agent = user_agent
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def post_json(
        self,
        url: str,
        payload: Any,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        answer_timeout: float | None = None,
        method: str = "POST",  # PATCH for a Kommo lead's tags; GET (with payload None) to read a lead
    ) -> HttpResponse:
        """POST ``payload`` as JSON. ``timeout`` bounds connecting and sending; once the request is sent, the
        answer is waited for ``answer_timeout`` more seconds (default: ``timeout``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        origin: Origin = (parts.scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        body = b"" if payload is None else json_text.dumps_bytes(payload)
        request_headers = [
            ("Host", host_header),
            ("User-Agent", self._user_agent),
            ("Accept", "application/json"),
            *([] if payload is None else [("Content-Type", "application/json")]),
            ("Content-Length", str(len(body))),
            *((name, value) for name, value in (headers or {}).items()),
        ]
        request = h11.Request(method="POST", target=target, headers=request_headers)
        wait = timeout if answer_timeout is None else answer_timeout
        sent = False
        request = h11.Request(method=method, target=target, headers=request_headers)
        try:
            async with asyncio.timeout(timeout) as deadline:

                def on_sent() -> None:
                    nonlocal sent
                    sent = True
                    deadline.reschedule(asyncio.get_running_loop().time() + wait)

                reused = self._take_idle(origin)
                if reused is not None:
                    try:
                        return await self._exchange(origin, reused, request, body, reused=True, on_sent=on_sent)
                    except _StaleConnection:
                        sent = False
                connection = await self._open(origin)
                return await self._exchange(origin, connection, request, body, reused=False, on_sent=on_sent)
        except TimeoutError:
            if sent:
                raise TransportError(
                    f"request sent, but no answer from {origin[1]} within {wait:g} s", request_sent=True
                ) from None
            raise TransportError(f"no answer from {origin[1]} within {timeout:g} s") from None
        except (OSError, ssl.SSLError, h11.ProtocolError, _StaleConnection) as exc:
            raise TransportError(f"{type(exc).__name__} talking to {origin[1]}") from exc

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    # -- internals ---------------------------------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now, self._idle_limit_s):
                return connection
            connection.close()
        return None

    def _give_back(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if self._closed or len(idle) >= self._max_idle:
            connection.close()
            return
        connection.last_used = time.monotonic()
        idle.append(connection)

    async def _open(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
        reader, writer = await asyncio.open_connection(
            host, port, ssl=context, server_hostname=host if context else None, limit=_READ_CHUNK
        )
        return _Connection(reader, writer, h11.Connection(h11.CLIENT), time.monotonic())

    async def _exchange(
        self,
        origin: Origin,
        connection: _Connection,
        request: h11.Request,
        body: bytes,
        *,
        reused: bool,
        on_sent: Callable[[], None],
    ) -> HttpResponse:
        protocol = connection.protocol
        received_any = False
        try:
            connection.writer.write(
                protocol.send(request) + protocol.send(h11.Data(data=body)) + protocol.send(h11.EndOfMessage())
            )
            await connection.writer.drain()
            on_sent()
            status = 0
            response_headers: tuple[tuple[str, str], ...] = ()
            chunks: list[bytes] = []
            size = 0
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    data = await connection.reader.read(_READ_CHUNK)
                    received_any = received_any or bool(data)
                    protocol.receive_data(data)
                elif isinstance(event, h11.Response):
                    status = event.status_code
                    response_headers = tuple(
                        (bytes(k).decode("latin-1").lower(), bytes(v).decode("latin-1")) for k, v in event.headers
                    )
                elif isinstance(event, h11.Data):
                    size += len(event.data)
                    if size > MAX_RESPONSE_BYTES:
                        raise h11.RemoteProtocolError("response body too large")
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise ConnectionResetError("connection closed before the response ended")
        except (OSError, h11.ProtocolError) as exc:
            connection.close()
            if reused and not received_any:
                raise _StaleConnection from exc
            raise
        except BaseException:  # a timeout or a cancellation mid-exchange: the connection's state is unknown
            connection.close()
            raise
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            self._give_back(origin, connection)
        else:
            connection.close()
        return HttpResponse(status, b"".join(chunks), response_headers)
