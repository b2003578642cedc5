"""Kommo sending the same widget_request again (same token, same return_url) to a relay just started after a kill
mid-booking: the repeat took the lead's lock while the re-run turn still waited for the agent to dial in, was
decided as a new turn without it ("Aún no sé si tu hora quedó reservada", of a booking done a second later), and the
re-run turn then answered the same return_url a second time (Kommo: "already continued"). The re-run turn now waits
for the agent under the lead's lock: one continuation, "reservada", one appointment."""

from __future__ import annotations

import asyncio

from agent_journal import journal_statuses
from patient import Patient, buttons, data, status, texts
from polling import wait_for


async def test_kommo_repeating_a_pick_to_a_relay_back_from_a_kill_gets_one_true_answer(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Laura Reintento")
    times = await patient.reach_time_menu()
    system.admin.set_faults(latency_ms=700)
    body, continue_id = patient.widget_request(buttons(times)[0])
    await patient.deliver(body)
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60, "the booking")
    await patient.deliver(body)  # Kommo repeats it
    system.kill_relay()
    system.start_relay()  # the agent dials in again within a second or two
    await patient.deliver(body)  # and repeats it once more
    system.admin.set_faults(latency_ms=0)

    reply = await system.kommo.wait_for_continuation(continue_id, 60)
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", texts(reply)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]
    await asyncio.sleep(2)  # anything more for that return_url would have come by now
    assert [r.continue_id for r in system.kommo.continuations()].count(continue_id) == 1
    assert not system.kommo.rejections()

    assert status(await patient.say("Hola")) == "choose_day"
    assert len(patient.appointments()) == 1
