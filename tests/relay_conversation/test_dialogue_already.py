"""A patient who already has an upcoming appointment and asks for a new one is told first ("Ya tienes hora…")."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conversation_kit import EN, NOW, Chat, agenda, buttons, lines, texts
from test_dialogue_appointments import FRI, PAST, THU, ClinicAgent

from relay.conversation import AgentStep
from wire.appointments import MyBookingsArgs, WireBooking
from wire.messages import WireError


def finding(*days: int, times=((9, 0), (10, 0), (11, 0))):
    """Slots from an agent that says it can list a phone's appointments."""
    return replace(agenda(days, times), finds_bookings=True)


def kine_and_rojas(specialty: str):
    """Dra. Ana Soto's kinesiology (Wed 2 and Fri 4) and Dr. Andrés Rojas's ``specialty`` (Fri 4 and Mon 7), from an
    agent that lists a phone's appointments."""
    kine = [replace(s, specialty="Kinesiología") for s in agenda([2, 4], [(9, 0), (10, 0)]).slots]
    other = [replace(s, specialty=specialty)
             for s in agenda([4, 7], [(11, 0), (12, 0)], professionals=("Dr. Andrés Rojas",)).slots]
    return replace(agenda([2], [(9, 0)]), slots=(*kine, *other), finds_bookings=True)


def test_an_upcoming_appointment_is_named_before_booking_another():
    agent = ClinicAgent(THU, PAST)
    chat = Chat(finding(2, 4), appointments=agent)
    reply = chat.say("hola, quiero una hora")
    assert isinstance(chat.steps[0], AgentStep) and chat.steps[0].op == "my_bookings"
    assert chat.steps[0].args == MyBookingsArgs("+56 9 1234 5678", known_only=True)
    said = texts(reply)
    assert "¡Hola, Ana!" in said
    assert "Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto." in said
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in said
    assert buttons(reply) == ["Una hora más", "Cambiarla", "Cancelarla"]
    assert reply.continuation["data"]["code"] == "already_booked"
    assert reply.continuation["data"]["booking_id"] == "bk-7"


def test_another_one_goes_on_to_booking_acting_on_the_first_message():
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("quiero hora el viernes a las 10")
    reply = chat.say("Otra hora")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    # The phone has one already: whose the new one is, is asked (a family shares a phone)
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("Sí"))
    assert chat.say("para mí").status == "booked" and len(chat.books) == 1


def test_typed_answers_choose_too():
    for typed, expected in (("otra", "choose_day"), ("quiero otra por favor", "choose_day"),
                            ("cambiarla", "confirm_move"), ("mejor la cambio", "confirm_move"),
                            ("cancelarla", "confirm_cancel"), ("Cancelar", "confirm_cancel")):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        chat.say("hola")
        reply = chat.say(typed)
        code = reply.continuation["data"].get("code", reply.status)
        assert code == expected or (expected == "choose_day" and reply.status == "choose_day" and
                                    "¿Qué día" in texts(reply)), (typed, texts(reply))


def test_cancel_it_cancels_the_one_named_and_change_it_moves_it():
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4), appointments=agent)
    chat.say("hola")
    reply = chat.say("Cancelarla")
    assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    assert chat.say("Sí, cancelar").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]

    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4), appointments=agent)
    chat.say("hola")
    assert chat.say("Cambiarla").continuation["data"]["code"] == "confirm_move"
    days = chat.say("Sí, cambiarla")
    times = chat.say(days.continuation["data"]["option_1"])
    moved = chat.say(times.continuation["data"]["option_1"])
    assert moved.status == "booked" and moved.continuation["data"]["rescheduled_from"] == "bk-7"
    assert chat.books == []  # moved, not a second appointment


def test_several_appointments_are_listed_and_one_is_chosen_to_cancel():
    chat = Chat(finding(2, 4), appointments=ClinicAgent(FRI, THU))
    reply = chat.say("hola")
    assert "Ya tienes 2 horas reservadas:" in texts(reply)
    assert lines(reply) == ["1. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto",
                            "2. viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas"]
    assert buttons(reply) == ["Una hora más", "Cambiar una", "Cancelar una"]
    reply = chat.say("Cancelar una")
    assert "¿Cuál quieres cancelar?" in texts(reply)


