"""A move "to the same time next week" ("a la misma hora la próxima semana"): the appointment's weekday that week,
at its time — never the very slot it already has, "moved" onto itself."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

DAYS = agenda(range(2, 12), [(9, 0), (10, 0), (15, 0)])


def test_same_time_next_week_is_its_weekday_a_week_on():
    for message, clinic, yes, said in (
            ("can I move my thursday appointment to the same time next week?", EN, "yes",
             "Shall I book Thursday 10 December at 10:00"),
            ("move thursday's appointment to the same time next week", EN, "yes",
             "Shall I book Thursday 10 December at 10:00"),
            ("cambia mi hora del jueves a la misma hora la proxima semana", None, "sí",
             "¿Confirmo el jueves 10 de diciembre a las 10:00"),
            ("cambia la del jueves para el mismo horario la otra semana", None, "sí",
             "¿Confirmo el jueves 10 de diciembre a las 10:00")):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(DAYS, appointments=agent, **({"clinic": clinic} if clinic else {}))
        chat.say(message)
        reply = chat.say(yes)
        assert said in texts(reply), message
        chat.say(yes)
        assert list(agent.moved.values()) == [("bk-7", "2026-12-10T1000.4918")], message
        assert not chat.books and not agent.cancelled, message
