"""A move says which appointment goes, and moves the one the patient means: "la otra" while choosing the new time,
"mejor a las 11" to "Ya tienes hora…", the new day said with the request ("pal viernes") kept past the "¿Cambio…?"."""

from __future__ import annotations

import re
from dataclasses import replace

from conversation_kit import Chat, agenda, booked, buttons, lines, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

MON = WireBooking("bk-1", "2026-12-07T10:00:00-03:00", "2026-12-07T10:30:00-03:00", "Dra. Ana Soto", patient="Ana Pérez")
TUE = WireBooking("bk-2", "2026-12-08T11:00:00-03:00", "2026-12-08T11:30:00-03:00", "Dra. Ana Soto", patient="Ana Pérez")


def booking_chat() -> tuple[ClinicAgent, Chat]:
    """A chat whose bookings the agent then lists as the patient's ("bk-9")."""
    agent = ClinicAgent()

    def book(slot):
        agent.bookings.append(WireBooking("bk-9", slot.start, slot.end, slot.professional, patient="Ana Pérez"))
        return booked(slot, "bk-9")

    return agent, Chat(slots(), appointments=agent, agent=book)


def slots():
    return replace(agenda(range(2, 16), [(9, 0), (11, 0), (12, 0), (15, 0)]), finds_bookings=True)


def test_the_other_one_named_while_choosing_the_new_time_is_the_one_moved():
    agent = ClinicAgent(MON, TUE)
    chat = Chat(slots(), appointments=agent)
    chat.say("necesito cambiar una hora")
    chat.say("la del lunes 7")
    chat.say("sí")
    reply = chat.say("espera, mejor cambia la otra, la de las 11")
    assert "¿Cambio tu hora del martes 8 de diciembre a las 11:00 con la Dra. Ana Soto?" in texts(reply)
    chat.say("sí")
    reply = chat.say("el viernes 11 a las 12")
    assert "en vez de tu hora del martes 8 de diciembre a las 11:00?" in texts(reply)
    reply = chat.say("sí")
    assert "Cambié tu hora del martes 8 de diciembre a las 11:00 por esta:" in texts(reply)
    assert [old for old, _ in agent.moved.values()] == ["bk-2"]  # the Monday one stays


def test_a_time_said_instead_to_the_appointment_just_made_moves_it_there():
    """"Mejor a las 11" at «Ya tienes hora…» moves it; right after booking 9:00, "no mejor otra hora, a las 11" then
    "sí" at «¿Quieres una hora más, cambiarla o cancelarla?» went on to book 11:00 beside 9:00."""
    for first, then in (("espera no", "mejor a las 11"), ("no mejor otra hora, a las 11", "sí")):
        agent, chat = booking_chat()
        chat.say("hola, hora el miércoles 9 a las 9")
        assert chat.say("sí").status == "booked"
        assert buttons(chat.say(first)) == ["Una hora más", "Cambiarla", "Cancelarla"]
        reply = chat.say(then)
        assert "¿Cambio tu hora del miércoles 9 de diciembre a las 09:00" in texts(reply), first
        reply = chat.say("sí")
        assert "¿Confirmo el miércoles 9 de diciembre a las 11:00" in texts(reply)  # the time said, kept
        assert chat.say("sí").status == "booked"
        assert [old for old, _ in agent.moved.values()] == ["bk-9"] and len(chat.books) == 1  # moved, not a 2nd one


def test_the_new_day_said_with_the_move_request_is_kept_past_its_confirmation():
    chat = Chat(slots(), appointments=ClinicAgent(replace(MON, start="2026-12-10T10:00:00-03:00",
                                                          end="2026-12-10T10:30:00-03:00")))
    chat.say("hola, no voy a alcanzar a llegar el jueves, me la podi cambiar pal viernes en la tarde?")
    reply = chat.say("sip")
    assert "Vie 4 dic" in texts(reply) and buttons(reply)[0] == "15:00"  # Friday's afternoon, not every day again


