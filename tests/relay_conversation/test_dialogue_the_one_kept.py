"""The appointment a patient keeps is never the one cancelled or moved: "cancela la de Tomás y deja la mía", "deja la
de las 10, cancela la otra", "cancela todas las de mi hijo y mi esposo"; and a relative named by first name is theirs
even when a professional has the same first name ("la de Pedro Pérez" beside Dr. Pedro Lagos)."""

from __future__ import annotations

import pytest
from conversation_kit import Chat, agenda, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

ANA = WireBooking("bk-a", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                  patient="Ana Pérez")
PEDRO = WireBooking("bk-p", "2026-12-03T15:00:00-03:00", "2026-12-03T15:30:00-03:00", "Dra. Ana Soto",
                    patient="Pedro Pérez")
TOMAS = WireBooking("bk-t", "2026-12-04T11:30:00-03:00", "2026-12-04T12:00:00-03:00", "Dr. Juan Rojas",
                    patient="Tomás Pérez")
ANA_WITH_DR_PEDRO = WireBooking("bk-l", "2026-12-07T12:00:00-03:00", "2026-12-07T12:30:00-03:00", "Dr. Pedro Lagos",
                                patient="Ana Pérez")


def phone(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(*bookings)
    return Chat(agenda([2, 3, 4], [(9, 0)]), appointments=agent, name="Ana Pérez"), agent


@pytest.mark.parametrize("message", [
    "cancela la de tomas y deja la mia",
    "deja la mia y cancela la de tomas",
    "cancela la de mi hijo, la mia la mantengo",
    "cancel tomas appointment and keep mine",
    "keep mine and cancel my son's",
])
def test_the_relative_named_beside_the_writers_kept_one_is_the_one_cancelled(message: str) -> None:
    chat, agent = phone(ANA, TOMAS)
    reply = chat.say(message)
    assert "Tomás Pérez" in texts(reply), message
    chat.say("sí" if "Cancelo" in texts(reply) else "yes")
    assert list(agent.cancelled.values()) == ["bk-t"], message


@pytest.mark.parametrize(("message", "cancelled"), [
    ("cancela la de las 3 y deja la de las 10", "bk-p"),
    ("deja la de las 10 y cancela la de las 3", "bk-p"),
    ("cancela la de pedro y deja la mia", "bk-p"),
])
def test_the_one_said_to_be_kept_never_names_the_one_cancelled(message: str, cancelled: str) -> None:
    chat, agent = phone(ANA, PEDRO)
    assert "Pedro Pérez" in texts(chat.say(message)), message
    chat.say("sí")
    assert list(agent.cancelled.values()) == [cancelled], message


def test_keeping_one_and_cancelling_the_other_unnamed_never_cancels_the_one_kept() -> None:
    chat, agent = phone(ANA, PEDRO)
    chat.say("deja la de las 10, cancela la otra")
    chat.say("sí")
    assert "bk-a" not in agent.cancelled.values()


@pytest.mark.parametrize("answer", ["la de pedro perez", "la de mi esposo pedro"])
def test_a_relative_named_like_a_doctor_is_the_relative(answer: str) -> None:
    chat, agent = phone(ANA, PEDRO, ANA_WITH_DR_PEDRO)
    chat.say("quiero cancelar una hora")
    reply = chat.say(answer)
    assert "¿Cancelo la hora de Pedro Pérez del jueves 3 de diciembre a las 15:00" in texts(reply), answer
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-p"], answer


def test_a_doctor_named_with_his_title_is_still_the_doctor() -> None:
    chat, agent = phone(ANA, PEDRO, ANA_WITH_DR_PEDRO)
    chat.say("quiero cancelar una hora")
    reply = chat.say("la del dr pedro lagos")
    assert "lunes 7 de diciembre a las 12:00 con el Dr. Pedro Lagos" in texts(reply)


def test_all_of_the_relatives_ones_are_theirs_never_the_writers_own() -> None:
    chat, agent = phone(ANA, PEDRO, TOMAS)
    reply = chat.say("cancela todas las de mi hijo y mi esposo")
    assert "Son 2 horas" in texts(reply) and "Pedro Pérez" in texts(reply)
    reply = chat.say("sí")
    assert "Tomás Pérez" in texts(reply)
    reply = chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-p", "bk-t"]
    assert "otra persona" not in texts(reply)  # nothing was asked to be booked


def at_the_move_confirmation(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
    chat, agent = phone(*bookings)
    chat.say("quiero cambiar la hora del jueves a las 10")
    reply = chat.say("el viernes a las 9")
    assert "¿Confirmo el viernes 4 de diciembre a las 09:00" in texts(reply) and "en vez de tu hora" in texts(reply)
    return chat, agent


@pytest.mark.parametrize("answer", ["si pero es la de mi hijo", "ok pero para mi hijo", "yes but it's my son's"])
def test_a_yes_but_its_a_relatives_at_the_move_confirmation_asks_about_theirs(answer: str) -> None:
    chat, agent = at_the_move_confirmation(ANA, TOMAS)
    reply = chat.say(answer)
    assert not agent.moved, answer
    assert "Tomás Pérez" in texts(reply), answer


def test_a_yes_but_its_a_relatives_with_only_hers_on_the_phone_moves_nothing() -> None:
    chat, agent = at_the_move_confirmation(ANA)
    chat.say("ok pero para mi hijo")
    assert not agent.moved


@pytest.mark.parametrize("answer", ["si pero quiero mantener la del jueves tambien", "yes but keep the thursday one too"])
def test_keeping_the_one_moved_too_makes_the_new_time_one_more(answer: str) -> None:
    chat, agent = at_the_move_confirmation(ANA)
    reply = chat.say(answer)
    assert not agent.moved and "en vez de" not in texts(reply) and "instead of" not in texts(reply), answer
    chat.say("sí" if "Confirmo" in texts(reply) else "yes")
    assert not agent.moved and [b.slot.start for b in chat.books] == ["2026-12-04T09:00:00-03:00"], answer


def test_a_yes_with_a_time_at_the_move_question_keeps_the_day_the_first_message_asked_for() -> None:
    """ "cambia la hora de mi hijo al viernes" … «¿Cambio la hora de Tomás…?» "sí, a las 9": Friday at 9 (it was the
    old appointment's day at 9)."""
    chat, agent = phone(ANA, TOMAS)
    assert "¿Cambio la hora de Tomás Pérez" in texts(chat.say("quiero cambiar la hora de mi hijo al jueves"))
    reply = chat.say("si, a las 9")
    assert "¿Confirmo el jueves 3 de diciembre a las 09:00" in texts(reply)


@pytest.mark.parametrize("message", ["cancela la mia y la de mi hijo", "cancela la mia, y la de mi hijo dejala"])
def test_mine_and_a_relatives_never_cancels_another_persons_the_phone_holds(message: str) -> None:
    """With the husband's on the phone and no son's, "la mía y la de mi hijo" cancelled the husband's after hers (a
    first version of this session); "…y la de mi hijo déjala" cancelled the son's. The bot records no relation."""
    chat, agent = phone(ANA, PEDRO)
    chat.say(message)
    for _ in range(2):
        chat.say("sí")
    assert "bk-p" not in agent.cancelled.values(), message


def test_mine_and_a_relatives_cancels_hers_and_never_as_if_both_were_cancelled() -> None:
    """«Listo, cancelé tu hora…» and nothing of the son's: she believed both were cancelled."""
    chat, agent = phone(ANA, TOMAS)
    chat.say("cancela la mia y la de mi hijo")
    reply = chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-a"]
    assert "Lo otro que me pediste, escríbemelo ahora en un mensaje aparte" in texts(reply)


def test_mine_and_a_relatives_with_only_mine_on_the_phone_says_theirs_was_not_found() -> None:
    chat, agent = phone(ANA)
    reply = chat.say("cancela la mia y la de mi hijo")
    assert "No encontré una hora de esa persona" in texts(reply)


@pytest.mark.parametrize("answer", ["no no, la de mi hijo", "no espera, la de mi hijo", "no perdon, la de mi hijo"])
def test_no_and_the_relatives_at_the_cancel_question_lists_them_never_keeps_it_all(answer: str) -> None:
    """It said «Entendido, tu hora sigue en pie» and the son's was never offered; the list is shown (the bot cannot
    tell whose relation an appointment is), and the one picked is asked about."""
    chat, agent = phone(ANA, TOMAS)
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(chat.say("cancela la de las 10"))
    reply = chat.say(answer)
    assert "sigue en pie" not in texts(reply) and "Tomás Pérez" in texts(reply), answer
    assert "¿Cancelo la hora de Tomás Pérez" in texts(chat.say("2")), answer
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-t"], answer


def test_the_time_that_named_the_wrong_appointment_is_not_where_the_right_one_moves() -> None:
    """ "cambia la de las 10" … "no, la de mi esposo" … "sí": his was proposed at 10:00 (the 10 named hers)."""
    chat, agent = phone(ANA, PEDRO)
    chat.say("cambia la de las 10")
    chat.say("no, la de mi esposo")  # the list (whose relation each one is, the bot cannot tell)
    assert "¿Cambio la hora de Pedro Pérez" in texts(chat.say("2"))
    reply = chat.say("sí")
    assert "Confirmo" not in texts(reply) and "10:00" not in texts(reply).split("reservada.", 1)[-1]


@pytest.mark.parametrize("message", [
    "cancela la del jueves y deja la del viernes", "deja la del viernes y cancela la del jueves",
    "cancela la del jueves, la del viernes la dejamos",
])
def test_the_day_kept_never_names_the_one_cancelled(message: str) -> None:
    chat, agent = phone(ANA, TOMAS)
    assert "jueves 3 de diciembre" in texts(chat.say(message)), message
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-a"], message


# What the changes above must not catch (a helper's walk of 380 dialogues against the code before them)
ROSA = WireBooking("bk-r", "2026-12-09T09:00:00-03:00", "2026-12-09T09:30:00-03:00", "Dra. Ana Soto",
                   patient="Rosa Díaz")


@pytest.mark.parametrize("message", ["cancela la del dr pedro", "cancela mi hora con el doctor pedro",
                                     "cancela la que tengo con pedro", "cancela la del doc pedro",
                                     "cancela mi hora con el medico pedro"])
def test_a_doctor_named_by_first_name_is_never_the_relative_of_that_name(message: str) -> None:
    chat, agent = phone(PEDRO, ANA_WITH_DR_PEDRO)
    chat.say(message)
    chat.say("sí")
    assert "bk-p" not in agent.cancelled.values(), message


@pytest.mark.parametrize("message", ["cancela la de mi mama con la dra ana", "cancela la de mi mama con la dra ana soto",
                                     "cancela la de mi mama con la doc ana", "cancela la de mi mama con la ana"])
def test_a_relatives_appointment_with_a_doctor_of_the_writers_first_name_is_the_relatives(message: str) -> None:
    chat, agent = phone(ANA, ROSA)
    chat.say(message)
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-r"], message


def test_no_and_a_relative_with_no_appointment_never_offers_another_relatives() -> None:
    chat, agent = phone(ANA, TOMAS)
    chat.say("cancela la de las 10")
    reply = chat.say("no, la de mi esposo")
    assert "¿Cancelo la hora de Tomás Pérez" not in texts(reply)
    chat.say("sí")
    assert not agent.cancelled


@pytest.mark.parametrize("answer", ["si, y mantener la misma doctora tambien", "si, te dejo mi rut tambien",
                                    "si pero voy a ir con mi hijo", "yes, and keep me posted too",
                                    "si, pero la de mi esposo no la toques"])
def test_a_yes_with_words_about_something_else_still_moves_it(answer: str) -> None:
    chat, agent = at_the_move_confirmation(ANA)
    chat.say(answer)
    assert list(agent.moved.values())[0][0] == "bk-a", answer
    assert not chat.books, answer


def test_giving_one_up_for_another_time_is_not_keeping_it() -> None:
    """ "dejar la de las 10 y tomar la de las 11:30" gives the 10:00 up: it said «No tienes una hora así»."""
    chat, _ = phone(ANA)
    reply = chat.say("quiero cambiar mi hora, dejar la de las 10 y tomar la de las 9")
    assert "No tienes una hora" not in texts(reply)
