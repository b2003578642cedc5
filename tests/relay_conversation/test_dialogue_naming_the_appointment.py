"""A patient's first message names which of their appointments it is about, and may ask for a new one beside it:
"cancela la de las 16:00", "cancela la del viernes y pídeme otra con la dra soto" (the new one's words never pick
the old one); "¿tengo hora con el dr rojas?" asks what they have; "👍" at their list chooses nothing."""

from __future__ import annotations

from conversation_kit import Chat, agenda, buttons, lines, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

from wire.appointments import WireBooking

THU_LINE = "1. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto"
FRI_LINE = "2. viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas"


def two_appointments(agent: ClinicAgent | None = None) -> Chat:
    """Ana has Thursday 10:00 with Dra. Soto (bk-7) and Friday 16:00 with Dr. Rojas (bk-8); both have free times."""
    free = agenda([2, 4], [(9, 0)], professionals=("Dra. Ana Soto", "Dr. Juan Rojas"))
    return Chat(free, appointments=agent or ClinicAgent(THU, FRI))


def test_the_first_message_names_the_appointment_to_cancel_by_its_time_or_day():
    for message in ("cancela la de las 16:00", "quiero cancelar la del viernes", "anula mi hora de las 4"):
        reply = two_appointments().say(message)
        assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(reply), message
        assert buttons(reply) == ["Sí, cancelar", "No"]


def test_a_move_named_by_its_day_asks_about_that_one_not_the_day_it_goes_to():
    reply = two_appointments().say("quiero cambiar la del jueves para el viernes")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)


def test_a_new_appointment_asked_for_beside_a_cancel_never_picks_the_old_one_and_is_not_dropped():
    agent = ClinicAgent(THU, FRI)
    chat = two_appointments(agent)
    reply = chat.say("cancela la del viernes y pídeme otra con la dra soto el miércoles")
    # Friday's (Dr. Rojas) is the one to go, though Dra. Soto (Thursday's professional) is named for the new one
    assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(reply)
    reply = chat.say("Sí, cambiarla")
    assert "la del viernes 4 de diciembre a las 16:00 se cancelará cuando la nueva quede reservada" in texts(reply)
    assert "Dra. Ana Soto el Mié 2 dic" in texts(reply)
    reply = chat.say("09:00")
    assert "Cambié tu hora" in texts(reply) and "Miércoles 2 de diciembre a las 09:00" in texts(reply)
    assert [old for old, _ in agent.moved.values()] == ["bk-8"]


def test_cancel_one_and_book_another_in_other_words_is_a_move_of_the_one_named():
    for message in ("cancela la de las 16:00 y pídeme una con la dra soto",
                    "anula mi hora del viernes y agéndame una con la dra soto"):
        chat = two_appointments()
        assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(
            chat.say(message)), message
        reply = chat.say("sí")
        assert "próximos días con horas libres con la Dra. Ana Soto" in texts(reply), message


def test_asking_whether_one_has_an_appointment_with_someone_lists_them_and_books_nothing():
    for message in ("¿tengo hora con el dr rojas?", "tengo hora el viernes?", "hola, ¿tengo hora mañana con la dra soto?"):
        chat = two_appointments()
        reply = chat.say(message)
        assert [step.op for step in chat.steps] == ["my_bookings"], message
        assert lines(reply) == [THU_LINE, FRI_LINE], message
        assert buttons(reply) == ["Cambiar una", "Cancelar una", "Pedir otra hora"], message
    chat = two_appointments()
    reply = chat.say("ya tengo hora con rojas, necesito otra con la dra soto")
    assert not chat.steps and "próximos días con horas libres con la Dra. Ana Soto" in texts(reply)


def test_an_ok_at_the_list_of_ones_appointments_ends_kindly_and_a_bare_yes_asks_again():
    for ack in ("👍", "ok", "perfecto", "👌", "bueno"):
        chat = two_appointments()
        chat.say("¿cuándo es mi hora?")
        reply = chat.say(ack)
        assert texts(reply) == "¡Perfecto, Ana! Si necesitas cambiar o cancelar una hora, escríbeme cuando quieras.", ack
        assert not buttons(reply) and not chat.books
    chat = two_appointments()
    chat.say("¿cuándo es mi hora?")
    reply = chat.say("sí")
    assert "¿Qué prefieres? Toca una de las opciones." in texts(reply)
    assert lines(reply) == [THU_LINE, FRI_LINE]
    assert buttons(reply) == ["Cambiar una", "Cancelar una", "Pedir otra hora"]


