"""The patient's own name typed without its accents (or in other capitals) at "¿A nombre de quién?" is theirs: the
appointment goes under the contact's spelling, and is said as theirs, never as another person's."""

from __future__ import annotations

from conversation_kit import Chat, agenda, texts


def test_the_own_name_without_accents_is_the_patients_own():
    for typed in ("Rocio Cardenas", "rocío cárdenas", "ROCIO CARDENAS"):
        chat = Chat(agenda([9], [(9, 0)]), name="Rocío Cárdenas")
        chat.say("hola, necesito hora para mi hijo o para mí, el miércoles 9 a las 9")
        chat.say("sí")
        reply = chat.say(typed)
        assert reply.status == "booked" and "Tu hora quedó reservada" in texts(reply), (typed, texts(reply))
        assert chat.books[-1].state.patient_name == "" and not chat.books[-1].state.for_other, typed


def test_the_name_question_never_books_a_specialty_or_a_professional_as_the_patient_and_hears_changes():
    """At «¿A nombre de quién reservo la hora?»: "Medicina General" and "Dr. Juan Rojas" were booked as the patient's
    name; "mejor el viernes", "mejor con el dr rojas" and "¿cuánto sale?" were "No pude leer ese nombre"; a name
    followed by its RUT was refused (a helper's walk)."""
    from conversation_kit import slot, slots
    from test_dialogue_understanding import with_specialty

    clinic = slots(*(with_specialty(slot(d, h, 0, who), what) for d in (3, 4) for h in (9, 10)
                     for who, what in (("Dra. Ana Soto", "Medicina general"), ("Dr. Juan Rojas", "Traumatología"))))

    def at_the_name() -> Chat:
        chat = Chat(clinic)
        chat.say("hola, quiero hora para mi hijo con la dra soto el jueves a las 9")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
        return chat

    for message in ("Medicina General", "Dr. Juan Rojas"):
        chat = at_the_name()
        reply = chat.say(message)
        assert "Eso es una especialidad o un profesional" in texts(reply) and not chat.books, message
    chat = at_the_name()
    assert "Eso te lo responde recepción" in texts(chat.say("cuánto sale?")) and not chat.books
    assert "el Vie 4 dic" in texts(at_the_name().say("mejor el viernes"))
    assert "con el Dr. Juan Rojas el Jue 3 dic" in texts(at_the_name().say("mejor con el dr rojas"))
    chat = at_the_name()
    assert chat.say("Tomás Vega 12.345.678-5").status == "booked" and chat.books[0].state.patient_name == "Tomás Vega"
    chat = at_the_name()
    assert chat.say("Juan Soto").status == "booked"  # a patient may share a professional's names


def test_another_time_or_one_more_for_the_writer_at_the_name_question() -> None:
    """At «¿A nombre de quién reservo la hora?» of her son's: "mejor otra hora", "quiero otra hora" were «No pude leer
    ese nombre», and "no, mejor otra hora porfa" dropped the appointment («Entendido, no reservé nada») — now the other
    times, as the «Otra hora» button; "y otra hora para mí" booked his under her name (her "para mí") — now his name is
    asked first, and hers comes after."""
    from test_dialogue_the_time_they_have import clinic

    def at_the_name() -> Chat:
        chat = Chat(clinic())
        chat.say("hola quiero hora para mi hijo el jueves a las 9 con soto")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
        return chat

    for message in ("mejor otra hora", "quiero otra hora", "no, mejor otra hora porfa"):
        chat = at_the_name()
        reply = chat.say(message)
        assert "¿Qué hora con la Dra. Ana Soto el Jue 3 dic?" in texts(reply) and not chat.books, (message, texts(reply))
    chat = at_the_name()
    reply = texts(chat.say("y otra hora para mí"))
    assert reply.startswith("Primero la hora del jueves 3 de diciembre a las 09:00; después vemos la otra.") and (
        "¿A nombre de quién reservo la hora?" in reply) and not chat.books, reply
    done = chat.say("Tomás Pérez")
    assert done.status == "booked" and "La hora de Tomás Pérez quedó reservada" in texts(done)
    assert "Lo otro que me pediste" in texts(done)
    chat = at_the_name()
    assert "Tu hora quedó reservada" in texts(chat.say("para mí"))  # hers after all, as before
