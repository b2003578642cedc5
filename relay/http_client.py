"""A small HTTP/1.1 client for the relay's calls to Kommo: POST JSON, read a bounded answer, keep connections.

Why not httpx: on the relay's hot path (hundreds of continuations a second on a 2-core host) httpx/httpcore
cost several milliseconds of CPU per request and its pool degrades badly when many requests queue. The relay
needs one thing — POST a small JSON body to a Kommo host over TLS and read the status — so the request is
written as bytes in one go and the answer read with httptools (the C parser uvicorn uses too) over asyncio streams,
with a few idle keep-alive connections per origin. Redirects are never followed: a redirect could carry the
clinic's bearer token elsewhere.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools

from wire import json_text

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_RESPONSE_HEAD_BYTES = 64 * 1024
_READ_CHUNK = 65536
# What may not appear in a request line or a header: it would end the line and start another.
_BREAKS_A_LINE = re.compile(r"[\r\n\x00]")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class _BadResponse(Exception):
    """The server's answer is not HTTP/1.1 this client can read (or is larger than it reads)."""


class _Answer:
    """httptools' callbacks for one response: status, headers, body, and whether it ended."""

    __slots__ = ("headers", "chunks", "size", "head_size", "head_done", "done", "parser", "status", "keep_alive")

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.keep_alive = False
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.head_size = 0
        self.head_done = False
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value)
        if self.head_size > MAX_RESPONSE_HEAD_BYTES:
            raise _BadResponse("response headers too large")
        self.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.head_done = True
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > MAX_RESPONSE_BYTES:
            raise _BadResponse("response body too large")
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.done = True


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
        try:
            request = self._request_bytes(method, target, host_header, headers, body, payload is not None)
        except ValueError as exc:
            raise TransportError(f"a request to {origin[1]} that cannot be sent: {exc}") from None
        wait = timeout if answer_timeout is None else answer_timeout
        loop = asyncio.get_running_loop()
        send_by = loop.time() + timeout
        sent = False
        try:
            # One timer where one will do: a request written to a kept-alive connection in one go is sent at once,
            # and only its answer is waited for; connecting, or a write that has to wait, runs on ``timeout``.
            async with asyncio.timeout(None) as deadline:

                def sending() -> None:
                    if deadline.when() is None:
                        deadline.reschedule(send_by)

                def on_sent() -> None:
                    nonlocal sent
                    sent = True
                    deadline.reschedule(loop.time() + wait)

                reused = self._take_idle(origin)
                if reused is not None:
                    try:
                        return await self._exchange(
                            origin, reused, request, reused=True, sending=sending, on_sent=on_sent
                        )
                    except _StaleConnection:
                        sent = False
                sending()
                connection = await self._open(origin)
                return await self._exchange(origin, connection, request, reused=False, sending=sending, on_sent=on_sent)
        except TimeoutError:
            if sent:
                raise TransportError(
                    f"request sent, but no answer from {origin[1]} within {wait:g} s", request_sent=True
                ) from None
            raise TransportError(f"no answer from {origin[1]} within {timeout:g} s") from None
        except (OSError, ssl.SSLError, _BadResponse, _StaleConnection) as exc:
            raise TransportError(f"{type(exc).__name__} talking to {origin[1]}") from exc

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    # -- internals ---------------------------------------------------------------------------------------

    def _request_bytes(
        self,
        method: str,
        target: str,
        host: str,
        headers: Mapping[str, str] | None,
        body: bytes,
        json_body: bool,
    ) -> bytes:
        """The whole request as it goes on the wire: one write, one segment for a small body."""
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {host}",
            f"User-Agent: {self._user_agent}",
            "Accept: application/json",
        ]
        if json_body:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
        for name, value in (headers or {}).items():
            if not _TOKEN.match(name):
                raise ValueError("a header name that is not an HTTP token")
            lines.append(f"{name}: {value}")
        if not _TOKEN.match(method) or " " in target or any(_BREAKS_A_LINE.search(line) for line in lines):
            raise ValueError("a line break, NUL or space where HTTP allows none")
        return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body

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
        return _Connection(reader, writer, time.monotonic())

    async def _exchange(
        self,
        origin: Origin,
        connection: _Connection,
        request: bytes,
        *,
        reused: bool,
        sending: Callable[[], None],
        on_sent: Callable[[], None],
    ) -> HttpResponse:
        answer = _Answer()
        received_any = False
        try:
            writer = connection.writer
            writer.write(request)
            if writer.transport.get_write_buffer_size() or writer.transport.is_closing():
                sending()  # not all of it went out at once: the wait for the rest runs on the send timeout
                await writer.drain()
            on_sent()
            while not answer.done:
                data = await connection.reader.read(_READ_CHUNK)
                if not data:
                    if answer.head_done and _reads_until_close(answer):
                        break  # neither a length nor chunks: the body ends with the connection
                    raise ConnectionResetError("connection closed before the response ended")
                received_any = True
                try:
                    answer.parser.feed_data(data)
                except httptools.HttpParserUpgrade:
                    raise _BadResponse("the server switched protocols") from None
                except httptools.HttpParserError as exc:
                    raise _BadResponse(f"malformed response: {exc}") from None
                if answer.done and answer.status < 200:  # 100 Continue and the like: the answer follows
                    answer = _Answer()
        except (OSError, _BadResponse) as exc:
            connection.close()
            if reused and not received_any:
                raise _StaleConnection from exc
            raise
        except BaseException:  # a timeout or a cancellation mid-exchange: the connection's state is unknown
            connection.close()
            raise
        if answer.done and answer.keep_alive:
            self._give_back(origin, connection)
        else:
            connection.close()
        return HttpResponse(answer.status, b"".join(answer.chunks), tuple(answer.headers))


def _reads_until_close(answer: _Answer) -> bool:
    """A response with neither Content-Length nor chunked encoding: its body is whatever came before the close."""
    names = {name for name, _ in answer.headers}
    return "content-length" not in names and "transfer-encoding" not in names
