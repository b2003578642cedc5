"""The relay's small HTTP client against a real uvicorn server: keep-alive, stale connections, bounds."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from demo.serving import ServerThread, free_port
from relay.http_client import HttpClient, TransportError

SEEN: list[dict] = []


async def echo(request: Request) -> Response:
    body = await request.json()
    SEEN.append({"headers": dict(request.headers), "body": body, "peer": request.client.port if request.client else 0})
    return JSONResponse({"got": body, "auth": request.headers.get("authorization", "")})


async def chunked(request: Request) -> Response:
    async def parts():
        for piece in (b'{"a": ', b"1", b"}"):
            yield piece

    return StreamingResponse(parts(), media_type="application/json")


async def redirect(request: Request) -> Response:
    return RedirectResponse("http://127.0.0.1:9/elsewhere", status_code=307)


async def slow(request: Request) -> Response:
    await asyncio.sleep(3)
    return Response(b"late")


async def huge(request: Request) -> Response:
    return Response(b"x" * (2 * 1024 * 1024))


@pytest.fixture(scope="module")
def server():
    app = Starlette(
        routes=[
            Route("/echo", echo, methods=["POST"]),
            Route("/chunked", chunked, methods=["POST"]),
            Route("/redirect", redirect, methods=["POST"]),
            Route("/slow", slow, methods=["POST"]),
            Route("/huge", huge, methods=["POST"]),
        ]
    )
    # A short keep-alive so the test can see the server close an idle connection.
    with ServerThread(app, timeout_keep_alive=1) as srv:
        yield srv


async def test_post_json_reuses_one_connection(server):
    client = HttpClient()
    SEEN.clear()
    try:
        for i in range(3):
            response = await client.post_json(
                f"{server.url}/echo", {"n": i, "text": "ñandú"}, headers={"Authorization": "Bearer t"}
            )
            assert response.status_code == 200
            assert response.json() == {"got": {"n": i, "text": "ñandú"}, "auth": "Bearer t"}
    finally:
        await client.aclose()
    assert len({seen["peer"] for seen in SEEN}) == 1
    assert SEEN[0]["headers"]["content-type"] == "application/json"


async def test_a_connection_the_server_closed_is_replaced(server):
    client = HttpClient()
    try:
        assert (await client.post_json(f"{server.url}/echo", {"n": 1})).status_code == 200
        await asyncio.sleep(1.5)  # longer than the server's keep-alive: it closes the idle connection
        assert (await client.post_json(f"{server.url}/echo", {"n": 2})).json()["got"] == {"n": 2}
    finally:
        await client.aclose()


async def test_chunked_answer_and_no_redirects(server):
    client = HttpClient()
    try:
        assert json.loads((await client.post_json(f"{server.url}/chunked", {})).content) == {"a": 1}
        response = await client.post_json(f"{server.url}/redirect", {})
        assert response.status_code == 307  # returned as is, never followed
    finally:
        await client.aclose()


async def test_failures_are_transport_errors(server):
    client = HttpClient()
    try:
        with pytest.raises(TransportError, match="within"):
            await client.post_json(f"{server.url}/slow", {}, timeout=0.3)
        with pytest.raises(TransportError):
            await client.post_json(f"http://127.0.0.1:{free_port()}/nobody", {})
        with pytest.raises(TransportError):
            await client.post_json(f"{server.url}/huge", {})
        with pytest.raises(TransportError):
            await client.post_json("ftp://127.0.0.1/x", {})
        assert (await client.post_json(f"{server.url}/echo", {"after": "errors"})).status_code == 200
    finally:
        await client.aclose()


class _Scripted(asyncio.Protocol):
    """A raw HTTP server answering each request (head + Content-Length body) with the next scripted bytes."""

    def __init__(self, answers: list[bytes], connections: list[asyncio.Transport], close_after: bool) -> None:
        self.answers, self.connections, self.close_after = answers, connections, close_after
        self.buffer = b""

    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        self.transport = transport
        self.connections.append(transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        length = int(self.buffer[:head_end].lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        if len(self.buffer) < head_end + 4 + length:
            return
        self.buffer = b""
        self.transport.write(self.answers.pop(0))
        if self.close_after:
            self.transport.close()


async def _scripted(answers: list[bytes], *, close_after: bool = False):  # type: ignore[no-untyped-def]
    connections: list[asyncio.Transport] = []
    server = await asyncio.get_running_loop().create_server(
        lambda: _Scripted(answers, connections, close_after), "127.0.0.1", 0
    )
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", connections


async def test_an_interim_answer_then_the_real_one():
    server, url, _ = await _scripted(
        [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}"]
    )
    client = HttpClient()
    try:
        response = await client.post_json(f"{url}/x", {"a": 1})
        assert (response.status_code, response.content) == (202, b"{}")
    finally:
        await client.aclose()
        server.close()


async def test_an_answer_without_length_ends_with_the_connection():
    server, url, _ = await _scripted([b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ok\": 1}"],
                                     close_after=True)
    client = HttpClient()
    try:
        response = await client.post_json(f"{url}/x", {})
        assert response.status_code == 200
        assert response.json() == {"ok": 1}
    finally:
        await client.aclose()
        server.close()


async def test_bytes_from_the_server_between_answers_retire_the_connection():
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    server, url, connections = await _scripted([ok, ok])
    client = HttpClient()
    try:
        assert (await client.post_json(f"{url}/x", {})).status_code == 200
        connections[0].write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")  # nobody asked for this one
        await asyncio.sleep(0.2)
        assert (await client.post_json(f"{url}/x", {})).status_code == 200
        assert len(connections) == 2  # the second request went on a new connection
    finally:
        await client.aclose()
        server.close()


async def test_a_request_the_server_does_not_read_is_not_sent():
    """A body larger than the socket buffers, to a server that reads nothing: the send deadline passes with the
    request not all written, so it counts as never sent (a caller may send it again)."""

    class Deaf(asyncio.Protocol):
        def connection_made(self, transport):  # type: ignore[no-untyped-def]
            transport.pause_reading()

    server = await asyncio.get_running_loop().create_server(Deaf, "127.0.0.1", 0)
    client = HttpClient()
    try:
        with pytest.raises(TransportError, match="within") as refused:
            await client.post_json(
                f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x", {"big": "x" * (48 << 20)}, timeout=0.5
            )
        assert not refused.value.request_sent
    finally:
        await client.aclose()
        server.close()
