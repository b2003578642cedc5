"""Two relay instances on one Redis, with scripted agents: what only several instances can get wrong."""

from __future__ import annotations

import asyncio

from relay_harness import ScriptedAgent, buttons_of
from websockets.asyncio.client import connect

from relay.agents import CLOSE_REPLACED


async def test_calls_on_either_instance_reach_the_agent_on_one_and_book_once(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)  # held by B
    a, b = relay.widget_url(clinic), relay.peer.widget_url(clinic)
    days = await kommo.say(a, clinic.subdomain, "301", "hola")
    times = await kommo.say(b, clinic.subdomain, "301", buttons_of(days.body)[0])
    booked = await kommo.say(a, clinic.subdomain, "301", buttons_of(times.body)[0])
    assert [days.body["data"]["status"], times.body["data"]["status"]] == ["choose_day", "choose_time"]
    assert booked.body["data"]["status"] == "booked" and booked.body["data"]["start"].endswith("T10:00:00-03:00")
    assert [r.op for r in agent.requests] == ["slots", "slots", "slots", "book"]
    assert len(agent.bookings) == 1
    health_a, health_b = await relay.healthz(), await relay.peer.healthz()
    for health, instance in ((health_a, "relay-a"), (health_b, "relay-b")):
        assert health["status"] == "ok" and health["redis"] is True and health["store"] == "redis"
        assert health["instance"] == instance
        assert health["clinics"][clinic.name]["agent_connected"] is True
        assert health["clinics"][clinic.name]["agent_version"] == "test-agent"
    assert (health_a["agents_connected"], health_b["agents_connected"]) == (0, 1)


async def test_the_newest_connection_wins_across_instances(relay, kommo):
    clinic = relay.add_clinic()
    old = await ScriptedAgent(relay.url.replace("http", "ws") + "/agent", clinic.agent_token).connect()
    relay.agents.append(old)
    await relay.wait_for_agent(clinic)
    new = await relay.agent(clinic)  # on B: A must close its stale connection
    await asyncio.wait_for(old.closed.wait(), 10)
    assert old.close_code == CLOSE_REPLACED
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "302", "hola")
    assert record.body["data"]["status"] == "choose_day"
    assert old.requests == [] and len(new.requests) == 1
    assert (await relay.healthz())["agents_connected"] == 0 and (await relay.peer.healthz())["agents_connected"] == 1


async def test_a_pause_told_to_one_instance_is_known_to_the_other(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    await agent.set_paused(True)
    await relay.wait_for_agent(clinic, paused=True)  # as A sees it
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "303", "hola")
    assert record.body["data"]["status"] == "handoff" and record.body["data"]["reason"] == "paused"
    assert agent.requests == []


async def test_the_oauth_refresh_token_is_spent_once_by_all_instances(relay, kommo):
    clinic = relay.add_clinic(oauth=True)
    await relay.agent(clinic)
    a, b = relay.widget_url(clinic), relay.peer.widget_url(clinic)
    first = await asyncio.gather(
        *(kommo.say((a, b)[i % 2], clinic.subdomain, f"304{i}", "hola", timeout=60) for i in range(6))
    )
    assert all(r.accepted for r in first)
    assert kommo.token_refreshes(clinic.subdomain) == 1
    kommo.expire_access_tokens(clinic.subdomain)  # 24 h later: both instances get a 401 and want to refresh
    second = await asyncio.gather(
        *(kommo.say((a, b)[i % 2], clinic.subdomain, f"305{i}", "hola", timeout=60) for i in range(6))
    )
    assert all(r.accepted for r in second)
    assert kommo.token_refreshes(clinic.subdomain) == 2
    # Only 401s of the expired access tokens; never a refresh token refused as already used.
    assert {r.status_code for r in kommo.rejections() if r.subdomain == clinic.subdomain} <= {401}


async def test_seven_per_second_hold_for_both_instances_together(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    a, b = relay.widget_url(clinic), relay.peer.widget_url(clinic)
    records = await asyncio.gather(
        *(kommo.say((a, b)[i % 2], clinic.subdomain, f"306{i}", "hola", timeout=60) for i in range(22))
    )
    assert all(r.accepted for r in records)
    assert [r for r in kommo.rejections() if r.subdomain == clinic.subdomain] == []
    times = sorted(c.received_at for c in kommo.continuations(clinic.subdomain))
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[7:], strict=False))


async def test_when_the_agents_instance_stops_the_agent_is_offline_there_and_welcome_here(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)  # on B
    await asyncio.to_thread(relay.peer.stop)
    await asyncio.wait_for(agent.closed.wait(), 10)
    await relay.wait_for_agent(clinic, connected=False)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "307", "hola")
    assert record.body["data"]["status"] == "handoff" and record.body["data"]["reason"] == "agent_offline"
    # The agent reconnects to the instance that is left, and the patient carries on.
    back = await ScriptedAgent(relay.url.replace("http", "ws") + "/agent", clinic.agent_token).connect()
    relay.agents.append(back)
    await relay.wait_for_agent(clinic)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "307", "hola")
    assert record.body["data"]["status"] == "choose_day" and len(back.requests) == 1


async def test_a_connection_that_never_says_hello_displaces_nothing(relay, kommo):
    """An agent checking whether its first relay is back opens a connection and closes it without a status frame:
    the live connection on the other instance stays, and keeps getting the requests."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)  # on B
    headers = {"Authorization": f"Bearer {clinic.agent_token}"}
    async with connect(relay.url.replace("http", "ws") + "/agent", additional_headers=headers, open_timeout=10):
        record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "308", "hola")
        assert record.body["data"]["status"] == "choose_day" and len(agent.requests) == 1
        assert (await relay.healthz())["agents_connected"] == 0
    await asyncio.sleep(0.3)
    assert not agent.closed.is_set()
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "308", "Más días")
    assert record.body["data"]["status"] == "choose_day" and len(agent.requests) == 2
