"""Words the reader must read as numbers, days and times, and the everyday words it must leave alone.

Pure: the reading a patient's first message gets (today: Tuesday 1 December 2026, the corpus clinic's staff).
"""

from __future__ import annotations

import pytest
from corpus_kit import describe, reading_of


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # numbers and clock phrases in words
        ("a las diez y media", "book time=10:30/22:30"),
        ("a la una y media de la tarde", "book time=13:30"),
        ("quarter to eleven", "book time=10:45/22:45"),
        # (were 10:00 for "ten past three", nothing for the others)
        ("at ten past three", "book time=03:10/15:10"),
        ("twenty past four", "book time=04:20/16:20"),
        ("at half four", "book time=04:30/16:30"),
        ("2026-12-10", "book day=2026-12-10"),  # a date as a computer writes it (was read as 12 October)
        ("a las doce menos cuarto", "book time=11:45/23:45"),
        ("at three fifteen", "book time=03:15/15:15"),
        ("el veintitrés", "book day=2026-12-23"),
        ("the twenty-first", "book day=2026-12-21"),
        ("el primero de enero", "book day=2027-01-01"),
        ("a las 19 hs", "book time=19:00"),
        ("a las 8h", "book time=08:00"),
        ("a las 9 con 40", "book time=09:40/21:40"),
        ("mañana 11 con 15", "book day=2026-12-02 time=11:15/23:15"),
        ("tengo hora o no?", "my_bookings"),
        ("Bom dia, gostaria de remarcar minha consulta", "reschedule"),
        ("quero desmarcar minha consulta", "cancel"),
        # everyday words that are not numbers, days or times
        ("I need to come in at once", "book earliest=yes"),
        ("quiero una hora", "book"),
        ("me duele hace 2 horas, necesito hora", "book"),
        ("it's my first appointment", "book"),
        ("mi hijo tiene 5 años, hora con pediatra", "book spec=pediatria"),
        ("hace 2 semanas me caí", "none"),
        ("good afternoon", "none"),
        ("el primero disponible", "book earliest=yes"),
        # days said relative to today or to other days
        ("el sábado que viene", "book day=2026-12-05"),
        ("el otro lunes", "book day=2026-12-07"),
        ("the Monday after next", "book day=2026-12-14"),
        ("dentro de 10 días", "book day=2026-12-11"),
        ("in 3 weeks", "book week=2026-12-21"),
        ("the week of the 14th", "book week=2026-12-14"),
        ("on the weekend", "book day=2026-12-05"),
        ("pasado mañana en la tarde", "book day=2026-12-03 part=pm"),
        # everyday words one letter from a day, a month or a request: never corrected into one
        ("me sirven todas las mañanas", "book part=am"),
        ("cualquier mañana", "book part=am"),
        ("las tardes me acomodan", "book part=pm"),
        ("hora para mí y junto con mi hija el lunes", "book day=2026-12-07"),
        ("soy Julia, hora el viernes", "book day=2026-12-04"),
        # (were read as Friday, December, "agendar" and "change")
        ("hora para mi hija Frida Soto el lunes", "book day=2026-12-07"),
        ("I don't remember my appointment time, when is it?", "my_bookings"),
        ("let me check my calendar", "none"),
        ("any chance of an appointment tomorrow?", "book day=2026-12-02"),
        # ranges and bounds
        ("entre las 10 y las 12", "book after=10:00 before=12:00"),
        ("from 2 to 4", "book after=14:00 before=16:00"),
        ("10-12am", "book after=10:00 before=12:00"),
        ("no antes de las 9", "book after=09:00"),
        ("not after 5pm", "book before=17:00"),
        # days and parts ruled out
        ("el viernes no puedo, el lunes sí", "book day=2026-12-07"),
        ("cualquier día excepto el jueves", "book anytime=yes"),
        ("Monday is no good, Tuesday?", "book day=2026-12-08"),
        ("en la tarde no puedo", "book"),
        ("no voy a poder ir el jueves, cancelen por favor", "cancel day=2026-12-03"),
    ],
)
def test_reading(message, expected):
    assert describe(reading_of(message)) == expected


def test_a_name_is_what_follows_con_not_every_leftover_word():
    from datetime import date

    from relay.conversation.freetext import read

    today = date(2026, 12, 1)
    long = "hola, necesito una hora con el traumatologo pa la proxima semana, idealmente en la tarde"
    assert read(long, today, names={"soto"}).named == ()
    assert read("con la dra soto o rojas", today, names={"soto", "rojas"}).named == ("soto", "rojas")
    assert read("quiero hora con martinez el lunes", today, names={"soto"}).named == ("martinez",)
    assert read("con el dr que me atendió la otra vez", today, names={"soto"}).named == ()
