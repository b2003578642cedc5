"""A move said in other words, and a day "instead of" another while a time is chosen.

"I need to push my thursday appointment back a week", "rearrange my appointment", "I'd like to swap my appointment to
friday", "can I delay my appointment", "can I change the day of my appointment?", "I need a different time for my
appointment" were not read as a move: «You already have one: one more, change it or cancel it?», where "yes" took
one more — a second appointment beside the one to be moved. "¿podemos el lunes en vez del jueves?" / "could we do
monday instead of thursday?" while a new appointment's time was being chosen was «no te entendí»."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, buttons, texts
from test_dialogue_appointments import THU, ClinicAgent

MOVE_ASKED = "Shall I change your appointment on Thursday 3 December at 10:00 with Dra. Ana Soto?"


def clinic():
    return replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)


def test_a_move_in_other_words_asks_to_change_the_one_they_have() -> None:
    for message in ("hi, I need to push my thursday appointment back a week", "can you push it back?",
                    "rearrange my appointment please", "I'd like to swap my appointment to friday",
                    "can I delay my appointment by an hour?", "can I change the day of my appointment?",
                    "I need a different time for my appointment", "I can't make it, any other day?",
                    # (these two asked «Shall I cancel…?»: the old one gone before any new one was booked)
                    "hi, I'd like to cancel and rebook for next week", "cancel and rebook please"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN, appointments=agent)
        assert texts(chat.say(message)).endswith(MOVE_ASKED), message
        chat.say("yes")
        assert not chat.books and not agent.moved and not agent.cancelled, message


def test_a_move_said_with_pasa_corre_adelanta_is_a_move() -> None:
    """"pasa mi hora al viernes en la mañana" was «Ya tienes hora… ¿una hora más, cambiarla o cancelarla?», where "sí"
    showed Friday's times for a second appointment beside Thursday's; "pásame una hora" still asks for one."""
    for message in ("pasa mi hora al viernes en la mañana", "córreme la cita para el lunes", "adelanta mi hora al martes",
                    # (the misspelling fix made "cámbiame" "cambiar": «¿una hora más, cambiarla o cancelarla?»)
                    "cámbiame para el viernes", "necesito cambiarme al viernes", "quiero cambiar para el lunes"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), appointments=agent)
        assert texts(chat.say(message)).endswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana"
                                                 " Soto?"), message
    chat = Chat(clinic(), appointments=ClinicAgent(THU))
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(chat.say("pásame una hora para el viernes"))
    for message in ("déjala para el viernes", "ponla el viernes"):  # "la": the one they have
        chat = Chat(clinic(), appointments=ClinicAgent(THU))
        assert texts(chat.say(message)).endswith("¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra."
                                                 " Ana Soto?"), message


def test_a_yes_to_one_more_change_or_cancel_after_naming_theirs_is_asked() -> None:
    """"¿mi hora puede ser el viernes?" … «Ya tienes hora… ¿una hora más, cambiarla o cancelarla?» … "sí" showed
    Friday's times for a second appointment (a yes after asking for one is one more; after naming theirs, it is not)."""
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("¿mi hora puede ser el viernes?")
    assert texts(chat.say("sí")).startswith("¿Qué prefieres? Toca una de las opciones.")
    assert not chat.books and not agent.moved


def test_a_day_instead_of_another_while_choosing_is_that_day() -> None:
    for first, message in (("hola, hora el jueves porfa", "¿podemos el lunes en vez del jueves?"),
                           ("hola, quiero hora", "en vez del jueves, el lunes"),
                           ("para mañana a las 10:30 porfa", "el lunes en lugar del miércoles porfa")):
        chat = Chat(clinic())
        chat.say(first)
        reply = texts(chat.say(message))
        assert "el Lun 7 dic?" in reply and "no te entendí" not in reply, (message, reply)
    chat = Chat(clinic(), clinic=EN)
    chat.say("hi, appointment on thursday please")
    assert "on Mon 7 Dec?" in texts(chat.say("could we do monday instead of thursday?"))


