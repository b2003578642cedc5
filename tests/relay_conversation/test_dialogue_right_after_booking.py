"""Right after «¡Listo! Tu hora quedó reservada…», what the patient writes is about that appointment: "sí", "ahí
estaré" are answered in kind (they got the introduction and the days again, or a hand-off «para revisar tus horas»);
"¿a qué hora era?", "¿quedó?" get the appointment as it was booked; "ok, el jueves a las 10 entonces" or the same
request sent again never books a second one at that time with another professional."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, booked, buttons, slots, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

SOTO_AND_ROJAS = ("Dra. Ana Soto", "Dr. Juan Rojas")


def booked_thursday_at_10(english: bool = False) -> Chat:
    """Ana booked Thursday 3 at 10:00 with Dra. Soto; the agent's slots now lack it (Dr. Rojas is free then)."""
    week = agenda([2, 3, 4], [(9, 0), (10, 0), (15, 0)], SOTO_AND_ROJAS)
    chat = Chat(week, clinic=EN) if english else Chat(week)
    assert ("Shall I book Thursday 3 December at 10:00 with Dra. Ana Soto?" if english
            else "¿Confirmo el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?") in texts(
        chat.say("hi, appointment with dr soto on thursday at 10" if english
                 else "hola, quiero hora con la dra soto el jueves a las 10"))
    assert chat.say("yes" if english else "sí").status == "booked"
    taken = chat.books[0].slot
    chat.agenda = slots(*(s for s in chat.agenda.slots if s != taken))
    return chat


