"""The engine's event loop: uvloop where it is installed (not on Windows, not when told otherwise), and the relay
link works on it as on asyncio's own loop: a real websocket server on 127.0.0.1 asks, the agent answers."""

from __future__ import annotations

import asyncio
import importlib.util
import json

import pytest
from agent_testkit import ScriptedRelay

from agent.event_loop import LOOP_ENV, loop_kind, new_event_loop
from agent.link import Backoff, RelayLink
from wire.messages import Status, encode, error_response

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
TOKEN = "agent-token-loop"


def test_uvloop_unless_windows_or_told_otherwise():
    expected = "uvloop" if HAS_UVLOOP else "asyncio"
    assert loop_kind({}, "linux") == expected
    assert loop_kind({}, "darwin") == expected
    assert loop_kind({}, "win32") == "asyncio"
    assert loop_kind({LOOP_ENV: "asyncio"}, "linux") == "asyncio"
    assert loop_kind({LOOP_ENV: " AsyncIO "}, "linux") == "asyncio"
    assert loop_kind({LOOP_ENV: "uvloop"}, "linux") == expected


async def _answer(text: str) -> str:
    return encode(error_response(json.loads(text)["id"], "paused", "test"))


def _status() -> str:
    return encode(Status(paused=False, portal="ok", version="test"))


async def _one_request() -> tuple[str, dict]:
    async with ScriptedRelay(token=TOKEN) as relay:
        link = RelayLink([relay.url], lambda: TOKEN, _answer, _status, backoff=Backoff(first_s=0.1, cap_s=0.5))
        task = asyncio.get_running_loop().create_task(link.run())
        try:
            await relay.next_status()
            answer = await relay.request("slots", {"days": 14})
        finally:
            await link.stop()
            await asyncio.wait_for(task, 30)
    return type(asyncio.get_running_loop()).__module__, answer


@pytest.mark.parametrize("kind", ["uvloop", "asyncio"])
def test_the_relay_is_answered_on_either_loop(kind, monkeypatch):
    if kind == "uvloop" and not HAS_UVLOOP:
        pytest.skip("uvloop is not installed")
    monkeypatch.setenv(LOOP_ENV, kind)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        module, answer = runner.run(_one_request())
    assert module.startswith(kind)
    assert answer["ok"] is False and answer["error"]["code"] == "paused"
