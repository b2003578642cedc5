""""Mi marido no puede ir el jueves" from a phone holding the writer's appointment and a relative's: the bot cannot
tell which relative an appointment is (no relation is recorded), so it lists them and the patient picks; it never
asks about one relative's as if it were another's, nor says a relative has none when he has one."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, texts
from test_dialogue_appointments import THU, ClinicAgent

from wire.appointments import WireBooking

MINE_THU = replace(THU, patient="Ana Pérez")
SONS_THU = WireBooking("bk-t", "2026-12-03T11:30:00-03:00", "2026-12-03T12:00:00-03:00", "Dra. Ana Soto",
                       patient="Tomás Pérez")


def chat(*bookings: WireBooking) -> Chat:
    return Chat(replace(agenda([2, 4, 7], [(9, 0), (10, 0)]), finds_bookings=True), appointments=ClinicAgent(*bookings))


def test_the_husband_is_never_taken_for_the_son() -> None:
    for message in ("mi marido no va a poder ir", "mi esposo no puede ir el jueves", "my husband can't make it"):
        said = texts(chat(MINE_THU, SONS_THU).say(message))
        assert "Tomás Pérez" in said and "11:30" in said and "10:00" in said, message  # both listed
        assert "¿Cancelo la hora de Tomás" not in said and "¿Cambio la hora de Tomás" not in said, message


def test_a_relative_with_an_appointment_is_never_said_to_have_none() -> None:
    said = texts(chat(MINE_THU, SONS_THU).say("mi hijo no puede ir a las 10"))
    assert "No encontré una hora de esa persona" not in said
