"""Whose appointment it is, said in other words, and a yes said in other words.

An appointment "for my mum", "for my nan", "for my grandson", "para mi tata", "para mi nuera", "para mi mujer" was
booked under the writer's WhatsApp name: those relatives were not known as someone else. At «¿Confirmo…?», "yes,
under the name John Smith", "yes, name: John Smith", "yes, the patient is John Smith", "sí, nombre: Juan Pérez", "sí,
bajo el nombre de Juan Pérez", "sí, Juan Pérez" booked it under the writer too ("yes, under my husband" under the
name "Under My Husband"). "go ahead", "perfect, book it", "of course", "obvio que sí", "cómo no" were not a yes,
"claro que no" not a no, and "anything earlier?" was not understood."""

from __future__ import annotations

import re
from dataclasses import replace

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import THU, ClinicAgent
from test_dialogue_not_a_name import at_the_name_question

from relay.conversation.freetext import normalize
from relay.conversation.intents import RELATIVE
from relay.conversation.typos import RELATIVES_SPELT

THURSDAYS = agenda(range(2, 15), [(9, 0), (10, 0), (16, 0)])
NAME_ASKED = ("¿A nombre de quién reservo la hora?", "Whose name should the appointment be under?")


def at_the_confirmation(english: bool = False) -> Chat:
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say("hi, I need an appointment on thursday" if english else "hola, necesito hora el jueves")
    reply = texts(chat.say("at 10" if english else "a las 10"))
    assert reply.endswith("Shall I book Thursday 3 December at 10:00 with Dra. Ana Soto?" if english
                          else "¿Confirmo el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"), reply
    return chat


def asks_the_name(reply: str) -> bool:
    return any(question in reply for question in NAME_ASKED)


def the_name_is_asked_after(message: str, english: bool) -> None:
    """``message`` first, then 10 o'clock and a yes: whose name the appointment goes under is asked, nothing booked."""
    chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
    chat.say(message)
    chat.say("at 10" if english else "a las 10")
    assert asks_the_name(texts(chat.say("yes" if english else "sí"))) and not chat.books, message


def the_name_is_asked_for(relative: str, english: bool, confirming: bool = True) -> None:
    """An appointment asked "for my <relative>" asks whose name it goes under before booking; so does "yes, it's for
    my <relative>" at «Shall I book…?» (``confirming``)."""
    the_name_is_asked_after(f"hi, I need an appointment for my {relative} on thursday" if english
                            else f"hola, necesito hora para mi {relative} el jueves", english)
    if confirming:
        chat = at_the_confirmation(english)
        said = f"yes, it's for my {relative}" if english else f"sí, es para mi {relative}"
        assert asks_the_name(texts(chat.say(said))) and not chat.books, relative


def test_more_relatives_are_someone_else() -> None:
    for relative in ("mum", "mummy", "nan", "granny", "baby", "grandson", "niece", "nephew", "cousin", "boyfriend",
                     "stepdaughter", "step-son", "spouse", "cousins", "grandchildren"):
        the_name_is_asked_for(relative, english=True)
    for relative in ("tata", "nuera", "yerno", "cuñada", "hijastra", "mujer", "nene", "bisabuela", "conviviente",
                     "abuelos"):
        the_name_is_asked_for(relative, english=False)


def test_a_yes_with_the_name_in_other_words_books_under_that_name() -> None:
    for message, name in (("yes, under the name John Smith", "John Smith"), ("yes, put it under John Smith", "John Smith"),
                          ("yes, name: John Smith", "John Smith"), ("yes, in the name of Mary Jones", "Mary Jones"),
                          ("yes, the patient is John Smith", "John Smith"), ("yes, Tom Lee", "Tom Lee"),
                          ("yes, it's Tom Lee", "Tom Lee"), ("yes, name is Tom Lee", "Tom Lee")):
        chat = at_the_confirmation(english=True)
        chat.say(message)
        assert [book.state.patient_name for book in chat.books] == [name], message
    for message in ("sí, nombre: Juan Pérez", "sí, el paciente es Juan Pérez", "sí, al nombre de Juan Pérez",
                    "sí, con el nombre de Juan Pérez", "sí, bajo el nombre de Juan Pérez", "sí, quien va es Juan Pérez",
                    "sí, la persona es Juan Pérez", "sí, Juan Pérez", "sí, es Juan Pérez", "sí, va Juan Pérez",
                    "ok, es Juan Pérez"):  # (the last three were booked under the writer's name)
        chat = at_the_confirmation()
        assert "La hora de Juan Pérez quedó reservada" in texts(chat.say(message)), message
        assert [book.state.patient_name for book in chat.books] == ["Juan Pérez"], message