def test_nonsense_asks_again_and_english_speaks_english():
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola")
    reply = chat.say("qwerty")
    assert "Perdona, no te entendí." in texts(reply) and buttons(reply) == ["Una hora más", "Cambiarla", "Cancelarla"]

    chat = Chat(finding(2, 4), clinic=EN, appointments=ClinicAgent(THU))
    reply = chat.say("hi, I'd like an appointment")
    assert "You already have an appointment on Thursday 3 December at 10:00 with Dra. Ana Soto." in texts(reply)
    assert buttons(reply) == ["One more", "Change it", "Cancel it"]
    assert chat.say("change it").continuation["data"]["code"] == "confirm_move"


def test_no_appointment_or_an_agent_that_cannot_tell_goes_on_to_booking_as_before():
    for answer in (ClinicAgent(PAST), lambda step: WireError("bad_request", "no capability"),
                   lambda step: WireError("portal_down", "")):
        chat = Chat(finding(2, 4), appointments=answer)
        reply = chat.say("hola, quiero hora el viernes a las 10")
        assert len(chat.steps) == 1
        assert "¡Hola, Ana!" in texts(reply)
        assert "¿Confirmo el viernes 4 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
        assert chat.say("sí").status == "booked"


def test_an_agent_that_does_not_say_it_can_find_bookings_is_never_asked():
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU))
    assert chat.say("hola").status == "choose_day" and chat.steps == []


def test_asking_for_my_appointments_is_not_checked_twice():
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    reply = chat.say("quiero cancelar mi hora")
    assert [s.state.intent for s in chat.steps] == ["cancel"]
    assert reply.continuation["data"]["code"] == "confirm_cancel"


def test_a_new_wish_instead_of_an_answer_is_booking_another():
    """A day and time alone ("el viernes a las 11") is asked about first — one more, or that one moved there? — then
    "Una hora más" goes on to it as before."""
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola")
    reply = chat.say("el viernes a las 11")
    assert "¿Quieres una hora más, además de esa, o cambiarla?" in texts(reply) and not chat.books
    assert buttons(reply) == ["Una hora más", "Cambiarla", "Cancelarla"]
    reply = chat.say("Una hora más")
    assert "¿Confirmo el viernes 4 de diciembre a las 11:00 con la Dra. Ana Soto?" in texts(reply)
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    assert chat.say("Lucas Vidal").status == "booked" and chat.state.stage == "done"
    assert chat.books[0].state.patient_name == "Lucas Vidal"


def test_a_check_left_unanswered_by_a_stopped_relay_goes_on_to_booking():
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    step = chat.decide("hola")
    assert isinstance(step, AgentStep)
    chat.state = step.state  # saved before the agent was asked; the answer never came back
    reply = chat.say("el viernes a las 11")
    assert "¿Confirmo el viernes 4 de diciembre a las 11:00 con la Dra. Ana Soto?" in texts(reply)


def test_a_mistake_said_at_the_appointment_named_moves_it_to_what_was_meant():
    """"Me equivoqué, quería medicina general": the appointment moves there, never a second one beside it."""
    agent = ClinicAgent(THU)  # with Dra. Ana Soto, the kinesiologist
    chat = Chat(kine_and_rojas("Medicina general"), appointments=agent)
    chat.say("hola")
    reply = chat.say("oye me equivoqué, yo quería medicina general no kine")
    assert reply.continuation["data"]["code"] == "confirm_move"
    days = chat.say("Sí, cambiarla")
    assert buttons(days)[:2] == ["Vie 4 dic", "Lun 7 dic"]  # Dr. Rojas's days (Dra. Soto's: Wed 2 and Fri 4)
    times = chat.say(days.continuation["data"]["option_1"])
    moved = chat.say(times.continuation["data"]["option_1"])
    assert moved.status == "booked" and moved.continuation["data"]["rescheduled_from"] == "bk-7"
    assert "Rojas" in texts(moved) and chat.books == []


def test_a_move_can_be_called_off_and_the_appointment_stays():
    for words in ("mejor no", "déjala como estaba nomás", "mejor no la cambio", "cancelar", "never mind"):
        agent = ClinicAgent(THU)
        chat = Chat(finding(2, 4), appointments=agent)
        chat.say("hola")
        chat.say("Cambiarla")
        chat.say("Sí, cambiarla")  # the days for the new time
        reply = chat.say(words)
        assert "Entendido, tu hora sigue en pie." in texts(reply), words
        assert "no reservé nada" not in texts(reply) and agent.cancelled == {} and chat.books == []


