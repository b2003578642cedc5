"""The demo chat as the patient reads it, and the demo's closing summary (pure code, real relay bodies)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from demo.commands.chat import random_phone
from demo.kommo.chat_view import TEXTS, Style, bot_turn, render_turn
from demo.summary import appointments_made, local_when, summary_lines
from relay.conversation.replies import continuation

SANTIAGO = ZoneInfo("America/Santiago")


def test_a_paragraph_the_relay_cut_into_several_shows_is_one_message_again():
    long = ("Elige la nueva hora; la del jueves 3 de diciembre a las 08:30 con el Dr. Andrés Rojas se cancelará "
            "cuando la nueva quede reservada.")
    question = "¿Cancelo tu hora del viernes 4 de diciembre a las 09:30 con Dr. Andrés Rojas, Traumatología?"
    paragraphs = [long, "Sorry, I didn't get that. Pick a time with the buttons or type it (e.g. \"10:30\").",
                  "Estos son los días:", "1. lunes 7 de diciembre"]
    body = continuation({"status": "choose_day"}, paragraphs, question, ["Sí, cancelar", "No"], 1)
    assert len(body["execute_handlers"]) > len(paragraphs) + 2  # the relay did cut them (80 characters a show)

    turn = bot_turn(body)
    assert [m.text for m in turn.messages] == [*paragraphs, question]
    assert turn.messages[-1].buttons == ("Sí, cancelar", "No")
    lines = render_turn(turn, TEXTS["es"], Style(color=False), width=60)
    assert sum(line.startswith("Bot › ") for line in lines) == len(paragraphs) + 1  # no invented message
    assert all(len(line) <= 60 for line in lines)


def test_each_demo_patient_gets_another_phone():
    phones = {random_phone() for _ in range(50)}
    assert len(phones) == 50 and all(p.startswith("+56 9 ") and len(p) == 15 for p in phones)


def test_the_summary_lists_booked_cancelled_and_moved_in_the_clinics_language_and_time():
    seen = [
        {"status": "choose_day"},
        {"status": "booked", "booking_id": "901", "start": "2026-12-04T15:30:00-03:00", "professional": "Dr. Rojas"},
        {"status": "cancelled", "booking_id": "901", "start": "2026-12-04T15:30:00-03:00", "professional": "Dr. Rojas"},
        {"status": "booked", "booking_id": "902", "start": "2026-12-04T16:00:00-03:00", "professional": "Dr. Rojas"},
        {"status": "booked", "booking_id": "902", "start": "2026-12-04T16:00:00-03:00", "professional": "Dr. Rojas",
         "repeat": True},  # the same booking said again
        {"status": "booked", "booking_id": "903", "start": "2026-12-07T12:00:00Z", "professional": "Dr. Rojas",
         "rescheduled_from": "902", "previous_cancelled": True},
    ]
    made = appointments_made(seen)
    assert [(a.booking_id, a.state) for a in made] == [("901", "cancelled"), ("902", "moved"), ("903", "booked")]

    spanish = summary_lines(made, language="es", tz=SANTIAGO, zone_name="America/Santiago", in_agenda={"903"})
    assert spanish == [
        "Citas que hizo esta demo (hora de America/Santiago):",
        "  1. cancelada: viernes 4 de diciembre, 15:30, Dr. Rojas — ya no está en la agenda",
        "  2. cambiada: viernes 4 de diciembre, 16:00, Dr. Rojas → pasó al lunes 7 de diciembre, 09:00"
        " — ya no está en la agenda",
        "  3. reservada: lunes 7 de diciembre, 09:00, Dr. Rojas (en lugar de la del viernes 4 de diciembre, 16:00)"
        " — en la agenda de la clínica",
    ]  # 12:00 UTC is 09:00 in Santiago
    english = summary_lines(made, language="en", tz=SANTIAGO, zone_name="America/Santiago", in_agenda=set())
    assert english[0] == "Appointments this demo made (America/Santiago time):"
    assert english[1] == "  1. cancelled: Friday 4 December, 15:30, Dr. Rojas — no longer in the agenda"
    assert english[3].endswith("— NOT in the clinic's agenda!")
    assert summary_lines([], language="en", tz=SANTIAGO, zone_name="x") == ["This demo booked no appointment."]
    assert local_when("2026-12-06T23:30:00+00:00", SANTIAGO, "es") == "domingo 6 de diciembre, 20:30"


def test_a_move_whose_old_appointment_could_not_be_cancelled_keeps_both():
    seen = [
        {"status": "booked", "booking_id": "1", "start": "2026-12-04T15:30:00-03:00", "professional": "P"},
        {"status": "handoff", "reason": "previous_not_cancelled", "booking_id": "2",
         "start": "2026-12-05T10:00:00-03:00", "professional": "P", "rescheduled_from": "1",
         "previous_cancelled": False},
    ]
    assert [(a.booking_id, a.state) for a in appointments_made(seen)] == [("1", "booked"), ("2", "booked")]