def test_a_relative_named_without_a_name_is_asked_for_it() -> None:
    for message in ("yes, under my husband", "yes but under my mum's name", "yes, under my daughter's name"):
        chat = at_the_confirmation(english=True)
        assert asks_the_name(texts(chat.say(message))) and not chat.books, message


def test_someone_named_by_a_first_name_after_a_yes_is_asked_for_the_full_name() -> None:
    """"ok, es para Pedro", "yes, it's for Peter" at «¿Confirmo…?» **booked it under the writer's name** (Ana
    Pérez); "yes, name is Tom Lee" too: Pedro's full name is asked, Tom Lee's is the name; "sí, para Ana" (the writer's
    own first name) and "sí, para el Lunes" are not someone else."""
    for message, english in (("ok, es para Pedro", False), ("sí, para Pedro porfa", False),
                             ("ok, it's for Peter", True), ("yes for Tom", True)):
        chat = at_the_confirmation(english)
        assert asks_the_name(texts(chat.say(message))) and not chat.books, message
        chat.say("Pedro Soto Vega")
        assert [book.state.patient_name for book in chat.books] == ["Pedro Soto Vega"], message
    chat = at_the_confirmation()
    chat.say("sí, para Ana")
    assert [book.state.patient_name for book in chat.books] == [""]


def test_what_is_no_name_after_a_yes_books_for_the_writer() -> None:
    for message in ("sí, Muchas Gracias", "sí, Las Condes", "sí, Ana María Pérez", "sí, Buenas Tardes",
                    "sí, es Las Condes", "sí, es Ana Pérez"):
        chat = at_the_confirmation()
        chat.say(message)
        assert [book.state.patient_name for book in chat.books] == [""], message  # the writer's, Ana Pérez
    chat = at_the_confirmation(english=True)
    chat.say("yes, Thank You")
    assert [book.state.patient_name for book in chat.books] == [""]


def test_a_yes_or_a_no_in_other_words() -> None:
    for message in ("go ahead", "perfect, book it", "of course", "why not", "please do", "definitely"):
        chat = at_the_confirmation(english=True)
        chat.say(message)
        assert len(chat.books) == 1, message
    for message in ("lovely", "brilliant", "sounds great", "book me in", "suits me", "all right"):
        chat = at_the_confirmation(english=True)
        chat.say(message)
        assert len(chat.books) == 1, message
    for message in ("obvio que sí", "por supuesto", "cómo no", "hágale", "bacán", "joya", "al tiro"):
        chat = at_the_confirmation()
        chat.say(message)
        assert len(chat.books) == 1, message
    for message in ("of course not", "absolutely not", "no way"):
        chat = at_the_confirmation(english=True)
        reply = texts(chat.say(message))
        assert "Which time" in reply and "10:00" not in reply and not chat.books, (message, reply)
    for message in ("claro que no", "obvio que no", "por supuesto que no", "ni hablar"):
        chat = at_the_confirmation()
        reply = texts(chat.say(message))
        assert "¿Qué hora" in reply and "10:00" not in reply and not chat.books, (message, reply)


def test_something_earlier_is_the_earliest_free_time() -> None:
    for message in ("anything earlier?", "is there something sooner?"):
        chat = at_the_confirmation(english=True)
        assert texts(chat.say(message)) == (
            "This is the earliest free time. Shall I book Wednesday 2 December at 09:00 with Dra. Ana Soto?"), message
    chat = at_the_confirmation()
    assert texts(chat.say("¿hay algo antes?")) == (
        "La primera hora libre es esta. ¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto?")
    reply = texts(Chat(THURSDAYS, clinic=EN).say("hi, do you have anything sooner than friday?"))
    assert reply.endswith("Shall I book Wednesday 2 December at 09:00 with Dra. Ana Soto?"), reply
    assert not chat.books


