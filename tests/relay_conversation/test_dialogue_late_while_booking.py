"""Being late, said while a new appointment is being booked.

At «¿Confirmo el jueves… a las 10:00?», "sí pero llego un poco tarde" answered «Gracias por avisar. Le pasé el aviso a
recepción…» and booked nothing — of an appointment the patient believed they had just booked; "sí, capaz que llegue
tarde" showed the afternoon's times ("tarde" read as the afternoon), and "yes but at 11:40, I'll be late" told
reception instead of proposing 11:40. "Voy a llegar tarde a mi hora" (one they have) is still passed on."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, texts

THURSDAYS = agenda(range(2, 15), [(9, 0), (10, 0), (11, 40), (16, 0)])


def at_the_confirmation(english: bool = False) -> Chat:
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say("hi, appointment on thursday" if english else "hola, hora el jueves")
    chat.say("at 10" if english else "a las 10")
    return chat


def test_a_yes_that_says_they_may_be_late_books() -> None:
    for message, english in (("sí pero llego un poco tarde", False), ("sí, capaz que llegue tarde", False),
                             ("sí, aunque puede que llegue un poco atrasada", False),
                             ("yes but I'll be 5 minutes late", True), ("yes, I'm running late though", True)):
        chat = at_the_confirmation(english)
        reply = texts(chat.say(message))
        assert [book.slot.start[:16] for book in chat.books] == ["2026-12-03T10:00"], (message, reply)
        assert reply.startswith("Done, Ana!" if english else "¡Listo, Ana!"), reply
        assert ("Noted that you may be a little late" if english else "Anotado que podrías llegar un poco tarde") in reply
        assert "other thing you asked" not in reply and "Lo otro que me pediste" not in reply, reply


def test_a_time_said_with_being_late_is_that_time() -> None:
    for message, english, asked in (
            ("yes but at 11:40, I'll be late", True, "Shall I book Thursday 3 December at 11:40 with Dra. Ana Soto?"),
            ("sí pero mejor a las 11:40, llego tarde", False,
             "¿Confirmo el jueves 3 de diciembre a las 11:40 con la Dra. Ana Soto?")):
        chat = at_the_confirmation(english)
        assert texts(chat.say(message)).endswith(asked) and not chat.books, message
    chat = Chat(THURSDAYS)
    chat.say("hola, hora el jueves")
    assert texts(chat.say("a las 10, pero llego un poco tarde")).endswith(
        "¿Confirmo el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?")


def test_late_to_the_one_they_have_is_still_passed_on() -> None:
    chat = Chat(THURSDAYS)
    chat.say("hola, hora el jueves")
    assert texts(chat.say("voy a llegar tarde a mi hora")).startswith("Gracias por avisar.")
    assert not chat.books


def test_late_while_a_receptionist_is_asked_to_write_is_passed_on() -> None:
    """"llego 5 minutos tarde" after a hand-off was «Ya le avisamos a recepción…» once "tarde" was no longer read as
    the afternoon (it had started the bot again only because of that reading): passed on, as at any other time."""
    chat = Chat(THURSDAYS)
    chat.say("necesito aplazar mi cita")
    assert "Gracias por avisar." in texts(chat.say("llego 5 minutos tarde"))
