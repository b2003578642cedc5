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
import functools
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools

from wire import json_text

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_RESPONSE_HEAD_BYTES = 64 * 1024
# What may not appear in a request line or a header: it would end the line and start another.
_BREAKS_A_LINE = re.compile(r"[\r\n\x00]")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class _BadResponse(Exception):
    """The server's answer is not HTTP/1.1 this client can read (or is larger than it reads)."""


class _Answer:
    """httptools' callbacks for one response: status, headers, body, and whether it ended."""

    __slots__ = ("headers", "chunks", "size", "head_size", "head_done", "done", "parser", "status", "keep_alive")

    def __init__(self) -> None:
        self.parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)
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
        parser = self.parser
        assert parser is not None  # only let go once the answer is complete
        self.head_done = True
        self.status = parser.get_status_code()
        self.keep_alive = parser.should_keep_alive()

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


class _Connection(asyncio.Protocol):
    """One keep-alive connection, read by httptools as its bytes arrive (no stream buffer in between).

    An exchange sets ``answer`` and ``waiter``; the protocol's callbacks wake the waiter when the answer is complete,
    the server closed or reset the connection, or its bytes are not a response this client reads.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.last_used = time.monotonic()
        self.answer: _Answer | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.error: BaseException | None = None
        self.received_any = False
        self.eof = False
        self.closed = False
        self._writable: asyncio.Future[None] | None = None
        self._paused = False

    # -- asyncio.Protocol ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        answer = self.answer
        parser = answer.parser if answer is not None else None
        if answer is None or parser is None:  # bytes nobody asked for: this connection cannot be trusted any more
            self.error = _BadResponse("bytes from the server outside any response")
            self.close()
            return
        self.received_any = True
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(_BadResponse("the server switched protocols"))
            return
        except httptools.HttpParserError as exc:
            self._fail(_BadResponse(f"malformed response: {exc}"))
            return
        except _BadResponse as exc:
            self._fail(exc)
            return
        if answer.done:
            # The parser holds the answer's callbacks and the answer its parser: a reference cycle, freed only by the
            # cyclic GC (whose pauses under load were tens of ms) unless it is broken here.
            answer.parser = None
            if answer.status < 200:  # 100 Continue and the like: the answer follows
                self.answer = _Answer()
            else:
                self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake()
        self._writable_again()

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._writable_again()

    # -- the client's side ------------------------------------------------------------------------------

    def usable(self, now: float, idle_limit_s: float) -> bool:
        transport = self.transport
        return (
            not self.eof
            and not self.closed
            and self.error is None
            and transport is not None
            and not transport.is_closing()
            and now - self.last_used < idle_limit_s
        )

    def ended(self) -> bool:
        """The answer is complete, or nothing more can arrive for it."""
        return self.error is not None or self.eof or self.closed or (self.answer is not None and self.answer.done)

    def must_drain(self) -> bool:
        return self._paused or self.transport is None or self.transport.is_closing()

    async def drain(self, loop: asyncio.AbstractEventLoop, send_by: float) -> None:
        """Until the transport took the rest of the request; ``_Unsent`` if that takes past ``send_by``."""
        if self.closed or self.transport is None or self.transport.is_closing():
            raise ConnectionResetError("connection closed while sending")
        if self._paused:
            writable = self._writable = loop.create_future()
            timer = loop.call_at(send_by, _expire, writable)
            try:
                await writable
            except TimeoutError:
                raise _Unsent from None
            finally:
                timer.cancel()
            if self.closed:
                raise ConnectionResetError("connection closed while sending")

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: BaseException) -> None:
        self.error = error
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _writable_again(self) -> None:
        writable = self._writable
        if writable is not None and not writable.done():
            writable.set_result(None)


class _StaleConnection(Exception):
    """A reused keep-alive connection the server had already closed: nothing was received, so resend."""


Origin = tuple[str, str, int]
# A URL the relay can send as it is (printable ASCII, no query or fragment): split without urlsplit.
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.:@\[\]_~%!$&'()*+,;=-]+)(/[^?#\x00-\x20\x7f-\U0010ffff]*)?")


@functools.lru_cache(maxsize=4096)
def _origin(scheme: str, netloc: str) -> tuple[Origin, str]:
    """The origin and Host header of ``scheme://netloc`` (as ``urlsplit`` reads them); ValueError for a bad port."""
    parts = urlsplit(f"{scheme}://{netloc}")
    if not parts.hostname:
        raise TransportError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return (parts.scheme, parts.hostname, port), host_header


