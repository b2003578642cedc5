"""What a patient asked of a person (to talk to someone, to fix the name, to say they will be late) stays with
reception until reception says it is done: a booking that settles by itself meanwhile closes its own task only."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of
from test_followups import wait_for

from wire.messages import Outcome


async def test_a_late_booking_settling_leaves_the_patients_request_for_a_person_open(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=1.0)
    url, sub, who = relay.widget_url(clinic), clinic.subdomain, {"name": "Rocío Vidal", "phone": "+56 9 7000 0711"}
    asked = await kommo.say(url, sub, "711", "quiero hablar con una persona por favor", **who)
    assert asked.body["data"]["reason"] == "asked_for_person"
    days = await kommo.say(url, sub, "711", "igual quiero reservar una hora", **who)
    times = await kommo.say(url, sub, "711", buttons_of(days.body)[0], **who)
    first = await kommo.say(url, sub, "711", buttons_of(times.body)[0], **who)
    assert first.body["data"]["booking"] == "unconfirmed"
    await wait_for(lambda: len(kommo.tasks(sub, "711")) == 2, "two tasks: the person, and the booking not known")
    [(key, result)] = await wait_for(lambda: list(agent.bookings.items()), "the agent's booking")
    await agent.send(Outcome(key, True, result))

    def settled():
        tasks = kommo.tasks(sub, "711")
        return any(t.completed for t in tasks) and len(tasks) == 3 and tasks

    tasks = await wait_for(settled, "the not-known task done and one to tell the patient")
    [person] = [t for t in tasks if "pidió hablar con una persona" in t.text]
    assert not person.completed
    assert [t.completed for t in tasks].count(True) == 1


async def test_a_person_asked_for_while_a_booking_was_not_known_gets_a_task_once_it_is_told(make_relay, kommo):
    from test_followups import told_not_known_yet

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent, url, who, _key, _result = await told_not_known_yet(relay, kommo, clinic, "712")
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "712"), "the not-known task")
    await asyncio.sleep(1.0)  # the agent has finished the booking by now
    agent.book_delay_s = 0.0  # and answers at once when asked again
    reply = await kommo.say(url, clinic.subdomain, "712", "quiero hablar con una persona", **who)
    assert reply.body["data"]["status"] == "handoff" and reply.body["data"]["booking"] == "booked"

    def settled():
        tasks = kommo.tasks(clinic.subdomain, "712")
        return len(tasks) == 2 and any(t.completed for t in tasks) and tasks

    tasks = await wait_for(settled, "the not-known task done and one for the person")
    [person] = [t for t in tasks if not t.completed]
    assert "pidió hablar con una persona" in person.text


async def test_what_a_patient_waiting_for_a_person_writes_reaches_the_task_as_a_note(relay, kommo):
    """"llámenme al 2 2345 6789, tengo mucho dolor" while waiting got "Ya le avisamos a recepción" and reached
    nobody: the tray row and the Kommo lead get it (a note on the same task, no second task); thanks add nothing."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url, sub, who = relay.widget_url(clinic), clinic.subdomain, {"name": "Luz Díaz", "phone": "+56 9 7000 0713"}
    await kommo.say(url, sub, "713", "quiero hablar con una persona", **who)
    await wait_for(lambda: kommo.notes(sub, "713"), "the hand-off's task and note")
    await kommo.say(url, sub, "713", "llámenme al 2 2345 6789 porfa, tengo mucho dolor", **who)
    await kommo.say(url, sub, "713", "gracias!", **who)
    notes = await wait_for(lambda: len(kommo.notes(sub, "713")) == 2 and kommo.notes(sub, "713"), "a second note")
    assert "tengo mucho dolor" in notes[-1].text
    [event, again] = await agent.wait_for_events(2)
    assert again.reason == event.reason == "asked_for_person" and "tengo mucho dolor" in " ".join(again.said)
    await asyncio.sleep(0.5)
    assert len(kommo.tasks(sub, "713")) == 1 and len(kommo.notes(sub, "713")) == 2 and len(agent.events) == 2
