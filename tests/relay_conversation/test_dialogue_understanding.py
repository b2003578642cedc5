"""The conversation acts on what a message says, the first one included, and never books unseen (§1, §2)."""

from __future__ import annotations

import pytest
from conversation_kit import EN, Chat, agenda, buttons, lines, slot, slots, texts

from wire.messages import WireError, WireSlot

TWO = ("Dra. Ana Soto", "Dr. Juan Rojas")


def with_specialty(s: WireSlot, specialty: str) -> WireSlot:
    return WireSlot(s.id, s.start, s.end, s.professional, specialty=specialty)


def clinic_with_specialties() -> Chat:
    soto = [with_specialty(slot(d, h, 0, "Dra. Ana Soto"), "Medicina general") for d in (2, 3, 4) for h in (9, 10, 15)]
    rojas = [with_specialty(slot(d, h, 0, "Dr. Andrés Rojas"), "Traumatología") for d in (3, 4) for h in (10, 16, 17)]
    return Chat(slots(*soto, *rojas))


def test_first_message_with_a_specialty_a_day_and_a_part_of_the_day():
    chat = clinic_with_specialties()
    reply = chat.say("hola, quiero hora con traumatología el viernes en la tarde")
    assert "¡Hola, Ana!" in texts(reply) and reply.status == "choose_time"
    assert buttons(reply) == ["16:00", "17:00", "Otros profesionales"]
    assert "¿Qué hora con el Dr. Andrés Rojas, Traumatología el Vie 4 dic?" in texts(reply)
    question = reply.continuation["execute_handlers"][-2]["params"]
    assert question["value"] == "¿Qué hora con el Dr. Andrés Rojas, Traumatología el Vie 4 dic?"  # one message
    reply = chat.say("las 4")
    assert "¿Confirmo el viernes 4 de diciembre a las 16:00 con el Dr. Andrés Rojas, Traumatología?" in texts(reply)
    assert not chat.books
    assert chat.say("Sí").status == "booked" and chat.books[0].slot.professional == "Dr. Andrés Rojas"


def test_a_clinic_with_several_specialties_asks_which_first_then_acts_on_the_first_message():
    chat = clinic_with_specialties()
    reply = chat.say("mañana a las 10")
    assert "¡Hola, Ana!" in texts(reply) and "¿Qué especialidad necesitas?" in texts(reply)
    assert buttons(reply) == ["Medicina general", "Traumatología", "Cualquiera"]
    assert reply.continuation["data"]["code"] == "specialty"
    reply = chat.say("Medicina general")  # Wednesday 2 at 10:00: the general practitioner
    assert "¿Confirmo el miércoles 2 de diciembre a las 10:00 con la Dra. Ana Soto, Medicina general?" in texts(reply)
    assert not chat.books


def test_the_specialty_question_is_skipped_when_the_message_names_one_or_a_professional():
    reply = clinic_with_specialties().say("hola, con el dr rojas")
    assert reply.status == "choose_day" and reply.continuation["data"]["professional"] == "Dr. Andrés Rojas"
    reply = clinic_with_specialties().say("traumatólogo por favor")
    assert reply.continuation["data"]["specialty"] == "traumatologia"
    assert buttons(reply) == ["Jue 3 dic", "Vie 4 dic", "Otros profesionales"]
    chat = clinic_with_specialties()
    chat.say("hola")
    reply = chat.say("2")  # typed number: the second specialty
    assert reply.continuation["data"]["specialty"] == "traumatologia"
    reply = chat.say("Otros profesionales")  # its only professional is shown: said so, the specialty kept
    assert "No hay otros profesionales de Traumatología con horas libres." in texts(reply)
    assert reply.continuation["data"]["specialty"] == "traumatologia"


def test_any_time_with_a_professional_keeps_the_professional():
    chat = Chat(agenda([2, 3], [(9, 0), (16, 0)], TWO))
    reply = chat.say("cualquier hora con la Dra. Soto")
    assert reply.status == "choose_day" and reply.continuation["data"]["professional"] == "Dra. Ana Soto"
    reply = chat.say("mañana")
    assert buttons(reply) == ["09:00", "16:00", "Otros profesionales"] and "Dra. Ana Soto" in texts(reply)


def test_el_lunes_3_is_the_next_monday_the_3rd_within_the_window_or_said_not_to_exist():
    chat = Chat(agenda(range(2, 15), [(9, 0)]))
    reply = chat.say("el lunes 3")
    assert reply.status == "choose_day"
    assert "No hay un lunes 3 en los próximos 14 días." in texts(reply)
    assert "2. jueves 3 de diciembre" in lines(reply)
    chat = Chat(agenda(range(2, 15), [(9, 0)]))
    reply = chat.say("el lunes 7")
    assert reply.status == "choose_time" and "Lun 7 dic" in texts(reply)