def test_the_other_one_named_by_its_specialty_while_choosing_the_new_time_is_the_one_moved():
    """"No, esa no, es la de la kinesióloga la que quiero mover": it showed the physiotherapist's times and moved the
    doctor's appointment there (two kinesiology appointments, no medicina general)."""
    kine = [replace(s, specialty="Kinesiología")
            for s in agenda(range(2, 16), [(9, 0), (13, 0)], ("Klga. Paula Méndez",)).slots]
    general = [replace(s, specialty="Medicina general")
               for s in agenda(range(2, 16), [(11, 0), (16, 0)], ("Dra. Camila Soto",)).slots]
    doctor = replace(MON, professional="Dra. Camila Soto")
    physio = replace(TUE, professional="Klga. Paula Méndez")
    for message in ("no, esa no, es la de la kinesióloga la que quiero mover", "uy, es la de kine la que quiero mover"):
        agent = ClinicAgent(doctor, physio)
        chat = Chat(replace(agenda([2], [(9, 0)]), slots=(*kine, *general), finds_bookings=True), appointments=agent)
        chat.say("necesito cambiar una hora")
        chat.say("la del lunes 7")
        chat.say("sí")
        reply = chat.say(message)
        assert "¿Cambio tu hora del martes 8 de diciembre a las 11:00 con la Klga. Paula Méndez?" in texts(reply), message
        assert not agent.moved


def test_a_new_day_preferred_right_after_booking_is_not_read_as_the_appointments_day():
    """"Uy no, me equivoqué, prefiero el viernes temprano": it said "No tienes hora el viernes 11" (she never said she
    had one) before asking about the one she had."""
    agent, chat = booking_chat()
    chat.say("hola, hora el jueves 10 a las 12")
    assert chat.say("sí").status == "booked"
    reply = chat.say("uy no, me equivoqué, prefiero el viernes temprano")
    assert "No tienes hora" not in texts(reply) and "¿Cambio tu hora del jueves 10 de diciembre a las 12:00" in texts(reply)


def test_keeping_the_old_one_while_choosing_the_new_time_drops_the_move():
    for message in ("pucha, mejor me quedo con la que tenía", "no, prefiero quedarme con la del lunes"):
        agent = ClinicAgent(MON)
        chat = Chat(slots(), appointments=agent)
        chat.say("quiero cambiar mi hora")
        chat.say("sí")
        reply = chat.say(message)
        assert "sigue en pie" in texts(reply) and "no te entendí" not in texts(reply), (message, texts(reply))
        assert not agent.moved


def test_a_time_offered_preferred_right_after_booking_is_the_moves_new_time():
    """"Ay no, perdona, prefiero la de las 11" (a time the list showed, not the appointment's): after "Cambiarla"
    the move went to the days, the 11:00 forgotten."""
    agent, chat = booking_chat()
    chat.say("hola, hora el miércoles 9 a las 9")
    chat.say("sí")
    chat.say("ay no, perdona, prefiero la de las 11")
    chat.say("Cambiarla")
    reply = chat.say("Sí, cambiarla")
    assert "¿Confirmo el miércoles 9 de diciembre a las 11:00" in texts(reply)


def test_leave_it_for_another_day_is_a_move():
    chat = Chat(slots(), appointments=ClinicAgent(MON))
    reply = chat.say("¿me la puedes dejar para el viernes 11 a las 12?")
    assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00" in texts(reply)


def test_a_move_dropped_leaves_no_filter_on_the_next_booking():
    """"Pal martes en la mañana" then "no la cambies": his next booking was "antes de las 12:00" only."""
    chat = Chat(slots(), appointments=ClinicAgent(MON))
    chat.say("oye, ¿me la puedes correr pal martes en la mañana?")
    chat.say("sí, cámbiala")
    assert "sigue en pie" in texts(chat.say("no la cambies, dejo la del lunes"))
    reply = chat.say("necesito otra hora para mí el jueves 10")
    assert buttons(reply)[0] == "09:00" and "15:00" in texts(reply)  # the afternoon too


