"""Appointments reception made in the web app itself (at the desk, by phone) are the patient's too: the bot tells a
patient who has one before booking a second, and one reception cancelled is no longer offered as theirs. Learnt from
the agent's reads of the free slots (the stand-in's agenda shows the booked cells): no extra read of the web app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from e2e_system import new_system
from patient import Patient, buttons, data, status, texts


async def test_reception_s_appointments_are_told_before_a_new_one_and_one_reception_cancelled_is_not(
        tmp_path, browser_path, lead_id):
    with new_system(tmp_path, browser_path, refresh_minutes=0.1) as system:
        system.wait_for_first_read()
        free = system.admin.free_slots(days=7)
        first, second = free[4], free[9]
        # Reception books two by phone, the patient's number typed as the desk types it (no country code)
        at_desk = system.admin.book(first["professional"], first["start"], patient_name="Luisa Herrera",
                                    patient_phone="9 4100 1005", note="agendado por teléfono")
        system.admin.book(second["professional"], second["start"], patient_name="Luisa Herrera",
                          patient_phone="+56 9 4100 1005 / 22 334 4556")  # two numbers in the field
        # Another patient's landline that ends like her mobile: never hers (she could cancel it)
        system.admin.book(free[6]["professional"], free[6]["start"], patient_name="Otro Paciente",
                          patient_phone="+56 2 4100 1005")
        system.wait_for_a_read_since(datetime.now(UTC))

        patient = Patient(system, lead_id, "Luisa Herrera", phone="+56 9 4100 1005")
        told = await patient.say("hola quiero pedir hora")
        assert data(told).get("code") == "already_booked", texts(told)
        assert "Ya tienes 2 horas" in texts(told) and "Otro Paciente" not in texts(told), texts(told)
        assert len(patient.appointments()) == 2  # nothing booked
        listed = await Patient(system, lead_id + "1", "Luisa Herrera", phone="+56 9 4100 1005").say(
            "quiero cancelar una hora")  # the web app read for a cancel: hers only
        assert "Otro Paciente" not in texts(listed) and "¿Cuál quieres cancelar?" in texts(listed), texts(listed)

        system.admin.cancel(at_desk["id"])  # reception cancels one in the web app
        system.wait_for_a_read_since(datetime.now(UTC))
        again = Patient(system, lead_id + "2", "Luisa Herrera", phone="+56 9 4100 1005")
        told = await again.say("hola, necesito una hora")
        assert data(told).get("code") == "already_booked", texts(told)
        assert "Ya tienes hora el" in texts(told) and buttons(told) == ["Una hora más", "Cambiarla", "Cancelarla"]
        when = datetime.fromisoformat(second["start"])
        assert f"a las {when:%H:%M}" in texts(told), texts(told)

        # One the bot booked and reception then cancelled in the web app is not offered as the patient's any more
        # (the patient was told "Ya tienes hora…" and walked through moving one that was gone)
        bot = Patient(system, lead_id + "3", "Verónica Rivas", phone="+56 9 4100 1007")
        times = await bot.reach_time_menu()
        booked = await bot.say(buttons(times)[0])
        [mine] = bot.appointments()
        assert data(booked)["booking_id"] == mine["id"]
        system.admin.cancel(mine["id"])
        system.wait_for_a_read_since(datetime.now(UTC))
        later = Patient(system, lead_id + "4", "Verónica Rivas", phone="+56 9 4100 1007")
        fresh = await later.say("hola, quiero hora")
        assert data(fresh).get("code") != "already_booked" and "Ya tienes" not in texts(fresh), texts(fresh)


async def test_a_patient_who_takes_back_a_cancel_of_a_desk_appointment_gets_the_same_time_back(
        tmp_path, browser_path, lead_id):
    """An appointment reception made at the desk, cancelled from the chat, and the patient at once regrets it: the
    time she just freed is free again in the very next answer (not "no está libre" until the agent's next read,
    minutes later — believing it, she would lose her appointment)."""
    with new_system(tmp_path, browser_path, refresh_minutes=30) as system:  # no background read meanwhile
        system.wait_for_first_read()
        slot = system.admin.free_slots(days=7)[5]
        desk = system.admin.book(slot["professional"], slot["start"], patient_name="Bruno Díaz",
                                 patient_phone="+56 9 4100 2006")
        system.stop_agent()  # started again, it reads at once: it has seen the desk's appointment
        restarted = datetime.now(UTC)
        system.start_agent()
        system.wait_for_a_read_since(restarted)
        system.wait_for_agent()
        patient = Patient(system, lead_id, "Bruno Díaz", phone="+56 9 4100 2006")
        asked = await patient.say("hola quiero anular mi hora")
        assert data(asked).get("code") == "confirm_cancel", texts(asked)
        assert status(await patient.say("sí")) == "cancelled"
        assert patient.appointments() == []
        when = datetime.fromisoformat(slot["start"])
        regret = await patient.say("no no no, déjala, me equivoqué")
        assert "no están libres" not in texts(regret) and f"{when:%H:%M}" in texts(regret), texts(regret)
        again = await patient.say("sí")
        assert status(again) == "booked", texts(again)
        [back] = patient.appointments()
        assert datetime.fromisoformat(back["start"]) == when and back["id"] != desk["id"]


async def test_one_reception_just_cancelled_is_not_told_as_still_the_patients(tmp_path, browser_path, lead_id):
    """The bot booked it; reception cancelled it in the web app a moment ago (no read of the agent since); the
    patient writes "hola": not "Ya tienes hora…" (then "gracias", and she would come believing she was booked)."""
    with new_system(tmp_path, browser_path, refresh_minutes=30) as system:  # no background read meanwhile
        system.wait_for_first_read()
        patient = Patient(system, lead_id, "Ana Reyes", phone="+56 9 4100 3007")
        times = await patient.reach_time_menu()
        assert status(await patient.say(buttons(times)[0])) == "booked"
        [booked] = patient.appointments()
        await asyncio.sleep(2)  # the agent's own read of that day after booking (it then shows the appointment)
        system.admin.cancel(booked["id"])
        again = Patient(system, lead_id + "1", "Ana Reyes", phone="+56 9 4100 3007")
        fresh = await again.say("hola, quiero pedir hora")
        assert data(fresh).get("code") != "already_booked" and "Ya tienes" not in texts(fresh), texts(fresh)


async def test_a_time_reception_booked_for_the_same_patient_meanwhile_is_theirs_not_taken(
        tmp_path, browser_path, lead_id):
    """The patient is choosing; reception, on the phone with her (or acting on the task the bot gave it while the
    clinic's PC slept), books that very time for her in the web app. Her tap then found the time taken: she was told
    "Ese horario acaba de ser tomado" and offered others, and reception "NO quedó reservada: ofrézcale otra" — a
    second appointment one tap away. It is hers: she is told it is booked, and the agenda has it once."""
    with new_system(tmp_path, browser_path, refresh_minutes=30) as system:
        system.wait_for_first_read()
        patient = Patient(system, lead_id, "Julia Diecinueve", phone="+56 9 4100 4019")
        times = await patient.reach_time_menu()
        when = datetime.fromisoformat(data(times)["day"] + "T" + buttons(times)[0])
        said = data(times)["message"].split(" con ", 1)[1].split(",")[0].split(" el ")[0]
        professional = said.removeprefix("la ").removeprefix("el ")  # "con la Klga. Paula Méndez"
        desk = system.admin.book(professional, when.isoformat(timespec="minutes"), patient_name="Julia Diecinueve",
                                 patient_phone="9 4100 4019", created_by="recepcion2")
        booked = await patient.say(buttons(times)[0])
        assert status(booked) == "booked", texts(booked)
        assert "acaba de ser tomado" not in texts(booked)
        assert [a["id"] for a in patient.appointments()] == [desk["id"]] == [data(booked)["booking_id"]]