def test_a_yes_or_a_word_of_coming_after_the_booking_is_answered_in_kind() -> None:
    for message in ("sí", "sip", "sí, ahí estaré", "ahí estaré", "allá nos vemos", "ya está?", "👍"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert reply.status == "closed" and "¡Perfecto, Ana!" in texts(reply), message
        assert "Hola" not in texts(reply) and "recepcionista" not in texts(reply), message


def test_asked_how_it_stands_the_appointment_is_said_again_as_booked() -> None:
    for message in ("¿a qué hora era?", "confirmado?", "¿quedó agendada?", "y quedó?", "¿con quién me tocó?",
                    "¿a qué hora tengo que llegar?", "se agendó?"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert reply.status == "closed", message
        assert texts(reply).startswith("Así quedó tu hora, Ana: Jueves 3 de diciembre a las 10:00, con la Dra. Ana"
                                       " Soto."), message
        assert "¡Perfecto, Ana!" in texts(chat.say("ok")), message


def test_the_time_just_booked_said_again_never_books_a_second_one_then() -> None:
    for message in ("ok, el jueves a las 10 entonces", "perfecto, entonces el jueves a las 10",
                    "hola, quiero hora el jueves a las 10", "entonces quedó para las 10?"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert "Así quedó tu hora, Ana:" in texts(reply) and "Rojas" not in texts(reply), message
        chat.say("sí")
        assert len(chat.books) == 1, message


def test_another_appointment_asked_for_right_after_is_still_booked() -> None:
    chat = booked_thursday_at_10()
    assert "¿Confirmo el jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas?" in texts(
        chat.say("y otra para mi hijo el jueves a las 10 con el dr rojas"))
    chat = booked_thursday_at_10()  # "otra hora": one more, or another time for this one? asked first
    assert texts(chat.say("quiero otra hora el viernes a las 9")).startswith(
        "Claro, Ana. Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto.")
    assert "A las 09:00 del Vie 4 dic atienden varios profesionales" in texts(chat.say("Una hora más"))


def test_a_relatives_appointment_is_said_as_theirs() -> None:
    chat = Chat(agenda([3], [(10, 0)]))
    chat.say("hola, quiero hora para mi hijo el jueves a las 10")
    chat.say("sí")
    assert chat.say("Tomás Pérez").status == "booked"
    reply = chat.say("a que hora era?")
    assert texts(reply).startswith("Así quedó la hora de Tomás Pérez, Ana: Jueves 3 de diciembre a las 10:00")


def test_a_moved_appointment_is_said_at_its_new_time() -> None:
    thursday = WireBooking("bk-1", "2026-12-03T09:00:00-03:00", "2026-12-03T09:30:00-03:00", "Dra. Ana Soto",
                           patient="Ana Pérez")
    chat = Chat(agenda([3, 4], [(9, 0), (11, 0)]), appointments=ClinicAgent(thursday))
    chat.say("necesito cambiar mi hora del jueves para el viernes a las 11")
    chat.say("sí")
    assert "Cambié tu hora del jueves 3 de diciembre a las 09:00 por esta" in texts(chat.say("sí"))
    reply = chat.say("¿quedó?")
    assert texts(reply).startswith("Tu hora anterior quedó cancelada. Así quedó la nueva, Ana: Viernes 4 de diciembre"
                                   " a las 11:00")


def test_asked_whether_the_old_one_is_gone_the_new_one_is_never_offered_for_cancelling() -> None:
    """"¿Y la del jueves se canceló?" right after moving it to Friday asked «¿Cancelo tu hora del viernes…?» (the
    old one no longer listed): a "sí" there cancelled the new one."""
    thursday = WireBooking("bk-1", "2026-12-03T09:00:00-03:00", "2026-12-03T09:30:00-03:00", "Dra. Ana Soto",
                           patient="Ana Pérez")
    for message in ("¿y la del jueves se canceló?", "se anuló la anterior?", "y el jueves a las 9 sigue?",
                    "entonces ya no tengo la del jueves?", "¿se canceló?"):
        agent = ClinicAgent(thursday)
        chat = Chat(agenda([3, 4], [(9, 0), (11, 0)]), appointments=agent)
        chat.say("necesito cambiar mi hora del jueves para el viernes a las 11")
        chat.say("sí")
        chat.say("sí")
        agent.bookings = [WireBooking("bk-2", "2026-12-04T11:00:00-03:00", "2026-12-04T11:30:00-03:00",
                                      "Dra. Ana Soto", patient="Ana Pérez")]  # the web app, moved
        reply = chat.say(message)
        assert texts(reply).startswith("Tu hora anterior quedó cancelada. Así quedó la nueva, Ana: Viernes 4"), message
        assert "Cancelo" not in texts(reply) and not agent.cancelled, message


def test_in_english_too() -> None:
    chat = Chat(agenda([3], [(10, 0)]), clinic=EN)
    chat.say("hi, I need an appointment on thursday at 10")
    assert chat.say("yes").status == "booked"
    assert texts(chat.say("what time was it?")).startswith("Here is your appointment, Ana: Thursday 3 December at 10:00")


def test_half_an_hour_later_a_conversation_starts_again() -> None:
    chat = booked_thursday_at_10()
    reply = chat.say("sí", minutes_later=31)
    assert "¡Hola, Ana!" in texts(reply) and "Perfecto" not in texts(reply)


def test_coming_on_another_day_or_time_than_booked_is_shown_the_appointments_the_phone_has() -> None:
    """"Ahí estaré el viernes" when it is on Thursday: «¡Perfecto!» would leave the patient going on Friday; the
    phone's appointments, as the web app has them, are listed instead (as at any conversation's start)."""
    for message in ("ahí estaré el viernes", "ahí estaré a las 15", "confirmo la hora del viernes",
                    "¿quedó para el viernes?"):
        chat = booked_at_a_clinic_that_finds_bookings()
        reply = chat.say(message)
        assert "jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto" in texts(reply), message
        assert "Perfecto" not in texts(reply) and "¿Confirmo" not in texts(reply), message
    chat = booked_at_a_clinic_that_finds_bookings()
    assert "¡Gracias por confirmar, Ana! Te esperamos el jueves 3 de diciembre a las 10:00" in texts(
        chat.say("ahí estaré el jueves a las 10"))


def booked_at_a_clinic_that_finds_bookings() -> Chat:
    agent = ClinicAgent()

    def book(slot):
        agent.bookings.append(WireBooking("bk-9", slot.start, slot.end, slot.professional, patient="Ana Pérez"))
        return booked(slot, "bk-9")

    answer = replace(agenda([2, 3, 4], [(9, 0), (10, 0), (15, 0)], SOTO_AND_ROJAS), finds_bookings=True)
    chat = Chat(answer, appointments=agent, agent=book)
    chat.say("hola, quiero hora con la dra soto el jueves a las 10")
    assert chat.say("sí").status == "booked"
    return chat


def test_someone_else_or_another_professional_at_the_same_time_is_a_new_request() -> None:
    for message in ("Tomás Pérez jueves a las 10", "a las 10 también para Tomás Pérez", "a las 10 somos 2",
                    "a las 10 pero con otro médico", "ok, el jueves a las 10 con el dr rojas"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert "Así quedó" not in texts(reply) and "Perfecto" not in texts(reply), message
    son = Chat(agenda([3], [(10, 0)], SOTO_AND_ROJAS))
    son.say("hola, quiero hora para mi hijo con la dra soto el jueves a las 10")
    son.say("sí")
    assert son.say("Tomás Pérez").status == "booked"
    assert "Así quedó" not in texts(son.say("ahora una para mí el jueves a las 10"))


def test_a_question_about_free_times_is_never_answered_with_the_one_booked() -> None:
    for message in ("¿y cuándo es la próxima disponible?", "a que hora es la más temprana?",
                    "cuando es la próxima hora con el dr rojas?", "qué día es mejor para ir?"):
        chat = booked_thursday_at_10()
        assert "Así quedó" not in texts(chat.say(message)), message


def test_a_patient_who_booked_in_spanish_and_writes_in_english_is_answered_in_english() -> None:
    chat = booked_thursday_at_10()
    assert texts(chat.say("what time was it?")).startswith("Here is your appointment, Ana: Thursday 3 December")


def test_a_no_or_nothing_more_never_starts_a_new_booking() -> None:
    """"No", "no, eso es todo" after «¡Listo!» got the introduction and the days again."""
    for message, said in (("no", "Así quedó tu hora, Ana:"), ("no, nada más", "¡Hasta pronto, Ana!"),
                          ("eso es todo", "¡Hasta pronto, Ana!"), ("no, está bien", "¡Perfecto, Ana!")):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert reply.status == "closed" and said in texts(reply) and "Hola" not in texts(reply), message


MONDAY = WireBooking("bk-m", "2026-12-07T12:00:00-03:00", "2026-12-07T12:30:00-03:00", "Dra. Ana Soto",
                     patient="Ana Pérez")


def moved_thursday_to_friday(*others: WireBooking) -> tuple[Chat, ClinicAgent]:
    """Ana's Thursday 9:00 moved to Friday 11:00 (the web app now lists Friday's, and ``others``)."""
    thursday = WireBooking("bk-1", "2026-12-03T09:00:00-03:00", "2026-12-03T09:30:00-03:00", "Dra. Ana Soto",
                           patient="Ana Pérez")
    agent = ClinicAgent(thursday, *others)
    answer = replace(agenda([3, 4], [(9, 0), (11, 0)]), finds_bookings=True)
    chat = Chat(answer, appointments=agent)
    chat.say("necesito cambiar mi hora del jueves para el viernes a las 11")
    chat.say("sí")
    assert "Cambié tu hora del jueves 3 de diciembre a las 09:00 por esta" in texts(chat.say("sí"))
    agent.bookings = [WireBooking("bk-2", "2026-12-04T11:00:00-03:00", "2026-12-04T11:30:00-03:00",
                                  "Dra. Ana Soto", patient="Ana Pérez"), *others]
    return chat, agent


def test_cancelling_the_old_one_right_after_a_move_never_cancels_the_new_one() -> None:
    """"Cancela la del jueves" (or "la anterior", "la otra") right after moving it to Friday asked «¿Cancelo tu hora
    del viernes…?» — the only one the web app still listed — and a "sí" cancelled the new one."""
    for message in ("cancela la del jueves", "cancela la anterior", "cancela la otra", "¿cancelaste la del jueves?",
                    "did the thursday one get cancelled?"):
        chat, agent = moved_thursday_to_friday()
        reply = chat.say(message)
        assert "Cancelo" not in texts(reply) and "cancel your appointment" not in texts(reply), message
        chat.say("sí")
        assert not agent.cancelled, message


def test_another_appointment_asked_about_right_after_is_looked_up() -> None:
    """With Monday's on the phone too, "¿sigue en pie la del lunes?" right after a move or a booking was answered
    with the one just done («Tu hora anterior quedó cancelada…»)."""
    chat, _ = moved_thursday_to_friday(MONDAY)
    reply = chat.say("¿sigue en pie la del lunes?")
    assert "lunes 7 de diciembre" in texts(reply) and "Tu hora anterior" not in texts(reply)
    chat, _ = moved_thursday_to_friday(MONDAY)
    assert "Tu hora anterior" not in texts(chat.say("¿la otra sigue?"))
    son = Chat(agenda([3], [(10, 0)]))
    son.say("hola, quiero hora para mi hijo el jueves a las 10")
    son.say("sí")
    assert son.say("Tomás Pérez").status == "booked"
    assert "Tomás" not in texts(son.say("¿y la mía sigue en pie?"))



def both_booked(clinic=None) -> Chat:
    """One request for the writer and her son: his at 09:00 booked first, then hers at 10:00."""
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), **({"clinic": clinic} if clinic else {}))
    for message in ("hola, quiero hora para mí y para mi hijo el jueves a las 9 y a las 10", "sí", "Tomás Pérez",
                    "sí"):
        chat.say(message)
    assert chat.say("sí").status == "booked" and len(chat.books) == 2
    return chat


def test_two_booked_in_one_request_are_both_said_when_asked_how_they_stand() -> None:
    """Once hers was booked after her son's, "¿quedó?" said only hers, and "¿y la de mi hijo?", "y la mía?",
    "¿quedaron las dos?" began a new booking with the days (a third appointment a tap away)."""
    for message in ("¿quedó?", "¿a qué hora era?", "¿quedaron las dos?", "y la mía?", "¿y la de mi hijo?",
                    "¿a qué hora era la de mi hijo?", "ok, entonces el jueves a las 9 y a las 10", "no"):
        chat = both_booked()
        reply = chat.say(message)
        said = texts(reply)
        assert reply.status == "closed" and said.startswith("Así quedaron las horas que reservé, Ana:"), (message, said)
        assert ("Jueves 3 de diciembre a las 09:00, con la Dra. Ana Soto, para Tomás Pérez." in said
                and "Jueves 3 de diciembre a las 10:00, con la Dra. Ana Soto, para ti." in said), said
        assert len(chat.books) == 2
    chat = both_booked(EN)
    assert texts(chat.say("were both booked?")).startswith("Here are the appointments I booked, Ana:")


def test_after_two_another_person_or_day_is_still_a_new_request() -> None:
    for message in ("¿y para mi esposa también se puede?", "quiero otra para mi esposa", "el viernes a las 9?"):
        chat = both_booked()
        assert "Así quedaron" not in texts(chat.say(message)), message


def test_another_day_or_time_said_as_a_correction_asks_about_the_one_just_booked() -> None:
    """Right after «¡Listo…! Jueves 3 de diciembre a las 10:00», "perdón, era el viernes", "no, el viernes", "mejor a
    las 15", "sorry, I meant friday" showed that day's (or time's) times — a tap on one **booked a second
    appointment**, Thursday's kept: the one just booked is asked about («¿una hora más, cambiarla o cancelarla?»), and
    the day said is kept for either; "y otra el viernes" is still one more."""
    for message in ("perdón, era el viernes", "no, el viernes", "mejor a las 15", "sorry, I meant friday",
                    "uy no, era a las 9"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert texts(reply).startswith("Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto."), \
            message
        assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(reply), message
        chat.say("1")  # a tap on the first line of a times menu would have booked: here it is "Una hora más"
        assert len(chat.books) == 1, message
    chat = booked_thursday_at_10()
    chat.say("perdón, era el viernes")
    assert "el Vie 4 dic" in texts(chat.say("Una hora más"))  # (Friday kept for the one more)
    chat = booked_thursday_at_10()
    assert "¿Qué hora" in texts(chat.say("y otra el viernes"))


def test_another_time_wished_without_a_day_right_after_asks_about_the_one_just_booked() -> None:
    """Where the agent cannot list the phone's appointments, "otro día", "quiero otra hora", "no me sirve", "no puedo a
    esa hora", "ups", "ah no, pensé que era en la tarde", "that doesn't work", "can I get another time?", "better
    friday" right after «¡Listo…!» showed the days (or that day's times), and a tap **booked a second appointment**
    beside the one just booked: it is asked about, as where the agent lists them. "y otra el viernes", "no, gracias",
    "no", "una para mi hijo" are read as before."""
    for message, english in (("otro día", False), ("quiero otra hora", False), ("no me sirve", False),
                             ("no puedo a esa hora", False), ("uy no, ese día no puedo", False), ("ups", False),
                             ("ah no, pensé que era en la tarde", False), ("that doesn't work", True),
                             ("can I get another time?", True), ("I can't make that", True), ("better friday", True),
                             ("different time please", True), ("isn't 10 too early?", True),
                             ("that's too late for me", True), ("es muy tarde para mí", False)):
        chat = booked_thursday_at_10(english)
        reply = texts(chat.say(message))
        assert ("You already have an appointment on Thursday 3 December at 10:00 with Dra. Ana Soto." if english
                else "Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto.") in reply, message
        chat.say("1")  # a tap on the first line of a days or times menu: here it is "Una hora más"
        chat.say("1")
        assert len(chat.books) == 1, message
    chat = booked_thursday_at_10()
    assert "¿Qué hora" in texts(chat.say("y otra el viernes"))
    chat = booked_thursday_at_10()
    assert texts(chat.say("no")).startswith("Así quedó tu hora")
    chat = booked_thursday_at_10()
    assert "Ya tienes hora" not in texts(chat.say("no, gracias"))
    chat = booked_thursday_at_10()
    assert "Ya tienes hora" not in texts(chat.say("quiero otra hora para mi hijo"))


def test_a_day_or_time_right_after_is_asked_about_where_the_agent_cannot_list_appointments() -> None:
    """Where the agent cannot list the phone's appointments, "el viernes 4", "is it possible to switch to friday?",
    "¿hay algo antes?", "what about friday?" right after «¡Listo…!» showed Friday's times (or the first free one),
    and a tap **booked a second appointment** beside the one just booked: it is told and asked about first, as where
    the agent lists them; "Una hora más" then books Friday's, "Cambiarla" asks to move it."""
    for message, english in (("el viernes 4", False), ("¿hay algo antes?", False),
                             ("is it possible to switch to friday?", True), ("what about friday?", True)):
        chat = booked_thursday_at_10(english)
        reply = chat.say(message)
        assert ("You already have an appointment on Thursday 3 December at 10:00" if english
                else "Ya tienes hora el jueves 3 de diciembre a las 10:00") in texts(reply), message
        assert buttons(reply) == (["One more", "Change it", "Cancel it"] if english
                                  else ["Una hora más", "Cambiarla", "Cancelarla"]), message
        chat.say("1")
        chat.say("1")
        assert len(chat.books) == 1, message
    chat = booked_thursday_at_10()
    chat.say("el viernes 4")
    assert "el Vie 4 dic" in texts(chat.say("Una hora más"))  # (Friday kept for the one more)


def test_nothing_now_or_no_problem_right_after_ends_politely() -> None:
    """"no por ahora", "no, ninguna otra", "otro día te escribo", "ok, no hay problema", "not now", "no, later",
    "I'll write another day", "no problem", "no, it's fine" right after «¡Listo…!» showed a new booking's days (a tap
    away from a second appointment): each ends politely, the one just booked standing."""
    for message, english in (("no por ahora", False), ("no, ninguna otra", False), ("otro día te escribo", False),
                             ("ok, no hay problema", False), ("not now", True), ("no, later", True),
                             ("I'll write another day", True), ("no problem", True), ("no, it's fine", True),
                             ("no worries", True)):
        chat = booked_thursday_at_10(english)
        reply = chat.say(message)
        assert texts(reply).startswith(("Great, Ana!", "See you, Ana!") if english
                                       else ("¡Perfecto, Ana!", "¡Hasta pronto, Ana!")), message
        assert buttons(reply) == [], message


def test_keep_it_right_after_says_it_stands_and_forget_it_asks_about_it() -> None:
    """"no, no la canceles", "no la cambies", "no, déjala así" right after «¡Listo…!» showed a new booking's days (or
    «¿una hora más, cambiarla o cancelarla?»): «Así quedó tu hora…». Where the agent cannot list the phone's
    appointments, "olvídalo", "never mind", "no, mejor no" showed the days (a tap away from a second appointment): the
    one just booked is asked about, as where it can."""
    for message in ("no, no la canceles", "no la cambies", "no, déjala así"):
        chat = booked_thursday_at_10()
        assert texts(chat.say(message)).startswith("Así quedó tu hora, Ana: Jueves 3 de diciembre a las 10:00"), message
    for message in ("olvídalo", "never mind", "no, mejor no"):
        chat = booked_thursday_at_10()
        assert "Ya tienes hora el jueves 3 de diciembre a las 10:00" in texts(chat.say(message)), message
        chat.say("1")
        chat.say("1")
        assert len(chat.books) == 1, message


def test_a_wrong_day_said_or_a_question_about_being_late_right_after() -> None:
    """"oops wrong day" and "can we do 11:40 instead?" right after «¡Listo…!» showed the days (a tap away from a second
    appointment): the one just booked is asked about. "¿y si llego tarde?", "what if I'm late?" **told reception the
    patient was running late**: reception's answer to the question, no notice."""
    for message, english in (("oops wrong day", True), ("can we do 15:00 instead?", True),
                             ("perdón, mejor a las 15", False)):
        chat = booked_thursday_at_10(english)
        said = texts(chat.say(message))
        assert said.startswith("You already have an appointment on Thursday 3 December at 10:00" if english
                               else "Ya tienes hora el jueves 3 de diciembre a las 10:00"), message
    for message in ("¿y si llego tarde?", "¿qué pasa si llego tarde?"):
        chat = booked_thursday_at_10()
        reply = chat.say(message)
        assert "Eso te lo responde recepción" in texts(reply) and "Gracias por avisar" not in texts(reply), message
        assert reply.continuation["data"].get("reason") != "running_late", message
    chat = booked_thursday_at_10()  # (said first, and asked after: still a notice)
    assert "Gracias por avisar" in texts(chat.say("voy a llegar 10 minutos tarde, ¿qué pasa si no alcanzo?"))


def test_a_day_said_after_a_goodbye_or_a_hand_off_asks_about_the_one_just_booked() -> None:
    """Where the agent cannot list the phone's appointments, "gracias", "ok", "chao" or "quiero hablar con una persona"
    right after «¡Listo…!», then "el viernes" a minute later, showed Friday's times — the chat had forgotten, once it
    said goodbye or handed off, what it booked — and a tap booked a **second appointment**: the one just booked is
    asked about first, as right after «¡Listo…!». "¿a qué hora era?" after "ok" says it."""
    for first, english in (("gracias", False), ("ok", False), ("chao", False), ("quiero hablar con una persona", False),
                           ("thanks", True), ("I want to talk to a person", True)):
        chat = booked_thursday_at_10(english)
        chat.say(first)
        reply = chat.say("friday" if english else "el viernes")
        assert ("You already have an appointment on Thursday 3 December at 10:00 with Dra. Ana Soto." if english
                else "Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto.") in texts(reply), first
        assert buttons(reply) == (["One more", "Change it", "Cancel it"] if english
                                  else ["Una hora más", "Cambiarla", "Cancelarla"]), first
        assert len(chat.books) == 1, first
    chat = booked_thursday_at_10()
    chat.say("ok")
    assert "Así quedó tu hora, Ana: Jueves 3 de diciembre a las 10:00" in texts(chat.say("¿a qué hora era?"))
    chat = booked_thursday_at_10()
    chat.say("gracias")
    assert texts(chat.say("hola")).startswith("¡Hola, Ana! Ya tienes hora el jueves 3 de diciembre")  # never «Claro»


def test_a_day_said_after_declining_the_next_persons_asks_about_the_one_booked() -> None:
    """"para mí y mi hijo": the writer's booked, «¿la de tu hijo?» — "no, gracias" or "cámbiala para el jueves", then
    "el jueves", showed Thursday's times where the agent cannot list appointments (a tap booked a second one for the
    writer): asked about the one booked. "one more question" right after «¡Listo…!» is no new booking's days."""
    for declined in ("no gracias", "cámbiala para el jueves"):
        chat = Chat(agenda([2, 3, 4, 7], [(9, 0), (10, 0)]))
        chat.say("hola, quiero hora para mí y mi hijo el lunes")
        chat.say("09:00")
        assert chat.say("Ana Pérez").status == "booked" and "otra persona" in texts(chat.replies[-1])
        chat.say(declined)
        reply = chat.say("el jueves")
        assert "Ya tienes hora el lunes 7 de diciembre a las 09:00 con la Dra. Ana Soto." in texts(reply), declined
        assert len(chat.books) == 1
    chat = booked_thursday_at_10(english=True)
    reply = chat.say("one more question")
    assert "These are the next days" not in texts(reply) and "You already have an appointment" in texts(reply)