def test_asking_to_move_the_one_they_have_while_booking_another_moves_it_never_books_a_second():
    """In a new booking's day list ("Otra hora"), "ah no perdón, mejor quiero cambiar la que tengo para el viernes 4
    a las 15" and "me cambias la hora al viernes a las 11" were read as a time for the new booking: two appointments,
    the old one kept (a helper's walk, 3 of 3). They move the one the patient has."""
    for message, new_time in (("ah no perdón, mejor quiero cambiar la que tengo para el viernes 4 a las 15", "15:00"),
                              ("me cambias la hora al viernes a las 11 porfa", "11:00")):
        agent = ClinicAgent(MON)
        chat = Chat(slots(), appointments=agent)
        chat.say("quiero otra hora")
        chat.say("Otra hora")
        reply = chat.say(message)
        assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply), message
        reply = chat.say("sí")
        assert f"¿Confirmo el viernes 4 de diciembre a las {new_time}" in texts(reply), message
        assert "en vez de tu hora del lunes 7 de diciembre a las 10:00?" in texts(reply), message
        chat.say("sí")
        assert [old for old, _ in agent.moved.values()] == ["bk-1"] and not chat.books, message


def test_changing_the_time_offered_while_booking_is_still_that_booking():
    """Without an appointment of one's own, "¿me cambias la hora a las 11?" at a day's times is the time offered."""
    chat = Chat(slots())
    chat.say("hola")
    chat.say("1")
    reply = chat.say("¿me cambias la hora a las 11?")
    assert "¿Confirmo el miércoles 2 de diciembre a las 11:00" in texts(reply)


def test_a_new_time_on_the_same_day_is_not_read_as_the_appointment_to_move():
    """"¿Se puede correr mi hora para las 11, el mismo día?" opened with "No tienes una hora así" (the 11 read as the
    appointment's time; a helper's walk, 2 of 2): straight to it, then that day at 11."""
    for message, new_time in (("¿se puede correr mi hora para las 11, el mismo día?", "11:00"),
                              ("puedo pasar mi hora para más tarde el mismo día? tipo a las 3", "15:00")):
        chat = Chat(slots(), appointments=ClinicAgent(MON))
        reply = chat.say(message)
        assert "No tienes" not in texts(reply), message
        assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply), message
        reply = chat.say("sí")
        assert f"¿Confirmo el lunes 7 de diciembre a las {new_time}" in texts(reply), message


def test_move_me_the_one_of_a_day_is_a_move():
    """"Muéveme la del lunes al viernes 11 a las 12" was "no te entendí" (a helper's walk)."""
    agent = ClinicAgent(MON)
    chat = Chat(slots(), appointments=agent)
    reply = chat.say("muéveme la del lunes al viernes 11 a las 12")
    assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    assert "¿Confirmo el viernes 11 de diciembre a las 12:00" in texts(chat.say("sí"))


def test_a_move_asked_for_from_another_specialtys_days_is_not_filtered_by_that_specialty():
    """Kinesiology's days open, "espera, lo que necesito es correr mi cita del lunes con la doctora Soto para el
    viernes": "Dra. Ana Soto no tiene horas libres el Vie 4 dic. No encontré horas libres de esa especialidad…" above
    her free days (the dropped booking's filter; a second helper's walk, 2 of 2)."""
    kine = [replace(s, specialty="Kinesiología")
            for s in agenda([2, 4], [(9, 0), (10, 45)], ("Klga. Paula Méndez",)).slots]
    general = [replace(s, specialty="Medicina general") for s in agenda([4, 8], [(11, 0), (16, 0)]).slots]
    both = replace(agenda([2], [(9, 0)]), slots=(*kine, *general), finds_bookings=True)
    chat = Chat(both, appointments=ClinicAgent(MON))
    chat.say("quiero otra hora")
    chat.say("Otra hora")
    chat.say("Kinesiología")
    reply = chat.say("espera, lo que necesito es correr mi cita del lunes con la doctora Soto para el viernes")
    assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    reply = chat.say("sí")
    assert "no tiene horas libres" not in texts(reply) and "esa especialidad" not in texts(reply)
    assert "¿Qué hora con la Dra. Ana Soto el Vie 4 dic?" in texts(reply)


def test_a_move_asked_for_at_whose_name_question_moves_the_one_they_have():
    """At "¿A nombre de quién reservo la hora?" of another booking, "no espera, mejor cambia mi hora del lunes al
    viernes 4 a las 11" became "¿Confirmo el viernes 4 a las 11:00?" for the new booking (a second helper's walk)."""
    agent = ClinicAgent(MON)
    chat = Chat(slots(), appointments=agent)
    chat.say("quiero otra hora")
    chat.say("Otra hora")
    chat.say("1")
    chat.say("09:00")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    reply = chat.say("no espera, mejor cambia mi hora del lunes al viernes 4 a las 11")
    assert "¿Cambio tu hora del lunes 7 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    chat.say("sí")
    chat.say("sí")
    assert [old for old, _ in agent.moved.values()] == ["bk-1"] and not chat.books