def test_a_yes_that_asks_something_first_books_nothing() -> None:
    """"yes but do I need to fast?", "ok but is it at the main branch?" booked on the yes (the Spanish ones did not);
    at «Shall I cancel…?», "yes but will I get a refund?" cancelled it."""
    for message in ("yes but do I need to fast?", "ok but is it at the main branch?", "yes, but can I pay by card?"):
        chat = at_the_confirmation(english=True)
        reply = texts(chat.say(message))
        assert reply.endswith("Shall I book Thursday 3 December at 10:00 with Dra. Ana Soto?") and not chat.books, (
            message, reply)
    chat = at_the_confirmation()
    assert "«tarjeta»" not in texts(chat.say("sí pero ¿puedo pagar con tarjeta?")) and not chat.books  # no one named
    chat = at_the_confirmation(english=True)  # a time asked for is read as ever
    assert texts(chat.say("yes but can it be at 9?")) == "Shall I book Thursday 3 December at 09:00 with Dra. Ana Soto?"
    agent = ClinicAgent(THU)
    chat = Chat(replace(THURSDAYS, finds_bookings=True), clinic=EN, appointments=agent)
    assert "Shall I cancel your appointment on Thursday 3 December" in texts(chat.say("I need to cancel my appointment"))
    assert texts(chat.say("yes but will I get a refund?")).startswith("Just to be sure:") and not agent.cancelled


def test_a_yes_on_a_condition_cancels_nothing_and_a_yes_in_other_words_does() -> None:
    """At «¿Cancelo…?», "sí, a menos que la pueda cambiar" and "ok but only if I can rebook later" cancelled it (now
    the move, or the question again); "do it", "go for it" were not understood, "don't do it" neither."""
    def asked_to_cancel(english: bool) -> tuple[Chat, ClinicAgent]:
        agent = ClinicAgent(THU)
        chat = (Chat(replace(THURSDAYS, finds_bookings=True), clinic=EN, appointments=agent) if english
                else Chat(replace(THURSDAYS, finds_bookings=True), appointments=agent))
        chat.say("I need to cancel my appointment" if english else "necesito cancelar mi hora")
        return chat, agent

    for message, english, reply_starts in (("ok but only if I can rebook later", True, "Just to be sure:"),
                                           ("ya pero solo si puedo volver a pedir después", False,
                                            "Solo para estar seguros:"),
                                           ("sí, a menos que la pueda cambiar", False, "Elige la nueva hora;"),
                                           ("don't do it", True, "All right, your appointment stays.")):
        chat, agent = asked_to_cancel(english)
        assert texts(chat.say(message)).startswith(reply_starts), message
        assert not agent.cancelled, message
    for message in ("do it", "go for it"):
        chat, agent = asked_to_cancel(english=True)
        chat.say(message)
        assert agent.cancelled, message


def test_a_relatives_name_written_after_them_is_theirs_and_a_day_never_is() -> None:
    """"an appointment for my nan Joan Smith" asked her name again (only "para mi abuela Rosa Díaz" was read); "para
    mi mamá Lunes En La Mañana", "for my mum Monday Morning" (a message typed in capitals) booked under "Lunes En La
    Mañana"."""
    chat = Chat(THURSDAYS, clinic=EN)
    chat.say("hi, I need an appointment for my nan Joan Smith on thursday")
    chat.say("at 10")
    chat.say("yes")
    assert [book.state.patient_name for book in chat.books] == ["Joan Smith"]
    for message, english in (("hola, hora para mi mamá Lunes En La Mañana", False),
                             ("hi, appointment for my mum Monday Morning please", True)):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
        chat.say(message)
        assert asks_the_name(texts(chat.say("09:00"))) and not chat.books, message
    chat = at_the_confirmation()
    chat.say("sí, Juan Pérez porfa")
    assert [book.state.patient_name for book in chat.books] == ["Juan Pérez"]
    for message, name in (("my son Tom Lee needs an appointment on thursday", "Tom Lee"),  # (asked before)
                          ("my daughter's name is Sofia Vega, she needs an appointment thursday", "Sofia Vega"),
                          ("mi hijo Tomás Pérez necesita hora el jueves", "Tomás Pérez")):
        chat = Chat(THURSDAYS, clinic=EN) if message.startswith("my") else Chat(THURSDAYS)
        chat.say(message)
        chat.say("10")
        chat.say("yes" if message.startswith("my") else "sí")
        assert [book.state.patient_name for book in chat.books] == [name], message


