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
