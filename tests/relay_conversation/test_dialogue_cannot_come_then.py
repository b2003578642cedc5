"""A day the patient cannot come, said beside what they want done: "cancela mi hora, no puedo ir el jueves" cancels,
"…, la otra semana puede ser?" moves, "el jueves no puede" (someone else) rules the day out, and the day stays out
of the menus that follow («¿Confirmo…?», «¿Cuál quieres cambiar?»)."""

from __future__ import annotations

from conversation_kit import EN, Chat, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import FRI_16, THU_10
from test_dialogue_move_which import slots as free


def test_cancel_asked_beside_the_day_they_cannot_come_cancels_it():
    """"cancela mi hora, no puedo ir el jueves" and "no puedo ir el jueves, cancélala" with Thursday 3's were asked
    «¿Cambio tu hora del jueves 3…?» and "sí" showed the days for a new time: the "no puedo ir el jueves" was read as
    a day asked for. They asked to cancel: «¿Cancelo tu hora del jueves 3…?», and "sí" cancels it."""
    for english, message in (
            (False, "cancela mi hora, no puedo ir el jueves"),
            (False, "no puedo ir el jueves, cancélala"),
            (False, "no puedo ir el jueves, cancelala porfa"),
            (False, "quiero cancelar, no puedo ir el jueves"),
            (False, "cancelen mi turno que no puedo ir el jueves"),
            (False, "no podemos ir el jueves, anule la hora por favor"),
            (True, "cancel my appointment, I can't make it thursday")):
        for bookings in ((THU_10,), (THU_10, FRI_16)):
            agent = ClinicAgent(*bookings)
            chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
            asked = texts(chat.say(message))
            assert ("Shall I cancel your appointment on Thursday 3" if english else "¿Cancelo tu hora del jueves 3") \
                in asked, (message, asked)
            done = texts(chat.say("yes" if english else "sí"))
            assert list(agent.cancelled.values()) == ["bk-7"] and not agent.moved, (message, done)


def test_cannot_come_then_another_day_is_still_a_move():
    """Beside "no puedo ir el jueves" a day asked for ("¿puedo ir el lunes?") still moves it, "cancela" or not."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("no puedo ir el jueves, ¿otro día?"))