def test_no_change_wanted_at_the_list_of_ones_appointments_ends_kindly_and_undoes_nothing():
    """"no quiero cancelar nada", "no quiero cancelar ninguna" at «¿Quieres cambiar o cancelar alguna, o pedir otra
    hora?» showed a new booking's days («no te entendí»), or asked «¿Cancelo tu hora…?» (a "sí" then cancelled it):
    nothing wanted, ended kindly, as "no" is."""
    for message in ("no quiero cancelar nada", "no quiero cancelar ninguna", "no quiero cambiar nada",
                    "I don't want to cancel any of them"):
        agent = ClinicAgent(THU, FRI)
        chat = two_appointments(agent)
        chat.say("¿cuándo es mi hora?")
        reply = chat.say(message)
        assert texts(reply).startswith("¡Perfecto, Ana!"), message
        chat.say("sí")
        assert agent.cancelled == {} and agent.moved == {} and not chat.books, message


def test_the_appointment_said_to_be_someone_elses_goes_to_reception_to_fix_its_name():
    """Booked under the writer's name ("¡Listo, Andrea!"), then "no, la hora es para mi hija Sofía Castro, no para
    mí" at "Ya tienes hora…": a receptionist fixes the name (the web app's own screens), the patient is told so."""
    from test_dialogue_already import finding

    for message in ("no, la hora es para mi hija Sofia Castro, no para mi", "no, es para mi hija",
                    "la cita que pedí era para mi mamá"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        assert "Ya tienes hora el jueves 3 de diciembre" in texts(chat.say("hola"))
        reply = chat.say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", message
        assert "Para corregir el nombre de tu hora, una recepcionista te escribirá" in texts(reply)
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola")
    assert chat.say("otra, es para mi hija").status != "handoff"  # another one, for her: booked as usual


def test_a_cancel_naming_a_day_they_have_no_appointment_on_says_so_and_no_deja_keeps_it():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    reply = chat.say("hola no voy a poder ir el viernes, cancelamela porfa")
    assert "No tienes hora el viernes 4 de diciembre; la que tengo anotada es otra:" in texts(reply)
    assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    reply = chat.say("ah no era el jueves? entonces no, dejala nomas")  # a day named, still a no
    assert "tu hora sigue en pie" in texts(reply) and not agent.cancelled


def test_confirming_attendance_is_thanked_with_the_appointment_and_nothing_else_at_the_menu_closes():
    from test_dialogue_already import finding

    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    reply = chat.say("hola, confirmo mi asistencia para el jueves 👍")
    assert ("¡Gracias por confirmar, Ana! Te esperamos el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto."
            in texts(reply))
    assert not buttons(reply) and not chat.books
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU, FRI))
    reply = chat.say("confirmo mi asistencia")
    assert "¡Gracias por confirmar!" in texts(reply) and lines(reply) == [THU_LINE, FRI_LINE]
    for message in ("no nada, solo eso gracias", "no, eso es todo", "solo queria saber, gracias"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        assert "Ya tienes hora" in texts(chat.say("hola"))
        reply = chat.say(message)
        assert reply.status == "closed" and not buttons(reply), message
        assert "no te entendí" not in texts(reply), message


def test_a_name_correction_said_plainly_goes_to_reception_even_as_a_first_message():
    for message in ("no es para mí, es para mi hija Sofía", "me equivoqué, era para mi hija",
                    "ponla a nombre de mi hija Sofía Pérez porfa", "no, la hora es para Sofía Lagos, no para mí",
                    "sorry, actually it's for my son Ben Lee, not Amy", "the name is wrong, it should be Ben Lee",
                    # right after booking (a helper's walk): they were «Ya tienes hora…» or «¿Cancelo tu hora…?»
                    "oye pero era para mi hijo, no para mi", "ups era para mi hijo",
                    "pero yo queria que fuera a nombre de mi hijo",
                    "yo no voy a poder ir, pero quiero que vaya mi hijo en mi lugar"):
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU))
        reply = chat.say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", message
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU))
    assert chat.say("necesito hora, es para mi hijo, no para mí").status != "handoff"  # a booking for him


def test_none_of_them_at_which_to_cancel_keeps_them_all():
    for message in ("ah no, ninguna, déjalas", "ninguna, me equivoqué"):
        agent = ClinicAgent(THU, FRI)
        chat = two_appointments(agent)
        chat.say("quiero cancelar una hora")
        reply = chat.say(message)
        assert "Entendido, tus horas siguen en pie." in texts(reply) and not agent.cancelled, message