def test_a_move_asked_for_a_day_number_or_two_days_goes_there():
    chat = Chat(finding(2, 4, 7, 8, 9), appointments=ClinicAgent(THU))
    chat.say("cambiame el turno al 4 a las 11")
    reply = chat.say("Sí, cambiarla")
    assert "¿Confirmo el viernes 4 de diciembre a las 11:00" in texts(reply)
    chat = Chat(finding(2, 4, 7, 8, 9), appointments=ClinicAgent(THU))
    chat.say("quiero cambiar mi hora para la semana que viene, lunes o martes")
    reply = chat.say("Sí, cambiarla")
    assert buttons(reply)[:2] == ["Lun 7 dic", "Mar 8 dic"] and "Mié 9 dic" not in buttons(reply)


def test_a_first_message_saying_the_appointment_was_a_mistake_offers_to_move_it():
    agent = ClinicAgent(THU)  # with Dra. Ana Soto, the kinesiologist
    chat = Chat(kine_and_rojas("Traumatología"), appointments=agent)
    reply = chat.say("perdón me confundí, la hora era para el traumatólogo no para kine")
    assert reply.continuation["data"]["code"] == "confirm_move" and "¡Hola, Ana!" in texts(reply)
    days = chat.say("Sí, cambiarla")
    assert buttons(days)[:2] == ["Vie 4 dic", "Lun 7 dic"]  # the traumatologist's days
    times = chat.say(days.continuation["data"]["option_1"])
    moved = chat.say(times.continuation["data"]["option_1"])
    assert moved.continuation["data"]["rescheduled_from"] == "bk-7" and chat.books == []


def test_cancel_one_and_give_me_the_same_time_another_day_is_a_move():
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7, 8), appointments=agent)
    reply = chat.say("oye cancela la del jueves y dame la misma hora pero el martes")
    assert reply.continuation["data"]["code"] == "confirm_move"
    reply = chat.say("Sí, cambiarla")
    assert "¿Confirmo el martes 8 de diciembre a las 10:00" in texts(reply)
    moved = chat.say("Sí")
    assert moved.continuation["data"]["rescheduled_from"] == "bk-7" and agent.cancelled == {} and chat.books == []


def test_a_question_about_the_clinic_after_a_booking_is_answered_and_the_choices_kept():
    chat = Chat(finding(3, 4), appointments=ClinicAgent(THU))
    reply = chat.say("gracias!! y donde queda?")
    assert texts(reply).count("Estamos en Av. Providencia 1234, Santiago.") == 1
    assert "Ya tienes hora el jueves 3 de diciembre a las 10:00" in texts(reply)
    reply = chat.say("no, te pregunté la dirección")
    assert "Estamos en Av. Providencia 1234, Santiago." in texts(reply) and "no te entendí" not in texts(reply)
    assert buttons(reply) == ["Una hora más", "Cambiarla", "Cancelarla"]
    chat = Chat(finding(3, 4), appointments=ClinicAgent())  # none: the answer once, then the days
    assert texts(chat.say("hola, ¿dónde están ubicados?")).count("Estamos en Av. Providencia 1234") == 1


def test_no_it_was_another_day_right_after_a_booking_moves_it_there():
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4, 7, 8, 9), appointments=agent)
    reply = chat.say("noo!! el 5 era el miercoles 9")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply)
    reply = chat.say("Sí, cambiarla")
    assert "el Mié 9 dic" in texts(reply) and chat.books == []


def test_one_more_in_so_many_words_is_booked_without_asking_a_different_time_is_asked():
    for message in ("necesito otra hora para mi hijo el viernes 4 antes del mediodía", "también quiero hora el lunes 7"):
        chat = Chat(finding(2, 4, 7, 8, 9), appointments=ClinicAgent(THU))
        reply = chat.say(message)
        assert "Ya tienes hora" not in texts(reply) and reply.status == "choose_time", message
    chat = Chat(finding(2, 4, 7, 8, 9), appointments=ClinicAgent(THU))
    assert "Ya tienes hora" in texts(chat.say("quiero otra hora"))  # may mean moving the one they have


def test_how_long_an_appointment_lasts_is_answered_from_the_agenda():
    chat = Chat(finding(3, 4), appointments=ClinicAgent(THU))
    reply = chat.say("hola, y la consulta cuánto dura más o menos?")
    assert "Cada hora dura 30 minutos." in texts(reply)
    chat = Chat(finding(3, 4), appointments=ClinicAgent(THU))
    assert "recepción" in texts(chat.say("cuánto dura y cuánto sale?"))  # the price too: reception answers


