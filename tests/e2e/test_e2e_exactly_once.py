"""One booking, once, whatever happens to the relay: stopped (SIGTERM, as on every deploy) or killed (SIGKILL)
at each stage of a booking, or outwaited by a web app slower than its deadline. Each ends with exactly one
appointment in the clinic web app and a patient who was told the truth."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from datetime import UTC, datetime

import httpx
import pytest
from agent_journal import journal_statuses
from e2e_system import new_system
from patient import Patient, buttons, data, status, texts
from polling import wait_for

from agent.paths import resolve_paths
from agent.runtime_state import load_state


def _read_since(system, since: datetime, timeout: float) -> None:
    """Until the agent's last good read of the agenda ended after ``since`` (at most ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = load_state(resolve_paths(system.agent_home).state_file).last_refresh
        if last and datetime.fromisoformat(last) > since:
            return
        time.sleep(0.1)


def _relay_log(system) -> str:
    return (system.root / "relay.log").read_text(errors="replace")


async def _pick_with_a_slow_web_app(system, patient: Patient, latency_ms: int) -> tuple[str, asyncio.Task]:
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]
    system.admin.set_faults(latency_ms=latency_ms)
    booking = asyncio.create_task(patient.say(pick, timeout=120))
    # The relay has asked the agent, and the agent has written the request before touching the web app.
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60, "the booking to start")
    return pick, booking


async def test_a_relay_stopped_mid_booking_drains_it_with_the_agent_still_connected(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Hugo Despliegue")
    _, booking = await _pick_with_a_slow_web_app(system, patient, latency_ms=700)

    system.relay.send_signal(signal.SIGTERM)  # a deploy: the relay is asked to stop while the booking is under way
    reply = await booking
    assert status(reply) == "booked", texts(reply)
    assert "Tu hora quedó reservada" in texts(reply)
    assert await asyncio.to_thread(system.relay.wait, 40) in (0, -signal.SIGTERM)  # uvicorn re-raises it
    assert "draining_turns" in _relay_log(system)

    system.admin.set_faults(latency_ms=0)
    system.relay = None
    system.start_relay()
    system.wait_for_agent(timeout=60)
    again = await patient.say("Hola")
    assert status(again) == "choose_day", texts(again)  # a new conversation, not a second booking
    assert len(patient.appointments()) == 1


async def test_a_relay_killed_mid_booking_sends_the_continuation_when_it_is_back(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Irene Apagón")
    _, booking = await _pick_with_a_slow_web_app(system, patient, latency_ms=700)

    system.kill_relay()  # the pick already got its 200; no drain, no continuation
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)
    system.start_relay()

    reply = await booking  # the accepted turn is re-run: its continuation goes out late, not never
    assert status(reply) == "booked", texts(reply)
    assert "turn_resumed" in _relay_log(system)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]

    again = await patient.say("Hola")
    assert status(again) == "choose_day", texts(again)
    assert len(patient.appointments()) == 1


