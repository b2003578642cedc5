"""A professional the patient does not want ("pero no con la Dra. Soto") is never proposed, shown or booked."""

from __future__ import annotations

import pytest
from conversation_kit import Chat, agenda, buttons, lines, slot, slots, texts
from test_dialogue_understanding import with_specialty


def general_medicine() -> Chat:
    """Medicina general with two doctors (both free at 10:00 every day), Traumatología with one."""
    out = []
    for day in (3, 4, 7, 8):
        out += [with_specialty(slot(day, h, 0, "Dra. Ana Soto"), "Medicina general") for h in (9, 10, 15)]
        out += [with_specialty(slot(day, h, 0, "Dr. Pedro Lagos"), "Medicina general") for h in (10, 12)]
        out += [with_specialty(slot(day, 11, 0, "Dr. Juan Rojas"), "Traumatología")]
    return Chat(slots(*out))


def shown(reply) -> str:  # noqa: ANN001 - a Reply
    return " ".join([texts(reply), *buttons(reply), *lines(reply)])


@pytest.mark.parametrize("message", [
    "quiero hora con medicina general el jueves a las 10 pero no con la doctora soto",
    "hola, hora el jueves a las 10, que no sea con Soto",
    "medicina general el jueves a las 10, con cualquiera menos la Dra. Soto",
    "necesito hora el jueves a las 10. No quiero que me atienda la dra soto",
    "hora el jueves a las 10 con medicina general, con la dra soto no",
    "I need an appointment on thursday at 10, anyone but Dr. Soto",
    "general medicine thursday at 10, I don't want to see Dr. Soto",
    "hora el jueves a las 10 con medicina general, no me quiero atender con la dra soto",
    "hora el jueves a las 10 con medicina general, con soto ni loca",
    "hora el jueves a las 10 con medicina general, que no me toque soto",
    "general medicine thursday at 10, someone other than soto",
    "hora con medicina general el jueves a las 10, quiero una doctora pero no la dra soto",
    "hora con medicina general el jueves a las 10, pero no con la Dra. Ana Soto",
    "medicina general el jueves a las 10, no me gusta la dra soto",
    "la dra soto no me gustó, quiero otro doctor el jueves a las 10, medicina general",
    "medicina general el jueves a las 10, nunca más con soto",
    "medicina general el jueves a las 10, no quiero volver a ver a la dra soto",
])
def test_a_professional_ruled_out_is_not_proposed_and_a_yes_books_another(message: str) -> None:
    chat = general_medicine()
    reply = chat.say(message)
    assert "Pedro Lagos" in texts(reply), message
    left_out = texts(reply).replace("sin la Dra. Ana Soto", "").replace("not with Dra. Ana Soto", "")
    assert "Soto" not in left_out + " ".join(buttons(reply)), message
    chat.say("sí" if "Confirmo" in texts(reply) else "yes")
    assert [b.slot.professional for b in chat.books] == ["Dr. Pedro Lagos"], message


def test_left_out_of_every_menu_until_named_again() -> None:
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes")
    reply = chat.say("pero no con la dra soto")
    assert texts(reply).startswith("Entendido, sin la Dra. Ana Soto.")
    assert "Soto" not in " ".join([*buttons(reply), *lines(reply)])
    reply = chat.say("otro día")
    assert "Soto" not in shown(reply).replace("sin la Dra. Ana Soto", "")
    reply = chat.say("bueno, mejor con soto el viernes")  # named again: wanted again
    assert "Dra. Ana Soto" in texts(reply) and "Lagos" not in shown(reply)


def test_no_said_as_an_answer_before_her_name_wants_her() -> None:
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes a las 10")
    reply = chat.say("no, con la dra soto")
    assert "Dra. Ana Soto" in texts(reply) and "Entendido, sin" not in texts(reply)


def test_someone_else_is_of_the_same_specialty() -> None:
    """"no con Soto, con otro": another general practitioner, never "which specialty?"."""
    chat = general_medicine()
    chat.say("hola quiero hora con la dra soto el lunes")
    reply = chat.say("mejor no con soto, con cualquier otro")
    assert "especialidad" not in texts(reply) and "Pedro Lagos" in texts(reply)


