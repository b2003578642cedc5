"""At «¿Confirmo…?» and «¿Cancelo tu hora…?», an answer put off ("mañana te confirmo", "I'll let you know") is neither
a yes nor a day asked for.

"mañana te confirmo" at a new booking's «¿Confirmo el lunes…?» showed **tomorrow's times** (its "mañana" read as the
day wanted), and "te confirmo en la tarde" the afternoon's; at «¿Cancelo tu hora…?», "ya, pero confirmo después"
**cancelled it** on its "ya". Each now has the question again, with a word that nothing is held meanwhile (a booking)
or that we wait (a cancel); "te confirmo", "sí, te confirmo" are the yes they say.
"""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_cancel_question_misread import at_the_cancel_question

MONDAY = agenda(range(2, 15), [(9, 0), (10, 0), (11, 40), (16, 0)])
ASKED = ("¿Confirmo el lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?",
         "Shall I book Monday 7 December at 10:00 with Dra. Ana Soto?")


def at_the_confirm_question(english: bool) -> Chat:
    chat = Chat(MONDAY, clinic=EN) if english else Chat(MONDAY)
    asked = texts(chat.say("hi, I need an appointment on monday at 10" if english
                           else "hola, quiero hora el lunes a las 10"))
    assert asked.endswith(ASKED[english]), asked
    return chat


def test_an_answer_put_off_at_a_new_booking_is_the_question_again_nothing_held() -> None:
    for answer, english in (("mañana te confirmo", False), ("te confirmo en la tarde", False),
                            ("después te confirmo", False), ("sí, mañana confirmo", False),
                            ("ya, pero confirmo después", False), ("más rato te digo", False),
                            ("I'll confirm tomorrow", True), ("I'll let you know later", True),
                            ("I'll get back to you", True)):
        chat = at_the_confirm_question(english)
        said = texts(chat.say(answer))
        assert said == (f"Sure. Just so you know, the time is not held until you confirm it here. {ASKED[True]}"
                        if english else
                        f"Claro. Ojo: la hora no queda reservada hasta que la confirmes aquí. {ASKED[False]}"), answer
        assert chat.books == [], answer
        chat.say("Yes" if english else "Sí")  # then the yes: booked
        assert [b.slot.start for b in chat.books] == ["2026-12-07T10:00:00-03:00"], answer


def test_i_confirm_is_the_yes() -> None:
    for answer in ("te confirmo", "sí, te confirmo", "sí te confirmo la hora"):
        chat = at_the_confirm_question(False)
        assert texts(chat.say(answer)).startswith("¡Listo, Ana! Tu hora quedó reservada"), answer


def test_an_answer_put_off_at_the_cancel_question_cancels_nothing() -> None:
    for answer, english in (("ya, pero confirmo después", False), ("mañana te confirmo", False),
                            ("I'll let you know", True), ("yes I'll confirm later", True)):
        chat, agent = at_the_cancel_question(english)
        said = texts(chat.say(answer))
        assert said.startswith("Of course, take your time." if english else "Claro, te espero."), answer
        assert agent.cancelled == {}, answer
    for answer in ("sí te confirmo la hora", "confirmo mi hora"):  # the appointment confirmed, not its cancel
        chat, agent = at_the_cancel_question(False)
        assert texts(chat.say(answer)).startswith("Solo para estar seguros: ¿Cancelo tu hora"), answer
        assert agent.cancelled == {}, answer
    chat, agent = at_the_cancel_question(False)
    chat.say("sí, te confirmo")
    assert list(agent.cancelled.values()) == ["thu-own"]