async def test_a_relay_killed_before_kommo_took_the_confirmation_sends_it_when_it_is_back(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Jorge Confirmación")
    times = await patient.reach_time_menu()
    system.kommo.fail_next(system.config.subdomain, count=10_000)  # Kommo has a bad moment: 503 to every call
    body, continue_id = system.kommo.widget_request(
        system.config.subdomain,
        {"lead_id": lead_id, "message": buttons(times)[0], "name": patient.name, "phone": patient.phone},
    )
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.post(system.widget_url, json=body)).status_code == 200
    # Booked in the web app; the relay keeps retrying the confirmation while Kommo refuses it... and dies.
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the booking")
    await asyncio.to_thread(wait_for, lambda: "booked" in _relay_log(system), 30, "the relay to hear the outcome")
    system.kill_relay()
    system.kommo.fail_next(system.config.subdomain, count=0)
    system.start_relay()

    reply = await system.kommo.wait_for_continuation(continue_id, 60)
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", texts(reply)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]
    system.wait_for_agent(timeout=60)
    assert status(await patient.say("Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


@pytest.fixture
def impatient_system(tmp_path, browser_path):
    """A relay whose booking deadline is shorter than the web app's booking takes."""
    with new_system(tmp_path, browser_path, relay_env={"CITA_RELAY_BOOK_TIMEOUT_S": "3"}) as running:
        yield running


async def test_a_web_app_slower_than_the_deadline_never_gives_two_appointments(impatient_system, lead_id):
    system = impatient_system
    patient = Patient(system, lead_id, "Karla Lenta")
    times = await patient.reach_time_menu()
    system.admin.set_faults(latency_ms=1500)
    first = await patient.say(buttons(times)[0], timeout=60)

    # The relay stopped waiting: it says it does not know yet, and keeps the booking open.
    assert status(first) == "handoff", texts(first)
    assert data(first)["booking"] == "unconfirmed"
    assert "Aún no sé si tu hora" in texts(first) and "No pidas otra hora" in texts(first)

    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)
    # The agent reports the outcome on its own; then the relay is restarted, and the agent is away.
    await asyncio.to_thread(wait_for, lambda: "booking_outcome_reported" in _relay_log(system), 30, "the report")
    system.stop_agent()
    system.restart_relay()

    # Whatever the patient writes next (even picking another time), they hear the truth; nothing is booked twice.
    reply = await patient.say(buttons(times)[-1])
    assert status(reply) == "booked", texts(reply)
    assert "¡Al final tu hora quedó reservada" in texts(reply)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]
    # The receptionist's Kommo task for the case not known yet is done: nobody books it again by hand.
    subdomain = system.config.subdomain
    await asyncio.to_thread(wait_for, lambda: all(t.completed for t in system.kommo.tasks(subdomain, lead_id)), 30,
                            "the Kommo task completed")
    # The first ("no se sabe") gave way, when the agent reported it, to "avísele: SÍ quedó reservada", done once the
    # patient heard it from the bot.
    first_task, tell_them = system.kommo.tasks(subdomain, lead_id)
    assert "su hora SÍ quedó reservada" in tell_them.text and "su hora quedó reservada" in tell_them.result
    assert status(await patient.say("Hola")) == "handoff"  # the agent is still away: a new conversation hands off
    assert len(patient.appointments()) == 1


