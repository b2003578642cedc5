""""Para mí y para mi hijo": once his was booked and hers is being chosen, "¿quedó la de mi hijo?" made hers his
(«Entendido, la hora es para otra persona: te pediré su nombre»: a second appointment for him a name away), and
"¿quedaron las dos?" at the days read "las dos" as 14:00. Now those booked so far are said, and the same menu
follows."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, buttons, texts

HIS = "Jueves 3 de diciembre a las 10:00, con la Dra. Ana Soto, para Tomás Pérez."


def his_booked_hers_next(english: bool = False) -> Chat:
    chat = Chat(agenda([2, 3, 4], [(9, 0), (10, 0), (11, 0), (14, 0)]), clinic=EN if english else Chat.clinic)
    chat.say("I need appointments for me and my son on thursday" if english
             else "hola, necesito hora para mí y para mi hijo el jueves")
    chat.say("10:00")
    assert chat.say("Tomás Pérez").status == "booked"
    chat.say("yes" if english else "sí")
    return chat


def test_asked_how_the_booked_one_stands_it_is_said_and_the_menu_follows() -> None:
    for message in ("¿quedó la de mi hijo?", "¿quedaron las dos?", "¿y la de mi hijo quedó?", "¿ya quedó?"):
        chat = his_booked_hers_next()
        menu = chat.replies[-1]
        reply = chat.say(message)
        said = texts(reply)
        assert said.startswith(f"Hasta ahora reservé, Ana: {HIS}"), (message, said)
        assert "otra persona" not in said and buttons(reply) == buttons(menu), message
        assert not chat.state.for_other and len(chat.books) == 1  # still hers, and nothing booked
        chat.say("Jue 3 dic")
        assert chat.say("11:00").status == "booked" and not chat.books[-1].state.for_other


def test_at_the_times_and_at_the_confirmation_too() -> None:
    chat = his_booked_hers_next()
    chat.say("Jue 3 dic")
    assert texts(chat.say("¿quedaron las dos?")).startswith("Hasta ahora reservé")  # never 14:00
    assert "14:00" not in texts(chat.replies[-1]).split("para Tomás Pérez.")[0]
    chat.say("¿a las 2?")
    assert "¿Confirmo" in texts(chat.replies[-1])
    reply = texts(chat.say("¿quedó la de mi hijo?"))
    assert reply.startswith("Hasta ahora reservé") and "¿Confirmo el jueves 3 de diciembre a las 14:00" in reply
    assert len(chat.books) == 1


def test_a_free_time_or_another_appointment_asked_for_is_read_as_before() -> None:
    chat = his_booked_hers_next()
    assert "Hasta ahora" not in texts(chat.say("¿quedó libre el miércoles?"))
    chat = his_booked_hers_next()
    assert "Hasta ahora" not in texts(chat.say("el jueves a las 11"))


def test_in_english_too() -> None:
    chat = his_booked_hers_next(english=True)
    assert texts(chat.say("did my son's go through?")).startswith(
        "So far I have booked, Ana: Thursday 3 December at 10:00, with Dra. Ana Soto, for Tomás Pérez.")


def test_the_writer_and_a_relative_said_the_other_way_round_are_two_appointments() -> None:
    """"my son and I", "yo y mi esposa", "we both" booked one and forgot the other (only "para mí y mi hijo" and "mi
    hijo y yo" were read as two)."""
    for message, english in (("my son and I need an appointment on thursday", True),
                             ("me and my daughter need to see the doctor on thursday", True),
                             ("quiero hora el jueves, yo y mi esposa", False)):
        chat = Chat(agenda([2, 3, 4], [(9, 0), (10, 0)]), clinic=EN if english else Chat.clinic)
        chat.say(message)
        chat.say("10:00")
        done = texts(chat.say("Tom Perez"))
        assert ("You also asked for an appointment for yourself" if english
                else "Me pediste también una hora para ti") in done, (message, done)


def test_what_the_request_said_for_both_goes_for_the_second_too() -> None:
    """"mi hijo y yo necesitamos hora con la dra soto el jueves en la mañana": once his was booked, hers began again
    from the days (or the specialty), as if nothing had been said of it."""
    chat = Chat(agenda([2, 3, 4], [(9, 0), (10, 0), (11, 0), (16, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas")))
    chat.say("mi hijo y yo necesitamos hora con la dra soto el jueves en la mañana")
    chat.say("10:00")
    assert chat.say("Tomás Pérez").status == "booked"
    reply = chat.say("sí")
    assert texts(reply).startswith("¿Qué hora con la Dra. Ana Soto el Jue 3 dic?"), texts(reply)
    assert "16:00" not in buttons(reply)  # the morning, as said
    assert chat.say("11:00").status == "booked" and not chat.books[-1].state.for_other