def test_after_and_before_filter_the_times_and_any_time_drops_it():
    chat = Chat(agenda([2], [(9, 0), (10, 0), (11, 0), (15, 0), (16, 0), (17, 0)]))
    def times(reply):
        return [line.split(" ")[1] for line in lines(reply)] or [b for b in buttons(reply) if b[:1].isdigit()]

    assert times(chat.say("mañana después de las 4")) == ["16:00", "17:00"]
    assert times(chat.say("antes de las 11")) == ["09:00", "10:00"]
    reply = chat.say("Cualquier hora")
    assert times(reply) == ["09:00", "10:00", "11:00", "15:00", "16:00", "17:00"] and buttons(reply) == ["09:00", "Otro día"]
    chat.say("antes de las 11")
    assert len(times(chat.say("a cualquier hora"))) == 6


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("mañana, no puedo después de las 4", ["09:00", "10:00", "11:00", "15:00"]),
        ("mañana pero después de las 4 no me sirve", ["09:00", "10:00", "11:00", "15:00"]),
        ("mañana, ni antes de las 10 ni después de las 4", ["10:00", "11:00", "15:00"]),
        ("mañana, no me acomoda antes de las 11", ["11:00", "15:00", "16:00", "17:00"]),
        ("tomorrow, I can't after 4", ["09:00", "10:00", "11:00", "15:00"]),
        ("mañana, nada después de las 4 porfa", ["09:00", "10:00", "11:00", "15:00"]),
        ("mañana, no hay nada después de las 4?", ["16:00", "17:00"]),
    ],
)
def test_a_bound_said_negated_is_the_other_bound(message, expected):
    """"no puedo después de las 4" offered only the times after 4 (the negation was not read with the bound)."""
    chat = Chat(agenda([2], [(9, 0), (10, 0), (11, 0), (15, 0), (16, 0), (17, 0)]))
    reply = chat.say(message)
    shown = [line.split(" ")[1] for line in lines(reply)] or [b for b in buttons(reply) if b[:1].isdigit()]
    assert shown == expected, texts(reply)


def test_the_earliest_free_time_is_offered_for_confirmation():
    chat = Chat(agenda([3, 2], [(11, 0), (9, 30)], TWO))
    reply = chat.say("lo antes posible")
    assert "La primera hora libre es esta." in texts(reply)
    assert reply.continuation["data"]["confirm_start"] == "2026-12-02T09:30:00-03:00"
    reply = chat.say("Otra hora")
    assert reply.status == "choose_time" and not chat.books
    chat = Chat(agenda([2, 3], [(9, 0), (15, 0)]), clinic=EN)
    reply = chat.say("earliest in the afternoon please")
    assert reply.continuation["data"]["confirm_start"] == "2026-12-02T15:00:00-03:00"
    assert "Shall I book Wednesday 2 December at 15:00 with Dra. Ana Soto?" in texts(reply)


def test_the_latest_free_time_of_the_day_is_offered_for_confirmation():
    for first, then in (("hora para el miércoles 2", "lo más tarde posible te dije"),
                        ("hora para el miércoles 2, lo más tarde posible porque trabajo", None),
                        ("hora para el miércoles 2", "la última hora que tengan")):
        chat = Chat(agenda([2, 3], [(9, 0), (15, 0), (18, 30)], TWO))
        reply = chat.say(first)
        if then:
            reply = chat.say(then)
        assert "La última hora libre de ese día es esta." in texts(reply), (first, then)
        assert reply.continuation["data"]["confirm_start"] == "2026-12-02T18:30:00-03:00"
    chat = Chat(agenda([2, 3], [(9, 0), (15, 0), (18, 30)]))
    reply = chat.say("hola, una hora lo más tarde posible porque trabajo")  # no day yet: the days, afternoons
    assert "Cualquier hora" in buttons(reply) and not chat.books


def test_a_first_message_with_an_intent_it_cannot_serve_hands_off_with_the_greeting():
    for message, reason in [
        ("necesito cancelar la hora que acabo de tomar", "cancel_requested"),
        ("Hola, quiero cambiar mi hora del jueves", "reschedule_requested"),
        ("cuándo es mi hora?", "bookings_requested"),
        ("can I talk to a real person", "asked_for_person"),
    ]:
        reply = Chat(agenda([2], [(9, 0)])).say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == reason, message
        assert ("Hi, Ana!" if message.startswith("can I") else "¡Hola, Ana!") in texts(reply)  # in their language


def test_an_english_speaking_patient_of_a_spanish_speaking_clinic_is_answered_in_english_to_the_end():
    chat = Chat(agenda([4, 7], [(9, 0), (11, 0)]))
    reply = chat.say("Hi, I need an appointment next monday please")
    assert "Hi, Ana!" in texts(reply) and "Which time" in texts(reply), texts(reply)
    reply = chat.say("eleven please")
    assert "Shall I book Monday 7 December at 11:00" in texts(reply), texts(reply)
    booked = chat.say("yes")
    assert booked.status == "booked" and "booked" in texts(booked).lower() and "reservada" not in texts(booked)
    for spanish in ("hola, necesito hora", "hi, necesito hora para mañana"):  # Spanish or mixed: the clinic's
        assert "¡Hola, Ana!" in texts(Chat(agenda([4], [(9, 0)])).say(spanish)), spanish