def _split(url: str) -> tuple[Origin, str, str]:
    """(origin, request target, Host header) of ``url``."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        origin, host_header = _origin(plain.group(1), plain.group(2))
        return origin, plain.group(3) or "/", host_header
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return (parts.scheme, parts.hostname, port), target, host_header


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


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
        self._heads: dict[tuple[str, bool], str] = {}
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
        origin, target, host_header = _split(url)
        body = b"" if payload is None else json_text.dumps_bytes(payload)
        try:
            request = self._request_bytes(method, target, host_header, headers, body, payload is not None)
        except ValueError as exc:
            raise TransportError(f"a request to {origin[1]} that cannot be sent: {exc}") from None
        wait = timeout if answer_timeout is None else answer_timeout
        loop = asyncio.get_running_loop()
        # One deadline at a time, as a plain timer: sending (connecting, or a write that has to wait) runs on
        # ``timeout``; once the request is out, only its answer is waited for, ``wait`` more seconds.
        send_by = loop.time() + timeout
        sent = False
        try:
            reused = self._take_idle(origin)
            if reused is not None:
                try:
                    sent = True  # a write to a kept-alive connection that needs no drain is sent at once
                    return await self._exchange(loop, origin, reused, request, True, send_by, wait)
                except _StaleConnection:
                    sent = False
                except _Unsent:
                    sent = False
                    raise
            async with asyncio.timeout_at(send_by):
                connection = await self._open(loop, origin)
            sent = True
            return await self._exchange(loop, origin, connection, request, False, send_by, wait)
        except _Unsent:
            raise TransportError(f"no answer from {origin[1]} within {timeout:g} s") from None
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
        fixed = self._heads.get((host, json_body))
        if fixed is None:  # the lines every request to this host carries: built and checked once
            lines = [f"Host: {host}", f"User-Agent: {self._user_agent}", "Accept: application/json"]
            if json_body:
                lines.append("Content-Type: application/json")
            if any(_BREAKS_A_LINE.search(line) for line in lines):
                raise ValueError("a line break, NUL or space where HTTP allows none")
            fixed = "".join(line + "\r\n" for line in lines)
            if len(self._heads) < 4096:
                self._heads[(host, json_body)] = fixed
        if method not in _METHODS and not _TOKEN.match(method):
            raise ValueError("a line break, NUL or space where HTTP allows none")
        if " " in target or _BREAKS_A_LINE.search(target):
            raise ValueError("a line break, NUL or space where HTTP allows none")
        extra = ""
        for name, value in (headers or {}).items():
            if name not in _KNOWN_NAMES and not _TOKEN.match(name):
                raise ValueError("a header name that is not an HTTP token")
            if _BREAKS_A_LINE.search(value):
                raise ValueError("a line break, NUL or space where HTTP allows none")
            extra += f"{name}: {value}\r\n"
        head = f"{method} {target} HTTP/1.1\r\n{fixed}Content-Length: {len(body)}\r\n{extra}\r\n"
        return head.encode("latin-1") + body

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
        idle = self._idle.get(origin)
        if idle is None:
            idle = self._idle[origin] = []
        if self._closed or len(idle) >= self._max_idle:
            connection.close()
            return
        connection.answer = None
        connection.waiter = None
        connection.last_used = time.monotonic()
        idle.append(connection)

    async def _open(self, loop: asyncio.AbstractEventLoop, origin: Origin) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
        _, connection = await loop.create_connection(
            _Connection, host, port, ssl=context, server_hostname=host if context else None
        )
        return connection

    async def _exchange(
        self,
        loop: asyncio.AbstractEventLoop,
        origin: Origin,
        connection: _Connection,
        request: bytes,
        reused: bool,
        send_by: float,
        wait: float,
    ) -> HttpResponse:
        """``request`` on ``connection`` and its answer. Raises ``_Unsent`` when the send deadline passed with the
        request not all written, ``TimeoutError`` when the answer did not come within ``wait`` of sending it."""
        answer = connection.answer = _Answer()
        connection.received_any = False
        waiter = connection.waiter = loop.create_future()
        try:
            assert connection.transport is not None
            connection.transport.write(request)
            if connection.must_drain():  # not all of it went out at once: the rest runs on the send deadline
                await connection.drain(loop, send_by)
            if not connection.ended():
                timer = loop.call_at(loop.time() + wait, _expire, waiter)
                try:
                    await waiter
                finally:
                    timer.cancel()
            answer = connection.answer
            if not answer.done:  # (complete, it is the answer, whatever came after it)
                if connection.error is not None:
                    raise connection.error
                if not (answer.head_done and _reads_until_close(answer)):
                    raise ConnectionResetError("connection closed before the response ended")
        except (OSError, _BadResponse) as exc:
            connection.close()
            if reused and not connection.received_any:
                raise _StaleConnection from exc
            raise
        except BaseException:  # a timeout or a cancellation mid-exchange: the connection's state is unknown
            connection.close()
            raise
        if answer.done and answer.keep_alive and not (connection.eof or connection.closed or connection.error):
            self._give_back(origin, connection)
        else:
            connection.close()
        return HttpResponse(answer.status, b"".join(answer.chunks), tuple(answer.headers))


class _Unsent(Exception):
    """The send deadline passed before the whole request was written."""


_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
_KNOWN_NAMES = frozenset({"Authorization", "X-Request-Id"})


def _reads_until_close(answer: _Answer) -> bool:
    """A response with neither Content-Length nor chunked encoding: its body is whatever came before the close."""
    names = {name for name, _ in answer.headers}
    return "content-length" not in names and "transfer-encoding" not in names
