"""/agent: who may connect, one connection per clinic, and what the relay remembers of each agent."""

from __future__ import annotations

import asyncio

import pytest
from relay_harness import ScriptedAgent
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from relay.agents import CLOSE_REPLACED


async def test_wrong_or_missing_token_gets_http_401(relay):
    clinic = relay.add_clinic()
    for headers in ({"Authorization": "Bearer not-a-token"}, {}, {"Authorization": f"Basic {clinic.agent_token}"}):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(relay.ws_url, additional_headers=headers, open_timeout=10):
                pass
        assert refused.value.response.status_code == 401
    assert (await relay.healthz())["clinics"][clinic.name]["agent_connected"] is False


async def test_removed_clinic_token_stops_working(relay):
    clinic = relay.add_clinic()
    store = relay.store()
    try:
        assert store.remove_clinic(clinic.name)
    finally:
        store.close_now()
    with pytest.raises(InvalidStatus) as refused:
        await ScriptedAgent(relay.ws_url, clinic.agent_token).connect()
    assert refused.value.response.status_code == 401


async def test_new_agent_replaces_the_stale_one(relay, kommo):
    clinic = relay.add_clinic()
    old = await relay.agent(clinic)
    new = await relay.agent(clinic)
    await asyncio.wait_for(old.closed.wait(), 10)
    assert old.close_code == CLOSE_REPLACED
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "1", "hola")
    assert record.body["data"]["status"] == "choose_day"
    assert old.requests == [] and len(new.requests) == 1
    health = await relay.healthz()
    assert health["agents_connected"] == 1 and health["clinics"][clinic.name]["agent_connected"] is True


async def test_status_is_remembered_and_shown_in_healthz(relay):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, portal="login_failed")
    info = (await relay.healthz())["clinics"][clinic.name]
    assert info["agent_connected"] is True and info["paused"] is False
    assert info["portal"] == "login_failed" and info["agent_version"] == "test-agent"
    assert info["last_seen"]
    await agent.set_paused(True)
    await relay.wait_for_agent(clinic, paused=True)
    await agent.close()
    await relay.wait_for_agent(clinic, connected=False)
    info = (await relay.healthz())["clinics"][clinic.name]
    assert info["paused"] is True and info["portal"] == "login_failed"  # the last thing it said


async def test_plain_ws_from_a_remote_address_is_refused(relay):
    """Behind a trusted proxy (loopback here) that says the agent came from afar over plain HTTP."""
    clinic = relay.add_clinic()
    remote_plain = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
    with pytest.raises(InvalidStatus) as refused:
        await ScriptedAgent(relay.ws_url, clinic.agent_token).connect(remote_plain)
    assert refused.value.response.status_code == 403
    remote_tls = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    agent = await ScriptedAgent(relay.ws_url, clinic.agent_token).connect(remote_tls)
    relay.agents.append(agent)
    await relay.wait_for_agent(clinic)


async def test_insecure_agents_allowed_by_setting(make_relay):
    relay = make_relay(allow_insecure_agents=True)
    clinic = relay.add_clinic()
    agent = await ScriptedAgent(relay.ws_url, clinic.agent_token).connect(
        {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
    )
    relay.agents.append(agent)
    await relay.wait_for_agent(clinic)


async def test_proxy_headers_from_untrusted_peers_are_ignored(make_relay):
    """With no trusted proxy, X-Forwarded-* is not believed: the loopback peer is what counts."""
    relay = make_relay(trusted_proxies=())
    clinic = relay.add_clinic()
    agent = await ScriptedAgent(relay.ws_url, clinic.agent_token).connect(
        {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
    )
    relay.agents.append(agent)
    await relay.wait_for_agent(clinic)


async def test_garbage_frames_are_dropped_not_fatal(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    assert agent._ws is not None
    await agent._ws.send("{not json")
    await agent._ws.send('{"type": "response", "id": "nobody-asked", "ok": true, "result": {}}')
    await agent._ws.send('{"type": "request", "id": "x", "op": "slots", "timeout_s": 1, "args": {}}')
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "1", "hola")
    assert record.body["data"]["status"] == "choose_day"