def test_a_plainly_english_first_message_that_greets_in_spanish_is_answered_in_english():
    """ "hola! sorry my spanish is bad… I need the doctor tomorrow" was answered in Spanish to the end: one Spanish word
    made the whole message Spanish. A place in the menu said with thanks ("muchas gracias, la primera") is picked."""
    for message in ("hola! sorry my spanish is bad. I need to see the doctor on monday morning please",
                    "hola, I need an appointment with the GP on monday please"):
        chat = Chat(agenda([4, 7], [(9, 0), (11, 0)]))
        reply = chat.say(message)
        assert "Hi, Ana!" in texts(reply) and "Which time" in texts(reply), texts(reply)
        booked = chat.say("muchas gracias, la primera")
        assert booked.status == "booked" and "Monday 7 December at 09:00" in texts(booked), texts(booked)
    assert "Hi, Ana!" in texts(Chat(agenda([4, 7], [(9, 0)])).say(
        "Hola, buenas! Is it possible to move my appointment to Friday afternoon?"))
    for spanish in ("hola quiero una cita para mañana con la doctora, thanks", "hola, para mi hijo una hora, is that"
                    " possible?"):
        assert "¡Hola, Ana!" in texts(Chat(agenda([4], [(9, 0)])).say(spanish)), spanish


def test_a_confirmation_is_never_booked_by_something_else_than_yes():
    chat = Chat(agenda([2], [(9, 0), (10, 0)]))
    chat.say("mañana a las 9")
    reply = chat.say("hmm qué?")
    assert reply.continuation["data"]["code"] == "confirm" and "Responde «Sí»" in texts(reply)
    assert not chat.books
    assert chat.say("👍").status == "booked"


def test_typos_and_no_accents():
    chat = Chat(agenda([2, 4], [(9, 0), (15, 0)]))
    reply = chat.say("kiero ora el vierns en la trade")  # Friday 4, the afternoon
    assert reply.status == "choose_time" and "Vie 4 dic" in texts(reply)
    assert buttons(reply) == ["15:00", "Cualquier hora", "Otro día"]


def test_words_spelt_as_they_sound_still_name_the_specialty():
    reply = clinic_with_specialties().say("ola kiero ora kon medisina jeneral")
    assert "¿Qué especialidad necesitas?" not in texts(reply)
    assert reply.continuation["data"]["specialty"] == "general"


def test_the_bots_data_may_preset_the_specialty_or_the_professional():
    from dataclasses import replace as with_

    chat = clinic_with_specialties()
    turn = with_(chat.turn("hola"), specialty="Traumatologia")
    from relay.conversation import decide

    reply = decide(None, turn, chat.clinic, chat.agenda)
    assert reply.status == "choose_day" and reply.continuation["data"]["specialty"] == "traumatologia"
    assert "¿Qué especialidad" not in texts(reply)
    turn = with_(chat.turn("mañana a las 9"), professional="Ana Soto")
    reply = decide(None, turn, chat.clinic, chat.agenda)
    assert "¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto, Medicina general?" in texts(reply)
    turn = with_(chat.turn("hola"), specialty="{{lead.cf_123}}", professional="Dr. Nadie")  # nothing usable
    assert "¿Qué especialidad necesitas?" in texts(decide(None, turn, chat.clinic, chat.agenda))


def test_a_wish_with_two_days_after_the_specialty_menu_shows_the_days_without_a_reproach():
    chat = clinic_with_specialties()
    reply = chat.say("quiero una hora el miércoles o el jueves en la mañana")
    assert "¿Qué especialidad necesitas?" in texts(reply)
    reply = chat.say("Traumatología")
    assert reply.status == "choose_day" and "Perdona" not in texts(reply)
    assert buttons(reply)[0] == "Jue 3 dic" and "Vie 4 dic" not in " ".join(lines(reply))  # Wednesday or Thursday


def test_a_long_story_is_read_to_its_specialty():
    story = (
        "Hola buenas tardes, le escribo porque hace como tres semanas me torcí el tobillo jugando a la pelota con mis"
        " amigos y al principio pensé que no era nada, me puse hielo y todo, pero ahora sigue hinchado y me duele"
        " harto cuando camino, sobre todo en la mañana. Mi señora me dijo que fuera al médico así que quería ver si me"
        " pueden dar una hora con un traumatólogo, porque trabajo en el centro. Muchas gracias de antemano, saludos."
    )
    assert len(story) > 300
    reply = clinic_with_specialties().say(story)
    assert "¿Qué especialidad necesitas?" not in texts(reply)
    assert reply.continuation["data"]["specialty"] == "traumatologia"


def test_a_line_picked_by_its_place_in_words():
    chat = clinic_with_specialties()
    chat.say("hola")
    reply = chat.say("2 por favor")  # the specialty menu's second line
    assert reply.continuation["data"]["specialty"] == "traumatologia"
    reply = chat.say("la segunda")  # days as buttons: the second day
    assert reply.status == "choose_time" and reply.continuation["data"]["day_label"] == "Vie 4 dic"
    reply = chat.say("la última, porfa")
    assert reply.status == "booked" and chat.books[0].slot.start.startswith("2026-12-04T17:00")


def test_a_place_in_english_and_a_date_said_with_its_article_is_still_a_date():
    chat = Chat(agenda(range(2, 12), [(9, 0), (10, 0)]))  # ten days: a numbered list
    chat.say("hola")
    reply = chat.say("the first one")
    assert reply.status == "choose_time" and reply.continuation["data"]["day_label"] == "Mié 2 dic"
    chat = Chat(agenda(range(2, 12), [(9, 0), (10, 0)]))
    chat.say("hola")
    reply = chat.say("el 5 por favor")  # the 5th of December, not the list's fifth line
    assert reply.continuation["data"]["day_label"] == "Sáb 5 dic"


