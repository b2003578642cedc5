"""At «¿Cancelo tu hora…?» and at a move's «¿Confirmo… en vez de tu hora…?», an answer that wants the appointment kept
is never the yes that cancels it.

A patient who reads «Shall I cancel your appointment…?» as a booking's question answers "book it", "agéndala",
"resérvala", "sí, quiero hora"; one who wants to keep it answers "sí, mantenla", "no, la quiero". Each of these
**cancelled the appointment** (their "yes", "sí", or a booking's confirming word read as the yes). They are asked
again now, and the appointment stays until a plain yes; the yes said in other words still cancels.
"""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

THU = WireBooking("thu-own", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto")
FRI = WireBooking("fri-own", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas")
ASKED_AGAIN = ("Solo para estar seguros: ¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?",
               "Just to be sure: Shall I cancel your appointment on Thursday 3 December at 10:00 with Dra. Ana Soto?")


def at_the_cancel_question(english: bool) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(THU)
    clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
    chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
    asked = texts(chat.say("I need to cancel my appointment" if english else "necesito cancelar mi hora"))
    assert asked.endswith(ASKED_AGAIN[english].split(": ", 1)[1])
    return chat, agent


def test_a_booking_word_or_keeping_it_is_asked_again_and_nothing_is_cancelled() -> None:
    for answer, english in (("book it", True), ("yes book it", True), ("book me in", True), ("sure, book me", True),
                            ("yes please book", True), ("yes schedule it", True), ("I'll take it", True),
                            ("I want an appointment", True),
                            ("perfecto, agéndala", False), ("agéndala", False), ("sí, resérvala", False),
                            ("sí agéndame", False), ("sí, quiero hora", False), ("sí, quiero reservar", False),
                            ("sí, agenda", False), ("sí, tómala", False), ("sí, mantenla", False),
                            ("no, la quiero", False), ("sí, la quiero", False), ("ok, anótala", False),
                            ("ok, déjala anotada", False), ("sí confírmame la hora", False), ("dale, guárdala", False),
                            ("sí, guárdamela", False), ("ok note it down", True), ("yes save it for me", True)):
        chat, agent = at_the_cancel_question(english)
        assert texts(chat.say(answer)) == ASKED_AGAIN[english], answer
        assert agent.cancelled == {}, answer
        chat.say("No")  # the button: it stays
        assert agent.cancelled == {}, answer


def test_the_yes_in_other_words_still_cancels() -> None:
    for answer, english in (("yes", True), ("yes cancel my booking", True), ("yes, I don't want it anymore", True),
                            ("yes, and book me another on monday", True), ("yes, take me off the schedule", True),
                            ("sí", False), ("ya no la quiero", False), ("sí, ya no la quiero", False),
                            ("sí, sácame de la agenda", False), ("sí, cancela la reserva", False),
                            ("sí, anula la cita agendada", False), ("sí, y agéndame otra el lunes", False),
                            ("sí por favor, la reserva ya no me sirve", False)):
        chat, agent = at_the_cancel_question(english)
        chat.say(answer)
        assert list(agent.cancelled.values()) == ["thu-own"], answer


def test_keeping_the_one_asked_about_is_asked_again_keeping_another_is_the_yes() -> None:
    """With Thursday's and Friday's, «¿Cancelo tu hora del jueves…?» "sí, pero mantén la del jueves", "yes, and keep
    my thursday one" **cancelled Thursday's**; "sí, y mantén la del viernes" asked about Friday's instead."""
    for answer, english in (("yes, and keep my thursday one", True), ("sí, pero mantén la del jueves", False)):
        agent = ClinicAgent(THU, FRI)
        clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
        chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
        chat.say("I want to cancel my thursday appointment" if english else "quiero cancelar la hora del jueves")
        assert texts(chat.say(answer)) == ASKED_AGAIN[english], answer
        assert agent.cancelled == {}, answer
    agent = ClinicAgent(THU, FRI)
    chat = Chat(replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True), appointments=agent)
    chat.say("quiero cancelar la hora del jueves")
    assert texts(chat.say("sí, y mantén la del viernes")).startswith("Listo, cancelé tu hora del jueves 3 de diciembre")
    assert list(agent.cancelled.values()) == ["thu-own"]
    agent = ClinicAgent(THU, FRI)
    chat = Chat(replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True), appointments=agent)
    chat.say("quiero cancelar la hora del jueves")
    assert texts(chat.say("sí, y mantén la otra")).startswith("Listo, cancelé tu hora del jueves 3 de diciembre")
    assert list(agent.cancelled.values()) == ["thu-own"]


