"""At «¿Confirmo … a nombre de Tomás Pérez?», another full name given as the correction ("perdón, es María
Colmenares", "el nombre es…", "no, María Colmenares") replaces the name, asked about again; what only looks like one
(a day, an insurer, a time, a professional, a place or a visit in capitals) keeps Tomás Pérez."""

from __future__ import annotations

import pytest
from conversation_kit import EN, Chat, agenda, texts

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


@pytest.mark.parametrize("message, said", [
    ("perdón, es Carla Muñoz Soto", "Anoté el nombre correcto: Carla Muñoz Soto."),
    ("me equivoqué, el nombre es Carla Muñoz Soto", "Anoté el nombre correcto: Carla Muñoz Soto."),
    ("perdon es carla muñoz soto", "Anoté el nombre correcto: Carla Muñoz Soto."),
    ("ups, era Carla Muñoz Soto, no Carla Muñoz", "Anoté el nombre correcto: Carla Muñoz Soto."),
    ("me equivoqué en el nombre, es Carla Muñoz Soto", "Anoté el nombre correcto: Carla Muñoz Soto."),
    ("disculpa, el apellido es Muñoz Soto", "Anoté el apellido correcto: Muñoz Soto."),
])
def test_a_name_put_right_just_after_the_booking_goes_to_reception_and_the_appointment_stands(message, said):
    """"perdón, es Carla Muñoz Soto" right after «¡Listo, Carla!» greeted her again and showed the menus (a new
    booking, under the corrected name, beside the one made). The bot cannot rename a booked appointment: it says
    so, and reception is asked to (the appointment stays as booked)."""
    chat = Chat(agenda([2, 4], [(9, 0), (10, 0)]), name="Ana Pérez")
    chat.say("hola, soy Carla Muñoz, quiero hora el miércoles a las 9")
    assert "La hora de Carla Muñoz quedó reservada" in texts(chat.say("sí"))
    reply = chat.say(message)
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", message
    assert texts(reply).startswith(said), texts(reply)
    assert "una recepcionista te escribirá en breve para corregirlo" in texts(reply)
    assert "Hola" not in texts(reply) and len(chat.books) == 1 and chat.books[0].state.patient_name == "Carla Muñoz"


@pytest.mark.parametrize("message", ["Disculpa, Carla Muñoz", "perdón, es Carla Muñoz Soto",
                                     "disculpe, el nombre es Carla Muñoz"])
def test_a_name_put_right_by_someone_with_no_appointment_is_never_told_theirs_stands(message):
    """The conversation keeps nothing once a booking is done, so such a first message may come from anyone: it was
    answered «La hora ya quedó reservada con el nombre anterior… tu hora sigue reservada» with no appointment
    anywhere. Reception still checks the name; the patient is told nothing the bot has not seen."""
    reply = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez").say(message)
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", message
    assert "reservada con el nombre anterior" not in texts(reply) and "sigue reservada" not in texts(reply)
    assert "una recepcionista te escribirá en breve para corregirlo" in texts(reply), texts(reply)


def test_a_name_put_right_in_english_after_the_booking_goes_to_reception():
    for message in ("sorry, the name should be Tom Vega Soto", "oops I meant Tom Vega Soto",
                    "the correct name is Tom Vega Soto", "my mistake, it's Tom Vega Soto"):
        chat = Chat(agenda([2, 4], [(9, 0)]), clinic=EN, name="Ana Pérez")
        chat.say("hi, I need an appointment for my son on wednesday at 9")
        chat.say("yes")
        assert chat.say("Tom Vega").status == "booked"
        reply = chat.say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", message
        assert texts(reply).startswith("Noted, the right name is Tom Vega Soto."), (message, texts(reply))
        assert "a receptionist will write to you shortly" in texts(reply) and len(chat.books) == 1


def test_a_first_message_that_only_names_the_writer_or_asks_more_is_no_name_correction():
    for message in ("Hola, mi nombre es Carla Muñoz Soto, quiero hora el miércoles a las 9",
                    "perdón, es Carla Muñoz, ¿tienen hora el miércoles a las 9?", "perdón, es Medicina General"):
        reply = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez").say(message)
        assert reply.status != "handoff", (message, texts(reply))