def test_a_time_taken_meanwhile_offers_only_its_own_specialty():
    soto = [with_specialty(slot(2, h, 0, "Dra. Ana Soto"), "Medicina general") for h in (9, 10, 15)]
    mendez = [with_specialty(slot(2, h, 45, "Klga. Paula Méndez"), "Kinesiología") for h in (9, 10)]
    nearest = (mendez[0], mendez[1], soto[2])  # the agent's nearest free times, of any specialty
    chat = Chat(slots(*soto, *mendez), agent=lambda s: WireError("slot_taken", "taken", alternatives=nearest))
    chat.say("medicina general mañana")
    reply = chat.say("09:00")
    assert reply.continuation["data"]["code"] == "slot_taken"
    assert buttons(reply) == ["15:00"] and "Méndez" not in texts(reply)


def test_a_question_or_nonsense_at_the_specialty_menu_keeps_the_specialty_question():
    chat = clinic_with_specialties()
    chat.say("hola")
    reply = chat.say("dónde queda la clínica?")
    assert "Estamos en Av. Providencia 1234, Santiago." in texts(reply)
    assert "¿Qué especialidad necesitas?" in texts(reply) and buttons(reply)[0] == "Medicina general"
    reply = chat.say("asdf qwerty")
    assert "Perdona, no te entendí. Elige una opción" in texts(reply) and "¿Qué especialidad necesitas?" in texts(reply)
    reply = chat.say("2")
    assert reply.continuation["data"]["specialty"] == "traumatologia"


def test_a_specialty_with_two_days_in_a_first_message_keeps_the_specialty():
    reply = clinic_with_specialties().say("traumatología el miércoles o el viernes")
    assert "¿Qué especialidad necesitas?" not in texts(reply) and "Perdona" not in texts(reply)
    assert reply.continuation["data"]["specialty"] == "traumatologia"
    assert buttons(reply)[0] == "Vie 4 dic"  # its only Wednesday or Friday


def test_other_professionals_in_a_specialty_of_one_says_so_and_keeps_the_specialty():
    soto = [with_specialty(slot(4, h, 0, "Dra. Ana Soto"), "Medicina general") for h in (9, 15)]
    rojas = [with_specialty(slot(4, h, 0, "Dr. Andrés Rojas"), "Traumatología") for h in (10, 16)]
    for asked in ("Otros profesionales", "mejor con otro doctor"):
        chat = Chat(slots(*soto, *rojas))
        reply = chat.say("traumatología el viernes")
        assert "Otros profesionales" in buttons(reply)
        reply = chat.say(asked)
        assert "No hay otros profesionales de Traumatología con horas libres." in texts(reply), asked
        assert "Soto" not in texts(reply) and buttons(reply)[:2] == ["10:00", "16:00"]  # never one tap from another


def test_moving_the_time_offered_is_a_new_wish_not_a_change_of_an_appointment():
    chat = Chat(agenda(range(2, 8), [(9, 0), (10, 0), (15, 0), (16, 0)]))
    chat.say("hola, el jueves a las 9")  # "¿Confirmo el jueves 3 … a las 09:00?"
    reply = chat.say("¿se puede correr para la tarde?")
    assert reply.status == "choose_time" and "Jue 3 dic" in texts(reply)
    assert buttons(reply)[:2] == ["15:00", "16:00"]
    reply = chat.say("¿lo podemos cambiar para el viernes?")
    assert reply.status == "choose_time" and "Vie 4 dic" in texts(reply)
    reply = chat.say("quiero cambiar mi hora del lunes")  # an appointment the patient has: asked about it
    assert reply.status != "choose_time"


def test_a_story_naming_the_specialty_that_sent_the_patient_books_the_one_they_need():
    kine = [with_specialty(slot(d, h, 0, "Klga. Paula Méndez"), "Kinesiología") for d in (3, 7, 8) for h in (9, 15)]
    rojas = [with_specialty(slot(d, 12, 0, "Dr. Andrés Rojas"), "Traumatología") for d in (2, 3, 7)]
    chat = Chat(slots(*kine, *rojas))
    reply = chat.say(
        "Buenas tardes. Hace un mes me doblé el tobillo y ahora el traumatólogo me dio orden para 10 sesiones de"
        " kinesiología. Quisiera empezar lo antes posible, a principios de la semana que viene, en la tarde."
    )
    assert "¿Confirmo el lunes 7 de diciembre a las 15:00 con la Klga. Paula Méndez" in texts(reply)
    chat = Chat(slots(*kine, *rojas))
    chat.say("traumatología el jueves a las 12")
    reply = chat.say("no, es kinesiología lo que necesito, no traumatólogo")
    assert reply.continuation["data"]["specialty"] == "kinesiologia" and "Rojas" not in texts(reply)


def test_two_specialties_and_no_word_on_which_asks_which():
    reply = clinic_with_specialties().say("quiero hora con medicina general o traumatología")
    assert "¿Qué especialidad necesitas?" in texts(reply)


def test_a_specialty_after_con_followed_by_a_question_is_not_a_professionals_name():
    for message in ("che, necesito turno con traumatología, ¿tenés algo el jueves a primera hora?",
                    "hola quiero hora con el traumatólogo, ¿podés el jueves en la mañana?"):
        reply = clinic_with_specialties().say(message)
        assert "No encontré" not in texts(reply), message
        assert reply.continuation["data"]["specialty"] == "traumatologia"
        assert "Jue 3 dic" in texts(reply) and buttons(reply)[0] == "10:00", message


