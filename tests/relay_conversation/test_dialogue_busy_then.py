"""A time or day the patient is busy with something else is one they cannot come: "a las 10 tengo otra cita", "el
jueves estoy ocupada", "tengo clases en la mañana", "I have a meeting at 10". Each was read as asking for it —
«¿Confirmo … a las 10:00?», the day's times offered — and at a confirmation "ok, a las 16 entonces, a las 10 tengo
reunión" booked 10:00. Now each is left out as "a las 10 no puedo" is; busy words that say more ("el jueves trabajo
de 9 a 13, ¿tienes a las 16?", "el jueves trabajo pero puedo a las 11") are read as before."""

from __future__ import annotations

from conversation_kit import EN, Chat, buttons, texts
from test_dialogue_not_a_name import THURSDAYS, at_the_name_question

NOT_THAT_TIME = "Entendido, sin esa hora."


def at_thursdays_times(english: bool = False) -> Chat:
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say("hi, I need an appointment on thursday" if english else "hola, quiero hora el jueves")
    return chat


def at_the_days(english: bool = False) -> Chat:
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say("hi, I need an appointment" if english else "hola, quiero hora")
    return chat


def test_a_time_taken_by_something_else_is_left_out_of_the_days_times() -> None:
    for message in ("a las 10 tengo otra cita", "tengo otra cita a las 10", "a las 10 estoy ocupada",
                    "a las 10 tengo reunión con mi jefe", "tengo otra cita a las 10 con el dentista",
                    "a las 1000 tengo otra cita", "el jueves a las 10 mejor no"):
        reply = at_thursdays_times().say(message)
        assert NOT_THAT_TIME in texts(reply), message
        assert "10:00" not in buttons(reply) and "09:00" in buttons(reply), message
        assert "¿Confirmo" not in texts(reply), message


def test_in_english_too() -> None:
    for message in ("I have a meeting at 10", "at 10 I'm busy", "I have another appointment at 10"):
        reply = at_thursdays_times(english=True).say(message)
        assert "All right, not at that time." in texts(reply), message
        assert "10:00" not in buttons(reply) and "Shall I book" not in texts(reply), message


def test_at_a_confirmation_the_time_they_are_busy_is_never_booked() -> None:
    chat = at_thursdays_times()
    chat.say("a las 10")
    reply = chat.say("ok, a las 16 entonces, a las 10 tengo reunión")
    assert texts(reply).startswith("¿Confirmo el jueves 3 de diciembre a las 16:00")
    assert not chat.books


def test_a_day_taken_by_something_else_is_not_offered() -> None:
    for message in ("el jueves estoy ocupada", "tengo pega el jueves", "el lunes tengo trabajo", "el jueves mejor no",
                    "el jueves me queda mal", "el jueves está difícil"):
        reply = at_the_days().say(message)
        assert "Entendido, sin ese día." in texts(reply), message
        day = "jueves 3 de diciembre" if "jueves" in message else "lunes 7 de diciembre"
        assert day not in texts(reply), message
    for message in ("I'm busy on thursday", "thursday is bad for me"):
        reply = at_the_days(english=True).say(message)
        assert "All right, leaving that day out." in texts(reply) and "Thursday 3 December" not in texts(reply), message
    assert "Thu 3 Dec" in texts(at_the_days(english=True).say("my tooth is bad thursday")), "a day wanted, not out"


def test_a_part_of_the_day_taken_leaves_the_rest() -> None:
    reply = at_thursdays_times().say("tengo clases en la mañana")
    assert buttons(reply)[0] == "16:00" and "09:00" not in buttons(reply)


def test_busy_words_that_say_more_are_read_as_before() -> None:
    reply = at_the_days().say("el jueves trabajo de 9 a 13, ¿tienes a las 16?")
    assert texts(reply).startswith("¿Confirmo el jueves 3 de diciembre a las 16:00")
    for message in ("a las 10 estoy libre", "sí, a las 10 tengo tiempo"):
        assert texts(at_thursdays_times().say(message)).startswith("¿Confirmo el jueves 3 de diciembre a las 10:00")


def test_at_the_name_question_the_time_they_cannot_goes_back_to_its_days_times() -> None:
    """«¿A nombre de quién reservo la hora?» of Thursday at 10:00, then "a las 10 no puedo": it was asked again
    («Primero la hora del jueves…»), and the name typed next booked 10:00."""
    for message in ("a las 10 no puedo", "a las 10 tengo otra cita"):
        chat = at_the_name_question()
        reply = chat.say(message)
        assert NOT_THAT_TIME in texts(reply) and "10:00" not in buttons(reply), message
        assert "¿A nombre de quién" not in texts(reply) and not chat.books, message


def test_the_one_at_a_time_ruled_out_is_left_out() -> None:
    """"cualquiera menos la de las 9" proposed 09:00 («¿Confirmo … a las 09:00…?»), "not the one at 9" too, and "no la
    de las 9, la de las 10" was «no te entendí»."""
    for message, english in (("cualquiera menos la de las 9", False), ("anything but the one at 9", True),
                             ("the one at 9 doesn't work", True)):
        chat = at_the_days(english)
        chat.say("thursday" if english else "el jueves")
        reply = texts(chat.say(message))
        assert "09:00" not in reply and ("All right, not at that time." if english else "Entendido, sin esa hora.") \
            in reply, (message, reply)
    chat = at_the_days()
    chat.say("el jueves")
    assert texts(chat.say("no la de las 9, la de las 10")).endswith("a las 10:00 con la Dra. Ana Soto?")
