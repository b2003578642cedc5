"""The agent killed (SIGKILL: the power cut, the PC's plug) in the middle of a patient's cancel from the chat.

After the web app cancelled, before the agent wrote it down: the receptionist's bookings window kept the appointment
as "Reservada" and never showed the cancellation — not when the agent was back, not when the patient was told
"cancelé tu hora" — because the agent had written nothing before the browser acted. The cancel is now written before
it is sent, and settled on start from what the web app shows. Before the web app cancelled: nothing is recorded, and
the patient's next message carries the cancel out once."""

from __future__ import annotations

import asyncio

from agent_journal import journal_statuses
from patient import Patient, buttons, data, status, texts
from polling import wait_for


async def _booked_then_cancelling(system, patient: Patient, latency_ms: int) -> tuple[dict, asyncio.Task]:
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    ask = await patient.say("quiero cancelar mi hora")
    assert data(ask).get("code") == "confirm_cancel", texts(ask)
    system.admin.set_faults(latency_ms=latency_ms)  # the cancel takes seconds in the web app
    return appointment, asyncio.create_task(patient.say(buttons(ask)[0], timeout=120))


async def test_an_agent_killed_after_the_web_app_cancelled_tells_the_bookings_window_when_it_is_back(
        fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Norma Corte", phone="+56 9 6262 1212")
    appointment, cancelling = await _booked_then_cancelling(system, patient, latency_ms=800)
    await asyncio.to_thread(wait_for, lambda: not patient.appointments(), 60, "the web app to cancel it")
    system.kill_agent()  # cancelled in the web app; the agent had not written it down yet
    reply = await cancelling
    assert data(reply).get("booking") == "unconfirmed", texts(reply)

    system.admin.set_faults(latency_ms=0)
    system.start_agent()
    system.wait_for_agent(timeout=60)
    # Back, the agent finds it gone and tells the bookings window, before the patient writes again.
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["booked", "cancelled"], 60,
                            "the cancellation in the bookings window")
    told = await patient.say("hola, ¿se canceló mi hora?")
    assert status(told) == "cancelled", texts(told)
    assert data(told)["booking_id"] == appointment["id"]
    assert patient.appointments() == []
    assert journal_statuses(system.agent_home) == ["booked", "cancelled"]  # once


async def test_an_agent_killed_before_the_web_app_cancelled_cancels_once_at_the_next_message(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Olivia Antes", phone="+56 9 6262 1313")
    appointment, cancelling = await _booked_then_cancelling(system, patient, latency_ms=1500)
    await asyncio.sleep(2.0)  # the agent is reading the patient's appointments: the web app has cancelled nothing
    system.kill_agent()
    reply = await cancelling
    assert data(reply).get("booking") == "unconfirmed", texts(reply)
    system.admin.set_faults(latency_ms=0)
    assert [a["id"] for a in patient.appointments()] == [appointment["id"]]

    system.start_agent()
    system.wait_for_agent(timeout=60)
    await asyncio.sleep(2)  # the agent settles what it left under way: this cancel did not happen
    assert journal_statuses(system.agent_home) == ["booked"]
    assert [a["id"] for a in patient.appointments()] == [appointment["id"]]
    told = await patient.say("hola, ¿se canceló mi hora?")
    assert status(told) == "cancelled", texts(told)
    assert patient.appointments() == []
    assert journal_statuses(system.agent_home) == ["booked", "cancelled"]
