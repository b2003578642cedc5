""""STOP", "baja", "no me escriban más", "número equivocado" as a first message were greeted and shown the days to
book; in the middle of a booking, "baja" and "dejen de escribirme" were not understood. Now the bot says it will not
write again and ends (nothing booked, nothing asked); at «¿Cancelo…?» the appointment stays."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, buttons, texts
from test_dialogue_appointments import THU, ClinicAgent

CLOSED = "Entendido, Ana, no te escribo más. Si algún día necesitas una hora, escríbenos."


def test_a_first_message_asking_for_no_messages_is_answered_once_and_closed() -> None:
    for message in ("STOP", "Baja", "no me escriban más", "Dejen de escribirme por favor", "número equivocado",
                    "no me interesa, gracias", "no quiero recibir más mensajes"):
        chat = Chat(agenda([2, 3], [(9, 0)]))
        reply = chat.say(message)
        assert texts(reply) == CLOSED and buttons(reply) == [] and reply.status == "closed", message
    reply = Chat(agenda([2, 3], [(9, 0)]), clinic=EN).say("wrong number")
    assert texts(reply) == "Understood, Ana, I won't write again. If you ever need an appointment, write to us."


def test_in_the_middle_of_a_booking_nothing_is_booked_and_at_shall_i_cancel_it_stays() -> None:
    chat = Chat(agenda([2, 3], [(9, 0), (10, 0)]))
    chat.say("quiero hora el jueves a las 9")
    assert "no reservé nada" in texts(chat.say("baja")) and not chat.books
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 3], [(9, 0)]), appointments=agent)
    chat.say("cancela mi hora")
    chat.say("dejen de escribirme")
    assert not agent.cancelled


def test_words_that_ask_for_something_else_are_read_as_before() -> None:
    for message in ("no me escriban al correo, quiero hora el jueves", "baja de peso con nutricionista"):
        reply = Chat(agenda([2, 3], [(9, 0)])).say(message)
        assert texts(reply) != CLOSED, message


def test_asking_to_talk_to_the_doctor_is_handed_to_reception_not_shown_the_days() -> None:
    """"quiero hablar con la doctora" was shown the days to book (a question for the clinic's people)."""
    for message in ("hola, quiero hablar con la doctora", "¿puedo hablar con el doctor?", "can I talk to the doctor?"):
        reply = Chat(agenda([2, 3], [(9, 0)]), clinic=EN if message.startswith("can") else Chat.clinic).say(message)
        assert reply.status == "handoff" and buttons(reply) == [], (message, texts(reply))
    booking = Chat(agenda([2, 3], [(9, 0)])).say("quiero una hora para hablar con la doctora")
    assert booking.status != "handoff"  # an appointment asked for: the days


def test_talking_to_the_doctor_on_a_day_is_a_booking() -> None:
    reply = Chat(agenda([2, 3], [(9, 0)])).say("¿puedo hablar con la doctora el jueves?")
    assert reply.status == "choose_time" and texts(reply).endswith("¿Qué hora con la Dra. Ana Soto el Jue 3 dic?")
