"""Told «Ya tienes hora el jueves 3 a las 10:00 con la Dra. Ana Soto», a patient who wrote back "ok, el jueves a las
10 entonces" (meaning the one they have) was offered the other professionals free at 10:00 as a new booking, and a
tap, or a "sí" to «¿Confirmo … 10:00 con el Dr. Juan Rojas?», booked a second appointment at the same time. Now the
day and time of the one they have, said back, is that one («Sí, esa es tu hora…»); and whatever way a booking at the
time of one of theirs is reached, it is said before it goes out (the relay's check as a booking goes out, which the
test kit runs as the relay does), and booked only on a yes given knowing it."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, buttons, slot, slots, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

# Thursday 10:00 is the patient's (THU, with Dra. Soto): the web app shows only Dr. Rojas free then
ROJAS_AT_10 = slot(3, 10, 0, "Dr. Juan Rojas")
THEIRS_SAID = "Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto."
ROJAS_ASKED = "¿Confirmo el jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas?"


def clinic():
    free = [slot(d, h, 0, p) for d in (2, 3, 4) for h in (9, 11) for p in ("Dra. Ana Soto", "Dr. Juan Rojas")]
    return replace(slots(*free, ROJAS_AT_10), finds_bookings=True)


def told_of_theirs(*, english: bool = False, bookings=(THU,)) -> Chat:
    chat = Chat(clinic(), clinic=EN if english else Chat.clinic, appointments=ClinicAgent(*bookings))
    reply = texts(chat.say("hola"))
    assert ("on Thursday 3 December at 10:00" if english else "jueves 3 de diciembre a las 10:00") in reply, reply
    return chat


def test_the_day_and_time_they_have_said_back_is_that_one() -> None:
    for message in ("ok, el jueves a las 10 entonces", "el jueves a las 10", "ya, el jueves 3 a las 10 con la dra soto",
                    "ah perfecto, jueves 10:00"):
        chat = told_of_theirs()
        reply = chat.say(message)
        assert texts(reply) == ("Sí, esa es tu hora: el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto. Sigue"
                                " en pie. ¿Quieres una hora más, cambiarla o cancelarla?"), (message, texts(reply))
        assert buttons(reply) == ["Una hora más", "Cambiarla", "Cancelarla"]
        assert not chat.books


def test_one_more_at_that_time_is_said_before_it_is_booked_and_booked_on_a_yes() -> None:
    chat = told_of_theirs()
    assert ROJAS_ASKED in texts(chat.say("otra hora el jueves a las 10 con rojas"))
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    reply = texts(chat.say("para mí"))
    assert reply.startswith(THEIRS_SAID) and "Si quieres una hora más, además de esa, confírmala" in reply, reply
    assert reply.endswith(ROJAS_ASKED) and not chat.books
    assert chat.say("sí").status == "booked" and [b.slot for b in chat.books] == [ROJAS_AT_10]  # asked once, knowingly


def test_a_yes_to_the_other_professional_at_their_time_books_nothing_unknowing() -> None:
    """The case itself: the other professional confirmed at their time, read as a new booking."""
    chat = told_of_theirs()
    assert ROJAS_ASKED in texts(chat.say("ok el jueves a las 10 con rojas"))
    chat.say("sí")
    reply = texts(chat.say("para mí"))
    assert reply.startswith(THEIRS_SAID) and not chat.books, reply
    chat.say("no")
    assert not chat.books


def test_a_time_tapped_from_the_list_at_their_time_is_said_first() -> None:
    chat = told_of_theirs()
    chat.say("Una hora más")
    chat.say("Jue 3 dic")
    chat.say("10:00 Dr. Juan Rojas")
    reply = texts(chat.say("para mí"))
    assert reply.startswith(THEIRS_SAID) and reply.endswith(ROJAS_ASKED) and not chat.books, reply


def test_another_time_is_booked_as_before() -> None:
    chat = told_of_theirs()
    assert "¿Confirmo el jueves 3 de diciembre a las 11:00 con el Dr. Juan Rojas?" in texts(
        chat.say("otra hora el jueves a las 11 con rojas"))
    chat.say("sí")
    assert chat.say("para mí").status == "booked" and len(chat.books) == 1


def test_a_relatives_time_said_back_is_theirs_and_in_english_too() -> None:
    sons = replace(THU, patient="Tomás Pérez")
    chat = told_of_theirs(bookings=(sons,))
    assert texts(chat.say("ah ok el jueves a las 10")).startswith(
        "Sí, esa es la hora de Tomás Pérez: el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto. Sigue en pie.")
    chat = told_of_theirs(english=True)
    assert texts(chat.say("ok, thursday at 10 then")).startswith(
        "Yes, that is your appointment: Thursday 3 December at 10:00 with Dra. Ana Soto. It stands.")


def test_their_day_or_time_ruled_out_is_a_move_of_that_one_never_one_more_beside_it() -> None:
    """"el jueves no puedo" under «Ya tienes hora el jueves…» showed the other days as a new booking ("no puedo ir el
    jueves" asked to move it): the one they cannot keep stayed, a second one a tap away."""
    moved_asked = "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"
    for message in ("el jueves no puedo", "el jueves a las 10 no puedo", "a las 10 no me sirve",
                    "no me acomoda el jueves", "necesito otra hora, el jueves no puedo"):
        chat = told_of_theirs()
        assert texts(chat.say(message)) == moved_asked, message
    chat = told_of_theirs()
    assert texts(chat.say("el jueves no puedo, dame otra el viernes")) == moved_asked
    reply = texts(chat.say("sí"))
    assert "se cancelará cuando la nueva quede reservada" in reply and "Vie 4 dic" in reply, reply
    chat = told_of_theirs()  # another day ruled out says nothing of theirs: a new booking, that day left out
    assert "Jue 3 dic" in buttons(chat.say("el viernes no puedo"))


def test_with_two_the_one_on_the_day_ruled_out_is_asked_about() -> None:
    """Under «Ya tienes 2 horas reservadas…», "el jueves no puedo" showed the list to choose from; the one on Thursday
    is the one they cannot keep."""
    chat = told_of_theirs(bookings=(THU, FRI))
    assert texts(chat.say("el jueves no puedo")) == (
        "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?")
    chat = told_of_theirs(bookings=(THU, FRI))
    assert texts(chat.say("a las 4 no me sirve")).startswith("¿Cambio tu hora del viernes 4 de diciembre a las 16:00")


def test_asking_whether_they_have_two_is_no_request_for_another_persons() -> None:
    """"¿tengo dos horas?" read "dos horas" as two appointments asked for: once one was cancelled, «Me pediste también
    una hora para otra persona…»."""
    agent = ClinicAgent(THU, FRI)
    chat = Chat(clinic(), appointments=agent)
    assert "Ya tienes 2 horas reservadas" in texts(chat.say("¿tengo dos horas?"))
    chat.say("cancela la primera")
    done = texts(chat.say("sí"))
    assert done.startswith("Listo, cancelé tu hora del jueves") and "otra persona" not in done, done


def test_their_day_and_time_with_one_more_someone_else_or_a_cannot_is_not_read_as_theirs() -> None:
    """A helper's walk of NEW against OLD found «Sí, esa es tu hora…» said to "una más el jueves a las 10", "también
    el jueves a las 10", "el jueves a las 10 para Rosa Díaz" (one more: now booked, the same time said before it goes
    out) and to "el jueves a las10 no puedo", "jueves 10:00 no puedo", "thursday 10am doesn't work" (now the move)."""
    for message in ("una más el jueves a las 10", "también el jueves a las 10", "el jueves a las 10 para Rosa Díaz"):
        chat = told_of_theirs()
        assert "esa es tu hora" not in texts(chat.say(message)), message
    for message in ("el jueves a las10 no puedo", "jueves 10:00 no puedo", "el jueves a las 10 ya no"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00"), message
    chat = told_of_theirs(english=True)
    assert texts(chat.say("thursday 10am doesn't work")).startswith("Shall I change your appointment on Thursday")


def test_a_yes_with_their_day_and_time_and_other_ways_of_not_coming_then() -> None:
    """From the same walk (the same in both trees before): "sí, esa del jueves a las 10" booked the other professional at
    10:00 once confirmed; "ese día no puedo", "no puedo a esa hora" were not understood; "el jueves tengo trabajo"
    showed Thursday's other times as a new booking."""
    for message in ("sí, esa del jueves a las 10", "sí, el jueves a las 10 con soto está bien"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("Sí, esa es tu hora: el jueves 3 de diciembre a las 10:00"), message
    for message in ("ese día no puedo", "no puedo a esa hora", "el jueves tengo trabajo", "el jueves se me complicó"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00"), message
    chat = told_of_theirs()
    assert texts(chat.say("otra el jueves a las 10")) == ROJAS_ASKED  # one more, asked for: booked as before


def test_another_day_or_time_ruled_out_and_words_besides_their_time_are_read_as_before() -> None:
    """A second walk (this tree against its first version) found "el miércoles no puedo pero el jueves sí" and "el
    jueves a las 4 no puedo" asking to move Thursday's 10:00 (another day, another time ruled out); "el jueves a las10
    no puedo" … "sí" offering Thursday at 10 again as the new time; "el jueves a las 10 ppara tomás" told «Sí, esa es
    tu hora»; and "baja", "número equivocado" under «Ya tienes hora…» asking to move it."""
    chat = told_of_theirs()
    assert "¿Cambio" not in texts(chat.say("el miércoles no puedo pero el jueves sí"))
    chat = told_of_theirs()
    assert texts(chat.say("el jueves a las 4 no puedo")).startswith("Entendido, sin esa hora.")
    for first, then in (("hola", "el jueves a las10 no puedo"), ("quiero hora el jueves a las 10", "ese día no puedo")):
        chat = Chat(clinic(), appointments=ClinicAgent(THU))
        chat.say(first)
        assert texts(chat.say(then)).startswith("¿Cambio tu hora del jueves"), then
        reply = texts(chat.say("sí"))
        assert "no están libres" not in reply and "¿Confirmo el jueves 3 de diciembre a las 10:00" not in reply, reply
    for message in ("el jueves a las 10 ppara tomás", "el jueves a las 10 me pilla mal"):
        chat = told_of_theirs()
        assert "esa es tu hora" not in texts(chat.say(message)), message
    for message in ("baja", "número equivocado"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("Entendido, Ana, no te escribo más"), message


def test_their_day_and_time_with_the_words_people_put_around_it_is_still_theirs() -> None:
    """A third walk found an allow-list of the words around their day and time far too narrow: "el jueves a las 10
    porfa", "dale, …", "confirmo el jueves a las 10", "el juebes a las 10", "thursday at 10 thx" offered the other
    professional at 10:00 (a "sí" and the name booked a second appointment, after the warning). Only words that say
    more (someone else, one more, a cannot) stand back now."""
    for message in ("el jueves a las 10 porfa", "dale, el jueves a las 10 con la dra soto", "confirmo el jueves a las 10",
                    "el juebes a las 10", "jaja ok el jueves a las 10", "sí po, el jueves a las 10, mil gracias"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("Sí, esa es tu hora: el jueves 3 de diciembre"), message
    chat = told_of_theirs(english=True)
    assert texts(chat.say("thursday at 10 thx")).startswith("Yes, that is your appointment")
    for message in ("el jueves a las 10 me pilla mal", "el jueves no me da", "el jueves se me hace imposible"):
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3 de diciembre"), message
    for message in ("el jueves a las 10 para mi y i hijo", "el jueves a las 10 ppara tomás"):
        chat = told_of_theirs()
        assert "esa es tu hora" not in texts(chat.say(message)), message


def test_someone_named_or_a_second_one_at_their_time_is_not_theirs_and_a_form_of_address_is_no_one() -> None:
    """A fourth walk: "Tomás el jueves a las 10", "resérvale a Tomás…", "y pa la Sofía…", "una segunda hora…", "book
    Tom thursday at 10" were told «Sí, esa es tu hora»; "el jueves a las 10 gracias tía", "gracias hermano, …" were
    offered the other professional (the relative word read as someone else)."""
    for message in ("Tomás el jueves a las 10", "resérvale a Tomás el jueves a las 10", "y pa la Sofía el jueves a las 10?",
                    "una segunda hora el jueves a las 10"):
        chat = told_of_theirs()
        assert "esa es tu hora" not in texts(chat.say(message)), message
    chat = told_of_theirs(english=True)
    assert "that is your appointment" not in texts(chat.say("book Tom thursday at 10"))
    for message in ("el jueves a las 10 gracias tía", "gracias hermano, jueves a las 10", "Ok El Jueves A Las 10",
                    "Jue 3 dic 10:00"):  # (an earlier list's button: "Jue" is no one's name)
        chat = told_of_theirs()
        assert texts(chat.say(message)).startswith("Sí, esa es tu hora"), message
    sons = replace(THU, patient="Tomás Pérez")
    chat = told_of_theirs(bookings=(sons,))
    assert "esa es la hora de Tomás" not in texts(chat.say("el jueves a las 10 para mí"))  # one for the writer