def test_questions_about_the_visit_are_sent_to_reception_and_the_menu_stays():
    for question in ("¿es presencial?", "pero atienden niños??", "¿qué tengo que llevar a la consulta?",
                     "hay que ir en ayunas?"):
        chat = Chat(agenda([2, 4], [(9, 0), (15, 0)]))
        chat.say("hola")
        reply = chat.say(question)
        assert "escribe «recepción»" in texts(reply) and "no te entendí" not in texts(reply), question
        assert buttons(reply)[0] == "Mié 2 dic"
    reply = clinic_with_specialties().say("quiero hora presencial con traumatología")
    assert reply.continuation["data"]["specialty"] == "traumatologia"


def test_la_general_and_four_and_twenty():
    chat = clinic_with_specialties()
    chat.say("hola")
    reply = chat.say("la general")
    assert reply.continuation["data"]["specialty"] == "general"
    chat = Chat(agenda([2, 4], [(9, 0), (16, 20)]))
    chat.say("hola, el viernes")
    reply = chat.say("4 y 20 ta bien")
    assert "¿Confirmo el viernes 4 de diciembre a las 16:20" in texts(reply)


def test_another_doctor_typed_is_the_other_professionals_button():
    two = agenda(range(2, 6), [(9, 0), (15, 0)], professionals=("Dra. Ana Soto", "Dr. Juan Rojas"))
    for message in ("mejor con otro doctor", "otra profesional", "otro médico por favor", "another doctor"):
        chat = Chat(two)
        chat.say("hola, con la dra soto el jueves")
        reply = chat.say(message)
        assert "no te entendí" not in texts(reply) and "Rojas" in texts(reply), message


def test_the_specialty_wins_over_a_professional_of_another_named_in_passing():
    reply = clinic_with_specialties().say("fui a la doctora Soto y me dijo que tenía que verme un traumatólogo")
    assert reply.continuation["data"]["specialty"] == "traumatologia"
    assert buttons(reply)[:2] == ["Jue 3 dic", "Vie 4 dic"]  # Dr. Rojas's days, not Dra. Soto's
    chat = clinic_with_specialties()
    chat.say("hola, con la dra soto")
    reply = chat.say("no no, la doctora Soto ya me vio, necesito al traumatólogo")
    assert "No encontré" not in texts(reply) and buttons(reply)[:2] == ["Jue 3 dic", "Vie 4 dic"]


def test_another_specialty_at_a_confirmation_is_a_new_wish():
    for message in ("no quiero medicina general, quiero traumatología", "ah no espera, yo necesito traumatología"):
        chat = clinic_with_specialties()
        chat.say("hola, medicina general el jueves a las 9")
        reply = chat.say(message)
        assert reply.continuation["data"]["specialty"] == "traumatologia", message
        assert "Rojas" in texts(reply)


def test_a_brazilian_patients_days_and_yes_are_understood():
    soto = [with_specialty(slot(d, h, 0, "Dra. Ana Soto"), "Medicina general") for d in range(2, 12) for h in (9, 10)]
    kine = [with_specialty(slot(d, 16, 0, "Klga. Paula Méndez"), "Kinesiología") for d in range(2, 12)]
    chat = Chat(slots(*soto, *kine))
    reply = chat.say("Olá, bom dia! Preciso marcar uma consulta com o clínico geral na segunda-feira de manhã")
    assert "el Lun 7 dic" in texts(reply) and "Medicina general" in texts(reply)
    assert "¿Confirmo el lunes 7 de diciembre a las 09:00" in texts(chat.say("9:00 está bom, obrigado"))
    assert chat.say("sim").status == "booked"


def test_a_question_about_the_clinic_asked_with_a_pick_is_answered_and_the_pick_goes_on():
    for message, answer in (("10:30 está bien, dónde queda la clínica?", "Estamos en Av. Providencia 1234"),
                            ("a las 11, tengo que llevar algo?", "Eso te lo responde recepción")):
        chat = Chat(agenda([5], [(9, 0), (10, 30), (11, 0)]))
        chat.say("hora para el sábado 5")
        reply = chat.say(message)
        assert answer in texts(reply), message
        assert "¿Confirmo el sábado 5 de diciembre a las" in texts(reply), message


def test_the_doctora_general_is_medicina_general_and_the_day_and_time_are_kept():
    for message in ("tiene hora con la doctora general el jueves a las 3?", "con la dra general el jueves a las 3"):
        chat = clinic_with_specialties()
        chat.say("hola")
        reply = chat.say(message)
        assert "No encontré" not in texts(reply), message
        assert "¿Confirmo el jueves 3 de diciembre a las 15:00 con la Dra. Ana Soto, Medicina general?" in texts(
            reply), message


def test_whichever_at_the_times_proposes_the_first_one_to_confirm():
    for reply_text in ("cualquiera", "cualquiera está bien", "la que sea", "me da igual la hora"):
        chat = clinic_with_specialties()
        chat.say("hola, hora con traumatología")
        chat.say("el viernes")
        reply = chat.say(reply_text)
        assert "¿Confirmo el viernes 4 de diciembre a las 10:00 con el Dr. Andrés Rojas" in texts(reply), reply_text
        assert chat.books == [], reply_text  # asked first, never booked on "cualquiera"
        assert chat.say("sí").status == "booked"


