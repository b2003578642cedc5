"""Told «Ya tienes hora el jueves 3 a las 10:00…», patients say they cannot come then in more ways than "no puedo":
"me surgió algo el jueves", "el jueves se me cruzó una reunión", "thursday is bad for me" were read as asking for
Thursday (its other times offered as one more appointment, the one they cannot keep left standing); "la podemos
dejar para el viernes?" offered Friday as one more; "puedo ir el viernes en vez del jueves?", "no voy a poder ir" were
not understood. Each is now a question about theirs — «¿Cambio…?», or «¿Cancelo…?» when only "no voy a poder ir".
(Read only there: helpers' walks of the same words ruling days out in every menu found them eating days and times
the patient wanted — "el jueves trabajo de 9 a 13, ¿tienes a las 16?", "thursday is bad for me but friday 9 ok".)"""

from __future__ import annotations

from conversation_kit import Chat, texts
from test_dialogue_appointments import THU, ClinicAgent
from test_dialogue_the_time_they_have import clinic, told_of_theirs

MOVE_ASKED = "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"
CANCEL_ASKED = "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"


def test_their_day_taken_by_something_else_is_a_move_of_theirs_never_one_more() -> None:
    for message in ("me surgió algo el jueves", "el jueves se me cruzó una reunión", "me salió un viaje el jueves",
                    "se me olvidó que el jueves trabajo", "me toca trabajar el jueves", "ese día estoy de turno",
                    "a esa hora trabajo", "no puedo asistir el jueves, ¿se puede otro día?",
                    "la podemos dejar para el viernes?", "puedo ir el viernes en vez del jueves?"):
        chat = told_of_theirs()
        assert texts(chat.say(message)) == MOVE_ASKED, message
        assert not chat.books
    for message in ("thursday is bad for me", "something came up on thursday", "can I come friday instead of thursday?"):
        chat = told_of_theirs(english=True)
        reply = texts(chat.say(message))
        assert reply.startswith("Shall I change your appointment on Thursday 3 December at 10:00"), (message, reply)


def test_where_they_would_go_instead_goes_with_the_move() -> None:
    chat = told_of_theirs()
    chat.say("puedo ir el viernes en vez del jueves?")
    reply = chat.say("sí")
    assert "la del jueves 3 de diciembre a las 10:00 se cancelará cuando la nueva quede reservada" in texts(reply)
    assert "Vie 4 dic" in texts(reply) and not chat.books


def test_only_not_being_able_to_go_asks_about_cancelling_theirs() -> None:
    """As "el jueves no voy a poder ir" always did; "no, mejor cámbiala" there moves it instead."""
    for message in ("no voy a poder ir", "no podré asistir"):
        chat = told_of_theirs()
        assert texts(chat.say(message)) == CANCEL_ASKED, message
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("hola")
    chat.say("no voy a poder ir")
    assert "se cancelará cuando la nueva quede reservada" in texts(chat.say("no, mejor cámbiala"))
    assert not agent.cancelled


def test_what_they_can_do_that_day_or_another_is_never_ruled_out() -> None:
    """A helper's walk of this change found the new words ruling out a day the message says is possible: "el lunes
    trabajo pero puedo a las 16" (Monday gone), "tengo que trabajar pero el viernes puedo" (Friday gone, the move
    lost), "me salió una hora el viernes" (a time they got), "por el trabajo necesito el jueves" (asked to move)."""
    chat = Chat(clinic())
    chat.say("hola, quiero una hora")
    assert "Jue 3 dic" in texts(chat.say("el jueves trabajo pero puedo a las 11")), "Thursday at 11 wanted"
    for message in ("tengo que trabajar pero el viernes puedo", "me surgió algo pero el viernes puedo"):
        chat = told_of_theirs()
        assert texts(chat.say(message)) == MOVE_ASKED, message
    for message in ("me salió una hora el viernes en la app, la tomo", "quiero una hora más el viernes, es por mi trabajo"):
        chat = told_of_theirs()
        reply = chat.say(message)
        assert "Vie 4 dic" in texts(reply) and reply.status == "choose_time", (message, texts(reply))
    chat = told_of_theirs()
    assert "Jue 3 dic" in texts(chat.say("por el trabajo necesito el jueves"))
    chat = told_of_theirs(english=True)
    assert "Fri 4 Dec" in texts(chat.say("something came up, can I do friday"))


