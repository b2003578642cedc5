"""The relay killed while the agent cancels (or moves) an appointment, and the agent away when the relay is back: the
re-run turn asks the agent again with the same key and cannot reach it. That ask reached nobody, but the first one
did: the patient was told "No pude cancelar tu hora en este momento: sigue reservada" of an appointment already
cancelled in the web app (a move: "la del … sigue en pie" with the new one booked). Now they hear it is not known
yet, and the truth once the agent is back."""

from __future__ import annotations

import asyncio

from patient import Patient, buttons, data, status, texts
from polling import wait_for


async def test_a_cancel_cut_short_by_a_relay_kill_is_never_said_to_have_failed_while_the_agent_is_away(
        fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Nadia Cancela", phone="+56 9 6161 9292")
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    ask = await patient.say("quiero cancelar mi hora")
    assert data(ask).get("code") == "confirm_cancel", texts(ask)

    system.admin.set_faults(latency_ms=1500)  # the cancel takes seconds in the web app
    continue_id = await patient.send(buttons(ask)[0])
    await asyncio.sleep(1.0)
    system.kill_relay()  # the agent has the cancel in hand
    await asyncio.to_thread(wait_for, lambda: not patient.appointments(), 60, "the agent to finish the cancel")
    system.stop_agent()  # and then the clinic's PC goes away too
    system.admin.set_faults(latency_ms=0)
    system.start_relay()

    reply = await system.kommo.wait_for_continuation(continue_id, 60)  # after the relay's wait for the agent
    assert reply.accepted, reply.reason
    assert "sigue reservada" not in texts(reply), texts(reply)
    assert "Aún no sé si tu hora" in texts(reply) and "quedó cancelada" in texts(reply), texts(reply)
    assert patient.appointments() == []

    system.start_agent()
    system.wait_for_agent(timeout=60)
    told = await patient.say("hola, ¿se canceló mi hora?")
    assert status(told) == "cancelled", texts(told)
    assert data(told)["booking_id"] == appointment["id"]
    assert patient.appointments() == []
