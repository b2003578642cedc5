"""At «¿Cancelo (cambio) tu hora del jueves…?» with two listed, a yes that names the other one (a helper's walk: "ok,
la de Rojas" cancelled Thursday's), and "la mía" among a family's appointments."""

from __future__ import annotations

import pytest
from conversation_kit import Chat, texts
from test_dialogue_already import finding
from test_dialogue_appointments import FRI, THU, ClinicAgent

from wire.appointments import WireBooking


def at_the_question(intent: str) -> tuple[ClinicAgent, Chat]:
    agent = ClinicAgent(THU, FRI)
    chat = Chat(finding(2, 4, 7), appointments=agent)
    opening = "quiero cancelar la del jueves" if intent == "cancel" else "quiero cambiar la del jueves"
    assert "del jueves 3 de diciembre a las 10:00" in texts(chat.say(opening))
    return agent, chat


@pytest.mark.parametrize("message", [
    "ok, la de rojas", "ok pero la del viernes, no la del jueves", "dale, aunque en verdad era la del doctor rojas",
    "si, la del viernes", "perfecto, pero la con el doctor rojas",
])
def test_a_yes_naming_the_other_appointment_asks_about_that_one_and_cancels_nothing(message):
    agent, chat = at_the_question("cancel")
    said = texts(chat.say(message))
    assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in said, message
    assert agent.cancelled == {}
    assert "Listo, cancelé tu hora del viernes 4" in texts(chat.say("sí"))
    assert list(agent.cancelled.values()) == ["bk-8"]


@pytest.mark.parametrize("message", ["dale, pero la de rojas", "ok pero la del viernes", "si, bueno no, la del viernes"])
def test_a_yes_naming_the_other_appointment_at_a_move_asks_about_moving_that_one(message):
    agent, chat = at_the_question("reschedule")
    said = texts(chat.say(message))
    assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in said, message
    assert agent.moved == {}


def test_a_move_to_a_day_is_still_a_move_of_the_one_asked_about():
    _, chat = at_the_question("reschedule")
    said = texts(chat.say("si, para el viernes"))
    assert "Elige la nueva hora; la del jueves 3 de diciembre a las 10:00 se cancelará" in said


def test_both_named_are_each_asked_about_and_a_yes_naming_the_one_asked_about_cancels_it():
    agent, chat = at_the_question("cancel")
    said = texts(chat.say("si pero la del viernes tambien"))
    assert "te pregunto por cada una" in said and "¿Cancelo tu hora del jueves 3" in said
    agent, chat = at_the_question("cancel")
    assert "Listo, cancelé tu hora del jueves 3" in texts(chat.say("si, cancela la del jueves"))
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_la_mia_is_the_writers_own_never_one_whose_professional_shares_their_first_name():
    mine = WireBooking("bk-1", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dr. Juan Rojas",
                       patient="Ana Pérez")
    hers = WireBooking("bk-2", "2026-12-04T15:00:00-03:00", "2026-12-04T15:30:00-03:00", "Dra. Ana Soto",
                       patient="María Pérez")
    for messages in (("quiero cancelar una hora", "la mía"), ("quiero cancelar la mía",)):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(mine, hers), name="Ana María Pérez")
        for message in messages:
            said = texts(chat.say(message))
        assert "del jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas (Ana Pérez)?" in said, messages
    son = WireBooking("bk-3", "2026-12-04T15:00:00-03:00", "2026-12-04T15:30:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Pérez")
    chat = Chat(finding(2, 4), appointments=ClinicAgent(mine, son), name="Ana Pérez")
    chat.say("quiero cancelar una hora")
    assert "del jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas (Ana Pérez)?" in texts(chat.say("la mía"))


@pytest.mark.parametrize("message", ["si, ambas", "sí, y la del viernes también", "sí, las dos"])
def test_yes_to_both_asks_about_each_never_cancels_only_one_or_opens_a_booking(message):
    agent, chat = at_the_question("cancel")
    reply = chat.say(message)
    assert "te pregunto por cada una" in texts(reply) and agent.cancelled == {}, message
    chat.say("sí")
    assert "Listo, cancelé tu hora del viernes 4" in texts(chat.say("sí")) and len(agent.cancelled) == 2


def test_yes_with_the_other_ones_professional_asks_about_that_one():
    agent, chat = at_the_question("cancel")
    assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00" in texts(chat.say("sí, con el dr rojas"))
    assert agent.cancelled == {}