def test_a_voice_note_or_a_photo_is_said_to_be_unreadable_and_never_read_as_a_time():
    week = agenda(range(4, 15), [(9, 0), (10, 0)])
    for path in (["🎤 Nota de voz (0:32)"], ["hola", "<Multimedia omitido>"], ["hola", "el lunes", "audio omitido"],
                 ["hora para mi hijo el lunes a las 9", "sí", "📷 Foto"],
                 ["hola", "https://amojo.kommo.com/attachments/voice/2f1e9a.ogg"]):  # the attachment's link alone
        chat = Chat(week)
        for message in path:
            reply = chat.say(message)
        said = texts(reply)
        assert "No puedo escuchar audios ni ver fotos o archivos" in said, (path, said)
        assert "¿Para qué día es esa hora?" not in said and "No pude leer" not in said and chat.books == []


def test_a_weekday_clipped_as_said_is_that_day():
    for message, day in (("pal lune", "Lun 7 dic"), ("el juev en la mañana", "Jue 10 dic"), ("el dom", "Dom 6 dic")):
        chat = Chat(agenda(range(4, 15), [(9, 0), (10, 0)]))
        chat.say("hola")
        reply = chat.say(message)
        assert reply.continuation["data"].get("day_label") == day, (message, texts(reply))


def test_whichever_at_the_days_of_a_chosen_specialty_shows_the_first_days_times():
    chat = clinic_with_specialties()
    chat.say("hola, hora con traumatología")
    reply = chat.say("cualquiera está bien")
    assert reply.status == "choose_time" and "Jue 3 dic" in texts(reply), texts(reply)


def test_a_patient_running_late_is_passed_to_reception_and_never_shown_a_new_booking():
    """ "voy a llegar tarde a mi hora del lunes" opened the afternoon's times ("tarde") and "I'm running 15 minutes
    late" a list whose first tap booked a second appointment; reception heard nothing."""
    for message, said in (("hola, voy a llegar tarde a mi hora del lunes, como 10 minutos", "Gracias por avisar"),
                          ("voy atrasada para mi hora de mañana, llego como 10 minutos tarde, ¿me esperan?",
                           "Gracias por avisar"),
                          ("Hi, I'm running about 15 minutes late for my physio appointment on Tuesday, sorry!",
                           "Thanks for letting us know"),
                          # read as a cancel ("no alcanzo a llegar"): "sí porfa" at «¿Cancelo…?» cancelled it
                          ("disculpa, no alcanzo a llegar a las 11, llego tipo 11:15, igual me pueden atender?",
                           "Gracias por avisar"),
                          ("buenos días, voy en camino pero hay mucho taco, llego un poquito después de mi hora",
                           "Gracias por avisar"),
                          ("hi, sorry, I am stuck in traffic, I will be there 10 minutes after my appointment time",
                           "Thanks for letting us know")):
        chat = Chat(agenda([2, 7], [(9, 0), (15, 0)]))
        reply = chat.say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "running_late", message
        assert said in texts(reply) and not buttons(reply)
        # Never "sigue reservada": the bot has not seen that appointment (it may not exist, or have been moved)
        assert "reservada" not in texts(reply) and "stays booked" not in texts(reply), message
        assert chat.say("1").status != "booked" and not chat.books
    chat = Chat(agenda([2], [(9, 0), (15, 0)]))
    chat.say("hola, quiero hora mañana")
    reply = chat.say("llego en la tarde, a las 3")  # the afternoon, not late
    assert "15:00" in texts(reply) and reply.status != "handoff"


def test_a_time_already_past_today_is_said_to_have_passed_not_to_be_taken():
    """"hoy a las 8" at 9:00: "Las 08:00 del Mar 1 dic no están libres" — as if someone had taken it."""
    chat = Chat(agenda([1], [(10, 0), (11, 0)]))
    reply = chat.say("hoy a las 8")
    assert "Las 08:00 de hoy ya pasaron." in texts(reply) and "no están libres" not in texts(reply)
    chat = Chat(agenda([1], [(10, 0), (11, 0)]))
    assert "Las 10:30 del Mar 1 dic no están libres." in texts(chat.say("hoy a las 10:30"))


@pytest.mark.parametrize(("message", "status", "shown"), [
    ("ok pero otro día", "choose_day", "¿Qué día te acomoda?"),
    ("mejor otro día", "choose_day", "¿Qué día te acomoda?"),
    ("sí, pero con otra doctora", "choose_time", "Dr. Juan Rojas"),
])
def test_another_day_or_professional_at_the_confirmation_shows_them(message, status, shown):
    """«¿Confirmo …?» — "ok pero otro día" was asked the same question again ("Responde «Sí»…"); "mejor otro día"
    showed the same day's times."""
    chat = Chat(agenda([2, 3, 4], [(9, 0), (11, 0)], TWO))
    assert "¿Confirmo" in texts(chat.say("el miércoles a las 9 con la dra soto"))
    reply = chat.say(message)
    assert reply.status == status and shown in texts(reply) and "¿Confirmo" not in texts(reply)
    assert not chat.books


def test_the_days_of_a_specialty_say_whose_days_they_are():
    """"quiero hora con el traumatólogo": "Estos son los próximos días con horas libres." — of whom, never said."""
    reply = clinic_with_specialties().say("quiero hora con el traumatólogo")
    assert reply.status == "choose_day"
    assert "Estos son los próximos días con horas libres de Traumatología." in texts(reply)


