"""At «¿Confirmo el jueves 3 … a las 09:00…?», "ok y a las 11?", "ok y en la tarde?" (the yes a filler before
another time that day asked about) booked 09:00 and said «Lo otro que me pediste, escríbemelo…»: the patient got the time
they were asking to change. And "espera que le pregunto a mi marido" was read as an appointment for the husband
(«Entendido, la hora es para otra persona: te pediré su nombre…»). Now the other time is the one asked about, and
someone the patient will ask first is only a wait."""

from __future__ import annotations

from conversation_kit import EN, Chat, buttons, texts
from test_dialogue_the_time_they_have import clinic

NINE_ASKED = "¿Confirmo el jueves 3 de diciembre a las 09:00 con la Dra. Ana Soto?"


def asked_nine(*, english: bool = False) -> Chat:
    chat = Chat(clinic(), clinic=EN if english else Chat.clinic)
    reply = texts(chat.say("I'd like an appointment on thursday at 9 with soto" if english
                           else "quiero hora el jueves a las 9 con soto"))
    assert reply.endswith("Shall I book Thursday 3 December at 09:00 with Dra. Ana Soto?" if english
                          else NINE_ASKED), reply
    return chat


def test_a_yes_then_only_another_time_asks_about_that_time() -> None:
    for message in ("ok y a las 11?", "sí, y a las 11?", "ya, ¿y a las 11?"):
        chat = asked_nine()
        assert texts(chat.say(message)) == "¿Confirmo el jueves 3 de diciembre a las 11:00 con la Dra. Ana Soto?", message
        assert not chat.books
    chat = asked_nine()
    assert "¿Qué hora con la Dra. Ana Soto el Jue 3 dic?" in texts(chat.say("ok y en la tarde?")) and not chat.books
    chat = asked_nine()  # another day: maybe one more — this one booked as before, the other asked for after it
    reply = chat.say("dale, y el viernes?")
    assert reply.status == "booked" and "Lo otro que me pediste" in texts(reply)
    chat = asked_nine(english=True)
    assert texts(chat.say("ok and at 11?")) == "Shall I book Thursday 3 December at 11:00 with Dra. Ana Soto?"
    assert chat.say("yes").status == "booked" and chat.books[0].slot.start.endswith("11:00:00-03:00")


def test_a_yes_with_one_more_besides_still_books_this_one() -> None:
    chat = asked_nine()
    reply = chat.say("sí, y otra el viernes a las 11")
    assert reply.status == "booked" and "Lo otro que me pediste" in texts(reply)
    assert chat.books[0].slot.start.endswith("09:00:00-03:00")


def test_someone_asked_first_is_a_wait_not_whom_it_is_for() -> None:
    for message in ("espera que le pregunto a mi marido", "déjame consultarlo con mi señora",
                    "espera, le pregunto a mi jefe y te aviso"):
        chat = asked_nine()
        reply = chat.say(message)
        assert texts(reply).startswith("Claro, te espero.") and "otra persona" not in texts(reply), message
        assert buttons(reply) == ["Sí", "Otra hora"]
        done = chat.say("sí")
        assert done.status == "booked" and "¿A nombre de quién" not in texts(done), (message, texts(done))
    chat = asked_nine(english=True)
    assert "someone else" not in texts(chat.say("let me ask my wife"))
    chat = asked_nine()
    assert "otra persona" in texts(chat.say("es para mi marido"))  # whom it is for, as before


def test_a_yes_and_the_time_proposed_or_the_one_moved_is_still_a_yes() -> None:
    """From the same walk: "sí y el jueves?" at a Thursday 09:00 confirm, "ok y a las 9", "ok y en la mañana" are this
    one (booked); "ok, y el jueves?" while Thursday's is moved to Friday asks what becomes of Thursday's (moved)."""
    for message in ("sí y el jueves?", "ok y a las 9", "ok y en la mañana?"):
        chat = asked_nine()
        assert chat.say(message).status == "booked", message
    from test_dialogue_appointments import THU, ClinicAgent
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("hola")
    chat.say("Cambiarla")
    chat.say("el viernes")
    assert "en vez de tu hora del jueves" in texts(chat.say("a las 9 con soto"))
    assert texts(chat.say("ok, y el jueves?")).startswith("¡Listo, Ana! Cambié tu hora del jueves 3 de diciembre")


def test_seeing_the_doctor_about_a_relative_is_for_them() -> None:
    """"consultar a mi hijo" is the son seen (his name asked), never a relative only asked first."""
    for message in ("quiero consultar a mi hijo con la dra soto el jueves a las 9",
                    "quiero hora para llevar a consultar a mi hijo el jueves a las 9 con soto"):
        chat = Chat(clinic())
        chat.say(message)
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí")), message


def test_a_yes_then_a_better_time_asks_about_that_time_never_books_this_one() -> None:
    """"sí, ¿y si mejor a las 11?" booked 09:00 («Lo otro que me pediste…»): the time the patient asked to change."""
    for message in ("sí, ¿y si mejor a las 11?", "ok, y qué tal a las 11?", "dale, y mejor a las 11"):
        chat = asked_nine()
        assert texts(chat.say(message)) == "¿Confirmo el jueves 3 de diciembre a las 11:00 con la Dra. Ana Soto?", message
        assert not chat.books, message
    chat = asked_nine(english=True)
    assert texts(chat.say("yes, and how about 11?")) == "Shall I book Thursday 3 December at 11:00 with Dra. Ana Soto?"
    assert not chat.books


def test_a_yes_on_a_condition_is_not_a_yes_yet() -> None:
    """"sí, salvo que haya algo antes", "yes, unless you have something earlier" booked 09:00 on the spot. What the
    condition asks about is answered (the earliest free time, Wednesday's), or the question asked again."""
    for message in ("sí, salvo que haya algo antes", "sí, si no hay nada antes"):
        chat = asked_nine()
        reply = texts(chat.say(message))
        assert reply == "La primera hora libre es esta. ¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. " \
            "Ana Soto?" and not chat.books, (message, reply)
    chat = asked_nine(english=True)
    assert texts(chat.say("yes, unless you have something earlier")) == (
        "This is the earliest free time. Shall I book Wednesday 2 December at 09:00 with Dra. Ana Soto?")
    assert not chat.books
    chat = asked_nine(english=True)
    assert texts(chat.say("ok, if there's nothing earlier")).endswith(
        "Shall I book Thursday 3 December at 09:00 with Dra. Ana Soto?")
    assert not chat.books
    chat = asked_nine()  # what the condition asks about is looked at: the afternoon's times
    assert "¿Qué hora con la Dra. Ana Soto el Jue 3 dic?" in texts(chat.say("ok, a no ser que tengan algo en la tarde"))
    assert not chat.books


def test_later_asked_at_the_confirmation_is_that_days_later_times() -> None:
    """"anything later?", "yes, but later" at «Shall I book Thursday … 09:00?» were «Answer "Yes"…»; "¿no hay más
    tarde?" showed only the afternoon's ("tarde"): that day's times after 09:00, nothing booked."""
    for message, english in (("anything later?", True), ("yes, but later", True), ("¿no hay más tarde?", False),
                             ("un poco más tarde", False)):
        chat = asked_nine(english=english)
        reply = chat.say(message)
        assert texts(reply).startswith("Which time with Dra. Ana Soto on Thu 3 Dec?" if english
                                       else "¿Qué hora con la Dra. Ana Soto el Jue 3 dic?"), message
        assert "09:00" not in buttons(reply) and not chat.books, message