def test_starting_over_during_a_move_asks_about_the_move_again_never_new_menus_that_still_move_it():
    """"empecemos de nuevo" while a move's new time was chosen showed a new booking's days, and the next pick moved
    the appointment without a word of it (the third walk)."""
    agent, chat = at_the_question("reschedule")
    chat.say("sí")
    chat.say("el lunes")
    reply = chat.say("empecemos de nuevo")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply) and agent.moved == {}
    assert "se cancelará cuando la nueva quede reservada" in texts(chat.say("sí"))


def test_the_line_number_of_a_listed_appointment_is_read_alike_to_cancel_and_to_move():
    """"cancela la 2" asked about the 2nd listed, "cambia la 2 al lunes" about the one at 14:00 (the third walk)."""
    two_pm = WireBooking("bk-a", "2026-12-03T14:00:00-03:00", "2026-12-03T14:30:00-03:00", "Dra. Ana Soto")
    for message, asked in (("cancela la 2", "¿Cancelo tu hora del viernes 4"),
                           ("cambia la 2 al lunes", "¿Cambio tu hora del viernes 4")):
        chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(two_pm, FRI))
        chat.say("hola")
        assert asked in texts(chat.say(message)), message


def test_i_got_it_wrong_at_a_cancel_question_never_moves_the_one_asked_about():
    """"me equivoqué, es la del viernes" at «¿Cancelo tu hora del jueves…?» started a move of Thursday's (the
    fifth walk): the one named is asked about; "me equivoqué" alone cancels nothing."""
    agent, chat = at_the_question("cancel")
    assert "¿Cancelo tu hora del viernes 4" in texts(chat.say("me equivoqué, es la del viernes"))
    agent, chat = at_the_question("cancel")
    reply = chat.say("me equivoqué")
    assert "¿Cuál de tus horas?" in texts(reply) and agent.cancelled == {} and agent.moved == {}


def test_i_got_it_wrong_anywhere_in_the_message_and_what_it_then_says_is_what_is_done():
    """The sixth walk: "disculpe, me equivoqué, es la del viernes" still moved Thursday's; "me equivoqué, la quiero
    cambiar para el viernes" and "me equivoqué, cancela las dos" lost what they asked for."""
    for message in ("disculpe, me equivoqué, es la del viernes", "no no, me equivoqué, era la del viernes"):
        agent, chat = at_the_question("cancel")
        assert "¿Cancelo tu hora del viernes 4" in texts(chat.say(message)), message
        assert agent.moved == {} and agent.cancelled == {}
    agent, chat = at_the_question("cancel")
    assert "Elige la nueva hora" in texts(chat.say("me equivoqué, la quiero cambiar para el viernes"))
    agent, chat = at_the_question("cancel")
    assert "te pregunto por cada una" in texts(chat.say("me equivoqué, cancela las dos"))


def test_i_got_it_wrong_at_a_move_question_or_a_moves_days_never_moves_anything_by_itself():
    """The seventh walk: "me equivoqué" at «¿Cambio tu hora…?» went to a day list without the move's warning, and two
    taps moved the appointment; "me equivoqué, es la de las dos" was read as "both"."""
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7), appointments=agent)
    chat.say("quiero cambiar mi hora")
    assert "tu hora sigue en pie" in texts(chat.say("me equivoqué")) and agent.moved == {}
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7), appointments=agent)
    chat.say("quiero cambiar mi hora")
    chat.say("sí")
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("me equivoqué")) and agent.moved == {}
    two_pm = WireBooking("bk-10", "2026-12-04T14:00:00-03:00", "2026-12-04T14:30:00-03:00", "Dr. Juan Rojas")
    chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(THU, two_pm))
    chat.say("cancela la del jueves")
    assert "¿Cancelo tu hora del viernes 4 de diciembre a las 14:00" in texts(chat.say("me equivoqué, es la de las dos"))
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7), appointments=agent)
    chat.say("cancela mi hora")
    assert chat.say("sí, me equivoqué al agendarla, cancélala").status == "cancelled"


def test_yes_i_got_it_wrong_is_asked_again_and_another_day_after_a_mistake_is_a_move():
    """The eighth walk: "sí, me equivoqué" at «¿Cancelo…?» started a move; "me equivoqué de día, quiero otra" kept the
    appointment and offered a second one beside it."""
    agent, chat = at_the_question("cancel")
    for message in ("sí, me equivoqué", "ok me equivoqué"):
        agent, chat = at_the_question("cancel")
        reply = chat.say(message)
        assert "¿Cancelo tu hora del jueves 3" in texts(reply) and "Elige la nueva hora" not in texts(reply), message
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7), appointments=agent)
    chat.say("cancela mi hora")
    assert "Elige la nueva hora; la del jueves 3" in texts(chat.say("me equivoqué de día, quiero otra"))
