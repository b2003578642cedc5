"""Reception's "Contactado" in the tray reaches Kommo: the lead's Cita Bridge task is completed there, so nobody
working in Kommo writes to a patient the front desk already spoke to. A task made after the mark stays open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from test_followups import wait_for

from wire.handoff import Contacted


async def test_contactado_completes_the_leads_task_in_kommo_and_is_acknowledged(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "801", "hola", name="Ana Pérez",
                    phone="+56 9 1234 5678")
    [event] = await agent.wait_for_events(1)
    await wait_for(lambda: kommo.notes(clinic.subdomain, "801"), "the hand-off's task and note in Kommo")
    # Kommo's created_at is in whole seconds: a mark made in the task's own second completes it too
    [made] = kommo.tasks(clinic.subdomain, "801")
    marked_at = datetime.fromtimestamp(int(made.at) + 0.6, UTC).isoformat()

    await agent.send(Contacted(event.id, "801", marked_at, "Ana Pérez", "+56 9 1234 5678"))

    [task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "801") if t.completed], "task done")
    assert "ya no hace falta contactar a Ana Pérez (+56 9 1234 5678)" in task.result
    assert "Contactado" in task.result
    await wait_for(lambda: f"contacted:{event.id}" in agent.acks, "the relay's ack")
    notes = await wait_for(lambda: len(kommo.notes(clinic.subdomain, "801")) == 2 and kommo.notes(clinic.subdomain,
                                                                                                  "801"), "a note")
    assert "Contactado" in notes[-1].text


async def test_a_task_kommo_made_after_the_mark_stays_open(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    marked_at = datetime.now(UTC).isoformat()  # reception marked the patient contacted a moment ago...
    await asyncio.sleep(1.1)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "802", "hola", name="Luis Rojas",
                    phone="+56 9 2222 3333")  # ...and the patient wrote again: a new hand-off, a new task
    [event] = await agent.wait_for_events(1)
    await wait_for(lambda: kommo.notes(clinic.subdomain, "802"), "the new hand-off's task and note")

    await agent.send(Contacted("fu-earlier", "802", marked_at, "Luis Rojas", "+56 9 2222 3333"))
    await wait_for(lambda: "contacted:fu-earlier" in agent.acks, "the relay's ack")
    [task] = kommo.tasks(clinic.subdomain, "802")
    assert not task.completed and "Luis Rojas" in task.text