def test_fine_as_it_is_or_a_no_in_other_words_keeps_it() -> None:
    """«¿Cancelo tu hora…?» "está bien así" (it is fine as it is) **cancelled it** on its "está bien", where "así está
    bien" kept it; "don't", "please don't", "actually no", "wait no", "uff no", "it's fine as it is" were «no te
    entendí», "I don't want it cancelled" the question again: each keeps it, as "no" does. "I don't want it anymore"
    was «no te entendí»: it cancels, as "ya no la quiero" does."""
    for answer, english in (("está bien así", False), ("no, está bien así", False), ("uff no", False), ("👎", False),
                            ("don't", True), ("please don't", True), ("actually no", True), ("wait no", True),
                            ("hmm no", True), ("it's fine as it is", True), ("I don't want it cancelled", True),
                            ("I don't need it to be cancelled", True)):
        chat, agent = at_the_cancel_question(english)
        assert texts(chat.say(answer)).startswith("All right, your appointment stays" if english
                                                  else "Entendido, tu hora sigue en pie"), answer
        assert agent.cancelled == {}, answer
    for answer, english in (("está bien", False), ("sí, está bien", False), ("I don't want it anymore", True),
                            ("I don't need it", True)):
        chat, agent = at_the_cancel_question(english)
        chat.say(answer)
        assert list(agent.cancelled.values()) == ["thu-own"], answer


def test_a_regional_or_casual_no_keeps_it_and_such_a_yes_cancels() -> None:
    """"ni loco", "nopo", "naa", "nones", "neta no", "❌", "🙅", "nah mate", "hell no", "not really", "negative" were
    «no te entendí» at «¿Cancelo…?» (and at a booking's «¿Confirmo…?»): a no, as "nel" and "👎" are. "ps sí",
    "ándale pues", "yessir", "okie dokie", "for sure", "you bet" were «no te entendí»: a yes, as "pues sí", "órale" and
    "yup" are."""
    for answer, english in (("ni loco", False), ("nopo", False), ("naa", False), ("nones", False), ("neta no", False),
                            ("❌", False), ("🙅‍♀️", False), ("pos no", False), ("nah mate", True), ("hell no", True),
                            ("not really", True), ("not at all", True), ("negative", True)):
        chat, agent = at_the_cancel_question(english)
        assert texts(chat.say(answer)).startswith("All right, your appointment stays" if english
                                                  else "Entendido, tu hora sigue en pie"), answer
        assert agent.cancelled == {}, answer
    for answer, english in (("ps sí", False), ("ándale pues", False), ("pues sí", False), ("yessir", True),
                            ("okie dokie", True), ("for sure", True), ("you bet", True), ("aight", True)):
        chat, agent = at_the_cancel_question(english)
        chat.say(answer)
        assert list(agent.cancelled.values()) == ["thu-own"], answer


def test_asked_again_a_plain_yes_cancels() -> None:
    chat, agent = at_the_cancel_question(False)
    chat.say("agéndala")
    assert texts(chat.say("Sí, cancelar")).startswith("Listo, cancelé tu hora del jueves 3 de diciembre")
    assert list(agent.cancelled.values()) == ["thu-own"]


def at_the_move_question(english: bool) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(THU)
    clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
    chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
    chat.say("can I move my appointment to friday at 9?" if english else "¿puedo cambiar mi hora para el viernes a las 9?")
    asked = texts(chat.say("yes" if english else "sí"))
    assert asked.endswith("instead of your appointment on Thursday 3 December at 10:00?" if english
                          else "en vez de tu hora del jueves 3 de diciembre a las 10:00?"), asked
    return chat, agent


