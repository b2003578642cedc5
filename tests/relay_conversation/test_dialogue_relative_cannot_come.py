""""Mi esposo no puede ir el jueves" from a phone holding the writer's own Thursday appointment and others': the
relative's is the one asked about, never the writer's as if it were theirs."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, buttons, texts
from test_dialogue_appointments import THU, ClinicAgent

from wire.appointments import WireBooking

HIS_THU = WireBooking("bk-h", "2026-12-03T15:00:00-03:00", "2026-12-03T15:30:00-03:00", "Dra. Ana Soto",
                      patient="Pedro Pérez")
ROSA_FRI = WireBooking("bk-r", "2026-12-04T11:00:00-03:00", "2026-12-04T11:30:00-03:00", "Dra. Ana Soto",
                       patient="Rosa Díaz")
MINE_THU = replace(THU, patient="Ana Pérez")


def chat(*bookings: WireBooking) -> tuple[ClinicAgent, Chat]:
    agent = ClinicAgent(*bookings)
    return agent, Chat(replace(agenda([2, 4, 7], [(9, 0), (10, 0)]), finds_bookings=True), appointments=agent)


def test_the_relatives_appointment_that_day_is_the_one_asked_about_and_cancelled():
    for message in ("hola, mi esposo no va a poder ir el jueves, cancelenla porfa", "my husband can't make it thursday"):
        agent, patient = chat(MINE_THU, HIS_THU)
        reply = patient.say(message)
        assert "Pedro Pérez" in texts(reply) and "15:00" in texts(reply), message
        patient.say(buttons(reply)[0])
        assert list(agent.cancelled.values()) == ["bk-h"], message


def test_the_writers_own_appointment_is_said_to_be_theirs_when_the_relative_has_none_that_day():
    agent, patient = chat(MINE_THU, ROSA_FRI)
    reply = patient.say("mi esposo no puede ir el jueves")
    assert texts(reply).startswith("¡Hola, Ana! Soy el asistente de citas de Clínica Sol. No encontré una hora de esa"
                                   " persona con este número; esta es la tuya:")


def test_a_relative_of_the_other_sex_than_the_one_booked_is_not_taken_for_them():
    agent, patient = chat(MINE_THU, replace(HIS_THU, patient="Tomás Pérez", booking_id="bk-t"))
    reply = patient.say("mi mamá no va a poder ir")
    assert "No encontré una hora de esa persona con este número." in texts(reply)
    assert "¿Cancelo la hora de Tomás Pérez" not in texts(reply)
    reply = chat(MINE_THU, replace(HIS_THU, patient="Tomás Pérez", booking_id="bk-t"))[1].say("mi hijo no puede ir")
    assert "¿Cancelo la hora de Tomás Pérez del jueves 3 de diciembre a las 15:00" in texts(reply)
