"""One message asking for appointments for more than one person ("para mí y mi hijo", "mis dos hijas"): whose name
each goes under is asked, one is booked at a time, and the confirmation says how to ask for the next one."""

from __future__ import annotations

from conversation_kit import Chat, agenda, texts
from test_dialogue_already import finding
from test_dialogue_appointments import THU, ClinicAgent

NEXT = "respóndeme «sí» y te muestro los días"
DAYS = agenda([2, 3, 4], [(9, 0), (9, 30), (11, 0)])


def test_a_request_for_two_people_asks_the_name_and_the_confirmation_says_how_to_ask_for_the_next():
    for first in ("hola quiero hora para mi y para mi hijo", "necesito dos horas, una para mi y otra para mi mama",
                  "hola, quiero agendar a mis dos hijos", "hora pa mi mamá y mi papá porfa",
                  "quiero reservar para los dos, una para cada uno"):
        chat = Chat(DAYS)
        chat.say(first)
        chat.say("1")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00")), first  # never the WhatsApp name
        reply = chat.say("Tomás Vega")
        assert reply.status == "booked" and len(chat.books) == 1, first
        assert "La hora de Tomás Vega quedó reservada" in texts(reply) and NEXT in texts(reply), first


def test_two_names_at_the_name_question_book_one_and_say_how_to_ask_for_the_other():
    chat = Chat(DAYS, name="yo")
    chat.say("hola")
    chat.say("1")
    chat.say("09:00")
    assert "Cada hora es para una persona" in texts(chat.say("Sofía Muñoz y Tomás Muñoz"))
    assert "Cada hora es para una persona" in texts(chat.say("Sofía y Antonia Morales"))  # one surname for both
    reply = chat.say("Sofía Muñoz")
    assert reply.status == "booked" and NEXT in texts(reply)


def test_one_person_is_not_told_about_a_next_one():
    for first in ("hola quiero hora para mi hijo", "hola, necesito una hora", "a las dos puede ser?"):
        chat = Chat(DAYS)
        chat.say(first)
        chat.say("1")
        reply = chat.say("09:00")
        if reply.status != "booked":
            reply = chat.say("Tomás Vega")
        assert reply.status == "booked" and NEXT not in texts(reply), first


def test_the_phrase_the_confirmation_gives_starts_a_booking_under_another_name():
    chat = Chat(DAYS)
    reply = chat.say("otra hora para otra persona")
    assert reply.status == "choose_day"  # not a hand-off to "otra persona" at reception
    chat.say("1")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:30"))
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))  # with an appointment on this phone: no "¿cambiarla?"
    reply = chat.say("otra hora para otra persona")
    assert "Ya tienes hora" not in texts(reply) and reply.status == "choose_day"


def test_english_two_people():
    chat = Chat(DAYS)
    assert "Which day" in texts(chat.say("hi, I need appointments for me and my son"))
    chat.say("1")
    chat.say("09:00")
    reply = chat.say("Tom Vega")
    assert reply.status == "booked" and "reply «yes» and I'll show you the days" in texts(reply)


