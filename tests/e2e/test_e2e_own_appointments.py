"""A patient books, cancels and moves appointments from the chat; the stand-in web app's agenda shows each step."""

from __future__ import annotations

import asyncio
from datetime import datetime

from patient import Patient, buttons, data, status, texts


async def test_a_patient_books_then_cancels_from_the_chat(system, lead_id):
    patient = Patient(system, lead_id, "Carla Anula", phone="+56 9 3131 4141")
    times = await patient.reach_time_menu()
    booked = await patient.say(buttons(times)[0])
    assert status(booked) == "booked", texts(booked)
    [appointment] = patient.appointments()

    asked = await patient.say("necesito cancelar la hora que acabo de tomar")
    assert data(asked).get("code") == "confirm_cancel", texts(asked)
    assert "¿Cancelo tu hora del" in texts(asked) and buttons(asked) == ["Sí, cancelar", "No"]
    done = await patient.say("Sí, cancelar")
    assert status(done) == "cancelled", texts(done)
    assert data(done)["booking_id"] == appointment["id"]
    assert patient.appointments() == []  # gone from the clinic web app's agenda


async def test_a_patient_moves_an_appointment_and_the_agenda_has_only_the_new_one(system, lead_id):
    patient = Patient(system, lead_id, "Mario Mueve", phone="+56 9 5151 6161")
    times = await patient.reach_time_menu()
    booked = await patient.say(buttons(times)[0])
    assert status(booked) == "booked", texts(booked)
    [old] = patient.appointments()

    asked = await patient.say("hola, quiero cambiar mi hora")
    assert data(asked).get("code") == "confirm_move", texts(asked)
    days = await patient.say("Sí, cambiarla")
    assert status(days) == "choose_day", texts(days)
    later_day = data(days).get("option_2") or data(days)["option_1"]
    times = await patient.say(later_day)
    assert status(times) == "choose_time", texts(times)
    moved = await patient.say(buttons(times)[0])
    assert status(moved) == "booked", texts(moved)
    assert data(moved)["rescheduled_from"] == old["id"]
    [new] = patient.appointments()
    assert new["id"] == data(moved)["booking_id"] != old["id"]
    assert datetime.fromisoformat(new["start"]) == datetime.fromisoformat(data(moved)["start"])


async def test_another_phone_cannot_see_or_cancel_them(system, lead_id):
    owner = Patient(system, lead_id, "Olga Dueña", phone="+56 9 7171 8181")
    times = await owner.reach_time_menu()
    assert status(await owner.say(buttons(times)[0])) == "booked"
    stranger = Patient(system, lead_id + "x", "Otro Número", phone="+56 9 2020 3030")
    reply = await stranger.say("quiero cancelar mi hora")
    assert data(reply).get("code") == "no_bookings", texts(reply)
    assert len(owner.appointments()) == 1


async def test_a_patient_who_already_booked_is_told_before_a_second_one(system, lead_id):
    """The guard against two appointments by mistake, from the agent's journal (no extra read of the web app)."""
    first = Patient(system, lead_id, "Doble Reserva", phone="+56 9 6262 7373")
    times = await first.reach_time_menu()
    booked = await first.say(buttons(times)[0])
    assert status(booked) == "booked", texts(booked)
    again = Patient(system, lead_id + "9", "Doble Reserva", phone="+56 9 6262 7373")  # a new chat, the same phone
    told = await again.say("hola, quiero una hora")
    assert data(told).get("code") == "already_booked", texts(told)
    assert "Ya tienes hora el" in texts(told) and buttons(told) == ["Una hora más", "Cambiarla", "Cancelarla"]
    assert len(first.appointments()) == 1  # nothing booked twice


async def test_two_chats_of_one_phone_choosing_at_the_same_instant_book_once(system, lead_id):
    """Two chats of one phone (two Kommo leads) tap a time at the same instant: the relay's check before booking
    runs for both before either booking reached the agent. The agent, where both meet, books the first and refuses
    the second; that patient is told of the first and asked again, never given a second appointment unasked."""
    first = Patient(system, lead_id, "Gemela Instante", phone="+56 9 6363 7474")
    second = Patient(system, lead_id + "7", "Gemela Instante", phone="+56 9 6363 7474")
    first_times = await first.reach_time_menu()
    days = await second.open_days()
    second_times = await second.say(data(days)["option_2"])  # another day: two times, neither taken by the other
    assert status(second_times) == "choose_time", texts(second_times)
    replies = await asyncio.gather(first.say(buttons(first_times)[0]), second.say(buttons(second_times)[0]))
    assert sorted(status(r) for r in replies) == ["booked", "choose_time"], [texts(r) for r in replies]
    [appointment] = first.appointments()
    [asked] = [r for r in replies if status(r) != "booked"]
    assert "Ya tienes hora el" in texts(asked) and "Si quieres una hora más" in texts(asked), texts(asked)
    assert "¿Confirmo el" in texts(asked)
    again = first if asked is replies[0] else second
    booked = await again.say("sí")  # asked, and wanted: now a second one
    assert status(booked) == "booked", texts(booked)
    assert len(first.appointments()) == 2 and appointment in first.appointments()


async def test_a_cancel_the_web_app_refused_is_told_as_not_done_and_never_carried_out_later(fresh_system, lead_id):
    """The web app refused the cancel's write (its reads still work): the patient was told "Aún no sé si quedó
    cancelada", and the cancel went through on their next message — a "gracias" — though reception might have
    agreed with them meanwhile to keep it. The agent reads the agenda again: still there is certainly not cancelled."""
    system = fresh_system
    patient = Patient(system, lead_id, "Beatriz Queda", phone="+56 9 3131 5252")
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    assert data(await patient.say("quiero cancelar mi hora")).get("code") == "confirm_cancel"
    system.admin.set_faults(fail_writes=True)
    refused = await patient.say("Sí, cancelar", timeout=120)
    system.admin.set_faults(fail_writes=False)
    assert status(refused) == "handoff", texts(refused)
    assert "No pude cancelar tu hora en este momento: sigue reservada." in texts(refused)
    assert "Aún no sé" not in texts(refused)
    assert [a["id"] for a in patient.appointments()] == [appointment["id"]]
    await patient.say("gracias")
    assert [a["id"] for a in patient.appointments()] == [appointment["id"]]  # never cancelled behind anyone's back
