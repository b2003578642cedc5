"""An agent whose self-check found the clinic's web app changed says so in its status (the optional
``portal_changed`` field): the relay hands patients off with that reason at once, without asking the agent for
times it could not book, and the hand-off reaches the agent's tray and the clinic's Kommo as a follow-up."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of

from wire.messages import Status, decode, encode

SENTENCE = 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'


async def wait_for(probe, what: str):
    for _ in range(800):
        found = probe()
        if found:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"never saw {what}")


def test_the_status_field_is_optional_both_ways():
    assert "portal_changed" not in encode(Status(paused=False, portal="ok"))
    changed = Status(paused=False, portal="down", version="1", portal_changed=SENTENCE)
    assert decode(encode(changed)) == changed
    older = decode('{"type": "status", "paused": false, "portal": "down"}')  # an older agent
    assert isinstance(older, Status) and older.portal_changed == ""


async def test_patients_are_handed_off_with_the_reason_and_the_agent_is_not_asked(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, portal="down")
    agent.portal_changed = SENTENCE
    await agent.send_status()
    for _ in range(400):
        info = (await relay.healthz())["clinics"][clinic.name]
        if info.get("portal_changed"):
            break
        await asyncio.sleep(0.025)
    assert info["portal_changed"] is True and SENTENCE not in str(info)  # /healthz says whether, not what

    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "701", "hola, quiero una hora",
                             name="Ana Pérez", phone="+56 9 1234 5678")
    assert record.body["data"]["status"] == "handoff", record.body
    assert record.body["data"]["reason"] == "portal_changed"
    assert agent.ops("slots") == [] and agent.ops("book") == []  # asking would only have failed

    [event] = await agent.wait_for_events(1)
    assert (event.reason, event.name, event.lead_id) == ("portal_changed", "Ana Pérez", "701")
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "701"), "a Kommo task on the lead")
    assert "la agenda web cambió de aspecto" in task.text

    # A later self-check passed: patients book again.
    agent.portal, agent.portal_changed = "ok", ""
    await agent.send_status()
    for _ in range(400):
        if not (await relay.healthz())["clinics"][clinic.name].get("portal_changed"):
            break
        await asyncio.sleep(0.025)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "702", "hola, quiero una hora",
                             name="Luis Rojas", phone="+56 9 2222 3333")
    assert record.body["data"]["status"] != "handoff", record.body
    assert buttons_of(record.body) and agent.ops("slots")