def test_instead_of_their_day_still_moves_the_one_they_have() -> None:
    chat = Chat(clinic(), appointments=ClinicAgent(THU))
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(
        chat.say("hola, ¿puedo ir el viernes en vez del jueves?"))
    assert "el Vie 4 dic?" in texts(chat.say("sí"))


def test_a_move_asked_at_the_cancel_question_moves_it() -> None:
    """At «¿Cancelo tu hora…?», "¿y si mejor la cambio?", "¿se puede cambiar en vez de cancelar?", "can I move it
    instead of cancelling?" were not understood (or asked the cancellation again): the move's new time now."""
    for message, english in (("¿y si mejor la cambio?", False), ("espera, ¿se puede cambiar en vez de cancelar?", False),
                             ("can I move it instead of cancelling?", True)):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN if english else Chat.clinic, appointments=agent)
        chat.say("I need to cancel my appointment" if english else "necesito cancelar mi hora")
        reply = texts(chat.say(message))
        assert reply.startswith("Pick the new time;" if english else "Elige la nueva hora;"), (message, reply)
        assert not agent.cancelled and not agent.moved, message


def test_a_cancellation_in_other_words_asks_to_cancel_the_one_they_have() -> None:
    """"I won't be coming", "I'm not going to make it", "I can't attend", "I'll have to miss my appointment", "delete
    my appointment", "no iré", "no asistiré", "no creo que pueda ir", "me enfermé, no voy", "quita mi hora",
    "sácame de la agenda" were «You already have one: one more, change it or cancel it?» (or the list)."""
    for message, english in (("I won't be coming", True), ("I'm not going to make it", True),
                             ("unfortunately I can't attend", True), ("I'll have to miss my appointment", True),
                             ("please delete my appointment", True), ("I no longer need it", True),
                             ("no iré", False), ("no asistiré", False), ("no creo que pueda ir", False),
                             ("me enfermé, no voy", False), ("quita mi hora porfa", False), ("sácame de la agenda", False)):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN if english else Chat.clinic, appointments=agent)
        reply = texts(chat.say(message))
        assert ("Shall I cancel your appointment on Thursday 3 December at 10:00" if english
                else "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00") in reply, (message, reply)
        assert not agent.cancelled, message
    # a part of the day that does not suit is no cancellation
    chat = Chat(clinic(), clinic=EN, appointments=ClinicAgent())
    reply = texts(chat.say("hi, I won't be coming in the morning, can I get thursday afternoon?"))
    assert "on Thu 3 Dec?" in reply and "11:40" not in reply, reply


def test_more_cancellations_in_other_words_cancel_after_a_yes() -> None:
    """"I'm feeling better, no need for the appointment", "desisto de la hora" were «You already have one: one more,
    change it or cancel it?», where "yes" showed the days for one more; "call off / scratch / drop my appointment",
    "take me off the list", "not coming thursday", "count me out", "ya no la voy a ocupar", "no la necesito" too."""
    for message, english in (("I'm feeling better, no need for the appointment", True),
                             ("I'd like to call off my appointment", True), ("can you scratch my booking", True),
                             ("take me off the list for thursday", True), ("not coming thursday", True),
                             ("count me out for thursday", True), ("I won't need my appointment anymore", True),
                             ("desisto de la hora", False), ("ya no la voy a ocupar", False), ("no la necesito", False)):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN, appointments=agent) if english else Chat(clinic(), appointments=agent)
        assert texts(chat.say(message)).endswith(
            "Shall I cancel your appointment on Thursday 3 December at 10:00 with Dra. Ana Soto?" if english
            else "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"), message
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["bk-7"] and not chat.books, message
    chat = Chat(clinic(), clinic=EN, appointments=ClinicAgent(THU))  # whom they come with is no cancellation
    assert "Shall I cancel" not in texts(chat.say("my mum is not coming with me"))


def test_for_someone_else_while_moving_says_the_name_it_keeps() -> None:
    """"la hora es para mi hermana" while a move's new time is chosen answered «te pediré su nombre antes de reservar»,
    and the move went through under the writer's name without asking: now it says whose name the appointment keeps,
    and how to have it corrected."""
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("necesito cambiar mi hora")
    chat.say("sí")
    reply = texts(chat.say("la hora es para mi hermana"))
    assert reply.startswith("La hora que estás cambiando sigue a nombre de Ana Pérez;") and "te pediré" not in reply
    assert not agent.moved


