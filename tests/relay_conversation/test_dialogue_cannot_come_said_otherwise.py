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


def test_a_new_one_asked_for_beside_the_day_they_cannot_come_leaves_that_day_out():
    """"quiero hora con medicina general, no puedo ir el jueves" from a phone with no appointment showed Thursday 3's
    times («¿Qué hora … el Jue 3 dic?»): the day they cannot come, read as the day asked for. Now the days without
    the Thursdays («Entendido, sin ese día»), and a day named again after it ("…, el jueves 10 sí") is still asked for."""
    for message in ("hola quiero hora con medicina general, no puedo ir el jueves",
                    "necesito una cita con medicina general, no voy a poder ir el jueves",
                    "quiero una hora con medicina general pero no alcanzo a llegar el jueves"):
        chat = Chat(free(), appointments=ClinicAgent())
        days = texts(chat.say(message))
        assert "Jue 3 dic" not in days and "jueves 3 de diciembre" not in days and "miércoles 2 de diciembre" in days, \
            (message, days)
        chat.say("1")
        chat.say("1")
        chat.say("sí")
        assert [b.slot.start[:10] for b in chat.books] == ["2026-12-02"], (message, chat.books)
    chat = Chat(free(), appointments=ClinicAgent())
    assert "Jue 10 dic" in texts(chat.say("quiero hora con medicina general, no puedo ir el jueves 3, el jueves 10 si"))