def test_the_writer_named_by_whose_relative_they_are_books_for_that_person() -> None:
    """"Hola, soy la mamá de Benjamín Ruiz, necesita hora el jueves", "hi, this is John Smith's mum, he needs an
    appointment on thursday" booked under the writer (only "…hora para él" was read); the writer greeted as "John"."""
    for message, english, name in (("Hola, soy la mamá de Benjamín Ruiz, necesita hora el jueves", False,
                                    "Benjamín Ruiz"),
                                   ("hola, soy el papá de Tomás Pérez, él necesita hora el jueves", False, "Tomás Pérez"),
                                   ("Hi, this is John Smith's mum, he needs an appointment on thursday", True,
                                    "John Smith"),
                                   ("hi, I'm Tom Lee's dad, he needs a check up on thursday", True, "Tom Lee")):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
        chat.say(message)
        chat.say("at 10" if english else "a las 10")
        reply = texts(chat.say("yes" if english else "sí"))
        assert [book.state.patient_name for book in chat.books] == [name], message
        assert reply.startswith("Done, Ana!" if english else "¡Listo, Ana!"), (message, reply)
    chat = Chat(THURSDAYS)  # the writer's own, said so
    chat.say("hola, soy la mamá de Benjamín Ruiz, necesito hora para mí el jueves")
    chat.say("a las 10")
    chat.say("sí")
    assert [book.state.patient_name for book in chat.books] == [""]


def test_a_relative_misspelt_is_someone_else_too() -> None:
    """"for my doughter", "my husbnd", "mi hermna", "mi ijo" booked under the writer: spelt right after "mi" / "my"
    (each word the spelling is put right to is a relative the conversation knows)."""
    assert all(re.fullmatch(RELATIVE, word) for word in RELATIVES_SPELT)
    for message, english in (("hi, I need an appointment for my doughter on thursday", True),
                             ("my husbnd needs an appointment on thursday", True),
                             ("hola, necesito hora para mi hermna el jueves", False),
                             ("hola, hora para mi ijo el jueves", False)):
        the_name_is_asked_after(message, english)
    for message in ("mi seguro es fonasa", "my number is new", "mi nombre es ana", "mi correo", "my mother",
                    "para mis padres", "mis abuelos", "my cousins", "my daughters"):  # (several people stay several)
        assert normalize(message) == message  # words a patient has besides relatives stay as written


def test_for_another_person_is_whom_it_is_for_never_another_professional() -> None:
    """With two professionals, "sí, es para otra persona" at «¿Confirmo … con la Dra. Ana Soto?» showed Dr. Rojas's
    times (read as "otra persona" = another professional) and the time tapped next was booked under the writer's name
    with him. It asks whose name now; "mejor con otra persona", "with someone else" still ask for another one."""
    both = agenda(range(2, 15), [(9, 0), (10, 0), (16, 0)], ("Dra. Ana Soto", "Dr. Luis Rojas"))
    for message, english in (("sí, es para otra persona", False), ("yes, it's for another person", True)):
        chat = Chat(both, clinic=EN) if english else Chat(both)
        chat.say("hi, appointment thursday with dr soto" if english else "hola, hora el jueves con la dra soto")
        chat.say("at 10" if english else "a las 10")
        reply = texts(chat.say(message))
        assert asks_the_name(reply) or "I'll ask their name before booking" in reply, (message, reply)
        assert "Dr. Luis Rojas" not in reply and not chat.books, message
        chat.say("09:00")
        assert not chat.books, message
    chat = Chat(both, clinic=EN)  # a preference against the one proposed is no yes ("yes but I'd prefer a male…")
    chat.say("hi, appointment thursday with dr soto")
    chat.say("at 10")
    assert "Shall I book Thursday 3 December at 10:00" in texts(chat.say("yes but I'd prefer a male doctor"))
    assert not chat.books
    chat.say("yes, with the same doctor")  # (was «I couldn't find "same"…»)
    assert len(chat.books) == 1
    for message, english in (("mejor con otra persona", False), ("with someone else", True)):
        chat = Chat(both, clinic=EN) if english else Chat(both)
        chat.say("hi, appointment thursday with dr soto" if english else "hola, hora el jueves con la dra soto")
        chat.say("at 10" if english else "a las 10")
        assert "Dr. Luis Rojas" in texts(chat.say(message)) and not chat.books, message