def test_an_appointment_under_someone_elses_name_says_whose_it_is():
    son = WireBooking("bk-9", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                      patient="Benjamín Soto")
    reply = Chat(finding(3, 4), appointments=ClinicAgent(son)).say("hola, quiero hora el viernes")
    assert "Benjamín Soto tiene hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto." in texts(reply)
    reply = Chat(finding(3, 4), appointments=ClinicAgent(THU)).say("hola, quiero hora el viernes")
    assert "con la Dra. Ana Soto." in texts(reply)  # the writer's own (or an older agent's): no name


def test_a_stray_number_opening_a_conversation_is_never_read_later_as_a_day():
    """Two taps at once: "2" reached the relay as a new conversation ("Ya tienes hora…"); the move asked next said
    "Para el Sáb 2 ene, escribe «recepción»" — the stray "2" had been kept as the day wanted."""
    chat = Chat(finding(4, 7, 8), appointments=ClinicAgent(FRI), now=NOW + timedelta(days=2))  # Thursday 3
    chat.say("2")
    for message in ("quiero cambiar mi hora", "Sí, cambiarla"):
        reply = chat.say(message)
        assert "ene" not in texts(reply) and "recepción" not in texts(reply), (message, texts(reply))


def test_one_more_said_in_so_many_words_goes_straight_to_it():
    """"Y otra para mí el miércoles a las 10", "ahora necesito otra con la dra soto el viernes": the patient knows
    they have one; "¿Quieres una hora más, cambiarla o cancelarla?" first made them say it again (and lost the details)."""
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    reply = chat.say("y otra para mí el miércoles a las 10")
    assert "¿Confirmo el miércoles 2 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    reply = chat.say("ahora necesito otra con la dra soto el viernes")
    assert "¿Qué hora con la Dra. Ana Soto el Vie 4 dic?" in texts(reply)
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    assert "Ya tienes hora el jueves 3 de diciembre" in texts(chat.say("quiero otra hora"))  # maybe a move: asked


def test_yes_to_another_one_after_asking_to_book_goes_on_with_what_was_asked():
    """"¿Puedo agendar para el viernes a las 10?" → "Ya tienes hora… ¿Quieres una hora más, cambiarla o cancelarla?" → "sí"
    was "¿Qué prefieres? Toca una de las opciones." She came to book: another one, with the day and time she said.
    A "sí" to the same question after a greeting, or a message about the appointment they have, is still asked about
    (which of the three?)."""
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("¿puedo agendar para el viernes a las 10?")
    reply = chat.say("si")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    assert not chat.books and [step.op for step in chat.steps] == ["my_bookings"]

    for yes in ("ya", "sii", "dale"):  # Chile's everyday yes closed the chat ("¡Perfecto!"); "sii" was not understood
        again = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        again.say("¿me podrían agendar el viernes a las 10?")
        assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(again.say(yes)), yes

    # Only greeted, or wrote about the appointment they have: "sí" is asked about (never a booking at that time)
    for first in ("hola", "muchas gracias por lo del jueves a las 10", "el jueves a las 10 ¿tengo que ir en ayunas?"):
        other = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        other.say(first)
        assert "Toca una de las opciones" in texts(other.say("si")), first


def test_one_more_asked_for_with_tambien_is_not_asked_about_again():
    """"¿Me podrían agendar también el viernes a las 10?" was asked "¿Quieres una hora más, cambiarla o cancelarla?" (a helper's
    walk): it said "también"."""
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    reply = chat.say("¿me podrían agendar también el viernes a las 10?")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(reply) and "¿Quieres otra" not in texts(reply)


def test_another_one_typed_with_its_specialty_goes_to_that_specialty():
    """"Otra hora de kinesiología" at "Ya tienes hora…" was asked "¿Qué especialidad necesitas?" (a second helper's
    walk, 4 of 4)."""
    kine = [replace(s, specialty="Kinesiología") for s in agenda([2, 4], [(9, 0)], ("Klga. Paula Méndez",)).slots]
    general = [replace(s, specialty="Medicina general") for s in agenda([4, 7], [(11, 0)]).slots]
    chat = Chat(replace(agenda([2], [(9, 0)]), slots=(*kine, *general), finds_bookings=True),
                appointments=ClinicAgent(THU))
    chat.say("hola")
    reply = chat.say("otra hora de kinesiología")
    assert "¿Qué especialidad" not in texts(reply) and buttons(reply)[0] == "Mié 2 dic"


