"""At «¿A nombre de quién reservo la hora?» every answer read as a name books. "un segundo", "espera un poco", "dame un
minuto", "todavía no", "ese día no puedo", "voy a preguntar", "no tengo tiempo", and in English "one sec", "hold on",
"just a moment", "not sure", "good night", "I don't know", "that day I can't" booked the appointment under that text
as the patient's name. None is a name: the question is asked again, nothing booked; names typed in lower case, with
particles or apostrophes still book."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, texts

THURSDAYS = agenda(range(2, 15), [(9, 0), (10, 0), (16, 0)])


def at_the_name_question(english: bool = False) -> Chat:
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say("hi, I need an appointment for my son on thursday" if english else "hola, quiero hora para mi hijo el jueves")
    chat.say("at 10" if english else "a las 10")
    reply = texts(chat.say("yes" if english else "sí"))
    assert ("Whose name should the appointment be under?" if english else "¿A nombre de quién reservo la hora?") in reply
    return chat


def test_what_is_not_a_name_never_books() -> None:
    for message in ("un segundo", "espera un poco", "dame un minuto", "todavía no", "ese día no puedo",
                    "voy a preguntar", "no tengo tiempo", "un ratito"):
        chat = at_the_name_question()
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say(message)), message
        assert not chat.books, message
    for message in ("one sec", "hold on", "just a moment", "wait a minute", "not yet", "not sure", "good night",
                    "I don't know", "I'll ask", "can't right now", "that day I can't", "same as before",
                    "hello there", "hi there 👋", "that's all, thank you", "nothing else, thanks"):
        chat = at_the_name_question(english=True)
        assert "Whose name should the appointment be under?" in texts(chat.say(message)), message
        assert not chat.books, message


def test_names_still_book_as_written() -> None:
    for message, name in (("tomas perez", "Tomas Perez"), ("maría josé gonzález de la fuente",
                          "María José González de la Fuente"), ("Segundo Rivas", "Segundo Rivas"),
                          ("mary o'neil", "Mary O'Neil"), ("d'angelo rossi", "D'Angelo Rossi"),
                          ("Tomás Pérez 😊", "Tomás Pérez")):  # (an emoji beside it was «No pude leer ese nombre»)
        chat = at_the_name_question()
        chat.say(message)
        assert [book.state.patient_name for book in chat.books] == [name], message


def test_a_yes_a_wish_or_a_when_is_never_booked_as_the_name() -> None:
    """"go ahead", "sounds great", "cuanto antes", "earliest possible please", "next available slot", "hmm maybe",
    "ni hablar", "Monday Morning", "Lunes En La Mañana", "hola, quería pedir turno por favor, gracias" were **booked as
    the son's name** («Done, Ana! Go Ahead's appointment is booked»): asked again, or — a day — that day's times."""
    for message in ("cuanto antes", "cuanto antes por favor", "cuando ustedes puedan", "cualquier médico", "ni hablar",
                    "mmm no sé, tal vez", "no sé, déjame pensarlo", "q tal", "lunes antes de las diez",
                    "Lunes A Las Nueve Y Media", "hola, quería pedir turno por favor, gracias"):
        chat = at_the_name_question()
        chat.say(message)
        assert not chat.books, message
    for message in ("go ahead", "go ahead please", "sounds great", "that's perfect", "yes, that's fine", "yup yup",
                    "obviously yes", "of course, but on friday", "hmm maybe", "earliest possible please",
                    "soonest available please", "next available slot", "show my appointments", "with Paula please",
                    "Monday at quarter past nine", "Monday Morning", "tomorow afternon"):
        chat = at_the_name_question(english=True)
        chat.say(message)
        assert not chat.books, message


def test_another_day_said_with_no_name_is_that_days_times() -> None:
    """"friday would be better than thursday for me", "thursday morning works best for me" at the name question of
    a Monday booking **booked Monday under the writer's name** ("for me"): the days, or that day's times."""
    chat = at_the_name_question(english=True)
    reply = texts(chat.say("friday would be better than thursday for me"))
    assert not chat.books and "Friday 4 December" in reply, reply
    chat = at_the_name_question(english=True)  # (Thursday's)
    reply = texts(chat.say("monday morning works best for me"))
    assert not chat.books and reply.startswith("Which time with Dra. Ana Soto on Mon 7 Dec?"), reply
    chat = at_the_name_question()
    assert "el Mar 8 dic" in texts(chat.say("el martes")) and not chat.books


def test_a_wait_at_the_name_question_is_waited_for() -> None:
    """"espera", "un momento", "one sec" at «¿A nombre de quién…?» were «No pude leer ese nombre»; "hold on, checking
    my calendar" was **booked under the name "Checking My Calendar"** once "calendar" was a word read as itself (not
    as "agendar"): each is waited for, the question again; the name then books."""
    for message, english in (("espera", False), ("un momento", False), ("espera, reviso mi agenda", False),
                             ("one sec", True), ("hold on, checking my calendar", True)):
        chat = at_the_name_question(english)
        reply = texts(chat.say(message))
        assert reply.startswith("Of course, take your time. Whose name" if english
                                else "Claro, te espero. ¿A nombre de quién"), message
        assert not chat.books, message
        chat.say("Tomás Soto Vega")
        assert [book.state.patient_name for book in chat.books] == ["Tomás Soto Vega"], message