def test_a_yes_that_keeps_the_old_one_at_a_move_books_one_more_never_moves() -> None:
    """«¿Confirmo el viernes …, en vez de tu hora del jueves?» "sí, pero mantén la del jueves", "yes, and keep my
    thursday one" **moved it** (Thursday's cancelled): the old one stays, the new one is one more, asked as a booking."""
    for answer, english in (("yes, and keep my thursday one", True), ("yes but don't cancel thursday", True),
                            ("yes but keep thursday too", True), ("I want both", True), ("keep both", True),
                            ("book it but don't cancel the other one", True),
                            ("sí, pero mantén la del jueves", False), ("sí, pero no canceles la del jueves", False),
                            ("sí, pero quiero conservar la del jueves", False), ("quiero las dos", False),
                            ("agéndala pero no canceles la otra", False)):
        chat, agent = at_the_move_question(english)
        said = texts(chat.say(answer))
        assert said.startswith("Understood, your appointment on Thursday 3 December at 10:00 stays; this would be one "
                               "more. Shall I book Friday 4 December at 09:00" if english else
                               "Entendido, tu hora del jueves 3 de diciembre a las 10:00 sigue en pie; esta sería una "
                               "hora más. ¿Confirmo el viernes 4 de diciembre a las 09:00"), answer
        chat.say("yes" if english else "sí")
        assert agent.moved == {} and agent.cancelled == {}, answer
        assert [str(b.slot.start) for b in chat.books] == ["2026-12-04T09:00:00-03:00"], answer


def test_yes_keep_it_at_a_move_is_asked_again() -> None:
    chat, agent = at_the_move_question(False)
    assert texts(chat.say("sí, mantenla")).startswith("Solo para estar seguros: ¿Confirmo el viernes 4 de diciembre")
    assert agent.moved == {} and agent.cancelled == {}


def test_no_keep_it_at_a_move_keeps_the_old_one() -> None:
    """«¿Confirmo el viernes …, en vez de tu hora del jueves?» "no, mantén la del jueves", "no, keep my thursday one"
    showed **Thursday's times** (a tap on one moved it within its day): the move is dropped, Thursday's stays; "no,
    mantén la del viernes" (not the one moved) is read as before. "no, no quiero cancelar nada", "I don't want to
    cancel it" showed Friday's times: Thursday's stays too."""
    for answer, english in (("no, mantén la del jueves", False), ("no, mantenla", False),
                            ("no, keep my thursday one", True), ("no keep the old one", True), ("no, keep it", True),
                            # the cancellation or the move only refused (were Friday's times, as a bare "no" is)
                            ("no, no quiero cancelar nada", False), ("no, no la quiero mover", False),
                            ("I don't want to cancel it", True), ("no need to move it", True)):
        chat, agent = at_the_move_question(english)
        assert texts(chat.say(answer)).startswith("All right, your appointment stays" if english
                                                  else "Entendido, tu hora sigue en pie"), answer
        assert agent.moved == {} and agent.cancelled == {} and chat.books == [], answer


def test_asking_about_the_one_they_have_at_a_move_is_not_its_yes() -> None:
    """«¿Confirmo el viernes …, en vez de tu hora del jueves?» "¿me confirman mi hora?", "can you confirm the
    appointment I have?" **moved it**; "is my thursday appointment still on?" showed Thursday's times."""
    for answer, english in (("me confirman mi hora?", False), ("me confirman la hora que tengo?", False),
                            ("confírmame la hora que ya tengo", False), ("¿mi hora del jueves sigue?", False),
                            ("can you confirm my appointment?", True), ("can you confirm the appointment I have?", True),
                            ("is my thursday appointment still on?", True)):
        chat, agent = at_the_move_question(english)
        said = texts(chat.say(answer))
        assert said.startswith("Just to be sure: Shall I book Friday 4 December at 09:00" if english
                               else "Solo para estar seguros: ¿Confirmo el viernes 4 de diciembre a las 09:00"), answer
        assert agent.moved == {} and agent.cancelled == {}, answer
    chat, agent = at_the_move_question(False)
    chat.say("me confirman mi hora?")
    chat.say("Sí")  # asked again, the yes moves it
    assert [old for old, _ in agent.moved.values()] == ["thu-own"]


