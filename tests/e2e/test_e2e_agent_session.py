"""The clinic web app's login ending in the middle of a booking (the session idled out), as the agent's timing meets
it: the booking form was open and filled, and the check of the slot just before saving found the session gone. The
new login took the page — and the filled form with it — and the driver clicked "Guardar cita" on a page without it,
15 s a try, four tries: the patient heard "Aún no sé si tu hora quedó reservada", then "no se pudo reservar", the
free time was given to the next patient meanwhile, and reception was told to call her. The form is opened again
after the new login: the patient is told "reservada", with one appointment.

The session ending between the agent's first read of a request and the reads it makes side by side (every week of
every professional, to find a patient's appointments or the free times): each of those reads found it over and logged
in on the one page at once, the logins aborted each other's navigation, and every read failed — a patient asking to
cancel was handed to reception ("no pude revisar"), a cancel under way was "Aún no sé". One login now serves them
all.

The session ending as the agenda page itself read the week (the page went to the login screen): the driver waited
15 s for the week and took the login screen for a changed web app; ending just before "Confirmar anulación" was sent
(401): the patient was told "No pude cancelar tu hora: sigue reservada" and handed to reception. Both log in again and
carry on: "cancelé tu hora"."""

from __future__ import annotations

import asyncio
import sys
import threading
from datetime import UTC, datetime

from agent_journal import journal_statuses
from patient import Patient, buttons, data, status, texts
from polling import wait_for


def _expire_at_the_next_agenda_read(system) -> threading.Event:
    """Ends every session of the stand-in web app as the next read of an agenda week is answered (that read itself is
    answered: its session was checked first). Set once it happened."""
    agenda = system.portal_state.agenda
    original = agenda.day
    done = threading.Event()

    def day(professional, when):
        if not done.is_set():
            done.set()
            system.portal_state.sessions.expire_all()
        return original(professional, when)

    agenda.day = day
    return done


async def test_a_session_ending_while_the_booking_form_is_open_still_books_once(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Sara Sesión", phone="+56 9 6262 5151")
    times = await patient.reach_time_menu()
    system.admin.set_faults(latency_ms=400)  # time to see the booking start before the agenda page is read
    booking = asyncio.create_task(patient.say(buttons(times)[0], timeout=120))
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60,
                            "the booking to start")
    # The agenda page opens the week (its session still good); the form is filled; the driver's own check of the
    # slot right before saving finds the session gone.
    expired = _expire_at_the_next_agenda_read(system)
    reply = await booking
    system.admin.set_faults(latency_ms=0)
    assert expired.is_set()
    assert status(reply) == "booked", texts(reply)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]
    assert journal_statuses(system.agent_home) == ["booked"]


async def test_a_session_ending_between_the_reads_of_a_request_logs_in_once_and_answers(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Tomás Lecturas", phone="+56 9 6262 5252")
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    system.wait_for_a_read_since(datetime.now(UTC))  # the agent's own read of that day after booking, done
    # The patient's appointments are read week by week, side by side; the first week read ends every session (the
    # receptionist logged in with the same user at the desk, say): the other weeks find the session over.
    logins_before = system.admin.login_counts()["password_ok"]
    expired = _expire_at_the_next_agenda_read(system)
    ask = await patient.say("quiero cancelar mi hora")
    assert expired.is_set()
    assert data(ask).get("code") == "confirm_cancel", texts(ask)
    assert system.admin.login_counts()["password_ok"] == logins_before + 1  # one login for them all
    done = await patient.say(buttons(ask)[0])
    assert status(done) == "cancelled", texts(done)
    assert data(done)["booking_id"] == appointment["id"] and patient.appointments() == []


def _expire_as_the_web_app_checks_the_session_of(system, handler: str, from_the_page: bool = False) -> threading.Event:
    """Ends every session of the stand-in web app just before it checks the session of the next call to ``handler``
    (its page handler's name: "api_week", "api_cancel"); ``from_the_page``: only a call the agenda page's own script
    makes (the browser's fetch), not the agent's reads. Set once it happened."""
    sessions = system.portal_state.sessions
    original = sessions.touch
    done = threading.Event()

    def touch(session_id):
        if not done.is_set():
            caller = sys._getframe(1).f_back  # Pages._session's caller: the page handler
            request = caller.f_locals.get("request") if caller is not None else None
            if caller is not None and caller.f_code.co_name == handler and request is not None and (
                    not from_the_page or request.headers.get("sec-fetch-mode") == "cors"):
                done.set()
                sessions.expire_all()
        return original(session_id)

    sessions.touch = touch
    return done


async def _booked_and_asked_to_cancel(system, patient: Patient) -> tuple[dict, object]:
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    ask = await patient.say("quiero cancelar mi hora")
    assert data(ask).get("code") == "confirm_cancel", texts(ask)
    return appointment, ask


async def test_a_session_ending_as_the_agenda_page_reads_the_week_is_no_changed_web_app(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Ulises Página", phone="+56 9 6262 5353")
    appointment, ask = await _booked_and_asked_to_cancel(system, patient)
    expired = _expire_as_the_web_app_checks_the_session_of(system, "api_week", from_the_page=True)
    done = await patient.say(buttons(ask)[0])
    assert expired.is_set()
    assert status(done) == "cancelled", texts(done)
    assert data(done)["booking_id"] == appointment["id"] and patient.appointments() == []
    log_text = (system.agent_home / "logs" / "agent.log").read_text(errors="replace")
    assert "looks different than expected" not in log_text


async def test_a_session_ending_just_before_the_cancel_is_sent_logs_in_again_and_cancels(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Valeria Anula", phone="+56 9 6262 5454")
    appointment, ask = await _booked_and_asked_to_cancel(system, patient)
    expired = _expire_as_the_web_app_checks_the_session_of(system, "api_cancel")
    done = await patient.say(buttons(ask)[0])
    assert expired.is_set()
    assert status(done) == "cancelled", texts(done)
    assert "sigue reservada" not in texts(done)
    assert data(done)["booking_id"] == appointment["id"] and patient.appointments() == []
