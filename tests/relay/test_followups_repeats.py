"""A patient waiting for reception who writes again while the cause lasts (paused, the web app down) is one case:
one row in the tray, one task in Kommo — not one per "1", "¿y?" or repeated wish. A new request (a cancel) is its own."""

from __future__ import annotations

import asyncio


async def test_the_same_wish_again_while_handed_off_is_one_case_and_a_cancel_is_another(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    url, sub = relay.widget_url(clinic), clinic.subdomain
    for message in ("hola, quiero hora con medicina general", "1", "quiero hora para mañana", "¿y?"):
        record = await kommo.say(url, sub, "901", message, name="Luis Pino", phone="+56 9 1111 0009")
        assert record.body["data"]["status"] in ("handoff", "closed"), message
    [event] = await agent.wait_for_events(1)
    await asyncio.sleep(0.5)  # anything more would have come by now
    assert len(agent.events) == 1 and event.reason == "paused"
    assert len(kommo.tasks(sub, "901")) == 1

    await kommo.say(url, sub, "901", "mejor quiero cancelar mi hora del lunes", name="Luis Pino",
                    phone="+56 9 1111 0009")
    await agent.wait_for_events(2)
    assert "cancelar" in " ".join(agent.events[1].said)