def test_a_relative_of_ours_or_of_theirs_is_someone_else() -> None:
    """"an appointment for our son", "for her daughter", "for his mother", "para nuestra hija", "para su mamá", "our
    son Tom Lee needs…", "nuestro hijo Tomás Pérez necesita hora" booked under the writer's name (only "mi" / "my"
    was read); "for her doughter" was not spelt right either (the misspelling fix looked only at messages with an
    "m" in them)."""
    for message, english in (("hi, appointment for our son on thursday", True),
                             ("can I book for her daughter on thursday", True),
                             ("appointment for his mother please, thursday", True),
                             ("our daughter needs a checkup on thursday", True),
                             ("need an appointment for her doughter, thursday", True),
                             ("hola, hora para nuestra hija el jueves", False),
                             ("hora para su mamá por favor, el jueves", False),
                             ("necesito hora para su hermna el jueves", False)):
        the_name_is_asked_after(message, english)
    for message, name in (("our son Tom Lee needs an appointment on thursday", "Tom Lee"),
                          ("hi, appointment for our daughter Mia Park on thursday", "Mia Park"),
                          ("nuestro hijo Tomás Pérez necesita hora el jueves", "Tomás Pérez")):
        chat = Chat(THURSDAYS, clinic=EN) if message.isascii() else Chat(THURSDAYS)
        chat.say(message)
        chat.say("10")
        chat.say("yes" if message.isascii() else "sí")
        assert [book.state.patient_name for book in chat.books] == [name], message


def test_a_relative_said_with_a_word_before_or_in_other_words_is_someone_else() -> None:
    """"for my older brother", "my 5 year old son", "my elderly mother", "for my little one", "my hubby", "para mi
    chiquito", "mi pequeña", "mi regalón", "mi familiar", "mi ex esposo" booked under the writer's name (only the
    bare relative was read); at «¿Confirmo…?» "sí, es para mi peque" booked it so too."""
    for relative in ("older brother", "5 year old son", "5-year-old daughter", "elderly mother", "little one",
                     "hubby", "toddler", "youngest", "ex-wife", "godson", "flatmate"):
        the_name_is_asked_for(relative, english=True, confirming=False)
    for relative in ("chiquito", "pequeña", "peque", "regalón", "familiar", "ex esposo", "hermanito", "compadre"):
        the_name_is_asked_for(relative, english=False)


def test_who_sent_the_writer_is_not_whom_the_appointment_is_for() -> None:
    """"mi compañera me recomendó…", "my friend recommended you…" asked whose name the appointment goes under: the
    writer's own; "una pequeña consulta" is no one."""
    for message, english in (("hola, mi compañera me recomendó la clínica, necesito hora el jueves", False),
                             ("hola, una pequeña consulta, necesito hora el jueves", False),
                             ("hi, my friend recommended you, I need an appointment on thursday", True)):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
        chat.say(message)
        chat.say("at 10" if english else "a las 10")
        chat.say("yes" if english else "sí")
        assert [book.state.patient_name for book in chat.books] == [""], message


def test_at_the_name_question_whose_relative_is_no_part_of_the_name() -> None:
    """"our son Tom Lee" at «Whose name…?» booked under the name "our son Tom Lee"; "it's me", "al mío" were «I
    couldn't read that name»."""
    for message, english, name in (("our son Tom Lee", True, "Tom Lee"), ("for her, Mary Jones", True, "Mary Jones"),
                                   ("nuestra hija Sofía Vega", False, "Sofía Vega"), ("it's me", True, ""),
                                   ("it's just me", True, ""), ("al mío", False, "")):
        chat = at_the_name_question(english=english)
        chat.say(message)
        assert [book.state.patient_name for book in chat.books] == [name], message


def test_the_writer_and_a_relative_of_ours_are_two_appointments() -> None:
    """"appointments for me and our son", "horas para mí y nuestra hija" booked the son's and forgot the writer's (only
    "mi" / "my" was read with "and me"): the writer's is asked for once the first is booked."""
    for message, english, name, next_asked in (
            ("hi, appointments for me and our son on thursday", True, "Tom Lee", "You also asked for an appointment"
             " for yourself"),
            ("hola, horas para mí y nuestra hija el jueves", False, "Sofía Vega", "Me pediste también una hora para ti")):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
        chat.say(message)
        chat.say("at 10" if english else "a las 10")
        chat.say("yes" if english else "sí")
        reply = texts(chat.say(name))
        assert [book.state.patient_name for book in chat.books] == [name] and next_asked in reply, reply