def test_when_only_the_one_ruled_out_has_times_the_patient_is_told_and_may_still_choose_him() -> None:
    chat = general_medicine()
    reply = chat.say("hola, hora con traumatología, que no sea con el dr rojas")
    assert "no hay horas libres con otro profesional" in texts(reply)
    assert "Dr. Juan Rojas" in texts(reply) and "«recepción»" in texts(reply)
    assert "puede que la clínica no la atienda" not in texts(reply)  # never "no such specialty"


def test_a_day_only_the_one_ruled_out_has_is_said_so() -> None:
    clinic = agenda([3], [(9, 0)], ("Dra. Ana Soto",))
    clinic = slots(*clinic.slots, *agenda([4], [(9, 0)], ("Dra. Ana Soto", "Dr. Pedro Lagos")).slots)
    reply = Chat(clinic).say("hola, hora el jueves, pero no con la dra soto")
    assert "El Jue 3 dic solo hay horas libres con la Dra. Ana Soto." in texts(reply)


@pytest.mark.parametrize("message", [
    "hola, hora con medicina general el jueves a las 10. No, con la dra soto mejor",
    "hora con medicina general el jueves a las 10, ¿y por qué no con Soto?",
    "why not dr soto thursday at 10 for general medicine",
    "al menos la dra soto tiene hora el jueves a las 10? medicina general",
    "medicina general el jueves a las 10, con nadie que no sea la dra soto",
    "medicina general el jueves a las 10, sin la dra soto no voy",
    "medicina general el jueves a las 10, con soto no quiero esperar mucho",
    "medicina general el jueves a las 10, ¿puede ser con la dra soto, no?",
    "medicina general el jueves a las 10 con la dra soto, no me gusta esperar",
    "medicina general el jueves a las 10, lagos no me gusta, con soto",
])
def test_a_message_that_names_her_without_ruling_her_out_still_wants_her(message: str) -> None:
    """Questions, corrections and double negatives name the professional wanted (were read as ruling her out, and a
    "sí" then booked the other doctor)."""
    reply = general_medicine().say(message)
    assert "Dra. Ana Soto" in texts(reply) and "Pedro Lagos" not in texts(reply), message
    assert "sin la Dra." not in texts(reply) and "not with" not in texts(reply), message


def test_a_reply_no_then_her_name_to_another_doctors_offer_never_rules_her_out() -> None:
    for reply_to_offer in ("no con el, con la dra soto", "no la dra soto", "no que sea con soto"):
        chat = general_medicine()
        chat.say("hola, hora con medicina general el jueves a las 10 con lagos")
        reply = chat.say(reply_to_offer)
        assert "sin la Dra. Ana Soto" not in texts(reply), reply_to_offer
        assert "Lagos" not in " ".join(buttons(reply)), reply_to_offer


@pytest.mark.parametrize("answer", ["con otro doctor", "no con ella", "con ella no", "no, con otro", "not with her",
                                    "no la dra soto", "No soto", "no, con otra persona"])
def test_someone_else_at_her_confirmation_shows_the_others_of_her_specialty_that_day(answer: str) -> None:
    """At «¿Confirmo … con la Dra. Ana Soto?»: "no con ella" asked «Responde «Sí»…» again (a "sí" booked her) and
    "con otro doctor" listed every time of the day, hers first and another specialty's among them."""
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes a las 9")
    reply = chat.say(answer)
    assert "Dr. Pedro Lagos" in texts(reply) and buttons(reply)[:2] == ["10:00", "12:00"], answer
    assert "Rojas" not in shown(reply) and "Soto" not in shown(reply), answer


def test_a_time_free_only_with_her_is_said_to_be_hers_never_not_free() -> None:
    chat = general_medicine()
    chat.say("hora con medicina general el viernes, pero no con la dra soto")
    reply = chat.say("a las 9")
    assert texts(reply).startswith("Las 09:00 del Vie 4 dic solo están libres con la Dra. Ana Soto.")
    assert "Soto" not in " ".join(buttons(reply))


def test_no_comma_then_her_at_her_confirmation_is_still_her() -> None:
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes a las 9")
    reply = chat.say("no, con la dra soto")
    assert "Dra. Ana Soto" in texts(reply) and "Lagos" not in shown(reply)