def test_a_cancel_naming_a_time_or_professional_the_appointment_does_not_have_says_so():
    for message in ("cancela la de las 4 con la dra soto", "cancela mi hora con el dr rojas"):
        reply = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU)).say(message)
        assert "No tienes una hora así; la que tengo anotada es otra:" in texts(reply), message
    reply = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU)).say("cancela mi hora de las 10")
    assert "No tienes" not in texts(reply)


def test_whose_it_is_said_while_choosing_a_time_is_for_this_booking_not_a_correction():
    chat = Chat(agenda([2], [(9, 0)]), appointments=ClinicAgent(THU))
    chat.say("hola, quiero hora el miércoles")
    reply = chat.say("no es para mí, es para mi hija Sofía Pérez")
    assert reply.status != "handoff" and "sigue reservada" not in texts(reply)
    assert "Entendido, la hora será para Sofía Pérez." in texts(reply)
    chat.say("09:00")
    assert chat.books and chat.books[0].state.patient_name == "Sofía Pérez"


def test_a_plain_cancel_or_move_of_the_only_appointment_claims_no_mismatch():
    for message in ("quiero cancelar mi hora", "quiero cambiar mi hora", "cancel my appointment"):
        reply = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU)).say(message)
        assert "No tienes" not in texts(reply) and "You have no" not in texts(reply), message


def test_attendance_for_a_day_or_professional_they_have_nothing_with_is_never_thanked_for_another():
    from test_dialogue_already import finding

    for message in ("confirmo mi asistencia para mañana con el dr rojas", "confirmo mi asistencia a la del miércoles"):
        reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say(message)
        assert "Gracias por confirmar" not in texts(reply), message
        assert "No encontré una hora así a tu nombre." in texts(reply) and lines(reply) == [THU_LINE], message
    reply = Chat(finding(2, 4), appointments=ClinicAgent(THU, FRI)).say("confirmo mi asistencia para el viernes")
    assert "Te esperamos el viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas." in texts(reply)


def test_a_move_asked_for_at_the_list_of_ones_appointments_moves_one_and_never_books_another():
    """After "¿a qué hora tengo?", "¿puedes cambiar la de mi hija para el viernes?" was read as a new booking for
    Friday (the specialty, a time, a name): the daughter ended up with two appointments."""
    for message in ("¿puedes cambiar la de mi hija para el viernes?", "cambia la de Ana para el viernes",
                    "can you move my daughter's one to friday?"):
        chat = two_appointments()
        chat.say("¿a qué hora tengo?")
        reply = chat.say(message)
        assert reply.state is not None and reply.state.intent == "reschedule", (message, texts(reply))
        assert not chat.books


def test_a_move_to_tomorrow_said_with_a_reads_today_as_the_appointment_to_move():
    """ "no voy a poder ir hoy, ¿me la pueden pasar a mañana?" answered "No tienes hora el miércoles 2…" (tomorrow
    read as the day of the appointment to move)."""
    today = WireBooking("bk-1", "2026-12-01T17:00:00-03:00", "2026-12-01T17:30:00-03:00", "Dr. Juan Rojas")
    chat = Chat(agenda([1, 2, 3], [(9, 0), (17, 0)], ("Dr. Juan Rojas",)), appointments=ClinicAgent(today))
    chat.say("hola, ¿a qué hora tengo hoy?")
    reply = chat.say("no voy a poder ir hoy, ¿me la pueden pasar a mañana a la misma hora?")
    assert "No tienes hora" not in texts(reply)
    assert "¿Cambio tu hora del martes 1 de diciembre a las 17:00" in texts(reply), texts(reply)


def test_thanks_that_names_the_wrong_day_or_time_shows_the_appointment_they_have_not_de_nada():
    """"gracias, nos vemos el jueves a las 9" from a patient booked on Thursday at 10: "¡De nada!" left her believing
    9:00. Thanks naming a day or time is checked against the appointments: thanked with the right one, or shown them."""
    from test_dialogue_already import finding

    for message in ("gracias, nos vemos el jueves a las 9 entonces", "ok gracias, nos vemos el viernes 👍",
                    "muchas gracias, nos vemos mañana"):
        reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say(message)
        assert "De nada" not in texts(reply) and "Gracias por confirmar" not in texts(reply), message
        assert "No encontré una hora así a tu nombre." in texts(reply) and lines(reply) == [THU_LINE], message
    reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say("gracias, nos vemos el jueves a las 10!")
    assert "Te esperamos el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto." in texts(reply)
    assert reply.status == "closed"
    reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say("gracias, nos vemos!")  # nothing to check
    assert reply.status == "closed" and texts(reply).startswith("¡De nada")


