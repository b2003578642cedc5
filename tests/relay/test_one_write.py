"""A response leaves in one write (status line, headers and body together), and nothing else changes: a streamed
body, ``Expect: 100-continue``, a connection closed after the response. A real uvicorn server with the relay's HTTP
protocol on loopback; the writes themselves are counted on a recording transport."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import httpx
import uvicorn

from demo.serving import free_port
from relay.http_client import HttpClient
from relay.http_limits import OneWriteTransport, header_deadline_protocol


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return None


class Cycle:
    response_started = False
    response_complete = False


async def test_headers_wait_for_the_body_and_leave_with_it():
    transport, cycle = RecordingTransport(), Cycle()
    one = OneWriteTransport(transport, cycle, asyncio.get_running_loop())
    one.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the response: at once
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    cycle.response_started = True
    one.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    one.write(b"{}")
    assert transport.writes[1:] == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    await asyncio.sleep(0)
    assert len(transport.writes) == 2  # nothing left to flush


async def test_a_streamed_body_gets_its_headers_on_the_next_loop_turn():
    transport, cycle = RecordingTransport(), Cycle()
    one = OneWriteTransport(transport, cycle, asyncio.get_running_loop())
    cycle.response_started = True
    one.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    assert transport.writes == []
    await asyncio.sleep(0)
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]
    one.write(b"2\r\n{}\r\n")
    one.close()
    assert transport.writes[-1] == b"2\r\n{}\r\n" and transport.closed


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two"):
            await asyncio.sleep(0.05)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    answer = b"got " + body
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(answer)).encode())]}
    )
    await send({"type": "http.response.body", "body": answer})


async def test_real_responses_through_the_relays_protocol():
    port = free_port()
    config = uvicorn.Config(
        _app, host="127.0.0.1", port=port, http=header_deadline_protocol(5.0), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(3):  # kept alive, one response after the other
                answer = await http.post("/", content=b"hola")
                assert answer.status_code == 200 and answer.content == b"got hola"
            streamed = await http.get("/stream")
            assert streamed.text == "one two"
        # Expect: 100-continue, on a raw socket: the 100 comes before the body is sent, then the answer.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n"
        )
        await writer.drain()
        assert (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).startswith(b"HTTP/1.1 100")
        writer.write(b"hola")
        rest = await asyncio.wait_for(reader.read(), 5)
        assert rest.startswith(b"HTTP/1.1 200") and rest.endswith(b"got hola")
        writer.close()
    finally:
        server.should_exit = True
        await serving


async def test_a_request_and_a_continuation_leave_nothing_for_the_cyclic_gc():
    """Reference cycles per request (the response cycle and its transport; an answer and its parser) piled up for
    the cyclic GC, whose collections under load then paused the relay's event loop for tens of ms: late 200s, and
    requests refused as overload on a relay a third busy. Here the relay's HTTP protocol serves, and the relay's
    own HTTP client (Kommo's continuations) asks, over kept-alive connections: every object is freed as it goes."""
    port = free_port()
    config = uvicorn.Config(
        _app, host="127.0.0.1", port=port, http=header_deadline_protocol(5.0), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    client = HttpClient()
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        await client.post_json(f"http://127.0.0.1:{port}/", {"warm": True})  # the connection and its pool made
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        for turn in range(20):
            answer = await client.post_json(f"http://127.0.0.1:{port}/", {"turn": turn})
            assert answer.status_code == 200 and answer.content == b'got {"turn":' + str(turn).encode() + b"}"
        gc.collect()
        # Only what a request or a continuation makes (the rest of the process — another test's loop let go now —
        # is not this test's): uvicorn's response cycle, the one-write transport, the client's answer and parser
        ours = {"RequestResponseCycle", "OneWriteTransport", "_Answer", "HttpResponseParser", "_Connection"}
        left = sorted({type(thing).__qualname__ for thing in gc.garbage} & ours)
        assert left == [], left
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        await client.aclose()
        server.should_exit = True
        await serving