def test_a_professional_this_clinic_has_not_is_never_the_patients_name() -> None:
    """"Dr. Rojas", "Dra. Paz Muñoz", "con el Martín Vidal", "Dr. Smith" at «¿A nombre de quién…?» were **booked as
    the patient's name** (the clinic has no such professional, so no title was read as one): asked again; a name that
    only begins like a title ("Drago Soto", "Constanza Rojas") is a name."""
    for message, english in (("Dr. Rojas", False), ("Dra. Paz Muñoz", False), ("con el Martín Vidal", False),
                             ("Dr. Smith", True), ("with Dr Lee", True)):
        chat = at_the_name_question(english)
        assert texts(chat.say(message)).startswith("That is a specialty or a professional" if english
                                                   else "Eso es una especialidad o un profesional"), message
        assert not chat.books, message
    for name in ("Drago Soto", "Constanza Rojas"):
        chat = at_the_name_question()
        chat.say(name)
        assert [book.state.patient_name for book in chat.books] == [name], name


def test_a_name_like_the_writers_is_asked_for_never_the_writers_own() -> None:
    """"igual que el mío", "same as mine" at «¿A nombre de quién…?» of a son's appointment **booked it under the
    writer's own name** («Tu hora quedó reservada»): his full name is asked; "a mi nombre", "my name" still book
    under the writer's."""
    for message, english in (("igual que el mío", False), ("como el mío", False), ("same as mine", True),
                             ("like mine", True)):
        chat = at_the_name_question(english)
        reply = texts(chat.say(message))
        assert ("Whose name should the appointment be under?" if english
                else "¿A nombre de quién reservo la hora?") in reply, message
        assert not chat.books, message
    for message, english in (("a mi nombre", False), ("my name", True)):
        chat = at_the_name_question(english)
        chat.say(message)
        assert [book.state.patient_name for book in chat.books] == [""], message


def test_a_slip_or_an_answer_in_other_words_is_never_the_name() -> None:
    """"uy no, ese día no puedo", "uff no", "mmm sí", "pues no", "no, todo bien", "wrong button", "yes sorry I mean
    no", "hell no", "I guess" at «¿A nombre de quién…?» **booked the appointment** under "Uy No", "Mmm Sí", "Wrong
    Button"…: none is a name; asked again, nothing booked."""
    for message in ("uy no, ese día no puedo", "uy no, me equivoqué de día", "uff no", "mmm sí", "pues no",
                    "no, todo bien", "ah no, pensé que era en la tarde", "neta no", "no, prefiero mantenerla"):
        chat = at_the_name_question()
        chat.say(message)
        assert not chat.books, message
    for message in ("wrong button", "sorry wrong button", "yes sorry I mean no", "hell no", "nuh uh", "I guess",
                    "okie dokie"):
        chat = at_the_name_question(english=True)
        chat.say(message)
        assert not chat.books, message


def test_a_name_with_de_los_or_de_las_books_as_written() -> None:
    """"María de los Ángeles Soto", "Pedro de las Casas", "ana de los ríos" were «No pude leer ese nombre» (their
    "los", "las" read as words no name has): they book, as "Juan de la Cruz Pérez" did."""
    for message, name in (("María de los Ángeles Soto", "María de los Ángeles Soto"),
                          ("maría de los ángeles soto", "María de los Ángeles Soto"),
                          ("Pedro de las Casas", "Pedro de las Casas"), ("ana de los ríos", "Ana de los Ríos"),
                          ("es para mi hija María de las Mercedes Rojas", "María de las Mercedes Rojas")):
        chat = at_the_name_question()
        assert chat.say(message).status == "booked", message
        assert chat.books[0].state.patient_name == name, message


def test_a_name_taken_back_as_it_is_given_is_never_booked() -> None:
    """"Tomás Soto, ah no, espera", "Tomás Soto… no, mejor no", "Tom Lee, actually no, wait" **booked the
    appointment** under that name; "Tomás Soto y cámbiame la mía" booked it **under the writer's own name**: asked
    again, nothing booked."""
    for message, english in (("Tomás Soto, ah no, espera", False), ("Tomás Soto... no, mejor no", False),
                             ("Tomás Soto y cámbiame la mía", False), ("Tom Lee, actually no, wait", True),
                             ("Tom Lee. Sorry, no, it's for me", True)):
        chat = at_the_name_question(english)
        assert ("Whose name should the appointment be under?" if english
                else "¿A nombre de quién reservo la hora?") in texts(chat.say(message)), message
        assert not chat.books, message
    chat = at_the_name_question()
    chat.say("Tomás Soto, ah no, espera")
    assert chat.say("Tomás Soto Vega").status == "booked"  # then given: booked under it
    assert chat.books[0].state.patient_name == "Tomás Soto Vega"
    chat = at_the_name_question(english=True)  # a name after the "no, wait": that one
    assert chat.say("no wait, it's for my daughter Anna Lee").status == "booked"
    assert chat.books[0].state.patient_name == "Anna Lee"
