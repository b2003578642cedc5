"""A patient waiting for reception who writes again while the cause lasts (paused, the web app down) is one case:
one row in the tray, one task in Kommo — not one per "1", "¿y?" or repeated wish. A new request (a cancel) is its own."""

from __future__ import annotations

import asyncio

from test_followups import wait_for


async def test_the_same_wish_again_while_handed_off_is_one_case_and_a_cancel_is_another(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    url, sub = relay.widget_url(clinic), clinic.subdomain
    for message in ("hola, quiero hora con medicina general", "1", "quiero hora para mañana", "¿y?"):
        record = await kommo.say(url, sub, "901", message, name="Luis Pino", phone="+56 9 1111 0009")
        assert record.body["data"]["status"] in ("handoff", "closed"), message
    [event] = await agent.wait_for_events(1)
    await wait_for(lambda: kommo.notes(sub, "901"), "the hand-off's task and note")
    await asyncio.sleep(0.5)  # anything more would have come by now
    assert len(agent.events) == 1 and event.reason == "paused"
    assert len(kommo.tasks(sub, "901")) == 1

    await kommo.say(url, sub, "901", "mejor quiero cancelar mi hora del lunes", name="Luis Pino",
                    phone="+56 9 1111 0009")
    await agent.wait_for_events(2)
    assert "cancelar" in " ".join(agent.events[1].said)
    tasks = await wait_for(lambda: len(kommo.tasks(sub, "901")) == 2 and kommo.tasks(sub, "901"), "a task for it")
    assert "cancelar mi hora del lunes" in tasks[-1].text  # reception reads the cancel, not only the booking wish


async def test_asking_for_a_person_again_after_starting_over_is_one_kommo_task_with_a_note_each_time(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url, sub = relay.widget_url(clinic), clinic.subdomain
    who = {"name": "Rodrigo Bravo", "phone": "+56 9 1111 5029"}
    for message in ("quiero hora", "que me llame alguien por favor", "quiero hora para el lunes",
                    "prefiero hablar con alguien"):
        await kommo.say(url, sub, "902", message, **who)
    await agent.wait_for_events(2)  # each hand-off reaches the tray (which shows one row for the case)
    notes = await wait_for(lambda: len(kommo.notes(sub, "902")) == 2 and kommo.notes(sub, "902"), "two notes")
    assert "prefiero hablar con alguien" in notes[-1].text
    [task] = kommo.tasks(sub, "902")
    assert "pidió hablar con una persona" in task.text and not task.completed
    assert "pidió hablar con una persona por teléfono" in notes[0].text  # "que me llame alguien": a call
