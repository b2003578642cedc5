"""/agent as plain ASGI: a refused handshake is an HTTP answer where the server can give one (uvicorn can: see
test_agent_link), else accepted and closed with the 44xx code, so that an agent learns why either way."""

from __future__ import annotations

import json
from typing import Any

from relay.agent_endpoint import agent_endpoint, scope_headers
from relay.agents import CLOSE_UNAUTHORIZED, LocalAgentDirectory
from relay.settings import RelaySettings
from relay.store import SqliteStore


def scope(extensions: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "websocket",
        "path": "/agent",
        "scheme": "ws",
        "client": ("127.0.0.1", 50000),
        "headers": [(b"authorization", b"Bearer not-a-token"), (b"host", b"relay")],
        "extensions": extensions,
    }


async def handshake(tmp_path, extensions: dict[str, Any] | None) -> list[dict[str, Any]]:
    settings = RelaySettings(data_dir=tmp_path)
    store = SqliteStore(settings.database_path)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    try:
        await agent_endpoint(scope(extensions), receive, send, store, LocalAgentDirectory(), settings)
    finally:
        store.close_now()
    return sent


async def test_an_unknown_token_is_answered_401_with_the_reason(tmp_path):
    sent = await handshake(tmp_path, {"websocket.http.response": {}})
    assert [m["type"] for m in sent] == ["websocket.http.response.start", "websocket.http.response.body"]
    assert sent[0]["status"] == 401 and (b"content-type", b"application/json") in sent[0]["headers"]
    body = json.loads(sent[1]["body"])
    assert body["error"] == "unauthorized" and "add-clinic" in body["detail"]


async def test_without_the_denial_extension_it_is_accepted_then_closed_with_the_code(tmp_path):
    for extensions in (None, {}):
        sent = await handshake(tmp_path, extensions)
        assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]
        assert sent[1]["code"] == CLOSE_UNAUTHORIZED and "add-clinic" in sent[1]["reason"]


def test_headers_by_lower_case_name_the_first_of_a_repeated_one():
    headers = scope_headers({"headers": [(b"X-Forwarded-For", b"10.0.0.1"), (b"x-forwarded-for", b"10.0.0.2")]})
    assert headers == {"x-forwarded-for": "10.0.0.1"}