def test_seguro_after_a_given_name_is_a_surname_and_insurance_words_are_still_no_name():
    """"perdón, es Tomás Seguro" was «Eso te lo responde recepción…» and the "sí" after it booked Tomás Pérez: "seguro"
    was always read as an insurance. After a given name it is a surname (asked, booked); "seguro complementario",
    "con seguro", "Isapre Colmena" and "Fonasa" still are no name."""
    chat = at_the_confirmation()
    reply = chat.say("perdón, es Tomás Seguro")
    assert "a nombre de Tomás Seguro?" in texts(reply) and "recepción" not in texts(reply)
    assert chat.say("sí").status == "booked" and chat.books[-1].state.patient_name == "Tomás Seguro"
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    assert chat.say("Ana Pérez Seguro").status == "booked" and chat.books[-1].state.patient_name == "Ana Pérez Seguro"
    reply = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez").say("hola, quiero hora para mi hijo Tomás Seguro el "
                                                                  "miércoles a las 9")
    assert "a nombre de Tomás Seguro?" in texts(reply) and "recepción" not in texts(reply)
    for message in ("perdón, es seguro complementario", "perdón, es con seguro", "perdón, es Isapre Colmena",
                    "perdón, es Fonasa"):
        chat = at_the_confirmation()
        assert "Tomás Pérez" in texts(chat.say(message)), message
        assert chat.say("sí").status == "booked" and chat.books[-1].state.patient_name == "Tomás Pérez", message
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora el miércoles a las 9")
    assert "recepción" in texts(chat.say("¿aceptan seguro complementario?"))  # still a question for reception


@pytest.mark.parametrize("message", [
    "Sorry, wrong number", "perdón, número equivocado", "Disculpa, Chat Equivocado", "sorry, never mind",
    "Perdón, Buen Día", "sorry, Good Morning", "Perdón, Todo Bien", "Nombre Carla Muñoz Soto",
    "Mi nombre: Carla Muñoz Soto", "My name: Carla Munoz", "a nombre de Carla Muñoz", "A nombre de Tomás Pérez porfa",
])
def test_a_first_message_that_puts_no_name_right_is_never_handed_off_as_a_name_correction(message):
    """"Sorry, wrong number" as a conversation's first message was answered «Anoté el nombre correcto: Wrong Number…»
    and handed to reception; "Nombre Carla Muñoz Soto", "Mi nombre: …" and "a nombre de …" (how a new patient gives a
    name) were told their booked appointment's name could not be changed and stopped there. Now they are greeted as
    ever; an apology with a name ("Disculpa, Carla Muñoz") or "el nombre es …" still goes to reception."""
    reply = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez").say(message)
    assert reply.status != "handoff" and "nombre correcto" not in texts(reply), (message, texts(reply))
    assert "right name" not in texts(reply), (message, texts(reply))


@pytest.mark.parametrize("message", ["no estoy seguro", "no estoy muy seguro", "no estamos seguros", "no estoy segura"])
def test_not_sure_at_the_name_is_never_a_name(message):
    """"no estoy seguro" at «¿A nombre de quién…?» booked the son's appointment under «Estoy Seguro» at once (once
    "Seguro" after a word became a surname); at «¿Confirmo…, a nombre de Tomás Pérez?» it was «la hora será para
    Estoy Seguro» and "sí" booked that. Being unsure is no name: asked again, the name kept."""
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    chat.say("sí")
    reply = chat.say(message)
    assert reply.status != "booked" and not chat.books, (message, texts(reply))
    chat = Chat(agenda([2, 4], [(9, 0)]), name="Ana Pérez")
    chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9")
    assert "Estoy" not in texts(chat.say(message)) and "Estamos" not in texts(chat.say("sí")), message
    assert [b.state.patient_name for b in chat.books] in ([], ["Tomás Pérez"]), message
