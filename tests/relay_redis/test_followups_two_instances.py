"""Follow-ups with two relay instances on one Redis: a hand-off answered by one instance reaches the agent held by
the other, once acknowledged it is gone for both, and a clinic's Kommo choice is shared."""

from __future__ import annotations

import asyncio

from relay.cli import main as relay_cli


async def wait_for(probe, what: str):
    for _ in range(800):
        found = probe()
        if found:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"never saw {what}")


async def test_a_handoff_on_one_instance_reaches_the_agent_held_by_the_other(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)  # held by B
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "1201", "hola", name="Eva Núñez")  # on A
    assert record.body["data"]["reason"] == "paused"
    [event] = await agent.wait_for_events(1)
    assert (event.lead_id, event.reason, event.name) == ("1201", "paused", "Eva Núñez")
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "1201"), "the Kommo task")
    assert "Eva Núñez" in task.text

    # Acknowledged (by the agent, on B): a new connection, on A this time, does not get it again.
    agent.auto_ack = True
    await kommo.say(relay.peer.widget_url(clinic), clinic.subdomain, "1202", "hola")  # a second one, on B
    await agent.wait_for_events(2)
    await agent.close()
    await relay.wait_for_agent(clinic, connected=False)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "1203", "hola")  # offline now: kept for later
    from relay_harness import ScriptedAgent

    again = await ScriptedAgent(relay.url.replace("http", "ws") + "/agent", clinic.agent_token).connect()
    relay.agents.append(again)
    [only] = await again.wait_for_events(1)
    assert only.lead_id == "1203" and only.reason == "agent_offline"


async def test_the_kommo_choice_is_shared_by_every_instance(relay, kommo, redis_server):
    clinic = relay.add_clinic()
    assert relay_cli(["set-follow-ups", clinic.name, "--kommo", "note", "--redis", redis_server.url]) == 0
    await kommo.say(relay.peer.widget_url(clinic), clinic.subdomain, "1301", "hola")
    await wait_for(lambda: kommo.notes(clinic.subdomain, "1301"), "the note")
    assert kommo.tasks(clinic.subdomain, "1301") == []