def test_thanks_naming_a_day_from_a_patient_waiting_for_reception_is_checked_too():
    from test_dialogue_already import finding

    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    assert chat.say("quiero hablar con una persona").status == "handoff"
    reply = chat.say("ok gracias, nos vemos el viernes entonces")  # she has Thursday's, not Friday's
    assert "De nada" not in texts(reply) and "No encontré una hora así a tu nombre." in texts(reply)
    reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say("ok gracias, hasta el viernes a las 4")
    assert "No encontré una hora así a tu nombre." in texts(reply) and lines(reply) == [THU_LINE]


def test_thanks_with_a_wrong_time_in_the_middle_of_a_booking_is_checked_not_booked():
    """"ok gracias, hasta el jueves a las 10 entonces" at the menus (the patient has Thursday at 10:00 — here, one at
    a time they got wrong): read as a new booking, confirmed and booked beside the real one."""
    from test_dialogue_already import finding

    for message in ("ok gracias, hasta el viernes a las 10 entonces", "mil gracias, allá estaré el viernes temprano",
                    "gracias! el viernes a las 4 estoy allá"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        chat.say("hola")
        reply = chat.say(message)
        assert "No encontré una hora así a tu nombre." in texts(reply) and not chat.books, message


def test_a_cancel_turned_into_a_move_at_which_one_moves_the_one_named():
    """At "¿Cuál quieres cancelar?", "ah no era la del jueves, pero no la quiero cancelar, mejor cambiarla pal viernes
    en la mañana" and "no, te dije que la quiero cambiar" got the cancel question again (a helper's walk)."""
    from test_dialogue_already import finding

    chat = Chat(finding(2, 4, 11), appointments=ClinicAgent(THU, FRI))
    chat.say("mejor cancela la del martes")
    reply = chat.say("ah no era la del jueves, pero no la quiero cancelar, mejor cambiarla pal viernes en la mañana")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)

    chat = Chat(finding(2, 4, 11), appointments=ClinicAgent(THU, FRI))
    chat.say("mejor cancela la del martes")
    reply = chat.say("no, te dije que la quiero cambiar")
    assert "¿Cuál quieres cambiar?" in texts(reply) and "cancelar" not in texts(reply)

    # Where the move goes named one of the list: never «¿Cancelo…?» of that one (a "sí" cancelled it)
    for message in ("mejor muévela al jueves", "¿se puede mover mi turno al viernes?",
                    "no la quiero cancelar, mejor cambiarla pal viernes"):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(finding(2, 4, 11), appointments=agent)
        chat.say("quiero cancelar una hora")
        reply = chat.say(message)
        assert "¿Cuál quieres cambiar?" in texts(reply) and "¿Cancelo" not in texts(reply), message
        chat.say("sí")
        assert agent.cancelled == {} and agent.moved == {}, message


def test_whether_someone_booked_them_an_appointment_lists_theirs():
    """"¿Tengo hora con la doctora?? no me acuerdo si me agendaron" and "¿me agendaron hora con el doctor?" got a new
    booking's menus ("agendaron" was corrected to "agendar": a request; a helper's walk, 3 of 3)."""
    from test_dialogue_already import finding

    for asked in ("buenas noches disculpe la hora, tengo hora con la doctora?? no me acuerdo si me agendaron",
                  "hola, me agendaron hora con el doctor? no me llegó ninguna confirmación"):
        reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say(asked)
        assert THU_LINE in lines(reply), asked


def test_the_booking_asked_for_beside_a_cancel_of_none_is_kept_past_pedir_una_hora():
    """"Quiero agendar con la dra. soto el lunes 7 a las 9:20, y también cancelar la que tengo", none found, then
    "Pedir una hora": Dra. Soto, Monday 7 and 9:20 were forgotten (a helper's walk). A cancel alone's day is not a
    booking's."""
    from dataclasses import replace

    two = replace(agenda(range(2, 9), [(9, 0), (9, 20)], ("Dra. Camila Soto", "Dr. Rojas")), finds_bookings=True)
    chat = Chat(two, appointments=ClinicAgent())
    chat.say("hola buenas, quiero agendar con la dra. soto el lunes 7 a las 9:20, y tambien cancelar la que tengo")
    assert "¿Confirmo el lunes 7 de diciembre a las 09:20 con la Dra. Camila Soto?" in texts(chat.say("Pedir una hora"))
    chat = Chat(two, appointments=ClinicAgent())
    chat.say("cancela mi hora del lunes 7 a las 9:20")
    assert "¿Confirmo" not in texts(chat.say("Pedir una hora"))
