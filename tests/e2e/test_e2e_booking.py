"""A patient books on WhatsApp and the appointment is in the clinic's web app: everything real on loopback."""

from __future__ import annotations

import asyncio
from datetime import datetime

from patient import Patient, buttons, data, status, texts


async def test_a_patient_books_through_the_chat_and_the_web_app_shows_it(system, lead_id):
    patient = Patient(system, lead_id, "Ana Reservada")
    times = await patient.reach_time_menu()

    booked = await patient.say(buttons(times)[0])

    assert status(booked) == "booked", texts(booked)
    confirmation = data(booked)
    [appointment] = patient.appointments()
    assert datetime.fromisoformat(appointment["start"]) == datetime.fromisoformat(confirmation["start"])
    assert appointment["professional"] == confirmation["professional"]
    assert appointment["patient_phone"] == patient.phone
    assert appointment["id"] == confirmation["booking_id"]
    assert confirmation["professional"].split()[-1] in texts(booked)


async def test_the_same_pick_delivered_five_times_books_once(system, lead_id):
    patient = Patient(system, lead_id, "Bruno Repetido")
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]

    # Kommo re-delivers the very same widget_request (same token, same return_url) ...
    body, continue_id = system.kommo.widget_request(
        system.config.subdomain, {"lead_id": lead_id, "message": pick, "name": patient.name, "phone": patient.phone}
    )
    import httpx

    async with httpx.AsyncClient(timeout=10) as client:
        answers = await asyncio.gather(*(client.post(system.widget_url, json=body) for _ in range(5)))
    assert all(a.status_code == 200 for a in answers)
    first = await system.kommo.wait_for_continuation(continue_id, timeout=60)
    # ... and the patient, impatient, taps the same button again (a new delivery).
    again = await patient.say(pick)

    assert status(first) == "booked", texts(first)
    assert len(patient.appointments()) == 1
    # (the time just booked, tapped again: that appointment said again, «Así quedó tu hora…», never a second one)
    assert status(again) in ("booked", "choose_day", "closed"), texts(again)
    assert len(patient.appointments()) == 1


async def test_a_slot_taken_by_staff_meanwhile_offers_alternatives(system, lead_id):
    patient = Patient(system, lead_id, "Carla Alternativa")
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]
    day = data(times)["day"]
    hhmm = pick[:5]
    # The receptionist books that time (for every professional free then) at the front desk.
    taken = [
        s for s in system.admin.free_slots(14)
        if s["start"].startswith(f"{day}T{hhmm}")
    ]
    assert taken, f"no free slot at {day} {hhmm}"
    for slot in taken:
        system.admin.book(slot["professional"], slot["start"], patient_name="Paciente de mesón")

    reply = await patient.say(pick)

    assert status(reply) in ("choose_time", "choose_day"), texts(reply)
    assert data(reply).get("code") == "slot_taken"
    assert pick not in buttons(reply)
    assert buttons(reply), "no alternatives were offered"
    assert patient.appointments() == []

    rebooked = await patient.say(buttons(reply)[0])
    if status(rebooked) == "choose_time":  # the alternative was a day; pick its first time
        rebooked = await patient.say(buttons(rebooked)[0])
    assert status(rebooked) == "booked", texts(rebooked)
    assert len(patient.appointments()) == 1