def test_one_more_for_someone_else_after_the_first_request_is_said_once_the_first_is_booked():
    """ "quisiera hora con la dra soto el jueves a las 9, y también una con el dr rojas para mi hija": the first was
    booked and the daughter's never mentioned again."""
    chat = Chat(agenda([3, 4], [(9, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas")))
    reply = chat.say("Hola! quisiera hora con la dra soto, el jueves a las 9, y tambien una con el dr rojas para mi hija")
    assert "¿Confirmo el jueves 3 de diciembre a las 09:00 con la Dra. Ana Soto?" in texts(reply)
    chat.say("si")
    booked = chat.say("a mi nombre")
    assert booked.status == "booked" and NEXT in texts(booked), texts(booked)
    alone = Chat(agenda([3], [(9, 0)])).say("hola, mi hija tambien necesita hora el jueves a las 9")
    assert alone.state is not None and not alone.state.others_to_book


def test_a_name_after_para_is_whose_the_appointment_is_and_the_question_says_it():
    """"quiero hora para Pedro Pérez el viernes a las 9" was booked under the writer's name, and the confirmation
    never said whose it would be."""
    chat = Chat(agenda([4], [(9, 0), (10, 0)]))
    reply = chat.say("quiero hora para Pedro Pérez el viernes a las 9")
    assert "¿Confirmo el viernes 4 de diciembre a las 09:00 con la Dra. Ana Soto, a nombre de Pedro Pérez?" \
        in texts(reply)
    assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == "Pedro Pérez"
    for own_or_none in ("quiero hora para Ana Pérez el viernes a las 9", "hora para Medicina General el viernes a las 9",
                        "una hora para el Viernes a las 9"):
        chat = Chat(agenda([4], [(9, 0), (10, 0)]))
        assert "a nombre de" not in texts(chat.say(own_or_none))


def test_a_parent_who_introduces_themselves_books_under_the_childs_name():
    """"Soy Paz, la mamá de Benjamín Ruiz. Quiero pedir hora para él…" was booked under the writer's own name and
    "Tu hora quedó reservada" (a helper's walk, 3 of 3): the clinic would call in the wrong person."""
    for first, patient in (
        ("Hola, soy Paz, la mamá de Benjamín Ruiz. Quiero pedir hora para él el miércoles 2 a las 9", "Benjamín Ruiz"),
        ("Buenas, soy Ximena, la señora de Manuel Rivas. Quiero pedirle hora el miércoles 2 a las 9", "Manuel Rivas"),
        ("Hola soy Paula, la mamá de Vicente Lagos. Quería pedir hora para Vicente el miércoles 2 a las 9",
         "Vicente Lagos"),
        # her name said first (a second helper's walk: "¿A nombre de quién…?" and then booked as the writer's)
        ("Hola, mi mamá es Elena Araya Díaz y necesita hora el miércoles 2 a las 9", "Elena Araya Díaz"),
    ):
        chat = Chat(DAYS, name="Paz Contreras")
        reply = chat.say(first)
        assert f"¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto, a nombre de {patient}?" in (
            texts(reply)), first
        booked = chat.say("sí")
        assert f"La hora de {patient} quedó reservada" in texts(booked), first
        assert chat.books[0].state.patient_name == patient, first
    chat = Chat(DAYS, name="Paula Lagos")  # the same introduction, for herself: her own
    reply = chat.say("Hola soy Paula, la mamá de Vicente Lagos, necesito hora para mí el miércoles 2 a las 9")
    assert "a nombre de" not in texts(reply)


def test_after_the_first_of_two_is_booked_a_plain_yes_or_naming_the_other_person_books_theirs():
    """"dale" after "Me pediste también una hora para otra persona…" closed the chat, and "ya, ahora la de mi
    esposa" asked «¿Quieres una hora más, cambiarla o cancelarla?» (a helper's walk): the second person was forgotten."""
    for answer in ("dale", "si", "ya, ahora la de mi esposa", "ok", "la de mi esposa el viernes"):
        chat = Chat(DAYS)
        chat.say("hola quiero hora para mi y para mi esposa el jueves")
        chat.say("09:00")
        reply = chat.say("Ana Pérez")
        assert reply.status == "booked" and NEXT in texts(reply), answer
        reply = chat.say(answer)
        assert reply.status in ("choose_day", "choose_time") and "¡Hola" not in texts(reply), answer
        if reply.status == "choose_day":
            reply = chat.say("1")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00")), answer
        reply = chat.say("María Soto")
        assert reply.status == "booked" and "La hora de María Soto quedó reservada" in texts(reply), answer
        assert len(chat.books) == 2 and NEXT not in texts(reply), answer
    for answer in ("gracias", "ok gracias"):
        chat = Chat(DAYS)
        chat.say("hola quiero hora para mi y para mi esposa el jueves")
        chat.say("09:00")
        chat.say("Ana Pérez")
        assert chat.say(answer).status == "closed", answer


def test_cancel_mine_and_book_one_for_my_mother_cancels_then_books_hers_under_her_name():
    """It was read as a move of the writer's appointment: cancelled, rebooked in her own name, the mother never."""
    for first in ("hola, cancela mi hora porfa y agendame una para mi mamá",
                  "quiero cancelar mi hora del jueves y pedir una para mi hijo"):
        agent = ClinicAgent(THU)
        chat = Chat(finding(2, 4), appointments=agent)
        assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00" in texts(chat.say(first)), first
        reply = chat.say("si")
        assert reply.status == "cancelled" and NEXT in texts(reply), first
        assert list(agent.cancelled.values()) == ["bk-7"] and agent.moved == {}
        assert chat.say("si").status == "choose_day"
        chat.say("1")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00")), first
        assert "La hora de Rosa Díaz quedó reservada" in texts(chat.say("Rosa Díaz")), first


def test_yes_and_one_for_a_relative_at_a_confirmation_books_this_one_under_the_writer_then_theirs():
    """"sí, y necesito otra para mi mamá Rosa Díaz" booked the writer's Thursday under Rosa's name, and "sí, y otra
    para mi hijo el viernes a la misma hora" lost the yes and booked Friday under the writer's (a helper's walk)."""
    days = agenda([3, 4], [(9, 0), (10, 0), (15, 0)])
    for message, name in (("si, y necesito otra para mi mamá Rosa Díaz", "Rosa Díaz"),
                          ("sí, y una para mi hijo Tomás Vega también", "Tomás Vega"),
                          ("sí, la mía, y después una para mi hijo Tomás Vega", "Tomás Vega"),
                          ("si porfa, y una para mi hijo Tomás Vega el viernes", "Tomás Vega"),
                          ("sí, y otra para mi hijo el viernes a la misma hora", "")):
        chat = Chat(days)
        assert "¿Confirmo el jueves 3 de diciembre a las 09:00" in texts(chat.say("hora el jueves a las 9"))
        reply = chat.say(message)
        assert reply.status == "booked" and "Tu hora quedó reservada. Jueves 3" in texts(reply), message
        assert chat.books[0].state.patient_name == "" and NEXT in texts(reply), message
        reply = chat.say("sí")
        if "viernes" in message:
            assert "el Vie 4 dic" in texts(reply), message  # the day said for them is kept
        else:
            reply = chat.say("1")
        reply = chat.say("09:00")
        if not name:
            assert "¿A nombre de quién reservo la hora?" in texts(reply), message
            reply = chat.say("Tomás Vega")
        assert reply.status == "booked" and f"La hora de {name or 'Tomás Vega'}" in texts(reply), message
        assert chat.books[1].state.patient_name == (name or "Tomás Vega"), message


def test_yes_i_will_be_there_at_a_confirmation_books_it():
    """"sí, ahí estaré" at «¿Confirmo…?» was read as asking about one's appointments: a hand-off, nothing booked."""
    for message in ("si, ahi nos vemos", "sí, ahí estaré", "ahí nos vemos el jueves", "ok ahí estaré a las 9"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        chat.say("hora el jueves a las 9")
        assert chat.say(message).status == "booked" and len(chat.books) == 1, message
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
    chat.say("hora el jueves a las 9")
    assert chat.say("no, no voy a estar ahí").status != "booked" and not chat.books


def test_a_relatives_name_never_picks_the_professional_who_shares_it():
    """"hora para mi hija Paula Vega el jueves a las 12" offered Klga. Paula Méndez's kinesiology, and "para mi papá
    Juan Pérez" Dr. Juan Rojas's traumatology (a helper's walk): the daughter's name is not whom she sees."""
    two = agenda([3, 7], [(9, 0), (10, 0), (12, 0)], ("Klga. Paula Méndez", "Dr. Juan Rojas"))
    for message in ("hora para mi hija Paula Vega el jueves a las 12", "necesito hora para mi papá Juan Pérez el jueves"
                    " a las 12", "hola, quiero hora para mi hijo Juan el jueves a las 12"):
        reply = Chat(two).say(message)
        assert "¿Confirmo" not in texts(reply) and "¿Con quién?" in texts(reply), message
    reply = Chat(two).say("hora para mi mamá con el dr rojas el jueves a las 9")  # whom she sees, said so
    assert "¿Confirmo el jueves 3 de diciembre a las 09:00 con el Dr. Juan Rojas" in texts(reply)


def test_a_relatives_name_in_capitals_is_read_and_a_name_typed_in_capitals_is_stored_cased():
    """"…ES PARA MI MAMA ROSA DIAZ" in capitals was asked again, and a name typed in capitals was stored so (a helper's
    walk). (A name typed at «¿Confirmo…?» is left to the name question after the yes: taking one there booked "Feliz
    Navidad" and "Muy Bien Gracias" as names — the seventh and eighth walks.)"""
    days = agenda([3, 4], [(9, 0), (10, 0)])
    chat = Chat(days)
    chat.say("hola, quiero hora el jueves a las 9")
    assert "te pediré su nombre" in texts(chat.say("es para mi hijo"))
    assert "a nombre de" not in texts(chat.say("Feliz Navidad"))
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    assert chat.say("Tomás Vega Pérez").status == "booked" and chat.books[0].state.patient_name == "Tomás Vega Pérez"
    chat = Chat(days)
    chat.say("HOLA NECESITO UNA HORA PARA EL VIERNES EN LA MAÑANA, ES PARA MI MAMA ROSA DIAZ")
    assert chat.say("09:00").status == "booked" and chat.books[0].state.patient_name == "Rosa Diaz"
    chat = Chat(days)
    chat.say("hora para mi hijo el jueves a las 9")
    chat.say("sí")
    assert chat.say("TOMAS VEGA").status == "booked" and chat.books[0].state.patient_name == "Tomas Vega"


def test_two_requests_in_one_message_book_the_writers_first_then_the_other_persons_with_what_was_said_of_it():
    """"quiero hora para mí con la dra soto el jueves a las 9 y para mi hijo con el kine el viernes" became one
    kinesiology menu for Thursday or Friday: the writer's time was lost (a helper's walk)."""
    from conversation_kit import slot, slots
    from test_dialogue_understanding import with_specialty

    clinic = slots(*(with_specialty(slot(d, h, 0, who), what) for d in (3, 4) for h in (9, 10)
                     for who, what in (("Dra. Ana Soto", "Medicina general"), ("Klga. Paula Méndez", "Kinesiología"))))
    chat = Chat(clinic)
    reply = chat.say("quiero hora para mí con la dra soto el jueves a las 9 y para mi hijo con el kine el viernes")
    assert "¿Confirmo el jueves 3 de diciembre a las 09:00 con la Dra. Ana Soto" in texts(reply)
    reply = chat.say("sí")
    assert reply.status == "booked" and NEXT in texts(reply) and chat.books[0].state.patient_name == ""
    assert "con la Klga. Paula Méndez, Kinesiología el Vie 4 dic" in texts(chat.say("sí"))
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00"))
    assert chat.say("Tomás Vega").status == "booked" and chat.books[1].state.patient_name == "Tomás Vega"


def test_i_will_be_there_with_more_said_is_never_booked_as_it_stands():
    """"sí, ahí estaré, es para mi mamá Rosa Díaz" and "ahí nos vemos, pero con el dr rojas" booked the proposed time
    under the writer's name (a regression the third walk found): only a plain "ahí estaré" books."""
    two = agenda([3, 4], [(9, 0), (15, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas"))
    for message in ("sí, ahí nos vemos, pero con el dr rojas", "ahí nos vemos, pero mejor en la tarde",
                    "sí, ahí estaré, es para mi mamá Rosa Díaz", "sí, ahí estaré, y necesito otra para mi hijo"):
        chat = Chat(two)
        chat.say("hora con la dra soto el jueves a las 9")
        chat.say(message)
        assert not chat.books, message
    chat = Chat(two)
    chat.say("hora con la dra soto el jueves a las 9")
    assert chat.say("si si perfecto muchas gracias, ahí estaré sin falta").status == "booked"


def test_the_wife_named_and_booked_first_is_never_booked_again_the_writers_own_comes_next():
    """"para mí y para mi esposa María López el jueves a las 9": María was booked, then booked again; the writer
    never (the third walk)."""
    for first in ("hola, necesito hora para mí y para mi esposa María López el jueves a las 9",
                  "hola, necesito hora para mi esposa María López y para mí el jueves a las 9"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        assert "a nombre de María López?" in texts(chat.say(first)), first
        reply = chat.say("sí")
        assert "Me pediste también una hora para ti: respóndeme «sí»" in texts(reply), first
        chat.say("sí")  # the writer's own: from the days, or at the day and time the request said for both
        for answer in ("1", "10:00"):
            reply = chat.say(answer)
            if reply.status == "booked":
                break
        assert reply.status == "booked" and chat.books[1].state.patient_name == "", (first, texts(reply))


def test_after_cancel_and_one_for_my_mother_her_day_or_her_name_goes_on_with_hers():
    """After «Me pediste también una hora para otra persona…», "el viernes" or "Rosa Díaz" started over with the
    greeting and booked under the writer's name (the third walk)."""
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4), appointments=agent)
    chat.say("hola, cancela mi hora porfa y agendame una para mi mamá Rosa Díaz")
    assert NEXT in texts(chat.say("si"))
    reply = chat.say("el viernes")
    assert "¡Hola" not in texts(reply) and "el Vie 4 dic" in texts(reply)
    assert chat.say("09:00").status == "booked" and chat.books[0].state.patient_name == "Rosa Díaz"
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola, cancela mi hora porfa y agendame una para mi mamá")
    chat.say("si")
    assert "¡Hola" not in texts(chat.say("Rosa Díaz"))
    chat.say("1")
    assert chat.say("09:00").status == "booked" and chat.books[0].state.patient_name == "Rosa Díaz"


def test_yes_thanks_to_the_next_persons_offer_goes_on_and_their_own_day_and_time_are_kept():
    def first_booked() -> Chat:
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        chat.say("hola quiero hora para mi y para mi esposa el jueves a las 9")
        chat.say("si")
        assert chat.say("Ana Pérez").status == "booked"
        return chat

    assert first_booked().say("sí gracias").status in ("choose_day", "choose_time")
    reply = first_booked().say("ahora la de mi esposa, el viernes a las 10")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(reply)


def test_i_will_be_there_with_a_question_or_an_aside_books_it_and_asks_for_the_rest_apart():
    """"Sí, ahí estaré. ¿Tengo que ir en ayunas?" at «¿Confirmo…?» was read as asking about one's appointments («No
    encontré horas próximas…», nothing booked); "sí, ahí estaré, pero llego 10 min tarde" was told «tu hora sigue
    reservada» of one never booked. Both book; the rest is asked for apart (being late: answered, never asked for
    again as if it were a request). Another time or not sure yet is no yes."""
    apart = "Lo otro que me pediste, escríbemelo ahora en un mensaje aparte, por favor."
    late = "Anotado que podrías llegar un poco tarde"
    for message, answered in (("sí, ahí estaré. ¿Tengo que ir en ayunas?", apart),
                              ("ok ahí estaré. una consulta, ¿aceptan fonasa?", apart),
                              ("sí, ahí estaré, pero llego como 10 min tarde", late),
                              ("ahí estaré, ¿tengo que llegar antes?", apart)):
        chat = Chat(agenda([3, 4], [(9, 0), (15, 0), (17, 0)]))
        chat.say("hora el jueves a las 9")
        reply = chat.say(message)
        assert reply.status == "booked" and answered in texts(reply), (message, texts(reply))
        assert "sigue reservada" not in texts(reply) and "No encontré horas" not in texts(reply), message
    chat = Chat(agenda([3, 4], [(9, 0), (15, 0), (17, 0)]))
    chat.say("hora el jueves a las 9")
    reply = chat.say("confirmo mi asistencia, ¿dónde queda?")  # the booking's message gives the address
    assert reply.status == "booked" and "Dirección:" in texts(reply) and apart not in texts(reply)
    for message, shown in (("ahí estaré, pero ¿puede ser un poco más tarde?", "¿Qué hora"),
                           ("ahí estaré el viernes", "Vie 4 dic"),
                           ("ahí estaré creo, te aviso", "¿Confirmo el jueves 3 de diciembre a las 09:00")):
        chat = Chat(agenda([3, 4], [(9, 0), (15, 0), (17, 0)]))
        chat.say("hora el jueves a las 9")
        reply = chat.say(message)
        assert not chat.books and shown in texts(reply) and "No encontré horas" not in texts(reply), (message, texts(reply))


def test_two_people_and_two_hours_are_one_at_a_time_never_one_time_of_minutes():
    """"para mí y para mi hijo, el viernes a las 9 y 10" read «Las 09:10 del Vie 4 dic no están libres» and "sí" was
    «¿Cuál de estas horas?» again and again; two hours for two people: the first proposed, the other asked for after."""
    for message in ("para mí y para mi hijo, el viernes a las 9 y 10", "hora para mi y mi mamá el viernes a las 9 y 11",
                    "para mi y mi esposo el viernes a las 9 y a las 11 porfa", "a las 9 y 10 el viernes, para mí y mi hija",
                    "para mis dos hijos el viernes a las 9 y 10 de la mañana", "para los dos el viernes a las 9 y 10"):
        chat = Chat(agenda([2, 3, 4], [(9, 0), (10, 0), (11, 0)]))
        assert "¿Confirmo el viernes 4 de diciembre a las 09:00" in texts(chat.say(message)), message
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí")), message
        reply = chat.say("Tomás Vega")
        assert reply.status == "booked" and "09:00" in texts(reply) and "respóndeme «sí»" in texts(reply), message
    chat = Chat(agenda([2, 3, 4], [(9, 0), (9, 10), (10, 0)]))  # one person: "9 y 10" is ten past nine
    assert "a las 09:10" in texts(chat.say("quiero hora el viernes a las 9 y 10"))


def test_two_times_for_two_people_book_the_second_at_the_second_time():
    """"para mí y mi hijo con la dra soto el miércoles a las 9 y 10": the son's at 9 was booked, then "sí" for the
    writer's own started over at «¿Qué especialidad necesitas?» — the day, the doctor and the 10 forgotten. The next
    one is now asked at the second time said, same day and professional."""
    from conversation_kit import EN, slot, slots

    two = slots(*(slot(d, h, 0, p) for d in (2, 3) for h in (9, 10, 11, 15, 16)
                  for p in ("Dra. Ana Soto", "Dr. Juan Rojas")))
    for english, first, name_first, times, yes in (
            (False, "hola, quiero hora para mí y mi hijo con la dra soto el miércoles a las 9 y 10", True,
             ("09:00", "10:00"), "sí"),
            (False, "necesito hora para mí y para mi hijo Tomás Vega el miércoles con la dra soto, a las 9 y a las 10",
             False, ("09:00", "10:00"), "sí"),
            (False, "hora para mí y mi hija con la dra soto el miércoles a las 15 y 16", True, ("15:00", "16:00"), "sí"),
            (True, "hi, appointments for me and my son with dra soto on wednesday at 9 and 10", True,
             ("09:00", "10:00"), "yes")):
        chat = Chat(two, clinic=EN) if english else Chat(two)
        first_time, second_time = times
        assert f" {first_time} " in texts(chat.say(first)), first
        reply = chat.say(yes)
        if name_first:  # whose it is, asked: the son's
            reply = chat.say("Tomás Vega")
        assert reply.status == "booked" and chat.books[0].state.patient_name == "Tomás Vega", (first, texts(reply))
        assert chat.books[0].slot.start == f"2026-12-02T{first_time}:00-03:00", first
        reply = chat.say(yes)
        wednesday = "Wednesday 2 December" if english else "miércoles 2 de diciembre"
        assert f"{wednesday} at {second_time}" in texts(reply) or f"{wednesday} a las {second_time}" in texts(
            reply), (first, texts(reply))
        assert "Dra. Ana Soto" in texts(reply), first
        done = chat.say(yes)
        assert done.status == "booked" and len(chat.books) == 2, (first, texts(done))
        assert chat.books[1].slot.start == f"2026-12-02T{second_time}:00-03:00", first
        assert chat.books[1].slot.professional == "Dra. Ana Soto" and chat.books[1].state.patient_name == "", first


def test_one_for_the_writer_too_beside_only_a_relatives_appointment_is_booked_without_the_menu():
    """Ana Pérez's phone holds only her son's appointment (booked a minute ago): "y una para mí también" was «Tomás
    Pérez tiene hora el jueves 3… ¿Quieres una hora más, cambiarla o cancelarla?» — a question about his, where she
    asked for her own. Her new one is asked for at once; "quiero cancelar mi hora" still asks about his."""
    from dataclasses import replace as with_patient

    son = with_patient(THU, patient="Tomás Pérez")
    for message in ("y una para mí también", "quiero otra hora, ahora para mí", "ah y también para mí, porfa"):
        chat = Chat(finding(2, 3, 4), appointments=ClinicAgent(son), name="Ana Pérez")
        reply = texts(chat.say(message))
        assert "Tomás Pérez tiene hora" not in reply and "¿Qué día te acomoda?" in reply, (message, reply)
    chat = Chat(finding(2, 3, 4), appointments=ClinicAgent(son), name="Ana Pérez")
    assert "¿Cancelo la hora de Tomás Pérez del jueves 3" in texts(chat.say("quiero cancelar mi hora"))
    chat = Chat(finding(2, 3, 4), appointments=ClinicAgent(son), name="Ana Pérez")  # his day, not one for her
    assert "Tomás Pérez tiene hora el jueves 3" in texts(chat.say("thursday doesn't work for me, another day?"))
