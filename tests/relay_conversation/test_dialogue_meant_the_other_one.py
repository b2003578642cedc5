"""While the new time of Thursday's move is chosen, "I meant the friday one", "no, quise decir la del viernes", "la
que quiero cambiar es la del viernes": Friday's appointment is the one asked about («¿Cambio tu hora del viernes…?»),
never Thursday's moved to Friday with a tap of a time."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

DAYS = agenda([2, 3, 4, 7], [(9, 0), (10, 0), (15, 0)])


def test_the_other_appointment_meant_is_asked_about_never_this_one_moved():
    for message, clinic, asked in (
            ("wait, I meant the friday one", EN, "Shall I change your appointment on Friday 4 December at 16:00"),
            ("sorry I mean the one with Dr. Rojas", EN, "Shall I change your appointment on Friday 4 December at 16:00"),
            ("no, quise decir la del viernes", None, "¿Cambio tu hora del viernes 4 de diciembre a las 16:00"),
            ("la que quiero cambiar es la del viernes", None, "¿Cambio tu hora del viernes 4 de diciembre a las 16:00"),
            ("no, la del viernes", None, "¿Cambio tu hora del viernes 4 de diciembre a las 16:00")):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(DAYS, appointments=agent, **({"clinic": clinic} if clinic else {}))
        chat.say("reschedule my thursday appointment" if clinic else "quiero cambiar mi hora del jueves")
        chat.say("yes" if clinic else "sí")
        reply = chat.say(message)
        assert asked in texts(reply), message
        chat.say("1")  # its "Sí, cambiarla": the new time of Friday's
        chat.say("1")
        assert "bk-7" not in [m[0] for m in agent.moved.values()] and not agent.cancelled, message


def test_the_new_day_said_again_is_still_this_ones():
    agent = ClinicAgent(THU, FRI)
    chat = Chat(DAYS, appointments=agent, clinic=EN)
    chat.say("reschedule my thursday appointment")
    chat.say("yes")
    reply = chat.say("I mean friday")
    assert "Friday 4 December at 16:00" not in texts(reply) and "Shall I change" not in texts(reply)
