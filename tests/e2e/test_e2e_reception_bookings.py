"""Appointments reception made in the web app itself (at the desk, by phone) are the patient's too: the bot tells a
patient who has one before booking a second, and one reception cancelled is no longer offered as theirs. Learnt from
the agent's reads of the free slots (the stand-in's agenda shows the booked cells): no extra read of the web app."""

from __future__ import annotations

from datetime import UTC, datetime

from e2e_system import new_system
from patient import Patient, buttons, data, texts


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
        assert "Ya tienes hora el" in texts(told) and buttons(told) == ["Otra hora", "Cambiarla", "Cancelarla"]
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
