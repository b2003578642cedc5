"""The clinic web app's login ending in the middle of a booking (the session idled out), as the agent's timing meets
it: the booking form was open and filled, and the check of the slot just before saving found the session gone. The
new login took the page — and the filled form with it — and the driver clicked "Guardar cita" on a page without it,
15 s a try, four tries: the patient heard "Aún no sé si tu hora quedó reservada", then "no se pudo reservar", the
free time was given to the next patient meanwhile, and reception was told to call her. The form is opened again
after the new login: the patient is told "reservada", with one appointment."""

from __future__ import annotations

import asyncio
import threading

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
