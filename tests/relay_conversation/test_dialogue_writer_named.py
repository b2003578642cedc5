"""Who is writing: a relative on the patient's phone who says who they are ("soy Carla Muñoz") books under their own
name, never the WhatsApp contact's; words after "soy" that say what the writer is (a place, an insurer, "nueva",
the contact's own name) leave the appointment under the contact's name as before."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, buttons, texts


def test_soy_and_a_full_name_from_another_phone_books_under_that_name():
    """"soy Carla Muñoz, quiero una hora para el viernes" from Ana Pérez's phone was booked under Ana Pérez."""
    for message in ("soy Carla Muñoz, quiero una hora para el viernes a las 9",
                    "hola buenas tardes, me llamo Carla Muñoz y necesito hora el viernes a las 9",
                    "Hola! Mi nombre es Carla Muñoz, quería pedir una hora el viernes a las 9"):
        chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
        assert "a nombre de Carla Muñoz" in texts(chat.say(message)), message
        reply = chat.say("sí")
        assert reply.status == "booked" and "La hora de Carla Muñoz quedó reservada" in texts(reply), message
        assert chat.books[-1].state.patient_name == "Carla Muñoz", message


def test_soy_with_what_the_writer_is_keeps_the_contacts_name():
    for message in ("soy Cruz Blanca, quiero una hora para el viernes a las 9",
                    "soy de Maipú, quiero una hora para el viernes a las 9",
                    "soy nueva, quiero una hora para el viernes a las 9",
                    "Soy Paciente Nueva, quiero una hora para el viernes a las 9",
                    "soy yo, Ana, quiero una hora para el viernes a las 9",
                    "soy Ana María Pérez, quiero una hora para el viernes a las 9",
                    "soy alérgica a la penicilina, quiero una hora para el viernes a las 9"):
        chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
        chat.say(message)
        reply = chat.say("sí")
        assert reply.status == "booked" and "Tu hora quedó reservada" in texts(reply), (message, texts(reply))
        assert chat.books[-1].state.patient_name == "", message


def test_soy_and_a_name_for_a_child_is_the_childs_appointment():
    """"Soy Paz Ruiz y quiero hora para mi hijo": the writer's name is not the son's: his is asked."""
    chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
    chat.say("Soy Paz Ruiz y quiero hora para mi hijo el viernes a las 9")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    assert not chat.books


def test_a_name_put_right_after_an_apology_at_the_confirmation_is_the_one_booked():
    """"no, perdón es Pedro Sotomayor" at «¿Confirmo … a nombre de Pedro Soto?» was not read («Responde «Sí»…» with
    Pedro Soto), and the "sí" after it booked Pedro Soto."""
    for message in ("no, perdón es Pedro Sotomayor", "perdón, Pedro Sotomayor", "disculpa, es Pedro Sotomayor",
                    "no perdon es pedro sotomayor", "nooo, es Pedro Sotomayor"):
        chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
        assert "a nombre de Pedro Soto?" in texts(chat.say("hora el viernes a las 9 a nombre de Pedro Soto"))
        assert "a nombre de Pedro Sotomayor?" in texts(chat.say(message)), message
        assert chat.say("sí").status == "booked" and chat.books[-1].state.patient_name == "Pedro Sotomayor", message


def test_no_mejor_with_whose_or_when_at_the_name_question_is_never_dropping_the_appointment():
    """"no, mejor a mi nombre" at «¿A nombre de quién reservo la hora?» was «Entendido, no reservé nada» (read as
    "mejor no"); so were "no, mejor otro día" and "no mejor a las 10"."""
    def at_the_name() -> Chat:
        chat = Chat(agenda([4], [(9, 0), (10, 0)]), name="Ana Pérez")
        chat.say("hora el viernes a las 9 para mi mamá")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
        return chat

    for message in ("no, mejor a mi nombre", "no mejor para mí", "olvídalo, es para mí", "no, mejor yo misma"):
        chat = at_the_name()
        reply = chat.say(message)
        assert reply.status == "booked" and "Tu hora quedó reservada" in texts(reply), (message, texts(reply))
        assert chat.books[-1].state.patient_name == "" and not chat.books[-1].state.for_other, message
    assert "¿Qué día te acomoda?" in texts(at_the_name().say("no, mejor otro día"))
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(at_the_name().say("no mejor a las 10"))
    chat = at_the_name()
    assert "no reservé nada" in texts(chat.say("mejor no, olvídalo")) and not chat.books


