"""The relay link against real websockets servers on 127.0.0.1 that are stopped and started again."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest
from agent_testkit import ScriptedRelay
from polling import wait_until

from agent.link import Backoff, RelayLink, describe_failure, display_url, looks_like_wake
from agent.settings import SettingsError
from wire.messages import Status, encode, error_response

TOKEN = "agent-token-xyz"


def test_backoff_starts_near_a_second_and_stops_near_a_minute():
    middle = Backoff(rng=lambda: 0.5)
    assert [round(middle.next_delay(), 3) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    low, high = Backoff(rng=lambda: 0.0), Backoff(rng=lambda: 1.0)
    assert (low.next_delay(), high.next_delay()) == pytest.approx((0.8, 1.2))  # jittered: clinics never in step
    middle.reset()
    assert middle.next_delay() == 1


def test_a_wake_from_sleep_is_told_from_the_clocks():
    assert not looks_like_wake(wall_elapsed=5.0, mono_elapsed=5.0, expected=5.0)
    assert not looks_like_wake(wall_elapsed=6.0, mono_elapsed=6.0, expected=5.0)  # a busy moment
    assert looks_like_wake(wall_elapsed=3605.0, mono_elapsed=5.0, expected=5.0)  # Linux: monotonic stops in sleep
    assert looks_like_wake(wall_elapsed=3605.0, mono_elapsed=3605.0, expected=5.0)  # the process was frozen


def test_only_wss_except_to_this_computer():
    with pytest.raises(SettingsError):
        RelayLink(["ws://relay.example.com/agent"], lambda: TOKEN, _no_answer, _status)
    RelayLink(["wss://relay.example.com/agent", "ws://127.0.0.1:1/agent", "ws://[::1]:1/agent"], lambda: TOKEN,
              _no_answer, _status)
    assert display_url("wss://user:pw@relay.example.com:8443/agent?x=1") == "wss://relay.example.com:8443/agent"


async def _no_answer(text: str) -> str | None:
    return None


def _status() -> str:
    return encode(Status(paused=False, portal="ok", version="test"))


async def _answer_everything(text: str) -> str | None:
    frame = json.loads(text)
    return encode(error_response(frame["id"], "paused", "test"))


class LinkRun:
    def __init__(self, urls, *, token=TOKEN, backoff=None, **options) -> None:
        self.states: list[tuple[str, str, str]] = []
        self.link = RelayLink(
            urls, lambda: token, _answer_everything, _status,
            on_state=lambda *s: self.states.append(s),
            backoff=backoff or Backoff(first_s=0.1, cap_s=0.5), **options,
        )
        self.task = asyncio.get_running_loop().create_task(self.link.run())

    async def stop(self) -> None:
        await self.link.stop()
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def links():
    runs: list[LinkRun] = []

    def start(*args, **kwargs) -> LinkRun:
        run = LinkRun(*args, **kwargs)
        runs.append(run)
        return run

    yield start
    for run in runs:
        await run.stop()


async def test_status_on_connect_then_requests_are_answered(links):
    async with ScriptedRelay(token=TOKEN) as relay:
        run = links([relay.url])
        status = await relay.next_status()
        answer = await relay.request("slots", {"days": 14})
        run.link.status_changed()
        await relay.next_status()

    assert status == {"type": "status", "paused": False, "portal": "ok", "version": "test"}
    assert answer["error"]["code"] == "paused"
    assert relay.auth_headers == [f"Bearer {TOKEN}"]


async def test_the_link_comes_back_after_the_relay_restarts(links):
    relay = await ScriptedRelay(token=TOKEN).start()
    try:
        run = links([relay.url], healthy_after_s=0)
        await relay.next_status()
        await relay.stop()
        await wait_until(lambda: run.link.state != "connected")
        await asyncio.sleep(0.5)  # a few refused attempts while the relay is away
        await relay.start()
        await relay.next_status()
        answer = await relay.request("slots", {"days": 3})
    finally:
        await relay.stop()

    assert run.link.connections == 2 and relay.connections == 2
    assert answer["id"] and answer["ok"] is False
    states = [s[0] for s in run.states]
    assert states.count("connected") == 2 and "disconnected" in states


async def test_a_start_without_network_keeps_trying_until_the_relay_appears(links):
    relay = ScriptedRelay(token=TOKEN)
    run = links([relay.url])
    await wait_until(lambda: sum(1 for s in run.states if "cannot reach" in s[2]) >= 3)
    assert run.link.state != "connected" and not run.task.done()
    await relay.start()
    try:
        await relay.next_status()
    finally:
        await relay.stop()


async def test_a_nudge_reconnects_at_once_instead_of_waiting_out_the_backoff(links):
    relay = ScriptedRelay(token=TOKEN)
    run = links([relay.url], backoff=Backoff(first_s=600, cap_s=600))  # without a nudge: minutes
    await wait_until(lambda: any("cannot reach" in s[2] for s in run.states))
    await relay.start()
    try:
        threading.Thread(target=run.link.nudge).start()  # as the UI or an OS hook would, from its own thread
        await relay.next_status()
    finally:
        await relay.stop()


async def test_a_second_relay_takes_over_and_the_first_gets_the_agent_back(links):
    first, second = ScriptedRelay(token=TOKEN), await ScriptedRelay(token=TOKEN).start()
    try:
        run = links([first.url, second.url], primary_retry_s=0.3)
        await second.next_status()
        assert run.link.url == display_url(second.url)
        await first.start()
        await first.next_status()  # moved back to the first relay
        await wait_until(lambda: second.connection is None)
        assert run.link.url == display_url(first.url)
        answer = await first.request("slots", {"days": 1})
    finally:
        await first.stop()
        await second.stop()
    assert answer["ok"] is False and answer["error"]["code"] == "paused"


async def test_a_refused_token_is_reported_retried_and_never_logged(links, caplog):
    caplog.set_level(logging.DEBUG)
    async with ScriptedRelay(token="the-right-one") as relay:
        run = links([relay.url], token=TOKEN)
        await wait_until(lambda: relay.refusals >= 2)
    assert any("refused the agent token" in s[2] for s in run.states)
    assert run.link.state != "connected"
    agent_lines = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("agent"))
    assert "refused the agent token" in agent_lines
    assert TOKEN not in agent_lines


async def test_replaced_by_another_pc_is_a_problem_a_person_fixes(links):
    """The relay closed the link with 4409 (another PC with the clinic's token connected): two agents replaced each
    other 9 times in 40 s, and `cita-agent status` said only «sin conexión»."""
    async with ScriptedRelay(token=TOKEN) as relay:
        run = links([relay.url], backoff=Backoff(first_s=30.0, cap_s=30.0))
        await relay.next_status()
        await relay.connection.close(4409, "replaced")
        await wait_until(lambda: run.link.problem == "replaced")
        assert run.link.state != "connected"
        await asyncio.sleep(1.0)
        assert relay.connections == 1  # the ordinary backoff (30 s here), not the quick outage retries


def test_failures_are_described_for_an_operator():
    assert "cannot reach the relay" in describe_failure(ConnectionRefusedError(111, "Connection refused"))
    assert "did not answer in time" in describe_failure(TimeoutError())
