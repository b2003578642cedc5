"""«¿Cancelo (cambio) tu hora del jueves…?» answered with another day or time ("mejor el sábado a las 9", "can I
come on monday instead?", "el lunes a las 10"): that appointment moved there, asked first — never a second booking
beside the one they cannot come to, nor a new booking's «¿Qué especialidad…?»; a day that is the appointment's own
("¿era el jueves?", "no puedo el jueves") asks the same question again."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, buttons, slot, slots, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent
from test_dialogue_understanding import with_specialty

from wire.appointments import WireBooking

DAYS = agenda([2, 3, 4, 5, 7], [(9, 0), (10, 0), (15, 0)])
SPECIALTIES = slots(*(with_specialty(slot(d, h, 0, who), specialty) for d in (2, 3, 4, 7, 8) for h in (9, 10, 16)
                      for who, specialty in (("Dra. Ana Soto", "Medicina general"), ("Dr. Juan Rojas", "Traumatología"))))


def cancelling_thursday(clinic=None, *bookings):
    agent = ClinicAgent(*(bookings or (THU, FRI)))
    chat = Chat(DAYS, appointments=agent, **({"clinic": clinic} if clinic else {}))
    chat.say("cancel my thursday appointment" if clinic else "quiero cancelar mi hora del jueves")
    return agent, chat


def test_another_day_at_the_cancel_question_moves_that_appointment_never_books_a_second():
    for message, said in (("mejor el sábado a las 9", "sábado 5 de diciembre a las 09:00"),
                          ("no, mejor el lunes a las 9", "lunes 7 de diciembre a las 09:00"),
                          ("y no hay algo para el sabado a las 15?", "sábado 5 de diciembre a las 15:00")):
        agent, chat = cancelling_thursday()
        reply = chat.say(message)
        assert f"¿Confirmo el {said}" in texts(reply), message
        assert "en vez de tu hora del jueves 3 de diciembre a las 10:00" in texts(reply), message
        reply = chat.say("sí")
        assert "Cambié tu hora del jueves 3 de diciembre a las 10:00" in texts(reply), message
        assert not chat.books and not agent.cancelled and [m[0] for m in agent.moved.values()] == ["bk-7"], message


def test_in_english_another_day_instead_is_the_move_too():
    for message in ("what about monday at 9?", "can I come on saturday instead?"):
        agent, chat = cancelling_thursday(EN)
        reply = chat.say(message)
        assert "instead of your appointment on Thursday 3 December at 10:00" in texts(reply) or (
            "Pick the new time" in texts(reply)), message
        assert not chat.books and not agent.cancelled and not agent.moved, message
    agent, chat = cancelling_thursday(EN)
    chat.say("what about monday at 9?")
    assert "I moved your appointment on Thursday 3 December at 10:00" in texts(chat.say("yes"))
    assert not chat.books and [m[0] for m in agent.moved.values()] == ["bk-7"]


def test_its_own_day_asks_the_cancel_question_again():
    for message in ("¿era el jueves?", "no puedo el jueves", "era a las 10?"):
        agent, chat = cancelling_thursday(None, THU)
        reply = chat.say(message)
        assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00" in texts(reply), message
        assert buttons(reply) == ["Sí, cancelar", "No"] and not agent.cancelled and not chat.books, message
        assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"], message


def test_a_day_asked_for_where_their_sons_appointment_is_never_cancels_his():
    son = WireBooking("bk-10", "2026-12-07T15:00:00-03:00", "2026-12-07T15:30:00-03:00", "Klga. Paula Méndez",
                      patient="Tomás Pérez")
    for message in ("no puedo ir, tienen el lunes?", "podria ser el lunes?"):
        agent, chat = cancelling_thursday(None, THU, FRI, son)
        reply = chat.say(message)
        assert "Tomás" not in texts(reply) and "la del jueves 3 de diciembre a las 10:00 se cancelará" in texts(reply)
        chat.say("1")
        chat.say("sí")
        assert not agent.cancelled and not chat.books, message
        assert [m[0] for m in agent.moved.values()] == ["bk-7"], message


def test_a_new_time_said_at_the_move_question_is_where_it_goes():
    for message, clinic, yes, said in (("el lunes a las 10", None, "sí", "¿Confirmo el lunes 7 de diciembre a las 10:00"),
                                       ("monday at 10", EN, "yes", "Shall I book Monday 7 December at 10:00"),
                                       ("tuesday 9am", EN, "yes", "Shall I book Tuesday 8 December at 09:00")):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(SPECIALTIES, appointments=agent, **({"clinic": clinic} if clinic else {}))
        chat.say("I want to reschedule my thursday appointment" if clinic else "quiero cambiar mi hora del jueves")
        reply = chat.say(message)
        assert said in texts(reply) and "specialty" not in texts(reply) and "especialidad" not in texts(reply), message
        chat.say(yes)
        assert not chat.books and not agent.cancelled and [m[0] for m in agent.moved.values()] == ["bk-7"], message
