"""«Ya tienes hora el jueves 3 a las 10:00…», then "cámbiala para otra hora el mismo jueves" or "a otra hora el mismo
día": once they say yes to the move, that Thursday's other times — it showed every day again, as if no day was said.
And "¿me la puedes pasar a otra hora?" is that move: it was read as «Una hora más», a second appointment beside it."""

from __future__ import annotations

from conversation_kit import buttons, texts
from test_dialogue_the_time_they_have import told_of_theirs


def test_another_time_the_same_day_shows_that_days_times() -> None:
    for message in ("cámbiala para otra hora el mismo jueves", "quiero cambiarla a otra hora el mismo día",
                    "¿me la puedes pasar a otra hora ese mismo día?"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00"), message
        reply = chat.say("sí")
        assert "Jue 3 dic" in texts(reply) and "Estos son los próximos días" not in texts(reply), message
        assert "09:00" in buttons(reply) and "10:00" not in buttons(reply), message
        assert not chat.books, message
    chat = told_of_theirs(english=True)
    chat.say("can you move it to another time the same day?")
    reply = chat.say("yes")
    assert "Thu 3 Dec" in texts(reply) and "09:00" in buttons(reply), texts(reply)


def test_a_move_said_with_pasar_is_a_move_never_one_more() -> None:
    for message in ("¿me la puedes pasar a otra hora?", "me la pasas a otra hora?", "pásala a otra hora",
                    "¿me la puedes pasar para otro día?"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00"), message
        assert not chat.books, message