def test_and_one_for_my_son_right_after_her_own_goes_to_his_without_asking_or_the_introduction_again():
    """After «¡Listo!», "ah y una para mi hijo con kine" was asked «Ya tienes hora… ¿una hora más, cambiarla o
    cancelarla?» under «¡Hola, Ana! Soy el asistente de citas…», as if the chat had just begun."""
    for message in ("ah y una para mi hijo", "y otra para mi mamá el viernes", "and one for my son please"):
        chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(THU))
        reply = chat.say(message)
        assert "Ya tienes hora" not in texts(reply) and "You already have" not in texts(reply), message
        assert "Soy el asistente" not in texts(reply) and "booking assistant" not in texts(reply), message
        assert texts(reply).startswith(("Claro, Ana.", "Sure, Ana.")), message
    chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(THU))  # a plain "hola" is greeted as ever
    assert "¡Hola, Ana! Soy el asistente" in texts(chat.say("hola"))


def test_and_one_more_of_mine_right_after_her_own_goes_to_the_day_asked_without_asking():
    """After «¡Listo!», "y una más para mí el viernes" was asked «Ya tienes hora… ¿una hora más, cambiarla o
    cancelarla?» (the patient had said which in so many words)."""
    for message in ("y una más para mí el viernes", "and one more for friday please", "ah y otra más el viernes"):
        chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(THU))
        reply = chat.say(message)
        assert "Ya tienes hora" not in texts(reply) and "You already have" not in texts(reply), message
        assert texts(reply).startswith(("Claro, Ana.", "Sure, Ana.")), message
        assert "Vie 4 dic" in texts(reply) or "Fri 4 Dec" in texts(reply), message


def test_and_another_time_alone_right_after_her_own_still_asks_which_she_means():
    chat = Chat(finding(2, 4, 7), appointments=ClinicAgent(THU))
    reply = chat.say("y otra hora para el viernes")  # one more, or hers moved there: asked
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(reply)


