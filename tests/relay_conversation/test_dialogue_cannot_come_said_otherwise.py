"""The day a patient cannot come, said in other words than "no puedo ir el jueves": with a typo ("no pueod ir"),
"no me da el tiempo", "no llego", for their son ("mi hijo no puede ir el jueves"), "este jueves", or in English —
read as that appointment not kept (asked «¿Cambio…?» or «¿Cancelo…?», never done without a yes), and the day left
out of the new days."""

from __future__ import annotations

from conversation_kit import Chat, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import THU_10
from test_dialogue_move_which import slots as free


def test_cannot_come_with_a_typo_is_read_as_cannot_come():
    """"no pueod ir el jueves" (a slip of the fingers) with Thursday 3's was «Ya tienes hora el jueves 3… ¿Quieres una
    hora más, cambiarla o cancelarla?», the day they cannot come not heard; now as "no puedo ir el jueves":
    «¿Cambio tu hora del jueves 3…?», and after "sí" the new days leave Thursday 3 out."""
    for message in ("no pueod ir el jueves", "no pudeo ir el jueves", "no peudo ir el jueves"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked, (message, asked)
        days = texts(chat.say("sí"))
        assert "jueves 3 de diciembre" not in days.split("reservada.")[-1] and "viernes 4 de diciembre" in days, \
            (message, days)
        assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("no pueod ir el jueves, cancelala"))
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-7"]
