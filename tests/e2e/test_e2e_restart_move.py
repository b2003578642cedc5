"""The move variant of test_e2e_restart_cancel.py: the relay killed while the agent moves an appointment (the new
one booked, the old one cancelled), and the agent away when the relay is back. The re-run turn asks the agent again
with the same key and cannot reach it; the first ask did. The patient must never read "No pude cambiar tu hora…
sigue en pie" of an appointment already moved: it is not known yet, and the truth once the agent is back."""

from __future__ import annotations

import asyncio

from patient import Patient, buttons, data, status, texts
from polling import wait_for


async def test_a_move_cut_short_by_a_relay_kill_is_never_said_to_have_failed_while_the_agent_is_away(
        fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Mauro Cambia", phone="+56 9 6262 9393")
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [old] = patient.appointments()
    asked = await patient.say("hola, quiero cambiar mi hora")
    assert data(asked).get("code") == "confirm_move", texts(asked)
    days = await patient.say("Sí, cambiarla")
    assert status(days) == "choose_day", texts(days)
    times = await patient.say(data(days).get("option_2") or data(days)["option_1"])
    assert status(times) == "choose_time", texts(times)

    system.admin.set_faults(latency_ms=1500)  # the move takes seconds in the web app
    continue_id = await patient.send(buttons(times)[0])
    await asyncio.sleep(1.0)
    system.kill_relay()  # the agent has the move in hand

    def moved() -> bool:
        now = patient.appointments()
        return len(now) == 1 and now[0]["id"] != old["id"]

    await asyncio.to_thread(wait_for, moved, 90, "the agent to finish the move")
    [new] = patient.appointments()
    system.stop_agent()  # and then the clinic's PC goes away too
    system.admin.set_faults(latency_ms=0)
    system.start_relay()

    reply = await system.kommo.wait_for_continuation(continue_id, 60)  # after the relay's wait for the agent
    assert reply.accepted, reply.reason
    assert "sigue en pie" not in texts(reply), texts(reply)
    assert "No pude cambiar" not in texts(reply), texts(reply)
    assert "Aún no sé si tu hora quedó cambiada" in texts(reply), texts(reply)
    assert [a["id"] for a in patient.appointments()] == [new["id"]]

    system.start_agent()
    system.wait_for_agent(timeout=60)
    told = await patient.say("hola, ¿se cambió mi hora?")
    assert status(told) == "booked", texts(told)
    assert data(told)["booking_id"] == new["id"], data(told)
    assert [a["id"] for a in patient.appointments()] == [new["id"]]