def test_what_the_menu_already_says_asked_or_nothing_wanted_at_it() -> None:
    """Under «Ya tienes hora el jueves… ¿Quieres una hora más, cambiarla o cancelarla?», "¿a qué hora es?", "¿con
    quién es?" were «Perdona, no te entendí», "quería saber a qué hora era" a new booking's days: the menu again,
    which says it; "no", "ninguna" were «no te entendí»: nothing to do, said so; "¿dónde es?" is the address."""
    for message in ("¿a qué hora es?", "¿con quién es?", "quería saber a qué hora era"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        chat.say("hola")
        said = texts(chat.say(message))
        assert said.startswith("Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto."), message
        assert not chat.books, message
    for message in ("no", "ninguna", "no, ninguna"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        chat.say("hola")
        assert texts(chat.say(message)).startswith("¡Perfecto, Ana!"), message
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola")
    assert texts(chat.say("¿dónde es?")).startswith("Estamos en Av. Providencia 1234, Santiago.")
    chat = Chat(finding(2, 4), clinic=EN, appointments=ClinicAgent(THU))
    assert "We're at 12 High Street, London." in texts(chat.say("hi, where's the clinic?"))


def test_the_same_in_english_and_a_question_about_arriving_early() -> None:
    """"what time is it again?", "who is it with?", "is it still on?" were «Sorry, I didn't get that»; "no, just wanted
    to confirm" too; "can I come 15 min early?" showed **a new booking's days** ("early" read as the morning), a tap
    away from a second appointment: reception's answer, the menu kept."""
    for message in ("what time is it again?", "who is it with?", "is it still on?"):
        chat = Chat(finding(2, 4), clinic=EN, appointments=ClinicAgent(THU))
        chat.say("hi")
        assert texts(chat.say(message)).startswith("You already have an appointment on Thursday 3 December"), message
    chat = Chat(finding(2, 4), clinic=EN, appointments=ClinicAgent(THU))
    chat.say("hi")
    assert texts(chat.say("no, just wanted to confirm")).startswith("Great, Ana!")
    for message, english in (("can I come 15 min early?", True), ("can I arrive a bit early?", True),
                             ("¿puedo llegar 15 min antes?", False)):
        chat = Chat(finding(2, 4), clinic=EN, appointments=ClinicAgent(THU)) if english else Chat(
            finding(2, 4), appointments=ClinicAgent(THU))
        chat.say("hi" if english else "hola")
        reply = chat.say(message)
        assert texts(reply).startswith("Reception can answer that" if english else "Eso te lo responde recepción"), message
        assert buttons(reply) == (["One more", "Change it", "Cancel it"] if english
                                  else ["Una hora más", "Cambiarla", "Cancelarla"]), message


def at_the_three_choices(english: bool = False) -> tuple[Chat, ClinicAgent]:
    """Ana, with Thursday's, just told «Ya tienes hora el jueves… ¿Quieres una hora más, cambiarla o cancelarla?»."""
    agent = ClinicAgent(THU)
    chat = Chat(finding(2, 4), clinic=EN, appointments=agent) if english else Chat(finding(2, 4), appointments=agent)
    chat.say("hi" if english else "hola")
    return chat, agent


def test_one_for_a_relative_leaving_it_or_not_needing_it_are_understood_at_the_three_choices():
    """Under «Ya tienes hora el jueves… ¿Quieres una hora más, cambiarla o cancelarla?», "una para mi hijo", "and one
    more for my daughter" were «no te entendí»: one more, whose name is asked; "está bien así", "déjala así", "leave
    it", "ninguna de las anteriores", "no por ahora", "not now" were «no te entendí»: nothing to do, ended politely;
    "ya no la necesito", "I don't need it anymore" were «no te entendí»: «¿Cancelo…?». "para mi hijo", "no, es para
    mi hija" (whose the one they have is) and "¿puedo llevar a mi hijo?" are never a new booking."""
    for message, english in (("una para mi hijo", False), ("y una más para mi hija", False),
                             ("and one more for my daughter", True), ("one for my son", True)):
        chat, agent = at_the_three_choices(english)
        assert texts(chat.say(message)).startswith("These are the next days" if english
                                                   else "Estos son los próximos días"), message
        chat.say("1")
        reply = texts(chat.say("1"))
        if "Shall I book" in reply or "¿Confirmo" in reply:
            reply = texts(chat.say("yes" if english else "sí"))
        assert ("Whose name" if english else "¿A nombre de quién") in reply, message
        assert chat.books == [], message
    for message, english in (("está bien así", False), ("déjala así", False), ("ninguna de las anteriores", False),
                             ("no por ahora", False), ("leave it", True), ("not now", True)):
        chat, agent = at_the_three_choices(english)
        reply = chat.say(message)
        assert texts(reply).startswith("Great, Ana!" if english else "¡Perfecto, Ana!"), message
        assert buttons(reply) == [] and agent.cancelled == {}, message
    for message, english in (("ya no la necesito", False), ("I don't need it anymore", True)):
        chat, agent = at_the_three_choices(english)
        assert texts(chat.say(message)).startswith("Shall I cancel your appointment on Thursday 3 December" if english
                                                   else "¿Cancelo tu hora del jueves 3 de diciembre"), message
        assert agent.cancelled == {}, message
    for message in ("para mi hijo", "¿puedo llevar a mi hijo?"):
        chat, agent = at_the_three_choices()
        assert "Estos son los próximos días" not in texts(chat.say(message)), message


def test_a_cancel_refused_at_the_three_choices_keeps_it_and_a_yes_then_cancels_nothing():
    """"I don't want to cancel it", "no, no quiero cancelarla", "don't cancel it" under «Ya tienes hora… ¿Quieres una
    hora más, cambiarla o cancelarla?» asked «¿Cancelo tu hora…?», "Sí, cancelar" first (the word read as the
    choice): it stands, said so. "no quiero cancelarla, quiero cambiarla" is the move."""
    for message, english in (("I don't want to cancel it", True), ("no, no quiero cancelarla", False),
                             ("don't cancel it", True), ("ya no quiero cambiarla", False),
                             ("no me cambien la hora porfa", False)):
        chat, agent = at_the_three_choices(english)
        reply = chat.say(message)
        assert texts(reply).startswith("All right, your appointment stays." if english
                                       else "Entendido, tu hora sigue en pie."), message
        chat.say("yes" if english else "sí")
        assert agent.cancelled == {} and agent.moved == {} and chat.books == [], message
    for message in ("no quiero cancelarla, quiero cambiarla", "no quiero cancelar, solo cambiar"):
        chat, agent = at_the_three_choices()
        assert texts(chat.say(message)).startswith("¿Cambio tu hora del jueves 3"), message
    chat, agent = at_the_three_choices()
    assert texts(chat.say("no quiero cambiarla, quiero cancelarla")).startswith("¿Cancelo tu hora del jueves 3")
    chat, agent = at_the_three_choices()  # one more, beside it
    assert texts(chat.say("agéndala pero no canceles la otra")).startswith("Estos son los próximos días")


def test_the_other_one_asked_for_with_only_one_is_never_asked_about_as_that_one():
    """"cancela la otra, no la del jueves", "don't cancel the one on thursday, cancel the other" under «Ya tienes
    hora el jueves…» asked «¿Cancelo tu hora del jueves…?», the one ruled out, a "sí" away: theirs are listed, as
    for a first message saying it, and a "sí" cancels nothing."""
    for message, english in (("cancela la otra, no la del jueves", False), ("la del jueves no, cancela la otra", False),
                             ("don't cancel the one on thursday, cancel the other", True)):
        chat, agent = at_the_three_choices(english)
        reply = chat.say(message)
        assert lines(reply) == ["1. Thursday 3 December at 10:00 with Dra. Ana Soto" if english
                                else "1. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto"], message
        assert "Shall I cancel" not in texts(reply) and "¿Cancelo" not in texts(reply), message
        chat.say("yes" if english else "sí")
        assert agent.cancelled == {}, message


def test_a_day_alone_at_the_three_choices_asks_one_more_or_move_and_books_nothing_on_a_tap():
    """Under «Ya tienes hora el jueves… ¿Quieres una hora más, cambiarla o cancelarla?», "el viernes", "el lunes a las
    9", "¿hay algo antes?", "otro día", "friday", "anything earlier?" showed those times (or the first free one to
    confirm, or the days), and a tap on the first booked a **second appointment** beside the one just said (the
    patient may have meant to move it there): asked which, what was said kept for either. "Cambiarla" then moves it
    to that day's times; one more said in so many words ("y otra el viernes") goes on as before."""
    for message, english in (("el viernes", False), ("el lunes a las 9", False), ("¿hay algo antes?", False),
                             ("mejor otro día", False), ("friday", True), ("anything earlier?", True),
                             ("what about friday?", True), ("another day", True)):
        chat, agent = at_the_three_choices(english)
        reply = chat.say(message)
        assert ("Would you like one more, besides that one, or to change it?" if english
                else "¿Quieres una hora más, además de esa, o cambiarla?") in texts(reply), message
        chat.say("1")
        assert not chat.books and not agent.moved, message
    chat, agent = at_the_three_choices()
    chat.say("el viernes")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(chat.say("Cambiarla"))
    reply = chat.say("sí")
    assert "¿Qué hora con la Dra. Ana Soto el Vie 4 dic?" in texts(reply)
    assert chat.say("09:00").status == "booked" and list(agent.moved.values()) == [("bk-7", "2026-12-04T0900.4918")]
    assert not chat.books
    chat, agent = at_the_three_choices()
    reply = chat.say("y otra el viernes")
    assert "¿Qué hora" in texts(reply) and "Vie 4 dic" in texts(reply)


def test_after_a_move_and_thanks_the_old_one_asked_about_is_said_gone():
    """Moved, «¡Listo…! Cambié tu hora…», "ok gracias", then "¿se canceló la del jueves?": the conversation had
    been forgotten at the thanks, so the agent's list was asked again and the old one offered to cancel — or, once the
    web app showed it gone, «No tienes hora el jueves…; ¿Cancelo tu hora del viernes…?», the new one a "sí" away. The
    move is kept through the thanks: «Tu hora anterior quedó cancelada. Así quedó la nueva…»."""
    chat, agent = at_the_three_choices()
    chat.say("Cambiarla")
    chat.say("sí")
    chat.say("el viernes")
    assert chat.say("09:00").status == "booked" and agent.moved
    assert "De nada" in texts(chat.say("ok gracias"))
    reply = chat.say("¿se canceló la del jueves?")
    assert "Tu hora anterior quedó cancelada." in texts(reply) and "Viernes 4 de diciembre a las 09:00" in texts(reply)
    assert not agent.cancelled and not buttons(reply)