def test_a_new_appointment_asked_for_at_the_list_is_booked_never_one_of_theirs_asked_about() -> None:
    """At «¿Cuál quieres cancelar?» (Thursday's and Friday's listed), "quiero agendar otra hora el viernes", "I need an
    appointment on friday", "hora para mi sobrino el viernes" asked **«¿Cancelo tu hora del viernes…?»** — a "sí"
    meant for the new one cancelled Friday's. Friday's free times now; "la del viernes" still names Friday's."""
    clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
    for answer, english in (("quiero agendar otra hora el viernes", False), ("hora para mi sobrino el viernes", False),
                            ("I need an appointment on friday", True), ("appointment for my nephew Tom Lee on friday", True),
                            ("actually I want to book a new one on friday", True)):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
        chat.say("I want to cancel an appointment" if english else "quiero cancelar una hora")
        said = texts(chat.say(answer))
        assert said.startswith("Which time with Dra. Ana Soto on Fri 4 Dec?" if english
                               else "¿Qué hora con la Dra. Ana Soto el Vie 4 dic?"), answer
        chat.say("Yes" if english else "Sí")
        assert agent.cancelled == {}, answer
    for answer in ("la del viernes", "mi hora del viernes", "la hora del viernes"):
        chat = Chat(clinic, appointments=ClinicAgent(THU, FRI))
        chat.say("quiero cancelar una hora")
        assert texts(chat.say(answer)).startswith("¿Cancelo tu hora del viernes 4 de diciembre"), answer


def test_a_yes_held_back_or_another_time_asked_for_cancels_nothing() -> None:
    """«¿Cancelo tu hora…?» "ok espera", "sí espera", "yes wait", "sí, déjame ver", "ok, dame un minuto", "yes, let me
    check" **cancelled it** (and a bare "espera" was «no te entendí»): the question again, waited for; "sí, pero dame
    otra hora" cancelled it too (the patient wanted another time): the move, the old one kept until the new one is
    booked."""
    for answer, english in (("ok espera", False), ("sí espera", False), ("yes wait", True), ("ok hold on", True),
                            ("espera", False), ("sí, déjame ver", False), ("ok, dame un minuto", False),
                            ("sí, un momento que le pregunto a mi marido", False), ("yes, let me check", True),
                            ("sure, one sec", True), ("ok let me ask my wife", True), ("déjame pensarlo", False),
                            ("ok, let me think about it", True)):
        chat, agent = at_the_cancel_question(english)
        waited = ("Of course, take your time. Whenever you are ready, choose here:" if english
                  else "Claro, te espero. Cuando quieras, elige aquí:")
        assert texts(chat.say(answer)) == f"{waited} {ASKED_AGAIN[english].split(': ', 1)[1]}", answer
        assert agent.cancelled == {}, answer
        chat.say("Yes" if english else "Sí")  # then the yes, on its button: cancelled
        assert list(agent.cancelled.values()) == ["thu-own"], answer
    for answer, english in (("sí, pero dame otra hora", False), ("ok, give me another time", True)):
        chat, agent = at_the_cancel_question(english)
        said = texts(chat.say(answer))
        assert said.startswith("Pick the new time; the one on Thursday 3 December at 10:00 is cancelled once the new one"
                               if english else "Elige la nueva hora; la del jueves 3 de diciembre a las 10:00 se "
                               "cancelará cuando la nueva quede reservada"), answer
        assert agent.cancelled == {}, answer


def test_only_one_of_them_named_at_the_list_is_asked_about() -> None:
    """At «¿Cuál quieres cancelar?» (Thursday's and Friday's), "solo la del jueves", "la del viernes nomás", "only the
    thursday one", "not both, just friday's" were «¿Cuál de tus horas?» again ("solo" made the day every such weekday):
    that one is asked about; nothing is cancelled before its yes."""
    for message, english, day in (("solo la del jueves", False, "jueves 3"), ("la del viernes nomás", False, "viernes 4"),
                                  ("only the thursday one", True, "Thursday 3"),
                                  ("not both, just friday's", True, "Friday 4")):
        agent = ClinicAgent(THU, FRI)
        clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
        chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
        chat.say("I want to cancel an appointment" if english else "quiero cancelar una hora")
        said = texts(chat.say(message))
        assert said.startswith(f"Shall I cancel your appointment on {day} December" if english
                               else f"¿Cancelo tu hora del {day} de diciembre"), message
        assert agent.cancelled == {}, message


