"""A patient's question answered from the free slots the agent keeps standing at the relay (wire.messages.SlotsUpdate):
no request to the agent while it stands; asked as before when the agent never keeps one (an older agent), when it
withdrew it, when it does not read, and after a pause."""

from __future__ import annotations

import asyncio

from relay_harness import make_slots, texts_of

from wire.messages import SlotsResult, SlotsUpdate


async def _tell(agent, update: SlotsUpdate) -> int:
    """The agent's update sent and, a moment later, read by the relay; the slots requests the agent had by then."""
    await agent.send(update)
    await asyncio.sleep(0.5)  # another socket than Kommo's: the relay reads it meanwhile
    return len(agent.ops("slots"))


def _standing(slots, fingerprint: str = "f1f2f3f4f5f6f7f8", fresh_s: float = 300.0) -> SlotsUpdate:
    answer = SlotsResult(tuple(slots), age_s=1.0).to_json()
    return SlotsUpdate(14, None, {**answer, "fingerprint": fingerprint}, fresh_s=fresh_s)


async def test_the_standing_answer_is_what_the_patient_sees_with_no_request_to_the_agent(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "801", "hola")
    assert first.body["data"]["status"] == "choose_day"
    assert [r.args.watch for r in agent.ops("slots")] == [True]  # asked to keep it standing (an older agent: ignored)
    assert (await kommo.say(url, clinic.subdomain, "802", "hola")).body["data"]["status"] == "choose_day"
    assert len(agent.ops("slots")) == 2  # this agent keeps nothing standing: asked every time, as before

    later = make_slots(days=3, start_day=8)  # the agent's reads found other days
    asked = await _tell(agent, _standing(later))
    shown = await kommo.say(url, clinic.subdomain, "803", "hola")
    assert shown.body["data"]["status"] == "choose_day"
    assert len(agent.ops("slots")) == asked  # no round trip to the clinic's PC
    assert shown.body["data"]["option_1"] != first.body["data"]["option_1"]  # the standing answer's days

    await _tell(agent, SlotsUpdate(14, None, None))  # withdrawn (the agent's cache went stale)
    await kommo.say(url, clinic.subdomain, "804", "hola")
    assert len(agent.ops("slots")) == asked + 1


async def _asked_once(relay, kommo, lead: str):
    """A clinic whose agent was asked once (with ``watch``): (clinic, agent, its widget URL)."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    await kommo.say(url, clinic.subdomain, lead, "hola")
    return clinic, agent, url


async def test_a_standing_answer_that_does_not_read_is_not_used_and_the_agent_is_asked(relay, kommo):
    clinic, agent, url = await _asked_once(relay, kommo, "811")
    bad = SlotsUpdate(14, None, {"slots": [{"id": "x"}], "age_s": 1.0, "fingerprint": "f1f2f3f4f5f6f7f8"}, 300.0)
    asked = await _tell(agent, bad)
    reply = await kommo.say(url, clinic.subdomain, "812", "hola")
    assert reply.body["data"]["status"] == "choose_day", texts_of(reply.body)
    assert len(agent.ops("slots")) == asked + 1


async def test_a_pause_is_heard_at_once_though_an_answer_stood(relay, kommo):
    clinic, agent, url = await _asked_once(relay, kommo, "821")
    await _tell(agent, _standing(agent.slots))
    await agent.set_paused(True)
    await relay.wait_for_agent(clinic, paused=True)
    reply = await kommo.say(url, clinic.subdomain, "822", "hola")
    assert reply.body["data"]["status"] == "handoff" and reply.body["data"]["reason"] == "paused"
    await agent.set_paused(False)
    await relay.wait_for_agent(clinic, paused=False)
    asked = len(agent.ops("slots"))
    assert (await kommo.say(url, clinic.subdomain, "823", "hola")).body["data"]["status"] == "choose_day"
    assert len(agent.ops("slots")) == asked + 1  # resumed: asked, until the agent keeps its answer standing again
