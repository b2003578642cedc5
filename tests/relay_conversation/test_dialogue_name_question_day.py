"""Another day or time given at «¿A nombre de quién reservo la hora?».

One more appointment, Monday at 9 with Dr. Rojas, for a phone that already has one: the name is asked. "uy no, me
equivoqué, era para el martes" and "ah no, es el martes" **booked Monday under the name "Uy No" / "Ah No"**;
"oops, tuesday", "perdón, era el martes", "wait, tuesday please" were «No pude leer ese nombre»; "no, el martes a
las 10" was «Primero la hora del lunes…; después vemos la otra» (the name given next booked Monday, then Tuesday:
two); "Tomás Pérez, el martes" booked Monday under Tomás Pérez; "nevermind", "forget it" were «I couldn't read that
name»; "uy no, era a las 10" was «Primero la hora del lunes…» too, and "uy no, mejor a las 10" «¿Confirmo…, a nombre
de Uy No?»."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import THU, ClinicAgent


def chat_at_the_name_question(english: bool) -> Chat:
    clinic = replace(agenda(range(2, 15), [(9, 0), (10, 0), (11, 40)], ("Dra. Ana Soto", "Dr. Luis Rojas")),
                     finds_bookings=True)
    chat = (Chat(clinic, clinic=EN, appointments=ClinicAgent(THU)) if english
            else Chat(clinic, appointments=ClinicAgent(THU)))
    chat.say("appointment monday at 9 with dr rojas" if english else "hora el lunes a las 9 con el dr rojas")
    chat.say("One more" if english else "Una hora más")
    asked = texts(chat.say("yes" if english else "sí"))
    assert ("Whose name should the appointment be under?" if english
            else "¿A nombre de quién reservo la hora?") in asked
    return chat


@pytest.mark.parametrize(("answer", "english"), [
    ("uy no, me equivoqué, era para el martes", False), ("ah no, es el martes", False),
    ("perdón, era el martes", False), ("oops, martes", False), ("Uy no, me equivoqué, era para el martes", False),
    ("Ah No, Es El Martes", False),  # (every word capitalised: still no name)
    ("oh no, I meant tuesday", True), ("wait, tuesday please", True), ("sorry, wrong day, tuesday", True),
])
def test_a_day_put_right_shows_that_days_times(answer: str, english: bool) -> None:
    chat = chat_at_the_name_question(english)
    said = texts(chat.say(answer))
    assert ("with Dr. Luis Rojas on Tue 8 Dec?" if english else "con el Dr. Luis Rojas el Mar 8 dic?") in said
    assert not chat.books


def test_a_day_and_time_put_right_is_proposed_and_booked_once() -> None:
    chat = chat_at_the_name_question(False)
    said = texts(chat.say("no, el martes a las 10"))
    assert said.startswith("¿Confirmo el martes 8 de diciembre a las 10:00 con el Dr. Luis Rojas?")
    assert "¿A nombre de quién" in texts(chat.say("sí"))
    chat.say("Tomás Pérez")
    assert [(str(b.slot.start), b.state.patient_name) for b in chat.books] == [
        ("2026-12-08T10:00:00-03:00", "Tomás Pérez")]


def test_a_name_and_another_day_keeps_the_name_for_that_day() -> None:
    chat = chat_at_the_name_question(False)
    assert "con el Dr. Luis Rojas el Mar 8 dic?" in texts(chat.say("Tomás Pérez, el martes"))
    assert "a nombre de Tomás Pérez?" in texts(chat.say("a las 10"))
    chat.say("sí")
    assert [(str(b.slot.start), b.state.patient_name) for b in chat.books] == [
        ("2026-12-08T10:00:00-03:00", "Tomás Pérez")]


def test_a_name_and_another_appointment_still_books_this_one_first() -> None:
    chat = chat_at_the_name_question(False)
    assert texts(chat.say("Diego Morales, el martes a las 10:20")).startswith(
        "Primero la hora del lunes 7 de diciembre a las 09:00; después vemos la otra.")
    chat = chat_at_the_name_question(False)
    chat.say("Tomás Pérez")
    assert [(str(b.slot.start), b.state.patient_name) for b in chat.books] == [
        ("2026-12-07T09:00:00-03:00", "Tomás Pérez")]


def test_never_mind_at_the_name_question_books_nothing_and_says_so() -> None:
    # "nevermind", "forget it" were «I couldn't read that name» (as "olvídalo" was not)
    for answer in ("nevermind", "never mind, thanks", "forget it"):
        chat = chat_at_the_name_question(True)
        assert texts(chat.say(answer)).startswith("All right, nothing was booked."), answer
        assert not chat.books


@pytest.mark.parametrize("answer", ["uy no, era a las 10", "perdón, a las 10", "no, a las 10",
                                    "me equivoqué, a las 10", "uy no, mejor a las 10"])
def test_a_time_put_right_is_proposed_never_this_one_first_nor_a_name(answer: str) -> None:
    # were «Primero la hora del lunes … a las 09:00; después vemos la otra» (the name given next booked 9:00), or
    # «¿Confirmo … a las 10:00 …, a nombre de Uy No?»
    chat = chat_at_the_name_question(False)
    assert texts(chat.say(answer)) == "¿Confirmo el lunes 7 de diciembre a las 10:00 con el Dr. Luis Rojas?"
    assert not chat.books


def test_a_birth_date_beside_the_name_is_no_day_put_right() -> None:
    for answer, english, name in (("John Smith, DOB 12/03/1990", True, "John Smith"),
                                  ("Tomás Pérez, nacido el 12/03/2015", False, "Tomás Pérez")):
        chat = chat_at_the_name_question(english)
        chat.say(answer)
        assert [b.state.patient_name for b in chat.books] == [name], answer
