""""¿Sigo teniendo la hora del martes, cierto?": the patient's appointments, and said first when there is none that
day (reception may have cancelled it) — never a list of free times read as "yes"."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

MON = WireBooking("bk-1", "2026-12-07T10:00:00-03:00", "2026-12-07T10:30:00-03:00", "Dra. Ana Soto", patient="Ana Pérez")


def chat_with(*bookings: WireBooking) -> Chat:
    return Chat(replace(agenda(range(2, 16), [(9, 0), (10, 0)]), finds_bookings=True),
                appointments=ClinicAgent(*bookings))


def test_asked_whether_an_appointment_still_stands_the_day_with_none_is_said():
    reply = chat_with(MON).say("hola otra vez, sigo teniendo la hora del martes con el traumatologo cierto?")
    assert "No tienes hora el martes 8 de diciembre." in texts(reply)
    assert "lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto" in texts(reply)


def test_asked_whether_it_still_stands_with_none_at_all_is_told_so():
    reply = chat_with().say("todavía tengo hora el martes?")
    assert "No encontré horas próximas con este número de teléfono." in texts(reply)


def test_the_one_that_stands_is_said_so():
    reply = chat_with(MON).say("sigo teniendo la hora del lunes cierto?")
    assert "tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto sigue en pie" in texts(reply)


def test_asked_whether_all_is_well_with_tomorrows_appointment_that_reception_deleted_it_is_said_there_is_none():
    """"Mañana voy a la kine igual, ¿está todo bien con mi hora?" got "Ya tienes hora el lunes…" (another one): read
    as "all fine", she would have come tomorrow for an appointment reception had deleted."""
    reply = chat_with(MON).say("hola, mañana voy a la kine igual, ¿está todo bien con mi hora?")
    assert "No tienes hora el miércoles 2 de diciembre." in texts(reply)  # tomorrow (today is Tuesday 1)