def test_a_new_day_asked_for_because_the_appointment_cannot_be_kept_is_a_move():
    """"Necesito hora para el viernes, el jueves no puedo ir" was read as a cancel («¿Cancelo…?»): the Friday asked
    for was lost once it was cancelled."""
    chat = Chat(slots(), appointments=ClinicAgent(replace(MON, start="2026-12-03T10:00:00-03:00",
                                                          end="2026-12-03T10:30:00-03:00")))
    reply = chat.say("hola necesito hora para el viernes, el jueves no puedo ir")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply)
    reply = chat.say("sí")  # a move: Thursday's stays until the new one is booked
    assert "la del jueves 3 de diciembre a las 10:00 se cancelará cuando la nueva quede reservada" in texts(reply)


def test_mueve_la_del_jueves_a_la_misma_hora_del_viernes_proposes_friday_at_that_time():
    """"mueve la del jueves a la misma hora del viernes" was the menu («¿Quieres una hora más, cambiar una…?»): "mueve
    la del …" was no move, and "del viernes" named Friday's appointment too."""
    thu = WireBooking("bk-7", "2026-12-03T11:00:00-03:00", "2026-12-03T11:30:00-03:00", "Dra. Ana Soto",
                      patient="Ana Pérez")
    fri = WireBooking("bk-8", "2026-12-04T15:00:00-03:00", "2026-12-04T15:30:00-03:00", "Dra. Ana Soto",
                      patient="Ana Pérez")
    for message in ("mueve la del jueves a la misma hora del viernes", "pasa la del jueves al viernes, misma hora",
                    "mueva la del jueves al viernes a la misma hora por favor", "move thursday's to friday same time"):
        agent = ClinicAgent(thu, fri)
        chat = Chat(slots(), appointments=agent)
        reply = texts(chat.say(message))
        assert "jueves 3 de diciembre a las 11:00" in reply or "Thursday 3 December at 11:00" in reply, (message, reply)
        reply = texts(chat.say("sí"))
        assert "viernes 4 de diciembre a las 11:00" in reply or "Friday 4 December at 11:00" in reply, (message, reply)
        chat.say("sí")
        assert "bk-7" in str(agent.moved) and "bk-8" not in str(agent.moved), message