def test_leave_it_for_a_day_while_booking_one_more_is_that_day_for_the_new_one() -> None:
    """"déjala para el viernes" at the days of one more appointment is the new one's day (never «¿Cambio tu hora del
    jueves…?», the one they keep)."""
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("hola")
    chat.say("Una hora más")
    reply = texts(chat.say("déjala para el viernes"))
    assert "¿Cambio tu hora" not in reply and "el Vie 4 dic?" in reply, reply


def test_a_new_one_asked_for_in_plain_words_at_the_three_choices_is_one_more() -> None:
    """«Ya tienes hora… ¿Quieres una hora más, cambiarla o cancelarla?» "necesito un turno con el médico" was «Perdona,
    no te entendí»: the days for one more now; a question is still asked again."""
    for message in ("necesito un turno con el médico", "necesito una hora"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), appointments=agent)
        chat.say("hola")
        said = texts(chat.say(message))
        assert said.startswith("Estos son los próximos días con horas libres."), message
        assert not agent.moved and not agent.cancelled
    chat = Chat(clinic(), appointments=ClinicAgent(THU))
    chat.say("hola")
    assert texts(chat.say("¿necesito una hora?")).startswith("Perdona, no te entendí.")


def test_thanks_while_a_move_is_chosen_says_the_one_they_have_stays() -> None:
    """"gracias", "thanks, bye" at a move's days or times ended with «Entendido, no reservé nada», as if nothing of
    theirs were at stake: «Entendido, tu hora sigue en pie», as "mejor déjala" has; nothing moved or cancelled."""
    for steps, english in ((("necesito cambiar mi hora", "sí", "gracias"), False),
                           (("necesito cambiar mi hora", "sí", "el lunes", "ok gracias, hasta luego"), False),
                           (("I need to change my appointment", "yes", "thanks, bye"), True)):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN, appointments=agent) if english else Chat(clinic(), appointments=agent)
        for step in steps:
            said = texts(chat.say(step))
        assert said.startswith("All right, your appointment stays." if english
                               else "Entendido, tu hora sigue en pie."), steps
        assert agent.moved == {} and agent.cancelled == {} and chat.books == [], steps


def test_keeping_the_one_they_have_said_in_other_words_stops_the_move() -> None:
    """"keep my current one", "me quedo con la que tengo" at a move's days were «no te entendí»: the one they have
    stays, nothing moved."""
    for message, english in (("keep my current one", True), ("I'll keep the original appointment", True),
                             ("me quedo con la que tengo", False), ("mejor me quedo con mi hora original", False)):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), clinic=EN, appointments=agent) if english else Chat(clinic(), appointments=agent)
        chat.say("I need to change my appointment" if english else "necesito cambiar mi hora")
        chat.say("yes" if english else "sí")
        assert texts(chat.say(message)).startswith("All right, your appointment stays." if english
                                                   else "Entendido, tu hora sigue en pie."), message
        assert agent.moved == {} and agent.cancelled == {}, message


def test_later_or_earlier_typed_at_a_moves_days_is_from_the_old_one() -> None:
    """"same day but later" at a move's days showed every Thursday time, the earlier ones too; "el mismo día pero más
    tarde" only the afternoon's ("tarde"): the times after the old one's, that day."""
    agenda_ = replace(agenda(range(2, 15), [(9, 0), (10, 0), (11, 40), (16, 0)]), finds_bookings=True)
    for steps, english in ((("I need to change my appointment", "yes", "same day but later"), True),
                           (("necesito cambiar mi hora", "sí", "el mismo día pero más tarde"), False)):
        chat = Chat(agenda_, clinic=EN, appointments=ClinicAgent(THU)) if english else Chat(
            agenda_, appointments=ClinicAgent(THU))
        for step in steps:
            reply = chat.say(step)
        assert texts(reply).startswith("Which time with Dra. Ana Soto on Thu 3 Dec?" if english
                                       else "¿Qué hora con la Dra. Ana Soto el Jue 3 dic?"), steps
        assert buttons(reply)[:2] == ["11:40", "16:00"], steps
