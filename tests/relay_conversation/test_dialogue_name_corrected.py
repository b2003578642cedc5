"""At «¿Confirmo … a nombre de Tomás Pérez?», another full name given as the correction ("perdón, es María
Colmenares", "el nombre es…", "no, María Colmenares") replaces the name, asked about again; what only looks like one
(a day, an insurer, a time, a professional, a place or a visit in capitals) keeps Tomás Pérez."""

from __future__ import annotations

import pytest
from conversation_kit import Chat, agenda, texts

TWO = ("Dra. Ana Soto", "Dr. Juan Rojas")


def at_the_confirmation() -> Chat:
    chat = Chat(agenda([2, 4], [(9, 0), (10, 0)]), name="Ana Pérez")
    assert "a nombre de Tomás Pérez?" in texts(chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9"))
    return chat


@pytest.mark.parametrize("message", [
    "perdón, es María Colmenares", "no, es para María Colmenares", "perdón, el nombre es María Colmenares",
    "se llama María Colmenares", "no, María Colmenares", "disculpa, era María Colmenares", "María Colmenares",
    "no es Tomás, es María Colmenares", "me equivoqué, es María Colmenares", "sorry, it's María Colmenares",
    "perdón, la paciente es María Colmenares", "perdon, es maria colmenares",
])
def test_a_full_name_given_as_the_correction_is_the_one_asked_about_and_booked(message):
    """"perdón, es María Colmenares" was ignored («Responde «Sí»…» with Tomás Pérez) and the next "sí" booked Tomás."""
    chat = at_the_confirmation()
    assert "a nombre de María Colmenares?" in texts(chat.say(message)).replace("Maria", "María"), message
    assert chat.say("sí").status == "booked" and chat.books[-1].state.patient_name in ("María Colmenares",
                                                                                      "Maria Colmenares"), message


@pytest.mark.parametrize("message", [
    "perdón, es Fonasa", "perdón, es Isapre Colmena", "perdón, es Las Condes", "no, es Control Sano",
    "perdón, es Primera Consulta", "no, es la Clínica Alemana", "perdón, es Santiago Centro", "no, es Av Providencia",
])
def test_what_only_looks_like_a_name_keeps_the_name(message):
    chat = at_the_confirmation()
    assert "Tomás Pérez" in texts(chat.say(message)), message
    assert chat.say("sí").status == "booked" and chat.books[-1].state.patient_name == "Tomás Pérez", message


def test_a_day_a_time_or_a_professional_after_the_apology_is_read_as_such():
    assert "Vie 4 dic" in texts(at_the_confirmation().say("perdón, es para el viernes"))
    assert "a las 10:00" in texts(at_the_confirmation().say("perdón, es a las 10"))
    chat = Chat(agenda([2, 4], [(9, 0), (10, 0)], TWO), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9 con la Dra. Soto")
    for message in ("perdón, es Juan Rojas", "perdón, es con la Dra. Soto"):
        assert "María" not in texts(chat.say(message)) and all(
            b.state.patient_name == "Tomás Pérez" for b in chat.books), message


@pytest.mark.parametrize("message", ["Tomás Pérez (Banmédica)", "Tomás Pérez, fonasa", "Tomás Pérez - Isapre Colmena",
                                     "Tomás Pérez Fonasa", "Tomás Pérez con Fonasa", "Tomás Pérez, Isapre Cruz Blanca",
                                     "Tomás Pérez y Fonasa"])
def test_a_name_with_its_insurer_at_the_name_question_is_the_name(message):
    """"Tomás Pérez (Banmédica)" at «¿A nombre de quién…?» was «Eso te lo responde recepción…» and the name asked
    again; a question about one ("¿aceptan Fonasa?") still is reception's, the name asked again."""
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    assert chat.say(message).status == "booked" and chat.books[-1].state.patient_name == "Tomás Pérez", message
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    chat.say("sí")
    assert "recepción" in texts(chat.say("Tomás Pérez, ¿aceptan Fonasa?")) and not chat.books