def test_an_ok_after_a_booking_is_answered_in_kind_never_told_nothing_was_booked():
    """"sí" → booked; "ok" greeted again and showed the days; then "gracias" was answered "Entendido, no reservé
    nada" — to a patient who had just booked."""
    chat = Chat(agenda([2, 3], [(9, 0), (11, 0)], TWO))
    chat.say("el miércoles a las 9 con la dra soto")
    assert chat.say("sí").status == "booked"
    ok = chat.say("ok")
    assert ok.status == "closed" and "Hola" not in texts(ok)
    thanks = chat.say("gracias")
    assert "no reservé nada" not in texts(thanks) and len(chat.books) == 1


def test_asking_for_a_call_and_asking_whether_the_appointment_stands_are_understood():
    from test_dialogue_already import finding
    from test_dialogue_appointments import THU, ClinicAgent

    for message in ("que me llame alguien por favor", "no, mejor que me llame alguien", "q me llame alguien",
                    # a complaint asking for a call got the specialties (a helper's walk)
                    "llevo 3 dias tratando de comunicarme, es una verguenza, necesito que alguien me llame YA",
                    "que alguien me contacte porfa", "necesito que alguien de la clínica me llame, es por un examen"):
        reply = Chat(agenda([2], [(9, 0)])).say(message)
        assert reply.status == "handoff", message
        if "contacte" in message:
            assert reply.continuation["data"]["reason"] == "asked_for_person", message
            assert "Una recepcionista te escribirá en breve." in texts(reply), message
        else:  # a call asked for: reception is told to phone, and so is the patient (never "te escribirá")
            assert reply.continuation["data"]["reason"] == "asked_for_call", message
            assert "Le pedí a recepción que te llame en breve." in texts(reply) and "escribir" not in texts(reply)
    for message in ("¿me pueden llamar por favor?", "prefiero que me llamen, no me manejo con el chat",
                    "pueden llamarme al celular?", "please call me"):
        assert Chat(agenda([2], [(9, 0)])).say(message).continuation["data"]["reason"] == "asked_for_call", message
    for message in ("¿quedó mi hora?", "y quedó mi hora o no?", "mi hora quedó reservada?", "se reservó mi hora?"):
        reply = Chat(finding(2, 4), appointments=ClinicAgent(THU)).say(message)
        assert "jueves 3 de diciembre a las 10:00" in texts(reply) and "especialidad" not in texts(reply), message
    reply = Chat(agenda([2], [(9, 0)])).say("hola, me llamo Ana Pérez y necesito hora")  # her name, not a call
    assert reply.status == "choose_day"


def test_a_question_for_reception_is_never_answered_write_reception_to_one_who_asked_for_a_person():
    reply = Chat(agenda([4], [(9, 0)])).say("necesito hablar con alguien de la clinica, es por un reembolso de la isapre")
    assert reply.status == "handoff" and "escribe «recepción»" not in texts(reply)
    assert "Una recepcionista te escribirá en breve." in texts(reply)


def test_the_price_asked_beside_the_address_is_never_skipped_without_a_word():
    said = texts(Chat(agenda([4], [(9, 0)])).say("hola cuanto sale la consulta? y donde quedan?"))
    assert "Estamos en Av. Providencia 1234" in said and "Eso te lo responde recepción" in said


def test_the_wish_said_again_right_after_hola_is_its_menu_not_a_reproach():
    """WhatsApp bursts: "hola" then "necesito hora" 0.4 s apart — the second is answered by the menu already shown."""
    for wish in ("necesito hora", "quiero una hora por favor"):
        chat = Chat(agenda([4, 5], [(9, 0)]))
        chat.say("hola")
        reply = chat.say(wish)
        assert "no te entendí" not in texts(reply) and "¿Qué día te acomoda?" in texts(reply), wish


def test_what_the_visit_includes_is_a_question_for_reception_never_passed_over():
    """"¿la consulta incluye exámenes?" got the days as if nothing had been asked (a helper's walk)."""
    for message in ("hola, la consulta incluye examenes?", "la consulta de kine incluye ejercicios?",
                    "viene con ecografía la consulta?", "does the consultation include an x-ray?"):
        said = texts(Chat(agenda([4], [(9, 0)])).say(message))
        assert "Eso te lo responde recepción" in said or "reception" in said, message


def test_a_professional_named_with_a_title_but_no_con_is_kept_and_a_surname_answers_whom():
    """"hola, hora para la dra soto" asked the specialty again and again, and "rojas" / "la doctora" at «¿Con
    quién?» were not taken (a helper's walk)."""
    soto = [with_specialty(slot(d, h, 0, "Dra. Ana Soto"), "Medicina general") for d in (3, 4) for h in (9, 10)]
    rojas = [with_specialty(slot(d, h, 0, "Dr. Juan Rojas"), "Traumatología") for d in (3, 4) for h in (10, 11)]
    for message in ("hola, hora para la dra soto", "quiero ver a la dra soto", "necesito hora dra soto"):
        reply = Chat(slots(*soto, *rojas)).say(message)
        assert "con la Dra. Ana Soto" in texts(reply) and "especialidad" not in texts(reply), message
    chat = Chat(slots(*soto, *rojas))
    chat.say("hola")
    assert "con la Dra. Ana Soto" in texts(chat.say("la doctora soto"))
    for answer, who in (("rojas", "el Dr. Juan Rojas"), ("la doctora", "la Dra. Ana Soto")):
        chat = Chat(slots(*soto, *rojas))
        chat.say("hola, hora el jueves a las 10")
        assert "¿Con quién?" in texts(chat.say("cualquiera"))
        reply = chat.say(answer)
        assert f"¿Confirmo el jueves 3 de diciembre a las 10:00 con {who}" in texts(reply) and not chat.books, answer