def test_cannot_make_either_at_the_list_asks_about_each_and_both_still_means_both() -> None:
    """"no puedo ir a ninguna de las dos" at «¿Cuál quieres cancelar?» was «Entendido, tus horas siguen en pie», and
    "I can't make either of them" the list again: each is asked about, as "las dos" is ("las dos no puedo" too)."""
    for message, english in (("no puedo ir a ninguna de las dos", False), ("las dos no puedo", False),
                             ("I can't make either of them", True)):
        agent = ClinicAgent(THU, FRI)
        clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
        chat = Chat(clinic, clinic=EN, appointments=agent) if english else Chat(clinic, appointments=agent)
        chat.say("I want to cancel an appointment" if english else "quiero cancelar una hora")
        said = texts(chat.say(message))
        assert said.startswith("You have 2 appointments: I'll ask about each one." if english
                               else "Tienes 2 horas: te pregunto por cada una."), message
        assert agent.cancelled == {}, message


def test_a_cancel_said_again_right_after_keeping_it_asks_about_it() -> None:
    """«Entendido, tu hora sigue en pie. Si quieres, puedes pedir otra hora.» then "mejor sí cancélala", "no voy a
    poder ir" ended «Entendido, no reservé nada… escribe «cancelar mi hora»» (read as dropping a new booking):
    «¿Cancelo tu hora…?» of the one kept, and its yes cancels it; "no cancelar" still cancels nothing."""
    for message in ("mejor sí cancélala", "no voy a poder ir"):
        chat, agent = at_the_cancel_question(False)
        assert texts(chat.say("No")).startswith("Entendido, tu hora sigue en pie")
        assert texts(chat.say(message)) == ASKED_AGAIN[False].split(": ", 1)[1], message
        chat.say("Sí")
        assert list(agent.cancelled.values()) == ["thu-own"], message
    chat, agent = at_the_cancel_question(False)
    chat.say("No")
    chat.say("no cancelar")
    assert agent.cancelled == {}
    chat, agent = at_the_cancel_question(False)
    chat.say("No")
    assert texts(chat.say("mejor ninguna")).startswith("¡Perfecto, Ana!")  # (was «no te entendí» and the days)


def test_a_place_word_at_a_yes_or_no_question_is_never_its_button() -> None:
    """«¿Cancelo tu hora del viernes…?» (Thursday's and Friday's) "la primera", "the first one", "la más temprano"
    **cancelled Friday's** (the first button, "Sí, cancelar"), where the patient meant the first, earliest appointment;
    at a new booking's «¿Confirmo…?» they booked it. Asked again now; a bare "1" is still the first button."""
    for answer in ("la primera", "the first one", "la más temprano", "la última"):
        agent = ClinicAgent(THU, FRI)
        clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)
        chat = Chat(clinic, appointments=agent)
        chat.say("quiero cancelar la hora del viernes")
        assert "¿Cancelo tu hora del viernes 4 de diciembre" in texts(chat.say(answer)), answer
        assert agent.cancelled == {}, answer
    chat, agent = at_the_cancel_question(False)
    chat.say("1")
    assert list(agent.cancelled.values()) == ["thu-own"]


def test_no_comma_cancel_it_at_a_move_asks_to_cancel_it_and_no_cancel_keeps_it() -> None:
    """At a move's «¿Confirmo el viernes…, en vez de tu hora del jueves?», "no, cancélala", "no, cancel it instead"
    were «tu hora sigue en pie» (read as "no cancelar": the comma lost): «¿Cancelo tu hora del jueves…?» now; "no
    cancelar", "no, no la canceles" still keep it. Nothing is cancelled before its yes."""
    for answer, english, asked in (("no, cancélala", False, True), ("no, cancel it instead", True, True),
                                   ("no cancelar", False, False), ("no, no la canceles", False, False)):
        chat, agent = at_the_move_question(english)
        said = texts(chat.say(answer))
        if asked:
            assert said == ASKED_AGAIN[english].split(": ", 1)[1], answer
        else:
            assert said.startswith("Entendido, tu hora sigue en pie"), answer
        assert agent.cancelled == {} and agent.moved == {}, answer