async def test_a_relay_killed_while_waiting_for_the_agent_answers_the_pick_when_it_is_back(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Nora Espera")
    times = await patient.reach_time_menu()
    system.agent.send_signal(signal.SIGSTOP)  # the agent hangs: the relay's question waits for its deadline
    try:
        body, continue_id = system.kommo.widget_request(
            system.config.subdomain,
            {"lead_id": lead_id, "message": buttons(times)[0], "name": patient.name, "phone": patient.phone},
        )
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.post(system.widget_url, json=body)).status_code == 200
        await asyncio.sleep(0.5)
        system.kill_relay()  # before any booking was asked for
    finally:
        system.agent.send_signal(signal.SIGCONT)
    assert patient.appointments() == []
    system.start_relay()

    reply = await system.kommo.wait_for_continuation(continue_id, 90)
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", texts(reply)
    assert len(patient.appointments()) == 1
    assert status(await patient.say("Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


async def test_a_turn_resumed_after_a_kill_keeps_the_bots_optional_data(fresh_system, lead_id):
    """The bot's optional keys (here `specialty`, set by an earlier Salesbot step) travel with the accepted turn:
    a relay killed before it decided still answers with that specialty's days, not "¿Qué especialidad…?"."""
    system = fresh_system
    patient = Patient(system, lead_id, "Olga Sigue")
    system.agent.send_signal(signal.SIGSTOP)  # the relay's question for the slots waits
    try:
        body, continue_id = system.kommo.widget_request(
            system.config.subdomain,
            {"lead_id": lead_id, "message": "Hola, quiero una hora", "name": patient.name, "phone": patient.phone,
             "specialty": "Traumatología"},
        )
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.post(system.widget_url, json=body)).status_code == 200
        await asyncio.sleep(0.5)
        system.kill_relay()  # accepted, not decided
    finally:
        system.agent.send_signal(signal.SIGCONT)
    system.start_relay()

    reply = await system.kommo.wait_for_continuation(continue_id, 90)
    assert reply.accepted, reply.reason
    assert "turn_resumed" in _relay_log(system)
    assert "traumatolog" in str(data(reply).get("specialty", "")).lower(), texts(reply)
    assert status(reply) in ("choose_day", "choose_time"), texts(reply)


def _journal_rows(system, columns: str) -> list[tuple]:
    path = resolve_paths(system.agent_home).journal_file
    with sqlite3.connect(path) as db:
        return list(db.execute(f"SELECT {columns} FROM bookings"))  # noqa: S608


async def booked_then_moving(patient: Patient) -> tuple[dict, dict]:
    """The patient books the first time offered, asks to move it, and is shown the later day's times: the old
    appointment as the web agenda has it, and that times menu."""
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [old] = patient.appointments()
    assert data(await patient.say("hola, quiero cambiar mi hora")).get("code") == "confirm_move"
    days = await patient.say("Sí, cambiarla")
    later_times = await patient.say(data(days).get("option_2") or data(days)["option_1"])
    assert status(later_times) == "choose_time", texts(later_times)
    return old, later_times


async def moving_slowly(system, patient: Patient, latency_ms: int) -> tuple[dict, asyncio.Task]:
    """The patient books, asks to move it and picks the later day's first time with the web app slowed to
    ``latency_ms``: the old appointment, and the move's reply still to come — once the new appointment is booked
    and the old one not cancelled yet."""
    old, later_times = await booked_then_moving(patient)
    system.admin.set_faults(latency_ms=latency_ms)  # the old appointment's cancel comes seconds after the new booking
    moving = asyncio.create_task(patient.say(buttons(later_times)[0], timeout=120))
    await asyncio.to_thread(wait_for, lambda: ("booked", old["id"], 0) in _journal_rows(
        system, "status, moved_from_booking, moved_old_cancelled"), 60, "the new appointment of the move")
    return old, moving


async def test_an_agent_killed_mid_move_leaves_one_appointment_and_the_patient_is_told_the_truth(fresh_system,
                                                                                                 lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Pedro Mudanza", phone="+56 9 6161 7171")
    old, moving = await moving_slowly(system, patient, latency_ms=700)
    system.kill_agent()  # booked the new one, the old one not cancelled yet
    reply = await moving
    assert status(reply) == "handoff" and data(reply)["booking"] == "unconfirmed", texts(reply)
    assert "Aún no sé si tu hora quedó cambiada" in texts(reply)
    assert "sigue en pie" not in texts(reply)  # the old one may well be gone: never promised

    system.admin.set_faults(latency_ms=0)
    system.start_agent()
    system.wait_for_agent()
    # The agent finishes the move on its own: the old appointment is cancelled, as the patient asked.
    await asyncio.to_thread(wait_for, lambda: len(patient.appointments()) == 1, 60, "the old appointment's cancel")
    [new] = patient.appointments()
    assert new["id"] != old["id"]

    told = await patient.say("hola? se cambió mi hora?")
    assert status(told) == "booked", texts(told)
    assert data(told)["booking_id"] == new["id"] and data(told)["rescheduled_from"] == old["id"]
    assert [a["id"] for a in patient.appointments()] == [new["id"]]


async def test_a_move_cut_short_whose_new_appointment_went_is_never_finished_by_cancelling_the_original(
        fresh_system, lead_id):
    """The agent was killed between booking the new time and cancelling the old one; the new one then went (the
    patient kept the original and had the new one cancelled, or reception deleted it). The agent, started again,
    cancelled the original all the same: the patient was left with no appointment at all."""
    system = fresh_system
    patient = Patient(system, lead_id, "Marta Queda", phone="+56 9 6161 7272")
    old, moving = await moving_slowly(system, patient, latency_ms=700)
    system.kill_agent()  # the new one booked, the old one not cancelled yet
    await moving
    system.admin.set_faults(latency_ms=0)
    [new] = [a for a in patient.appointments() if a["id"] != old["id"]]
    system.admin.cancel(new["id"])  # the new one goes; the original is the one the patient keeps

    system.start_agent()
    system.wait_for_agent()
    await asyncio.to_thread(wait_for, lambda: ("booked", old["id"], 0) not in _journal_rows(
        system, "status, moved_from_booking, moved_old_cancelled"), 60, "the interrupted move settled")
    assert [a["id"] for a in patient.appointments()] == [old["id"]]  # the original stays


async def test_a_move_slower_than_the_deadline_is_carried_through_and_a_take_back_hears_the_truth(
        impatient_system, lead_id):
    """The relay stopped waiting for a slow move: the agent dropped it after booking the new time, and the patient
    held two appointments until they wrote again. The move now goes on to cancel the old one; a "me quedo con la
    original" read meanwhile waits for it and is told the change went through."""
    system = impatient_system
    patient = Patient(system, lead_id, "Rosa Lenta", phone="+56 9 6161 7373")
    old, later_times = await booked_then_moving(patient)

    system.admin.set_faults(latency_ms=1200)
    slow = await patient.say(buttons(later_times)[0], timeout=60)
    assert "Aún no sé si tu hora quedó cambiada" in texts(slow), texts(slow)
    await asyncio.to_thread(wait_for, lambda: [a["id"] for a in patient.appointments()] not in ([old["id"]], []) and
                            old["id"] not in [a["id"] for a in patient.appointments()], 90, "the move carried through")
    system.admin.set_faults(latency_ms=0)
    [new] = patient.appointments()
    told = await patient.say("no, mejor me quedo con la original")
    assert "El cambio alcanzó a hacerse antes de tu mensaje" in texts(told), texts(told)
    assert [a["id"] for a in patient.appointments()] == [new["id"]]


async def test_a_receptionist_deleting_the_old_appointment_during_a_move_is_a_finished_move(fresh_system, lead_id):
    """The receptionist deleted the old appointment while the bot was moving it: the patient was told "no pude
    cancelar la anterior" and reception "cancélela en la agenda" — with only the new one left, the one they would
    have cancelled. Gone is what the move wanted: it is told as done."""
    system = fresh_system
    patient = Patient(system, lead_id, "Felipe Borra", phone="+56 9 6161 7373")
    old, moving = await moving_slowly(system, patient, latency_ms=1000)
    system.admin.cancel(old["id"])  # the receptionist, in the web app, at that moment
    reply = await moving
    system.admin.set_faults(latency_ms=0)
    assert status(reply) == "booked" and data(reply)["previous_cancelled"] is True, texts(reply)
    assert "no pude cancelar" not in texts(reply) and "Cambié tu hora" in texts(reply)
    [new] = patient.appointments()
    assert new["id"] == data(reply)["booking_id"] != old["id"]


async def test_an_agent_stopped_mid_booking_answers_it_before_it_goes(fresh_system, lead_id):
    """The receptionist quits the tray (or the PC shuts down) while the bot is booking: the agent finishes the
    booking and sends its answer before it closes the link, so the patient hears "reservada", not "Aún no sé"."""
    system = fresh_system
    patient = Patient(system, lead_id, "Lidia Cierre")
    _, booking = await _pick_with_a_slow_web_app(system, patient, latency_ms=700)

    system.agent.send_signal(signal.SIGTERM)
    reply = await booking
    assert status(reply) == "booked", texts(reply)
    assert "Tu hora quedó reservada" in texts(reply)
    assert await asyncio.to_thread(system.agent.wait, 60) == 0
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]


async def test_a_failed_booking_reception_then_made_at_the_desk_is_told_as_booked(impatient_system, lead_id):
    """"Aún no sé…", the agent then found it not saved; reception, acting on the task, booked that very time for the
    patient in the web app. Her "¿quedó mi hora?" heard "no se pudo reservar" — about an appointment she had."""
    system = impatient_system
    patient = Patient(system, lead_id, "Gabriel Núñez", phone="+56 9 1111 0013")
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]
    system.admin.set_faults(latency_ms=1500, fail_writes=True)
    first = await patient.say(pick, timeout=60)
    assert data(first)["booking"] == "unconfirmed", texts(first)
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["failed"], 60, "the agent to give up")
    system.admin.set_faults(latency_ms=0, fail_writes=False)
    # A read of the agenda begun while the web app was slow may still be under way, and the day's re-read below joins
    # it (a read through next week's Tuesday, on a Saturday, took longer than the re-read's two seconds): its end, or
    # 20 s.
    await asyncio.to_thread(_read_since, system, datetime.now(UTC), 20)
    chosen = data(first)
    system.admin.book(chosen["requested_professional"], chosen["requested_start"], patient_name="Gabriel Nuñez",
                      patient_phone="+56 9 1111 0013")  # at the desk, as the task asked

    reply = await patient.say("hola, ¿quedó mi hora?")
    assert status(reply) == "booked", texts(reply)
    assert "no se pudo reservar" not in texts(reply)
    [appointment] = [a for a in system.admin.appointments() if a["patient_phone"] == "+56 9 1111 0013"]
    assert data(reply)["booking_id"] == appointment["id"]  # the desk's, once