def test_leaving_the_specialty_to_the_bot_shows_every_days():
    """"me da lo mismo" at «¿Qué especialidad necesitas?» asked it again ("cualquiera" worked; a helper's walk)."""
    soto = [with_specialty(slot(d, 9, 0, "Dra. Ana Soto"), "Medicina general") for d in (3, 4)]
    kine = [with_specialty(slot(d, 16, 0, "Klga. Paula Méndez"), "Kinesiología") for d in (3, 4)]
    for message in ("me da lo mismo", "lo que sea", "da igual", "cualquiera"):
        chat = Chat(slots(*soto, *kine))
        assert "¿Qué especialidad necesitas?" in texts(chat.say("hola"))
        reply = chat.say(message)
        assert "especialidad" not in texts(reply) and reply.status == "choose_day", message


def test_a_call_refused_is_never_a_call_asked_for_and_the_day_said_before_the_specialty_stays():
    for message in ("no me llamen porfa, prefiero por aquí", "no quiero que me llamen, hora el jueves",
                    "por favor no me llamen"):
        reply = Chat(agenda([3], [(9, 0)])).say(message)
        assert reply.status != "handoff" and "llame" not in texts(reply), message
    soto = [with_specialty(slot(3, h, 0, "Dra. Ana Soto"), "Medicina general") for h in (9, 10)]
    rojas = [with_specialty(slot(3, 10, 0, "Dr. Juan Rojas"), "Traumatología")]
    for message in ("cualquiera", "me da lo mismo"):  # the third walk: "me da lo mismo" dropped "el jueves a las 10"
        chat = Chat(slots(*soto, *rojas))
        assert "¿Qué especialidad necesitas?" in texts(chat.say("hola hora el jueves a las 10"))
        assert "A las 10:00 del Jue 3 dic atienden varios profesionales" in texts(chat.say(message)), message


def test_a_doctor_at_the_specialty_question_is_general_medicine():
    soto = [with_specialty(slot(3, 9, 0, "Dra. Ana Soto"), "Medicina general")]
    kine = [with_specialty(slot(3, 16, 0, "Klga. Paula Méndez"), "Kinesiología")]
    for message in ("médico", "un doctor", "con un médico normal"):
        chat = Chat(slots(*soto, *kine))
        chat.say("hola")
        assert "Medicina general" in texts(chat.say(message)), message


def test_a_polite_question_for_a_call_is_one_and_being_written_to_is_no_call():
    """"¿no me pueden llamar?" is how a call is asked for politely (the sixth walk: a guard had swallowed it)."""
    for message, reason in (("¿no me pueden llamar?", "asked_for_call"), ("no, me pueden llamar mejor", "asked_for_call"),
                            ("no, call me instead", "asked_for_call"),
                            ("no me pueden llamar, escríbanme", "asked_for_person")):
        assert Chat(agenda([3], [(9, 0)])).say(message).continuation["data"].get("reason") == reason, message


def test_a_call_refused_with_its_reason_is_no_call_and_courtesy_in_capitals_is_no_name():
    for message in ("no me pueden llamar hoy, estoy trabajando", "ahora no me pueden llamar"):
        reply = Chat(agenda([3], [(9, 0)])).say(message)
        assert reply.continuation["data"].get("reason") != "asked_for_call", message
    for answer in ("Muy Bien Gracias", "Saludos Ana", "Un Abrazo"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        chat.say("hola, quiero hora el jueves a las 9")
        chat.say("es para mi hijo")
        assert "a nombre de" not in texts(chat.say(answer)), answer


def test_a_professional_ruled_out_is_never_the_one_proposed():
    """"No con soto, con rojas el jueves a las 10" proposed 10:00 with Dra. Soto (both free then)."""
    clinic = agenda([3], [(10, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas"))
    for message in ("hola, no con soto, con rojas el jueves a las 10",
                    "hola, con la dra soto no, con el dr rojas, el jueves a las 10"):
        reply = Chat(clinic).say(message)
        assert "¿Confirmo el jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas" in texts(reply), message
    reply = Chat(clinic).say("hola, hora el jueves a las 10. No, con la dra soto mejor")  # "no, con…": to her
    assert "Dra. Ana Soto" in texts(reply) and "Dr. Juan Rojas" not in texts(reply)


def test_a_professional_said_with_a_no_that_rules_nothing_out_is_still_asked_for():
    clinic = agenda([3], [(10, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas"))
    for message, who in (("hola, quiero hora con la dra soto no más, el jueves a las 10", "Dra. Ana Soto"),
                         ("¿puede ser con rojas no? el jueves a las 10", "Dr. Juan Rojas")):
        assert f"a las 10:00 con {'la' if 'Dra' in who else 'el'} {who}" in texts(Chat(clinic).say(message)), message