def test_the_booking_greets_the_writer_who_said_who_they_are_never_the_phones_contact():
    """«¡Listo, Ana! La hora de Carla Muñoz quedó reservada» after "soy Carla Muñoz, …" from Ana Pérez's phone."""
    for message in ("soy Carla Muñoz, quiero una hora para el viernes a las 9",
                    "hola, me llamo Carla Muñoz y necesito hora el viernes a las 9"):
        chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
        chat.say(message)
        said = texts(chat.say("sí"))
        assert "¡Listo, Carla! La hora de Carla Muñoz quedó reservada." in said and "Ana!" not in said, (message, said)
    chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
    chat.say("soy Carla, quiero hora para mi hijo Tomás Pérez el viernes a las 9")
    assert "¡Listo! La hora de Tomás Pérez quedó reservada." in texts(chat.say("sí"))
    chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
    chat.say("quiero hora para mi hijo Tomás Pérez el viernes a las 9")
    assert "¡Listo, Ana! La hora de Tomás Pérez quedó reservada." in texts(chat.say("sí"))
    chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
    chat.say("Soy Nueva, hora el viernes a las 9")  # what the contact is, not another writer
    assert "¡Listo, Ana! Tu hora quedó reservada." in texts(chat.say("sí"))


def test_another_week_at_the_name_question_shows_its_days_never_a_name():
    """"no, mejor la otra semana" at «¿A nombre de quién reservo la hora?» was «No pude leer ese nombre»; "next week"
    and "uy no, la otra semana mejor" booked under "Next Week" and "Uy No"."""
    for message in ("no, mejor la otra semana", "la otra semana", "la semana que viene", "next week",
                    "uy no, la otra semana mejor", "no puedo esta semana"):
        chat = Chat(agenda([4, 8, 9], [(9, 0), (10, 0)]), name="Ana Pérez")
        chat.say("hora el viernes a las 9 para mi mamá")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
        reply = chat.say(message)
        assert "Mar 8 dic" in buttons(reply) and "Vie 4 dic" not in buttons(reply), (message, texts(reply))
        assert not chat.books, message


def test_the_first_greeting_uses_the_name_the_writer_gave_as_the_booking_does():
    """"hola, soy Carla Muñoz, quiero hora…" from Ana Pérez's phone was greeted «¡Hola, Ana!» and booked «¡Listo,
    Carla!»: one patient, two names. The greeting and the booking now name the same person (or nobody)."""
    for message, greeted, done in (
            ("hola, soy Carla Muñoz, quiero hora el viernes a las 9", "¡Hola, Carla!", "¡Listo, Carla!"),
            ("Hola, les escribe Carla Muñoz, necesito hora el viernes a las 9", "¡Hola, Carla!", "¡Listo, Carla!"),
            ("buenas, me llamo Carla Muñoz y quería una hora el viernes a las 9", "¡Hola, Carla!", "¡Listo, Carla!"),
            ("soy Carla, quiero hora para mi hijo Tomás Pérez el viernes a las 9", "¡Hola!", "¡Listo!"),
            ("Soy Nueva, hora el viernes a las 9", "¡Hola, Ana!", "¡Listo, Ana!")):
        chat = Chat(agenda([4], [(9, 0)]), name="Ana Pérez")
        first = texts(chat.say(message))
        assert first.startswith(f"{greeted} Soy el asistente"), (message, first)
        booked = texts(chat.say("sí"))
        assert booked.startswith(done), (message, booked)
        assert "Ana!" not in first + booked or greeted == "¡Hola, Ana!", message
    chat = Chat(agenda([4], [(9, 0)]), clinic=EN, name="Ana Pérez")
    assert texts(chat.say("hi, this is Carla Muñoz, I'd like an appointment on friday at 9")).startswith("Hi, Carla!")
    assert texts(chat.say("yes")).startswith("Done, Carla! Carla Muñoz's appointment is booked.")
    assert chat.books[-1].state.patient_name == "Carla Muñoz"