def test_only_the_clause_that_says_they_cannot_and_never_a_day_wanted() -> None:
    """A second helper's walk (4,060 conversations) of a first version, which ruled these days out everywhere: a Friday
    appointment moved for "me surgió algo, necesito hora para el viernes", Thursday dropped from "el jueves trabajo de
    9 a 13, ¿tienes a las 16?", "me toca turno el jueves" (an appointment, in Argentina) asked to move, "no voy a
    poder ir a la de mi hijo" asked to cancel the writer's own."""
    from test_dialogue_appointments import FRI

    for message in ("me surgió algo, necesito hora para el viernes", "tengo una reunión así que para el viernes porfa"):
        chat = told_of_theirs(bookings=(THU, FRI))
        reply = chat.say(message)
        assert "¿Cambio" not in texts(reply) and "Vie 4 dic" in texts(reply), (message, texts(reply))
    for message in ("me surgió una duda, atienden el jueves?", "me toca turno el jueves",
                    "me salio algo en la piel, necesito hora el jueves"):
        chat = told_of_theirs()
        assert "Jue 3 dic" in texts(chat.say(message)), message
    chat = told_of_theirs()
    assert texts(chat.say("el jueves estoy de turno hasta las 9, a las 10 puedo")).startswith("Sí, esa es tu hora")
    chat = told_of_theirs()  # a misspelt day, put right by the reading: still the day they cannot come
    assert texts(chat.say("el juves no puedo")) == MOVE_ASKED
    chat = told_of_theirs()
    assert "¿Cancelo" not in texts(chat.say("no voy a poder ir a la de mi hijo"))
    chat = told_of_theirs(bookings=(THU, FRI))
    assert "¿Cuál quieres cancelar?" in texts(chat.say("no voy a poder ir"))
    chat = Chat(clinic())
    chat.say("hola, quiero una hora")
    reply = texts(chat.say("el jueves trabajo de 9 a 13, tienes a las 11?"))
    assert "Jue 3 dic" in reply and "sin ese día" not in reply, reply
    chat = Chat(clinic())
    chat.say("hola, hablo con mi hija al lado, necesita hora el jueves a las 9 con soto")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))


def test_late_or_something_else_they_cannot_do_is_no_cancel() -> None:
    """A third walk: "no llego a la hora, voy atrasada" (reception told, in the first version asked to cancel), "no voy
    a poder llegar a las 10, ¿puedo llegar 10:15?", "no puedo ir a buscar los resultados" were «¿Cancelo tu hora…?»;
    "el jueves tengo que trabajar hasta las 9, llego a las 10" asked to move the one they will come to."""
    chat = told_of_theirs()
    assert chat.say("no llego a la hora, voy atrasada").status == "handoff"
    for message in ("no voy a poder llegar a las 10, puedo llegar 10:15?", "no puedo ir a buscar los resultados"):
        chat = told_of_theirs()
        assert "¿Cancelo" not in texts(chat.say(message)), message
    for message in ("el jueves tengo que trabajar hasta las 9, llego a las 10",
                    "el jueves tengo una reunión a las 8, llego a las 10 sin problema"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("Sí, esa es tu hora"), message
    chat = told_of_theirs()  # no time of theirs said: asked, as before (a "No" keeps it)
    assert texts(chat.say("el jueves tengo turno hasta las 8, voy directo")) == MOVE_ASKED
    chat = told_of_theirs(english=True)
    assert "Thu 3 Dec" in texts(chat.say("my tooth is bad thursday please"))


def test_a_later_time_or_a_no_is_never_read_as_coming_to_theirs() -> None:
    """A fourth walk: "el jueves no puedo a las 10 pero llego a las 11", "…hasta las 11, llego a las 12", "…llego a
    las 10 y media" were told «Sí, esa es tu hora… Sigue en pie.» of the 10:00 they cannot keep; "ok, también a las
    11" at «¿Confirmo … 09:00?» lost the 09:00."""
    for message in ("el jueves no puedo a las 10 pero llego a las 11", "el jueves tengo turno hasta las 11, llego a las 12",
                    "el jueves tengo reunión hasta las 10, llego a las 10 y media", "el jueves trabajo hasta las 12, "
                    "llego a las 10 no creo"):
        chat = told_of_theirs()
        assert texts(chat.say(message)) == MOVE_ASKED, message
    from test_dialogue_a_yes_and_another_time import asked_nine

    chat = asked_nine()
    assert chat.say("ok, también a las 11").status == "booked"
