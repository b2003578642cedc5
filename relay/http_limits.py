"""What keeps `cita-relay serve` answering under abuse: connection timeouts, bounds, and a quiet log.

- uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but starts no clock on a new
  connection: a socket that never sends a byte, or sends its headers one byte at a time, is kept forever.
  ``header_deadline_protocol`` adds that clock: the request's headers and body must be complete within
  ``header_timeout_s`` of the connection (or of the previous response), however the bytes trickle in; otherwise it
  is closed. (One timer per request, which the handler would otherwise need a second time for the body.)
- Each response goes out in one write: uvicorn writes the status line and headers, then the body, each with a
  system call (and, on loopback, the whole TCP path to the peer); ``OneWriteTransport`` holds the headers until
  the body follows in the same step (the usual case) or the loop's next turn (a streamed body).
- ``uvicorn_limits``: the rest of the bounds uvicorn offers (concurrency, websocket frame size, header size).
- ``QuietAcceptErrors``: when the process runs out of file descriptors, asyncio reports each failed ``accept()``
  with a traceback; this loop exception handler writes one line a second instead.
- ``QuietPeerErrors``: uvicorn's own lines about a peer's bad input (an invalid HTTP request, a websocket text
  frame that is not UTF-8 — the latter with a traceback) become one line each, a few a second at most.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from relay.log_throttle import EventThrottle
from relay.overload import kernel_wait_s
from relay.settings import RelaySettings
from wire.messages import MAX_FRAME_BYTES

logger = logging.getLogger("relay.http_limits")

# The ASGI scope key holding the loop time a request arrived: its headers were complete, less the time its bytes
# waited in the kernel before the relay read them (its queue time starts there).
RECEIVED_AT = "cita.received_at"
# Set in the scope when the protocol's deadline covers the request's body too: the app needs no timer of its own.
BODY_DEADLINE = "cita.body_deadline"
# Set when that deadline passed with the body incomplete: the protocol answered 408 and closed the connection.
BODY_TIMED_OUT = "cita.body_timed_out"
_BODY_TOO_SLOW_JSON = b'{"error":"body_too_slow","detail":"the body did not arrive in time"}'
_BODY_TOO_SLOW = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(_BODY_TOO_SLOW_JSON)).encode()
    + b"\r\nconnection: close\r\n\r\n"
    + _BODY_TOO_SLOW_JSON
)

# Larger than any header Kommo or an agent sends; h11's own default is 16 KB.
MAX_HEADER_BYTES = 16 * 1024


class OneWriteTransport:
    """A response cycle's view of its connection: the headers wait for the body's first write, so the two leave in
    one system call. Anything else (a ``100 Continue`` before the response, closing, flow control) passes straight
    through, after whatever is held."""

    __slots__ = ("_transport", "_cycle", "_loop", "_held")

    def __init__(self, transport: Any, cycle: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._cycle = cycle
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        cycle = self._cycle
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif cycle is not None and cycle.response_started and not cycle.response_complete and data.startswith(b"HTTP/"):
            self._held = data  # the status line and headers: the body follows
            # Held once per cycle, so the cycle (which holds this transport: a reference cycle, left for the
            # cyclic GC's pauses to free) is let go now.
            self._cycle = None
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._transport, name)


def header_deadline_protocol(header_timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class, with a deadline on receiving each request's headers."""
    base: Any = AutoHTTPProtocol

    class HeaderDeadlineProtocol(base):  # type: ignore[misc,valid-type]
        _header_timer: asyncio.TimerHandle | None = None
        _socket: Any = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._socket = transport.get_extra_info("socket")
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            if before is not None and before.response_complete:
                self._arm_header_timer()  # the next request on a kept-alive connection: a new deadline
            super().data_received(data)
            cycle = self.cycle
            if cycle is not before and cycle is not None:  # the handler runs later: the wait is the request's queue
                # How long its bytes sat unread in the kernel counts too (a relay short of CPU reads late).
                cycle.scope[RECEIVED_AT] = self.loop.time() - kernel_wait_s(self._socket)
                cycle.scope[BODY_DEADLINE] = True
                cycle.transport = OneWriteTransport(cycle.transport, cycle, self.loop)
            if cycle is not before and cycle is None:
                self._disarm_header_timer()
            elif cycle is not None and not cycle.response_complete and not cycle.more_body:
                self._disarm_header_timer()  # headers and body are in: the app has it all now

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_timer()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._headers_too_slow)

        def _disarm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            transport = self.transport
            # Upgraded to a websocket meanwhile: the transport belongs to that protocol now.
            if transport is None or transport.is_closing() or transport.get_protocol() is not self:
                return
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                if not cycle.more_body:
                    return  # a request is being answered: not this clock's business
                # Its body is still trickling in: answered 408 here, and the handler sees the connection end.
                cycle.scope[BODY_TIMED_OUT] = True
                if not cycle.response_started:
                    transport.write(_BODY_TOO_SLOW)
            transport.close()

    return HeaderDeadlineProtocol


def uvicorn_limits(settings: RelaySettings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config``: every bound the relay puts on its HTTP server."""
    return {
        "http": header_deadline_protocol(settings.http_header_timeout_s),
        "timeout_keep_alive": max(1, int(settings.http_idle_timeout_s)),
        "limit_concurrency": settings.limit_concurrency or None,
        "ws_max_size": MAX_FRAME_BYTES,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }


class QuietAcceptErrors:
    """A loop exception handler: "out of file descriptors" once a second as one line; the rest as before."""

    def __init__(self, previous: Any = None, throttle: EventThrottle | None = None) -> None:
        self._previous = previous
        self._throttle = throttle or EventThrottle(burst=1, per_s=1.0)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        if isinstance(exception, OSError) and "accept" in str(context.get("message", "")):
            self._throttle.log(
                logger,
                logging.ERROR,
                "accept_failed",
                error=exception.strerror or type(exception).__name__,
                action="the relay is out of file descriptors or memory: raise its open-file limit"
                " (LimitNOFILE, ulimit -n) or find who holds the connections",
            )
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)

    @classmethod
    def install(cls, loop: asyncio.AbstractEventLoop) -> None:
        if not isinstance(loop.get_exception_handler(), cls):
            loop.set_exception_handler(cls(loop.get_exception_handler()))


# uvicorn's messages about input a peer got wrong: no traceback helps anyone, and a flood of them must stay small.
_PEER_ERRORS = (
    "Invalid HTTP request received.",
    "Invalid UTF-8 sequence received from client.",
    "Unsupported upgrade request.",
)


class QuietPeerErrors(logging.Filter):
    def __init__(self, throttle: EventThrottle | None = None) -> None:
        super().__init__()
        self._throttle = throttle or EventThrottle(burst=5)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message not in _PEER_ERRORS:
            return True
        suppressed = self._throttle.admit(message)
        if suppressed is None:
            return False
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        if suppressed:
            record.msg, record.args = f"{message} (and {suppressed} more left out)", None
        return True

    @classmethod
    def install(cls) -> None:
        uvicorn_error = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, cls) for f in uvicorn_error.filters):
            uvicorn_error.addFilter(cls())