def test_someone_named_by_a_pronoun_or_the_is_asked_for_by_name() -> None:
    """"an appointment for her", "hora para ella", "es para él", "for the kid" booked under the writer's name, at the
    first message and after a yes («¿Confirmo…?» "sí, es para ella", "yes, it's for him")."""
    for message, english in (("hi, I need an appointment for her on thursday", True),
                             ("an appointment for him on thursday please", True),
                             ("hi, an appointment for the kid on thursday", True),
                             ("hola, necesito hora para ella el jueves", False),
                             ("hola, hora el jueves, es para él", False),
                             ("hola, necesito hora para él el jueves", False)):
        the_name_is_asked_after(message, english)
    for said, english in (("yes, it's for her", True), ("yes, it's for him", True), ("yes but for the kid", True),
                          ("sí, es para ella", False), ("sí, es para él", False)):
        chat = at_the_confirmation(english)
        assert asks_the_name(texts(chat.say(said))) and not chat.books, said
    for message, english in (("hola, hora para el jueves", False), ("book me for thursday", True)):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)
        chat.say(message)
        chat.say("at 10" if english else "a las 10")
        chat.say("yes" if english else "sí")
        assert [b.state.patient_name for b in chat.books] == [""], message  # ("para el jueves": a day)
    for message, name, english in (("appointment for her, Mary Jones, on thursday", "Mary Jones", True),
                                   ("hola, hora para ella, María Soto, el jueves", "María Soto", False)):
        chat = Chat(THURSDAYS, clinic=EN) if english else Chat(THURSDAYS)  # (her name given: asked again before)
        chat.say(message)
        chat.say("at 10" if english else "a las 10")
        chat.say("yes" if english else "sí")
        assert [b.state.patient_name for b in chat.books] == [name], message


def test_a_yes_with_the_appointment_not_wanted_books_nothing() -> None:
    """At a new appointment's «¿Confirmo…?», "sí, bórrala", "sí, libera la hora", "yes I don't need it anymore",
    "sure, free up the slot" **booked it** on their yes: asked again, nothing booked; "sí, y cancela la del jueves"
    is still the yes (the rest asked for after it)."""
    for message, english in (("sí, bórrala", False), ("sí, libera la hora", False), ("yes I don't need it anymore", True),
                             ("yes please delete it", True), ("yes, I don't want it anymore", True),
                             ("sure, free up the slot", True)):
        chat = at_the_confirmation(english)
        assert texts(chat.say(message)).startswith("Just to be sure:" if english else "Solo para estar seguros:"), message
        assert not chat.books, message
    chat = at_the_confirmation()
    chat.say("sí, y cancela la del jueves")
    assert len(chat.books) == 1


def test_a_yes_with_one_sec_waits_books_nothing() -> None:
    """"sure, one sec", "ok one sec" at «Shall I book…?» **booked it**: a wait, as "ok, hold on" was."""
    for message in ("sure, one sec", "ok one sec", "yes one second", "let me check my calendar",
                    "ok, let me check my schedule"):  # (the calendar one was handed to reception: "check my…")
        chat = at_the_confirmation(english=True)
        assert texts(chat.say(message)).startswith("Of course, take your time."), message
        assert not chat.books, message


def test_a_yes_saying_the_name_offered_is_wrong_asks_for_it() -> None:
    """At «¿Confirmo el jueves … a nombre de Tomás Soto?», "sí, aunque el nombre está mal escrito", "yes but the
    surname is Lee-Smith" **booked it under Tomás Soto**, the name just said to be wrong; "el nombre está mal", "the
    name is wrong" were «Responde «Sí»…»: the full name is asked. "sí, a nombre de Tomás", "yes, his name is Tom
    Smith" are read as before."""
    week = agenda(range(2, 15), [(9, 0), (10, 0), (16, 0)])
    for message, english in (("sí, aunque el nombre está mal escrito", False), ("el nombre está mal", False),
                             ("yes but the surname is Lee-Smith", True), ("the name is wrong", True)):
        chat = Chat(week, clinic=EN) if english else Chat(week)
        chat.say("hi, appointment for my son Tom Soto on thursday at 10" if english
                 else "hola, hora para mi hijo Tomás Soto el jueves a las 10")
        assert ("Whose name should the appointment be under?" if english
                else "¿A nombre de quién reservo la hora?") in texts(chat.say(message)), message
        assert not chat.books, message
        assert chat.say("Tom Lee-Smith" if english else "Tomás Sotto Vega").status == "booked", message
        assert chat.books[0].state.patient_name == ("Tom Lee-Smith" if english else "Tomás Sotto Vega"), message
    chat = Chat(week)
    chat.say("hola, hora para mi hijo Tomás Soto el jueves a las 10")
    assert chat.say("sí, a nombre de Tomás").status == "booked" and chat.books[0].state.patient_name == "Tomás Soto"