THU_10 = WireBooking("bk-7", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto", patient="Ana Pérez")
FRI_16 = WireBooking("bk-8", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dra. Ana Soto", patient="Ana Pérez")


def test_cannot_come_that_day_and_can_i_come_another_moves_that_one_there():
    """"I can't make it thursday, can I come monday instead?" listed every appointment «Which one do you want to
    cancel?» (Monday forgotten); "no puedo el jueves, ¿puedo ir el lunes?" asked «¿Quieres una hora más, cambiarla
    o cancelarla?». Thursday's is now asked about as a move, and its new times are Monday's."""
    from conversation_kit import EN

    cases = (
        (EN, "I can't make it thursday, can I come monday instead?", "Shall I change your appointment on Thursday 3"
         " December at 10:00", "yes", "on Mon 7 Dec"),
        (EN, "can't make it on thursday. could I come on monday?", "Shall I change your appointment on Thursday 3",
         "yes", "on Mon 7 Dec"),
        (None, "no puedo el jueves, ¿puedo ir el lunes?", "¿Cambio tu hora del jueves 3 de diciembre a las 10:00",
         "sí", "el Lun 7 dic"),
        (None, "el jueves no puedo, ¿puede ser el lunes?", "¿Cambio tu hora del jueves 3 de diciembre a las 10:00",
         "sí", "el Lun 7 dic"),
        (None, "no voy a poder ir el jueves, ¿puedo ir el lunes?", "¿Cambio tu hora del jueves 3 de diciembre",
         "sí", "el Lun 7 dic"),
    )
    for clinic, message, asked, yes, monday in cases:
        # with one appointment, those that keep it (the others asked «¿Cancelo…?» before the rule too)
        keeps = message in ("no, no la canceles", "no, cancela el cambio, la dejo como estaba",
                            "no la cancelo, solo cambiar", "cancel that, I'll keep it")
        for bookings in ((THU_10, FRI_16), (THU_10,)) if keeps else ((THU_10, FRI_16),):
            agent = ClinicAgent(*bookings)
            chat = Chat(slots(), appointments=agent, clinic=clinic) if clinic else Chat(slots(), appointments=agent)
            reply = chat.say(message)
            assert asked in texts(reply) and "No tienes" not in texts(reply) and "no appointment" not in texts(
                reply), (message, texts(reply))
            assert monday in texts(chat.say(yes)), message
            assert chat.say("09:00").status == "booked", message
            assert [(old, new[:15]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-07T0900")], message
            assert not agent.cancelled and not chat.books, message


def test_cannot_come_one_day_and_another_day_without_appointments_books_that_day():
    chat = Chat(slots(), appointments=ClinicAgent())
    assert "¿Qué hora con la Dra. Ana Soto el Lun 7 dic?" in texts(chat.say("no puedo el jueves, ¿puedo ir el lunes?"))
    chat = Chat(slots(), appointments=ClinicAgent(THU_10))  # a new one asked for in so many words: asked, as before
    reply = chat.say("hola, quiero hora, no puedo el jueves, ¿puede ser el lunes a las 9?")
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(reply)


def test_cancel_it_instead_in_the_middle_of_a_move_asks_about_that_one():
    """"actually just cancel it" / "mejor cancélala nomás" after choosing Thursday's to move (at «¿Cambio…?», the
    days or the times) listed every appointment again «¿Cuál quieres cancelar?»; now «¿Cancelo tu hora del jueves…?»
    is asked, and "sí" cancels that one (nothing moved). Another one named is still that one."""
    from conversation_kit import EN

    for english, steps, message in (
            (True, ["I need to move an appointment", "1"], "actually just cancel it"),
            (True, ["I need to move an appointment", "1", "yes"], "forget it, cancel it"),
            (True, ["I need to move an appointment", "1", "yes", "monday"], "actually just cancel it"),
            (False, ["quiero cambiar una hora", "1"], "mejor cancélala nomás"),
            (False, ["quiero cambiar una hora", "1", "sí"], "mejor cancélala nomás"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "no, mejor cancela la hora nomás"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "sabes qué, cancélala mejor")):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(slots(), appointments=agent, clinic=EN) if english else Chat(slots(), appointments=agent)
        for step in steps:
            chat.say(step)
        reply = chat.say(message)
        asked = ("Shall I cancel your appointment on Thursday 3 December at 10:00" if english
                 else "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?")
        assert asked in texts(reply) and "viernes" not in texts(reply) and "Friday" not in texts(reply), (
            message, texts(reply))
        done = chat.say("yes" if english else "sí")
        assert done.status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"], message
        assert not agent.moved and not chat.books, message
    agent = ClinicAgent(THU_10, FRI_16)
    chat = Chat(slots(), appointments=agent)
    for step in ("quiero cambiar una hora", "1", "sí"):
        chat.say(step)
    assert "¿Cancelo tu hora del viernes 4 de diciembre" in texts(chat.say("cancela la del viernes"))


def test_a_cancel_word_in_the_middle_of_a_move_that_keeps_the_appointment_never_asks_to_cancel_it():
    """"no, no la canceles", "no, cancela el cambio, la dejo como estaba", "cancel that, I'll keep it" while moving
    Thursday's were «Entendido, tu hora sigue en pie»; the cancel-the-one-moved rule asked «¿Cancelo tu hora del
    jueves…?» and the habitual "sí" cancelled the appointment the patient had just said to keep. So did "cancela el
    cambio" (the move called off), "¿y si la cancelo qué pasa?" (a question) and "no, cancela eso, mejor a las 10"
    (another time chosen)."""
    from conversation_kit import EN

    for english, steps, message in (
            (False, ["quiero cambiar una hora", "1"], "no, no la canceles"),
            (False, ["quiero cambiar una hora", "1", "sí"], "no, cancela el cambio, la dejo como estaba"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "no la cancelo, solo cambiar"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "cancela el cambio"),
            (False, ["quiero cambiar una hora", "1", "sí"], "cancela todo, la dejo igual"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "¿y si la cancelo qué pasa?"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "no, cancela eso, mejor a las 10"),
            (True, ["I need to move an appointment", "1", "yes"], "cancel that, I'll keep it"),
            (True, ["I need to move an appointment", "1", "yes", "monday"], "cancel the change")):
        # with one appointment, those that keep it (the others asked «¿Cancelo…?» before the rule too)
        keeps = message in ("no, no la canceles", "no, cancela el cambio, la dejo como estaba",
                            "no la cancelo, solo cambiar", "cancel that, I'll keep it")
        for bookings in ((THU_10, FRI_16), (THU_10,)) if keeps else ((THU_10, FRI_16),):
            agent = ClinicAgent(*bookings)
            chat = Chat(slots(), appointments=agent, clinic=EN) if english else Chat(slots(), appointments=agent)
            for step in steps if len(bookings) == 2 else [steps[0], *steps[2:]]:  # one: «¿Cambio…?» at once
                chat.say(step)
            reply = chat.say(message)
            assert "¿Cancelo tu hora del jueves" not in texts(reply), (message, texts(reply))
            assert "Shall I cancel your appointment on Thursday" not in texts(reply), (message, texts(reply))
            chat.say("yes" if english else "sí")
            assert not agent.cancelled, (message, bookings)


def test_a_mistake_owned_beside_cancel_in_the_middle_of_a_move_never_asks_to_cancel_the_one_moved():
    """Moving Thursday's (with Friday's beside it), "cancela, me equivoqué" ("cancela, me equivoqué de día", "cancel,
    my mistake") at «¿Cambio…?», the days or the times was asked «¿Cancelo tu hora del jueves…?» since b1a3266, and
    the habitual "sí" cancelled the appointment whose move they were calling off. The list is shown as before: which
    one, if any, is theirs to say."""
    from conversation_kit import EN

    for english, steps, message in (
            (False, ["quiero cambiar una hora", "1"], "cancela, me equivoqué"),
            (False, ["quiero cambiar una hora", "1", "sí"], "cancela, me equivoqué de día"),
            (False, ["quiero cambiar una hora", "1", "sí", "lunes"], "cancela, me equivoqué"),
            (True, ["I need to move an appointment", "1", "yes"], "cancel, my mistake")):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(slots(), appointments=agent, clinic=EN) if english else Chat(slots(), appointments=agent)
        for step in steps:
            chat.say(step)
        reply = chat.say(message)
        assert "¿Cancelo tu hora del jueves" not in texts(reply), (message, texts(reply))
        assert "Shall I cancel your appointment on Thursday" not in texts(reply), (message, texts(reply))
        chat.say("yes" if english else "sí")
        assert not agent.cancelled, (message, agent.cancelled)


def test_cannot_come_a_day_that_holds_none_names_that_day_never_the_day_asked_for():
    """"no puedo ir el viernes, ¿puedo ir el lunes?" with only Thursday's was told «No tienes hora el lunes 7 de
    diciembre; la que tengo anotada es otra…»: the day the patient asked to go to, as if they had said they had one
    then. The day they cannot come is the one said to hold none."""
    from conversation_kit import EN

    for english, bookings, message, said in (
            (False, (THU_10,), "no puedo ir el viernes, ¿puedo ir el lunes?", "No tienes hora el viernes 4 de diciembre"),
            (False, (THU_10,), "no puedo ir hoy, ¿puedo ir mañana?", "No tienes hora el martes 1 de diciembre"),
            (False, (FRI_16,), "no puedo ir el jueves, ¿puedo ir el lunes?", "No tienes hora el jueves 3 de diciembre"),
            (True, (FRI_16,), "I can't make it thursday, can I come monday instead?",
             "You have no appointment on Thursday 3 December")):
        agent = ClinicAgent(*bookings)
        chat = Chat(slots(), appointments=agent, clinic=EN) if english else Chat(slots(), appointments=agent)
        reply = chat.say(message)
        assert said in texts(reply), (message, texts(reply))
        assert "lunes 7 de diciembre;" not in texts(reply) and "Monday 7 December;" not in texts(reply), message
        assert "miércoles 2 de diciembre;" not in texts(reply), message


def test_cannot_come_a_day_with_two_listed_never_says_the_day_asked_for_holds_none():
    """With Thursday's and Friday's, "no puedo ir mañana, ¿puedo ir el lunes?" ("no puedo ir hoy, ¿puedo ir
    mañana?") listed both under «No tienes hora el lunes 7 de diciembre.» — the day the patient asked to go to, as if
    they had said they had one then. As with one appointment, the day they cannot come is the one said to hold none
    (and nothing is said when it holds one)."""
    for message, said, never in (
            ("no puedo ir mañana, ¿puedo ir el lunes?", "No tienes hora el miércoles 2 de diciembre.",
             "lunes 7 de diciembre."),
            ("no puedo ir hoy, ¿puedo ir mañana?", "No tienes hora el martes 1 de diciembre.",
             "No tienes hora el miércoles 2"),
            ("no puedo ir el jueves ni el viernes, ¿hay hora el lunes?", None, "No tienes hora el lunes")):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(slots(), appointments=agent)
        reply = chat.say(message)
        assert "viernes 4 de diciembre a las 16:00" in texts(reply), (message, texts(reply))
        if said:
            assert said in texts(reply), (message, texts(reply))
        assert never not in texts(reply), (message, texts(reply))
        assert not agent.cancelled and not agent.moved


def test_cannot_come_a_day_and_another_week_or_day_asked_never_moves_it_to_that_day():
    """"no puedo ir el jueves, ¿puedo ir la otra semana?" with Thursday's was read as Thursday 3 with no day ruled
    out: «¿Cambio tu hora del jueves…?», "sí", then the times of Thursday 3, and "1" moved it to Thursday 3 at 09:00 —
    the very day the patient cannot come. Thursday's is the one moved, from next week, never to a Thursday."""
    from conversation_kit import EN

    for english, bookings, message in (
            (False, (THU_10, FRI_16), "no puedo ir el jueves, ¿puedo ir la otra semana?"),
            (False, (THU_10,), "no puedo ir el jueves, ¿puedo ir la semana siguiente?"),
            (False, (THU_10,), "quiero cambiar mi hora, no puedo ir el jueves, ¿puedo ir la otra semana?"),
            (False, (THU_10, FRI_16), "no puedo ir el jueves puedo ir la otra semana"),
            (False, (THU_10,), "el jueves no puedo ir, ¿la semana que viene se puede?"),
            (False, (THU_10,), "no podré ir el jueves, ¿puedo ir la siguiente semana?"),
            (False, (THU_10, FRI_16), "no puedo ir el jueves, ¿puedo ir otro día?"),
            (True, (THU_10, FRI_16), "I can't make it thursday, can I come the following week?"),
            (True, (THU_10,), "I can't come thursday, could I come the week after?")):
        agent = ClinicAgent(*bookings)
        chat = Chat(slots(), appointments=agent, clinic=EN) if english else Chat(slots(), appointments=agent)
        reply = chat.say(message)
        asked = "Shall I change your appointment on Thursday 3" if english else "¿Cambio tu hora del jueves 3"
        assert asked in texts(reply), (message, texts(reply))
        reply = chat.say("yes" if english else "sí")
        shown = " ".join([texts(reply), *buttons(reply)])
        assert "Thu 3 Dec" not in shown and "Jue 3 dic" not in shown and "jueves 3 de diciembre 2" not in shown, (
            message, shown)
        if "otro día" not in message:
            assert "Mon 7 Dec" in shown or "lunes 7 de diciembre" in shown or "Lun 7 dic" in shown, (message, shown)
        while "Más días" in buttons(reply) or "More days" in buttons(reply):
            assert not re.search(r"\b(?:jueves|Thursday) (?:3|10)\b", " ".join(lines(reply))), (message, lines(reply))
            reply = chat.say("Más días" if not english else "More days")
        chat.say("1")
        chat.say("1")
        for _, slot_id in agent.moved.values():
            assert "2026-12-03" not in slot_id and "2026-12-10" not in slot_id, (message, agent.moved)
        assert all(old == "bk-7" for old, _ in agent.moved.values()), (message, agent.moved)
