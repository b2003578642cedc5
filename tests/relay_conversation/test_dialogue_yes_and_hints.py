"""What a receptionist does with "sí" at a menu of times or days, and where "type the number" goes under a list."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conversation_kit import EN, ES, Chat, agenda, buttons, lines, slot, slots, texts

from relay.conversation import Reply


def shows(reply: Reply) -> list[str]:
    """Every message the patient reads, in order (the buttons' message last)."""
    return [h["params"]["value"] for h in reply.continuation["execute_handlers"] if h["handler"] == "show"]


@pytest.mark.parametrize("yes", ["sí", "Si", "ok", "Sí, por favor", "dale"])
def test_yes_to_a_time_menu_of_one_time_books_that_time(yes):
    chat = Chat(agenda([2, 7], [(10, 0)], ["Dra. Camila Soto"]))
    chat.say("Hola")
    menu = chat.say("Lun 7 dic")
    assert buttons(menu) == ["10:00", "Otro día"]
    booked = chat.say(yes)
    assert [b.slot.start for b in chat.books] == ["2026-12-07T10:00:00-03:00"]
    assert booked.status == "booked" and "Lunes 7 de diciembre a las 10:00" in texts(booked)


def test_yes_in_english_to_one_time_books_it():
    chat = Chat(agenda([2, 3], [(16, 30)]), clinic=EN)
    chat.say("Hi")
    chat.say("Wed 2 Dec")
    assert chat.say("yes").status == "booked"
    assert [b.slot.start for b in chat.books] == ["2026-12-02T16:30:00-03:00"]


@pytest.mark.parametrize("yes", ["sí", "si", "ok", "yes"])
def test_yes_to_several_times_asks_which_with_the_same_menu(yes):
    chat = Chat(agenda([2, 3], [(9, 0), (9, 30)]))
    chat.say("Hola")
    menu = chat.say("Mié 2 dic")
    again = chat.say(yes)
    assert chat.books == []
    assert "no te entendí" not in texts(again)
    assert shows(again)[0] == "¿Cuál de estas horas? Tócala en los botones o escribe la hora (p. ej. «10:30»)."
    assert buttons(again) == buttons(menu) == ["09:00", "09:30", "Otro día"]
    assert chat.say("09:30").status == "booked"  # and the answer to "which?" books it
    assert [b.slot.start for b in chat.books] == ["2026-12-02T09:30:00-03:00"]


def test_yes_to_a_list_of_times_asks_for_the_number_or_the_time():
    chat = Chat(agenda([2, 3], [(9, 0), (9, 30), (10, 0), (11, 0), (12, 0)]), clinic=EN)
    chat.say("Hi")
    menu = chat.say("Wed 2 Dec")
    again = chat.say("yes")
    assert shows(again)[0] == 'Which of these times? Type its number or the time (e.g. "10:30").'
    assert lines(again) == lines(menu) and len(lines(menu)) == 5
    assert "didn't get that" not in texts(again)
    assert chat.say("3").status == "booked"
    assert [b.slot.start for b in chat.books] == ["2026-12-02T10:00:00-03:00"]


def test_yes_to_a_menu_of_days_asks_which_day_or_takes_the_only_one():
    chat = Chat(agenda([2, 3, 4, 7, 8, 9], [(9, 0)]))
    chat.say("Hola")
    again = chat.say("sí")
    assert shows(again)[0] == "¿Cuál de estos días? Escribe su número o el día (p. ej. «mañana»)."
    assert lines(again)[0] == "1. miércoles 2 de diciembre" and chat.books == []
    one_day = Chat(agenda([4], [(9, 0), (10, 0)]))
    one_day.say("Hola")
    times = one_day.say("ok")
    assert times.status == "choose_time" and buttons(times)[:2] == ["09:00", "10:00"]


def test_goodbye_at_a_time_menu_still_ends_the_chat():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("Hola")
    chat.say("Mié 2 dic")
    bye = chat.say("no gracias, chao")
    assert chat.books == [] and bye.state is None


def test_the_typing_hint_comes_after_the_options_when_the_question_is_long():
    clinic_slots = [replace(slot(7, h), professional="Dra. Camila Soto", specialty="Medicina general")
                    for h in (9, 10, 11, 12, 15)]
    other = replace(slot(8, 9, professional="Dr. Juan Pérez"), specialty="Pediatría")
    for clinic, day, hint, question in (
        (ES, "Lun 7 dic", "Escribe el número de tu opción.",
         "¿Qué hora con la Dra. Camila Soto, Medicina general el Lun 7 dic?"),
        (EN, "Mon 7 Dec", "Type the number of your choice.",
         "Which time with Dra. Camila Soto, Medicina general on Mon 7 Dec?"),
    ):
        chat = Chat(slots(*clinic_slots, other), clinic=clinic)
        chat.say("Hola")
        chat.say("Medicina general")
        menu = chat.say(day)
        said = shows(menu)
        numbered = [i for i, text in enumerate(said) if text in lines(menu)]
        assert len(numbered) == 5
        assert said[numbered[-1] + 1:] == [question, hint]  # the question after the list, the hint with the buttons
        assert hint not in said[: numbered[0]]
        assert menu.continuation["data"]["message"].endswith(f"{question} {hint}")


def test_the_first_days_list_says_its_question_and_hint_after_the_days():
    chat = Chat(agenda([2, 3, 4, 7, 8, 9], [(9, 0)]))
    first = chat.say("Hola")
    said = shows(first)
    assert said[-3:] == ["6. miércoles 9 de diciembre" if len(lines(first)) == 6 else lines(first)[-1],
                         "¿Qué día te acomoda? También puedes escribirlo (p. ej. «mañana»).",
                         "Escribe el número de tu opción."]
    assert "Escribe el número de tu opción." not in said[:-1]


def test_yes_when_asked_with_whom_asks_for_one_of_them():
    chat = Chat(agenda([2, 3], [(10, 0)], ["Dra. Ana Soto", "Dr. Juan Pérez"]))
    chat.say("Hola")
    chat.say("Mié 2 dic")
    whom = chat.say("a las 10")
    assert "¿Con quién?" in texts(whom) and len(buttons(whom)) == 2
    again = chat.say("sí")
    assert shows(again)[0] == "¿Con quién? Elige a uno o escribe su nombre."
    assert buttons(again) == buttons(whom) and chat.books == []
    pick = chat.say("con el dr pérez")
    assert pick.continuation["data"].get("code") == "confirm" and "Dr. Juan Pérez" in texts(pick)


def test_a_yes_with_a_kind_word_or_in_slang_books():
    for yes in ("Sí, perfecto, gracias guapo", "simón", "obvio"):
        chat = Chat(agenda([2, 3], [(9, 0)]))
        chat.say("hola, el jueves a las 9")
        assert chat.say(yes).status == "booked", yes


def test_wait_and_a_greeting_again_keep_the_menu_without_a_reproach_and_thanks_close():
    chat = Chat(agenda([2, 3], [(9, 0)]))
    chat.say("hola, el jueves a las 9")
    reply = chat.say("espera, déjame ver mi agenda")
    assert "Claro, te espero." in texts(reply) and "no te entendí" not in texts(reply)
    assert buttons(reply) == ["Sí", "Otra hora"]
    reply = chat.say("hola")
    assert "no te entendí" not in texts(reply) and buttons(reply) == ["Sí", "Otra hora"]
    assert chat.say("Sí").status == "booked"
    assert chat.say("ah ok gracias, eso era").status == "closed"


def test_emojis_and_fillers_around_an_answer():
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para el sábado 5 a las 10:30")
    assert chat.say("eh sí, dale").status == "booked"  # "eh": a filler, not a word the yes does not know
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para el sábado 5")
    # "1" at time buttons with no numbers shown: the first, asked (never booked on a digit that may be an hour)
    assert "¿Confirmo el sábado 5 de diciembre a las 09:00" in texts(chat.say("1 👍"))
    assert chat.say("sí").status == "booked" and chat.books[0].slot.start.startswith("2026-12-05T09:00")
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    assert chat.say("🙏🙏").status == "closed"  # folded hands alone: thanks, answered in kind


def test_how_many_appointments_is_not_a_time_and_two_children_are_someone_else():
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    reply = chat.say("necesito 2 horas con la doctora para mis dos hijos, el sábado 5")
    assert "02:00" not in texts(reply) and "14:00" not in texts(reply)
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00"))
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para el sábado 5")
    reply = chat.say("la de las 10:30, a nombre de Lucas Castro")
    assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == "Lucas Castro"
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    reply = chat.say("hora para el sábado 5, ¿con quién me toca?")
    assert "No encontré a" not in texts(reply)


def test_a_digit_at_time_buttons_without_numbers_is_asked_about_never_booked_or_moved_on_it():
    """"2" at 09:00 / 13:00 / 18:00 booked 13:00 at once (2 o'clock, or the second?), and "1" moved an appointment to
    10:00 with no «¿Confirmo…?» (a helper's walk)."""
    from test_dialogue_appointments import FRI, ClinicAgent

    kine = agenda([2], [(9, 0), (13, 0), (18, 0)], ("Klga. Paula Méndez",))
    for digit, time in (("2", "13:00"), ("3", "18:00")):
        chat = Chat(kine)
        chat.say("hola, quiero hora con la kinesióloga mañana")
        reply = chat.say(digit)
        assert f"¿Confirmo el miércoles 2 de diciembre a las {time}" in texts(reply) and not chat.books, digit
        assert chat.say("sí").status == "booked" and chat.books[0].slot.start.endswith(f"{time}:00-03:00")
    agent = ClinicAgent(FRI)
    rojas = replace(agenda([7], [(10, 0), (11, 0), (16, 0)], ("Dr. Juan Rojas",)), finds_bookings=True)
    chat = Chat(rojas, appointments=agent)
    chat.say("kiero cambiar mi hora pal lunes")
    chat.say("si")
    assert "¿Confirmo el lunes 7 de diciembre a las 10:00" in texts(chat.say("1")) and agent.moved == {}


def test_another_day_at_the_same_time_at_a_confirmation_keeps_the_time():
    """"no, mejor el viernes a la misma hora" at «¿Confirmo el jueves … a las 10:00?» showed all of Friday's times (a
    helper's walk)."""
    days = agenda([3, 4, 7], [(9, 0), (10, 0), (11, 30)])
    for message, day in (("no, mejor el viernes a la misma hora", "viernes 4"), ("mejor el lunes, misma hora", "lunes 7"),
                         ("ok pero el viernes al mismo horario", "viernes 4")):
        chat = Chat(days)
        assert "¿Confirmo el jueves 3 de diciembre a las 10:00" in texts(chat.say("hora jueves 10am"))
        assert f"¿Confirmo el {day} de diciembre a las 10:00" in texts(chat.say(message)), message
        assert chat.say("sí").status == "booked" and not chat.books[0].slot.start.startswith("2026-12-03"), message


def test_a_yes_with_thanks_or_cheer_books_and_a_hesitation_does_not():
    """"sí!! muchas gracias, son lo máximo" at «¿Confirmo…?» was "Responde «Sí»…" (a helper's walk)."""
    for message, status in (("sí!! muchas gracias, son lo máximo", "booked"), ("ya bacán", "booked"),
                            ("si perfecto", "booked"), ("ok gracias, lo voy a pensar", "choose_time"),
                            ("sí, pero déjame confirmar con mi jefe", "choose_time"), ("sí, te aviso", "choose_time")):
        chat = Chat(agenda([3], [(9, 0), (10, 0)]))
        chat.say("hora el jueves a las 9")
        assert chat.say(message).status == status, message
