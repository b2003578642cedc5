"""A weekday said as a bound — "¿tienes hora después del jueves?", "after thursday", "antes del viernes" — was read as
that very day: the patient who wanted any day after Thursday was shown Thursday's times, "después del jueves a las 10"
was asked «¿Confirmo el jueves 3 … a las 10:00…?», and "antes del viernes" showed Friday's. Now "después del X" is
the days from the day after X, "antes del X" the days from today (the earliest first), both as a day menu; a move
asked for "para después del jueves" shows the days from Friday."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, buttons, slot, slots, texts
from test_dialogue_appointments import THU, ClinicAgent

DAYS_ASKED = "¿Qué día te acomoda?"


def clinic():
    """Free at 9 and 11 with Dra. Soto on Wednesday 2 to Friday 4, Monday 7 and Tuesday 8 (today is Tuesday 1)."""
    return replace(slots(*(slot(day, hour) for day in (2, 3, 4, 7, 8) for hour in (9, 11))), finds_bookings=True)


def test_after_a_weekday_is_the_days_from_the_next_one() -> None:
    for message in ("hola, ¿tienes hora después del jueves?", "quiero hora despues del jueves porfa",
                    "algo luego del jueves?", "hola, cualquier día después del jueves"):
        reply = Chat(clinic()).say(message)
        assert DAYS_ASKED in texts(reply) and buttons(reply)[0] == "Vie 4 dic", (message, texts(reply))
        assert "Jue 3 dic" not in buttons(reply) and "jueves 3" not in texts(reply), message
    reply = Chat(clinic(), clinic=EN).say("hi, any slot after thursday?")
    assert buttons(reply)[0] == "Fri 4 Dec", texts(reply)


def test_after_a_weekday_with_a_time_never_proposes_that_weekday() -> None:
    reply = Chat(clinic()).say("hola, después del jueves a las 9")
    assert "jueves 3" not in texts(reply) and buttons(reply)[0] == "Vie 4 dic", texts(reply)
    reply = Chat(clinic()).say("hola, la próxima semana a las 9")  # the days asked for, not the first ones
    assert buttons(reply)[0] == "Lun 7 dic", texts(reply)


def test_before_a_weekday_is_the_earliest_days() -> None:
    for message in ("hola, necesito hora antes del viernes", "before friday please"):
        english = message.startswith("before")
        reply = Chat(clinic(), clinic=EN if english else Chat.clinic).say(message)
        assert buttons(reply)[0] == ("Wed 2 Dec" if english else "Mié 2 dic"), (message, texts(reply))
        assert ("on Fri 4 Dec" if english else "el Vie 4 dic") not in texts(reply), message


def test_a_move_to_after_a_weekday_shows_the_days_from_the_next_one() -> None:
    chat = Chat(clinic(), appointments=ClinicAgent(THU))
    assert "Ya tienes hora el jueves 3 de diciembre a las 10:00" in texts(chat.say("hola"))
    assert texts(chat.say("quiero cambiar mi hora para después del jueves")).startswith("¿Cambio tu hora del jueves 3")
    reply = chat.say("sí")
    assert buttons(reply)[0] == "Vie 4 dic", texts(reply)


def test_a_weekday_with_a_time_bound_is_still_that_day() -> None:
    """"el jueves después de las 10" is Thursday, from 10 on (the bound is the time's, as before)."""
    reply = Chat(clinic()).say("hola, el jueves después de las 10")
    assert texts(reply).endswith("el Jue 3 dic?") and buttons(reply)[0] == "11:00", texts(reply)


def test_after_the_last_free_day_says_so() -> None:
    """Nothing free after the day named: said, with the last days that have times (never them as if asked for)."""
    reply = Chat(clinic()).say("hola, tienes algo después del martes 8?")
    assert "No quedan horas libres desde el miércoles 9 de diciembre" in texts(reply), texts(reply)
    reply = Chat(clinic(), clinic=EN).say("hi, anything after tuesday 8?")
    assert "There are no free times from Wednesday 9 December on" in texts(reply), texts(reply)


def test_a_later_bound_is_not_the_day_being_looked_at() -> None:
    """Looking at Wednesday's times, "después del jueves a las 11" or "después del jueves en la tarde" is no time of
    Wednesday's: the days from Friday (and "la próxima semana a las 9" the days of next week)."""
    for message in ("después del jueves a las 11", "la próxima semana a las 9"):
        chat = Chat(clinic())
        chat.say("hola")
        assert texts(chat.say("Mié 2 dic")).endswith("el Mié 2 dic?")
        reply = chat.say(message)
        assert "Mié 2 dic" not in texts(reply) and reply.status == "choose_day", (message, texts(reply))
        assert buttons(reply)[0] == ("Vie 4 dic" if "jueves" in message else "Lun 7 dic"), (message, buttons(reply))
    chat = Chat(clinic())
    chat.say("hola")
    chat.say("Jue 3 dic")
    assert "Jue 3 dic" not in texts(chat.say("mejor después del jueves en la tarde"))


def test_another_weekday_beside_a_bound_is_of_something_else() -> None:
    """From helper-134's walk: "el jueves trabajo, después del viernes puedo" showed Thursday's times (the day they
    work), once the bound was read apart. A day outside the bound is of something else; one inside it is the ask."""
    for message in ("hola, el jueves trabajo, después del viernes puedo",
                    "hola, tengo hora el jueves, quiero otra después del viernes"):
        reply = Chat(clinic()).say(message)
        assert buttons(reply)[0] == "Lun 7 dic" and "Jue 3 dic" not in texts(reply), (message, texts(reply))
    reply = Chat(clinic(), clinic=EN).say("hi, thursday's no good, after friday")
    assert buttons(reply)[0] == "Mon 7 Dec", texts(reply)
    reply = Chat(clinic()).say("hola, el viernes o después del lunes")  # offered as one or the other: Friday stays
    assert texts(reply).endswith("el Vie 4 dic?"), texts(reply)
    reply = Chat(clinic()).say("hola, después del miércoles, el viernes a las 11")
    assert texts(reply).endswith("¿Confirmo el viernes 4 de diciembre a las 11:00 con la Dra. Ana Soto?"), texts(reply)