def test_only_she_has_times_said_once_when_a_day_and_part_of_it_were_asked_for_too() -> None:
    """«Entendido, sin la Dra. Soto. El Lun 7 dic solo hay horas… No quedan horas libres en ese horario; te muestro
    todas. En los próximos 14 días no hay…»: four notices, two of them false."""
    reply = general_medicine().say("hola, hora con traumatología el lunes en la mañana, pero no con el dr rojas")
    said = texts(reply)
    assert "no hay horas libres con otro profesional" in said and "Dr. Juan Rojas" in said
    assert "no tiene horas libres" not in said and "No quedan horas libres en ese horario" not in said
    assert "solo hay horas libres" not in said


@pytest.mark.parametrize("answer", ["con ella no mas", "si con ella no hay problema", "no tengo problema con soto",
                                    "no, con ella esta bien", "not a problem, dr soto is fine"])
def test_words_for_her_at_her_confirmation_never_rule_her_out(answer: str) -> None:
    """Chilean "con ella no más" (just her), "no tengo problema con Soto": were read as "not her" (second walk)."""
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes a las 9")
    reply = chat.say(answer)
    assert "Lagos" not in shown(reply), answer


@pytest.mark.parametrize("message", ["no q con soto", "hola soy ana perez, quiero hora el viernes pero no con la doctora",
                                     "hora para mi hijo juan el viernes, no con rojas"])
def test_a_name_or_a_no_that_is_not_a_refusal_of_her(message: str) -> None:
    reply = general_medicine().say(message)
    said = shown(reply)
    if "soto" in message:
        assert "sin la Dra. Ana Soto" not in said, message
    elif "ana perez" in message:
        assert "Ana Soto" not in said, message  # the writer's own name, never the doctor's
    else:
        assert "especialidad" in said and "te muestro las horas con el Dr. Juan Rojas" not in said, message


@pytest.mark.parametrize("answer", ["con otro no", "solo con ella, con otro no", "ni con otro", "no, con otro no",
                                    "mejor con otra mas tarde", "con otra de la tarde", "no con otro medico"])
def test_nobody_else_or_another_time_at_her_confirmation_never_shows_only_the_others(answer: str) -> None:
    """"con otro no" (not with anyone else) showed only Dr. Lagos's times, and "1" + "sí" booked him."""
    chat = general_medicine()
    chat.say("hola, hora con medicina general el viernes a las 9")
    reply = chat.say(answer)
    assert "sin la Dra. Ana Soto" not in texts(reply), answer
    assert not ("Lagos" in shown(reply) and "Soto" not in shown(reply)), answer


@pytest.mark.parametrize("message", [
    "hora el jueves a las 10 medicina general, no con lagos, soto",
    "hora el jueves a las 10 con medicina general, no con el dr lagos la dra soto",
    "jueves a las 10, medicina general, con lagos, soto no",
])
def test_one_ruled_out_and_another_named_right_after_is_the_one_wanted(message: str) -> None:
    chat = general_medicine()
    reply = chat.say(message)
    wanted = "Pedro Lagos" if message.endswith(" no") else "Ana Soto"
    assert f"Confirmo el jueves 3 de diciembre a las 10:00 con {'el Dr.' if 'Lagos' in wanted else 'la Dra.'} {wanted}" \
        in texts(reply), message
    chat.say("sí")
    assert [b.slot.professional for b in chat.books] == [f"{'Dr.' if 'Lagos' in wanted else 'Dra.'} {wanted}"]


def test_both_ruled_out_when_joined() -> None:
    chat = general_medicine()
    reply = chat.say("hora el jueves a las 10 con medicina general, ni con lagos ni con soto")
    assert "sin el Dr. Pedro Lagos, la Dra. Ana Soto" in texts(reply)
    assert "Confirmo" not in texts(reply)


@pytest.mark.parametrize("message", [
    "hora el jueves a las 10 medicina general, no con lagos, soto tampoco",
    "hora el jueves a las 10 medicina general, pero no con lagos soto",
    "general medicine thursday at 10, not lagos, soto either",
    "hora el jueves a las 10 medicina general, no con lagos, soto tampoco, rojas",
    "hora el jueves a las 10 medicina general, no quiero con lagos, soto menos",
])
def test_two_ruled_out_in_a_row_are_both_ruled_out(message: str) -> None:
    reply = general_medicine().say(message)
    assert "sin el Dr. Pedro Lagos, la Dra. Ana Soto" in texts(reply), message
    assert "Confirmo" not in texts(reply), message
