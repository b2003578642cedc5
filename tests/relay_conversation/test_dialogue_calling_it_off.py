"""The patient calls it off in their own words: "no no espera, mejor no" while a booking's outcome is not known is
asked about once it turns out booked ("¿La cancelo?"), never told "quedó reservada" as if unsaid; "dejémoslo hasta
aquí nomás" at «¿Confirmo…?» ends it with nothing booked."""

from __future__ import annotations

from conversation_kit import Chat, agenda, booked, buttons, texts

from wire.messages import WireError


def slow_then_booked():
    calls: list[object] = []

    def agent(slot):
        calls.append(slot)
        return WireError("timeout", "slow") if len(calls) == 1 else booked(slot)

    return agent


def test_calling_it_off_while_the_booking_is_not_known_is_asked_about_once_booked():
    for message in ("no no espera, mejor no", "olvídalo, ya no la quiero", "uy no, mejor no"):
        chat = Chat(agenda([2, 4], [(9, 0)]), agent=slow_then_booked())
        chat.say("hola, quiero hora el miércoles a las 9")
        assert "Aún no sé si tu hora" in texts(chat.say("sí"))
        reply = chat.say(message)
        assert reply.continuation["data"]["code"] == "booked_undo", message
        assert buttons(reply) == ["Sí, cancelar", "No"], message


def test_stopping_at_the_confirmation_books_nothing():
    for message in ("mmm mejor no, dejemoslo hasta aqui nomas", "olvídalo", "no, no la reserves"):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora el miércoles a las 9")
        reply = chat.say(message)
        assert "no reservé nada" in texts(reply) and not chat.books, message


def test_more_ways_of_stopping_at_the_confirmation_book_nothing():
    for message in ("ya no, mejor lo dejamos hasta ahí nomás, gracias", "nah, mejor no agendo nada por ahora"):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora el miércoles a las 9")
        reply = chat.say(message)
        assert "no reservé nada" in texts(reply) and not chat.books, message
