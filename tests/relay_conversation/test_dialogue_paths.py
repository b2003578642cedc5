"""Every path of the patient's conversation, in Spanish and English, as the patient sees it."""

from __future__ import annotations

from datetime import timedelta

from conversation_kit import EN, ES, NOW, Chat, agenda, booked, buttons, lines, slot, slots, texts

from relay.conversation import Book, after_booking, decide, handoff
from wire.messages import BookResult, WireError

TWO = ("Dra. Ana Soto", "Dr. Juan Rojas")


# --- the day menu -----------------------------------------------------------------------------------------------


def test_a_first_message_with_nothing_to_act_on_greets_and_shows_the_first_days():
    chat = Chat(agenda(range(2, 9), [(10, 30)]))
    reply = chat.say("hola, quiero una hora")
    assert reply.status == "choose_day"
    assert "¡Hola, Ana! Soy el asistente de citas de Clínica Sol." in texts(reply)
    assert lines(reply)[:2] == ["1. miércoles 2 de diciembre", "2. jueves 3 de diciembre"]
    assert buttons(reply) == ["Mié 2 dic", "Más días"]  # the soonest one tap away, and more
    assert "Escribe el número de tu opción." in texts(reply)
    assert reply.continuation["execute_handlers"][-1] == {"handler": "goto", "params": {"type": "question", "step": 1}}
    assert reply.continuation["data"]["option_1"] == "Mié 2 dic"


def test_the_question_step_is_the_clinics():
    chat = Chat(agenda([2], [(10, 0)]), clinic=ES.__class__(name="X", bot_question_step=4))
    assert chat.say("hola").continuation["execute_handlers"][-1]["params"] == {"type": "question", "step": 4}


def test_more_days_pages_a_numbered_list_and_the_last_page_says_so():
    chat = Chat(agenda(range(2, 9), [(10, 30)]))  # 7 days: a list of 5 and "more", then the last 2 as buttons
    first = chat.say("Hola")
    assert len(lines(first)) == 5 and buttons(first) == ["Mié 2 dic", "Más días"]
    last = chat.say("Más días")
    assert buttons(last) == ["Lun 7 dic", "Mar 8 dic", "Primeros días"]
    assert "Estos son los últimos días con horas libres de los próximos 14 días." in texts(last)
    assert lines(chat.say("Primeros días"))[-1] == "7. martes 8 de diciembre"  # all seven fit now
    again = chat.say("más")  # typed "more" past the last day: said so (a helper's walk), and from the start
    assert "No hay más días con horas libres en los próximos 14 días" in texts(again)
    assert lines(again)[0] == "1. miércoles 2 de diciembre"


def test_typing_a_number_of_the_list_is_the_same_as_tapping_it():
    chat = Chat(agenda(range(2, 9), [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0)]))
    chat.say("hola")
    reply = chat.say("3")
    assert reply.status == "choose_time" and "Vie 4 dic" in texts(reply)
    assert lines(reply)[0] == "1. 09:00 · Dra. Ana Soto"
    assert chat.say("4.").status == "booked" and chat.books[0].slot.start == "2026-12-04T10:30:00-03:00"


def test_three_days_show_as_three_buttons_and_one_day_as_one():
    assert buttons(Chat(agenda([2, 3, 4], [(9, 0)])).say("hola")) == ["Mié 2 dic", "Jue 3 dic", "Vie 4 dic"]
    assert buttons(Chat(agenda([9], [(9, 0)])).say("hola")) == ["Mié 9 dic"]


def test_a_time_already_past_does_not_offer_its_day():
    chat = Chat(slots(slot(1, 8, 30), slot(3, 9, 0)))  # 08:30 today is past at 09:00
    assert buttons(chat.say("hola")) == ["Jue 3 dic"]


# --- the time menu ----------------------------------------------------------------------------------------------


def test_a_day_tap_shows_its_times_in_order_and_more_times_pages():
    chat = Chat(agenda([2, 3], [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0)]))
    chat.say("hola")
    reply = chat.say("Mié 2 dic")
    assert reply.status == "choose_time"
    assert lines(reply) == [f"{n}. {t} · Dra. Ana Soto" for n, t in enumerate(["09:00", "09:30", "10:00", "10:30",
                                                                            "11:00"], start=1)]
    assert buttons(reply) == ["09:00", "Otro día"]
    assert "Mié 2 dic" in texts(reply)
    assert reply.continuation["data"]["day"] == "2026-12-02"


def test_more_times_pages_through_a_long_day():
    chat = Chat(agenda([2], [(h, m) for h in range(9, 14) for m in (0, 30)]))  # 10 times
    chat.say("hola")
    reply = chat.say("Mié 2 dic")
    assert len(lines(reply)) == 7 and buttons(reply) == ["09:00", "Más horas", "Otro día"]
    reply = chat.say("Más horas")
    assert buttons(reply) == ["12:30", "13:00", "13:30"]
    assert "Estas son las últimas horas libres de ese día (para verlas todas, escribe «otras horas»)." in texts(reply)


def test_the_professional_is_in_the_label_when_several_work_that_day():
    chat = Chat(agenda([2], [(10, 30), (11, 0)], TWO))
    chat.say("hola")
    assert lines(chat.say("Mié 2 dic")) == ["1. 10:30 · Dr. Juan Rojas", "2. 10:30 · Dra. Ana Soto",
                                           "3. 11:00 · Dr. Juan Rojas", "4. 11:00 · Dra. Ana Soto"]
    chat = Chat(agenda([2], [(10, 30)], TWO))
    chat.say("hola")
    assert buttons(chat.say("Mié 2 dic")) == ["10:30 Dr. Juan Rojas", "10:30 Dra. Ana Soto", "Otro día"]


def test_a_long_name_is_cut_to_title_and_surname():
    chat = Chat(slots(slot(2, 10, 30, "Dra. María José Soto Pérez"), slot(2, 12, 0, "Dra. Antonia Soto")))
    chat.say("hola")
    reply = chat.say("Mié 2 dic")
    assert buttons(reply) == ["10:30 Dra. Soto P.", "12:00 Dra. A. Soto", "Otro día"]


def test_a_time_tap_books_and_confirms_with_date_time_professional_and_address():
    chat = Chat(agenda([2], [(10, 30)]))
    chat.say("hola")
    chat.say("Mié 2 dic")
    reply = chat.say("10:30")
    assert len(chat.books) == 1 and chat.books[0].slot.start == "2026-12-02T10:30:00-03:00"
    assert reply.status == "booked" and just_booked(reply.state) == "2026-12-02T10:30:00-03:00"
    said = texts(reply)
    assert "Miércoles 2 de diciembre a las 10:30, con la Dra. Ana Soto." in said
    assert "Dirección: Av. Providencia 1234, Santiago." in said
    data = reply.continuation["data"]
    assert data["start"] == "2026-12-02T10:30:00-03:00" and data["end"] == "2026-12-02T11:00:00-03:00"
    assert data["professional"] == "Dra. Ana Soto" and data["booking_id"] == "B-1"
    assert data["time"] == "10:30" and data["day"] == "2026-12-02"
    assert "goto" not in [h["handler"] for h in reply.continuation["execute_handlers"]]  # the bot moves on


def test_a_clinic_without_address_confirms_without_it():
    chat = Chat(agenda([2], [(10, 30)]), clinic=ES.__class__(name="Clínica Sol"))
    chat.say("hola")
    chat.say("Mié 2 dic")
    reply = chat.say("10:30")
    assert reply.status == "booked" and "Dirección" not in texts(reply)


# --- free text --------------------------------------------------------------------------------------------------


def test_free_text_days():
    for message, day in [
        ("mañana", "Mié 2 dic"),
        ("pasado mañana", "Jue 3 dic"),
        ("el martes", "Mar 8 dic"),  # said on a Tuesday: next week's
        ("el viernes por favor", "Vie 4 dic"),
        ("2 de diciembre", "Mié 2 dic"),
        ("Lun 7 dic", "Lun 7 dic"),
        ("el 4", "Vie 4 dic"),
        ("4/12", "Vie 4 dic"),
        ("7", "Lun 7 dic"),
    ]:
        chat = Chat(agenda(range(2, 10), [(10, 30), (12, 0)]))
        chat.say("hola")
        reply = chat.say(message)
        assert reply.status == "choose_time", message
        assert day in texts(reply), (message, texts(reply))


def test_free_text_day_and_time_at_once_asks_to_confirm_and_yes_books():
    for message, start, question in [
        ("mañana a las 10:30", "2026-12-02T10:30:00-03:00", "¿Confirmo el miércoles 2 de diciembre a las 10:30"),
        ("el jueves a las 4 de la tarde", "2026-12-03T16:00:00-03:00", "el jueves 3 de diciembre a las 16:00"),
        ("pasado mañana 10.30", "2026-12-03T10:30:00-03:00", "a las 10:30 con la Dra. Ana Soto?"),
        ("Mié 2 dic 16:00", "2026-12-02T16:00:00-03:00", "a las 16:00"),
    ]:
        chat = Chat(agenda([2, 3], [(10, 30), (16, 0)]))
        chat.say("hola")
        reply = chat.say(message)
        assert reply.status == "choose_time" and not chat.books, message
        assert reply.continuation["data"]["code"] == "confirm"
        assert question in texts(reply) and buttons(reply) == ["Sí", "Otra hora"]
        assert chat.say("sí").status == "booked", message
        assert chat.books[0].slot.start == start


def test_free_text_times_on_the_time_menu():
    for message, start in [
        ("10:30", "T10:30"), ("10.30", "T10:30"), ("a las 4", "T16:00"), ("a las 4 de la tarde", "T16:00"),
        ("4pm", "T16:00"), ("16 hrs", "T16:00"), ("las 10 y media", "T10:30"), ("16", "T16:00"),
    ]:
        chat = Chat(agenda([2], [(10, 30), (16, 0)]))
        chat.say("hola")
        chat.say("mañana")
        reply = chat.say(message)
        if reply.status == "choose_time":  # typed, not the button's own text: confirmed first
            assert reply.continuation["data"]["code"] == "confirm", message
            reply = chat.say("Sí")
        assert reply.status == "booked", message
        assert chat.books[0].slot.start.startswith("2026-12-02" + start), message


def test_a_time_several_professionals_have_asks_with_whom_then_books_the_chosen_one():
    chat = Chat(agenda([2], [(10, 30), (11, 0)], TWO))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("10:30")
    assert reply.status == "choose_time" and not chat.books
    assert "A las 10:30 del Mié 2 dic atienden varios profesionales. ¿Con quién?" in texts(reply)
    assert buttons(reply) == ["10:30 Dr. Juan Rojas", "10:30 Dra. Ana Soto"]
    assert chat.say("10:30 Dra. Ana Soto").status == "booked"
    assert chat.books[0].slot.professional == "Dra. Ana Soto"


def test_naming_the_professional_after_with_whom_books():
    chat = Chat(agenda([2], [(10, 30), (11, 0)], TWO))
    chat.say("hola")
    chat.say("mañana")
    chat.say("10:30")
    reply = chat.say("con el Dr. Rojas")
    assert "¿Confirmo el miércoles 2 de diciembre a las 10:30 con el Dr. Juan Rojas?" in texts(reply)
    assert chat.say("ok").status == "booked"
    assert chat.books[0].slot.professional == "Dr. Juan Rojas"


def test_el_n_at_with_whom_is_that_professional_never_the_day_of_the_month():
    """At «¿Con quién?» with its professionals as buttons, "el 2" was read as Wednesday 2 (every time of the day
    listed again, the one chosen lost): it is the second professional, asked. A date said as one is still a date."""
    for message in ("el 2", "quiero el 2", "me quedo con el 2 porfa"):
        chat = Chat(agenda([2, 3, 4], [(10, 30), (11, 0)], TWO))
        chat.say("hola")
        chat.say("Jue 3 dic")
        assert "¿Con quién?" in texts(chat.say("10:30"))
        reply = chat.say(message)
        assert "¿Confirmo el jueves 3 de diciembre a las 10:30 con la Dra. Ana Soto?" in texts(reply), (
            message, texts(reply))
        assert chat.say("sí").status == "booked" and chat.books[0].slot.professional == "Dra. Ana Soto"
    for message, day in (("el martes 8", "Mar 8 dic"), ("el 4 de diciembre", "Vie 4 dic")):
        chat = Chat(agenda([2, 3, 4, 8], [(10, 30), (11, 0)], TWO))
        chat.say("hola")
        chat.say("Jue 3 dic")
        chat.say("10:30")
        reply = chat.say(message)
        assert day in texts(reply) and "¿Confirmo" not in texts(reply), (message, texts(reply))


def test_con_la_dra_soto_filters_days_and_times_by_surname_ignoring_accents_and_case():
    agenda_ = slots(slot(2, 9, 0, "Dr. Juan Rojas"), slot(3, 9, 0, "Dra. Ana Sóto"), slot(3, 9, 30, "Dr. Juan Rojas"),
                    slot(4, 10, 0, "Dra. Ana Sóto"))
    chat = Chat(agenda_)
    chat.say("hola")
    reply = chat.say("con la DRA. SOTO")
    assert reply.status == "choose_day"
    assert buttons(reply) == ["Jue 3 dic", "Vie 4 dic", "Otros profesionales"]  # a way to drop the filter
    assert "Dra. Ana Sóto" in texts(reply) and reply.continuation["data"]["professional"] == "Dra. Ana Sóto"
    assert buttons(chat.say("Jue 3 dic")) == ["09:00", "Otros profesionales", "Otro día"]
    assert chat.say("09:00").status == "booked" and chat.books[0].slot.professional == "Dra. Ana Sóto"


def test_a_professional_filter_and_a_day_in_one_message():
    chat = Chat(agenda([2, 3], [(9, 0), (10, 0)], TWO))
    chat.say("hola")
    reply = chat.say("mañana con Rojas")
    assert buttons(reply) == ["09:00", "10:00", "Otros profesionales"]
    reply = chat.say("Otros profesionales")
    assert len(lines(reply)) == 4 and reply.continuation["data"].get("professional") is None


def test_an_unknown_professional_is_said_and_the_menu_repeated():
    chat = Chat(agenda([2, 3, 4], [(9, 0)], TWO))
    first = chat.say("hola")
    reply = chat.say("con la Dra. Fuentes")
    assert reply.status == "choose_day"
    assert "No encontré a «fuentes»" in texts(reply)
    assert buttons(reply) == buttons(first)


def test_with_the_doctor_names_no_one() -> None:
    # "con el médico" was «No encontré a «medico» entre los profesionales… Perdona, no te entendí»
    for message in ("hola, necesito una hora con el médico porfa", "una hora con la especialista el jueves",
                    "hora con la médica el jueves", "quiero hora con el médico familiar el jueves",
                    "hora con el médico de cabecera"):
        said = texts(Chat(agenda([2, 3, 4], [(9, 0)], TWO)).say(message))
        assert "No encontré a" not in said and "no te entendí" not in said, message
    assert "No encontré a «rojas»" not in texts(Chat(agenda([2, 3, 4], [(9, 0)], TWO)).say("hora con el médico Rojas"))


def test_anyone_clears_the_professional_filter():
    chat = Chat(slots(slot(2, 9, 0, "Dr. Juan Rojas"), slot(3, 9, 0, "Dra. Ana Soto")))
    chat.say("hola")
    assert buttons(chat.say("con Soto")) == ["Jue 3 dic", "Otros profesionales"]
    assert buttons(chat.say("cualquiera")) == ["Mié 2 dic", "Jue 3 dic"]


def test_unknown_text_re_asks_politely_and_repeats_the_current_menu():
    chat = Chat(agenda(range(2, 9), [(9, 0), (9, 30), (10, 0), (10, 30)]))
    chat.say("hola")
    shown = buttons(chat.say("Más días"))
    reply = chat.say("asdf qwerty")
    assert reply.status == "choose_day" and "Perdona, no te entendí." in texts(reply)
    assert buttons(reply) == shown
    shown = lines(chat.say("Vie 4 dic"))
    reply = chat.say("🤔")
    assert reply.status == "choose_time" and "Perdona, no te entendí." in texts(reply)
    assert lines(reply) == shown


def test_contradictory_text_is_ambiguous_and_re_asks():
    chat = Chat(agenda(range(2, 9), [(9, 0)]))
    shown = lines(chat.say("hola"))
    for message in ["lunes 3 dic", "a las 10 o a las 11"]:
        reply = chat.say(message)
        assert reply.status == "choose_day" and "Perdona" in texts(reply), message
        assert lines(reply)[0] == shown[0]


def test_days_said_as_alternatives_are_the_days_offered():
    chat = Chat(agenda(range(2, 15), [(9, 0), (15, 0)]))
    chat.say("hola")
    assert buttons(chat.say("mañana o el jueves")) == ["Mié 2 dic", "Jue 3 dic", "Jue 10 dic"]
    reply = Chat(agenda(range(2, 15), [(9, 0), (15, 0)])).say("hola, solo puedo jueves o viernes en la tarde")
    assert lines(reply) == ["1. jueves 3 de diciembre", "2. viernes 4 de diciembre", "3. jueves 10 de diciembre",
                            "4. viernes 11 de diciembre"]
    reply = Chat(agenda(range(2, 15), [(9, 0), (15, 0)])).say("busco hora el lunes o el miércoles a primera hora")
    assert "La primera hora libre" not in texts(reply)
    assert lines(reply) == ["1. miércoles 2 de diciembre", "2. lunes 7 de diciembre", "3. miércoles 9 de diciembre",
                            "4. lunes 14 de diciembre"]


def test_a_time_without_a_day_asks_for_the_day_first():
    chat = Chat(agenda([2, 3], [(9, 0)]))
    chat.say("hola")
    reply = chat.say("a las 9")
    assert reply.status == "choose_day" and "Elige primero un día" in texts(reply)


def test_a_day_without_free_times_is_said_and_the_days_shown_again():
    chat = Chat(agenda([2, 4], [(9, 0)]))
    chat.say("hola")
    reply = chat.say("pasado mañana")
    assert reply.status == "choose_day"
    assert "El Jue 3 dic no tiene horas libres." in texts(reply)
    assert buttons(reply) == ["Mié 2 dic", "Vie 4 dic"]


def test_a_time_not_free_is_said_and_the_nearest_times_shown():
    chat = Chat(agenda([2], [(9, 0), (9, 30), (10, 0), (15, 0), (15, 30), (16, 0)]))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("15:15")
    assert reply.status == "choose_time" and not chat.books
    assert "Las 15:15 del Mié 2 dic no están libres." in texts(reply)
    assert buttons(reply)[0] in ("15:00", "15:30")


# --- taps that went stale -----------------------------------------------------------------------------------------


def test_a_tapped_day_no_longer_free_is_said_and_the_days_shown_again():
    chat = Chat(agenda([2, 3], [(9, 0)]))
    chat.say("hola")
    chat.agenda = agenda([3], [(9, 0)])
    reply = chat.say("Mié 2 dic")
    assert reply.status == "choose_day" and "El Mié 2 dic no tiene horas libres." in texts(reply)
    assert buttons(reply) == ["Jue 3 dic"]


def test_a_tapped_time_no_longer_free_is_said_and_the_times_shown_again():
    chat = Chat(agenda([2], [(9, 0), (10, 0)]))
    chat.say("hola")
    chat.say("mañana")
    chat.agenda = agenda([2], [(10, 0)])
    reply = chat.say("09:00")
    assert reply.status == "choose_time" and not chat.books
    assert "Esa hora (09:00 del Mié 2 dic) ya no está libre." in texts(reply)
    assert buttons(reply) == ["10:00", "Otro día"]


# --- the booking's outcome ------------------------------------------------------------------------------------------


def test_slot_taken_meanwhile_offers_the_nearest_alternatives():
    taken = slot(2, 10, 30)
    alternatives = (slot(2, 11, 0), slot(2, 10, 0), slot(5, 10, 30), slot(6, 18, 0))
    chat = Chat(agenda([2], [(10, 0), (10, 30), (11, 0)]),
                agent=lambda s: WireError("slot_taken", "taken", alternatives=alternatives))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("10:30")
    assert chat.books[0].slot == taken
    assert reply.status == "choose_time" and reply.continuation["data"]["code"] == "slot_taken"
    # which time it was is said: the patient may read this long after picking it (after "Aún no sé…")
    assert "Ese horario (Mié 2 dic 10:30) acaba de ser tomado." in texts(reply)
    assert buttons(reply) == ["10:00", "11:00", "Sáb 5 dic 10:30"]
    chat.agent = booked
    assert chat.say("11:00").status == "booked"
    assert chat.books[-1].slot.start == "2026-12-02T11:00:00-03:00"


def test_slot_taken_alternatives_keep_to_the_time_of_day_asked_for():
    alternatives = (slot(2, 12, 30), slot(2, 11, 30), slot(2, 16, 0), slot(2, 17, 0), slot(3, 15, 30))
    chat = Chat(agenda([2], [(11, 30), (12, 30), (15, 0), (16, 0), (17, 0)]),
                agent=lambda s: WireError("slot_taken", "taken", alternatives=alternatives))
    chat.say("hola, necesito hora mañana en la tarde")
    reply = chat.say("15:00")
    assert chat.books[0].slot == slot(2, 15, 0)
    assert buttons(reply) == ["16:00", "17:00", "Jue 3 dic 15:30"]  # not 12:30 and 11:30, nearer but morning


def test_slot_taken_without_alternatives_offers_the_rest_of_that_day():
    chat = Chat(agenda([2], [(10, 0), (10, 30), (11, 0), (17, 0)]), agent=lambda s: WireError("slot_taken", "taken"))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("10:30")
    assert buttons(reply) == ["10:00", "11:00", "17:00"]


def test_slot_taken_with_nothing_else_known_offers_other_days():
    chat = Chat(agenda([2], [(10, 30)]), agent=lambda s: WireError("slot_taken", "taken"))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("10:30")
    assert reply.status == "choose_day" and buttons(reply) == ["Otros días"]
    assert "acaba de ser tomado" in texts(reply)
    chat.agenda = agenda([3, 4], [(9, 0)])
    assert buttons(chat.say("Otros días")) == ["Jue 3 dic", "Vie 4 dic"]


def test_a_slot_taken_is_not_offered_again_from_memory():
    chat = Chat(agenda([2], [(9, 0), (10, 30)]), agent=lambda s: WireError("slot_taken", "taken"))
    chat.say("hola")
    chat.say("mañana")
    assert buttons(chat.say("10:30")) == ["09:00"]
    reply = chat.say("09:00")
    assert reply.status == "choose_day" and buttons(reply) == ["Otros días"]


def test_a_naive_now_is_read_as_utc():
    chat = Chat(agenda([2], [(9, 0)]), now=NOW.replace(tzinfo=None))
    assert chat.say("hola").status == "choose_day"
    assert chat.say("mañana").status == "choose_time"


def test_a_booking_whose_outcome_is_unknown_is_kept_and_asked_again_with_the_same_key():
    answers: list[BookResult | WireError] = [WireError("portal_down", "down")]
    chat = Chat(agenda([2], [(10, 30)]), agent=lambda s: answers.pop(0) if answers else booked(s))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("10:30")
    assert reply.status == "handoff" and reply.state is not None and reply.state.gave_up
    data = reply.continuation["data"]
    assert data["reason"] == "portal_down" and data["booking"] == "unconfirmed"
    assert data["requested_start"] == "2026-12-02T10:30:00-03:00"
    assert "Aún no sé si tu hora del miércoles 2 de diciembre a las 10:30 con Dra. Ana Soto quedó reservada" in texts(
        reply
    )
    assert "No pidas otra hora" in texts(reply)

    # Two hours later the patient writes anything at all: the same booking is asked for again, never a new one.
    again = chat.say("hola??", minutes_later=120)
    assert [b.idempotency_key for b in chat.books] == [chat.books[0].idempotency_key] * 2
    assert again.status == "booked" and just_booked(again.state) == "2026-12-02T10:30:00-03:00"
    assert "¡Al final tu hora quedó reservada, Ana!" in texts(again)


def test_a_wish_to_call_a_booking_off_said_while_it_was_not_known_is_asked_once_it_turns_out_booked():
    """ "Mejor no, cancela eso" while "Aún no sé…": the booking is asked for again (same key, never a second one),
    and once it turns out booked the patient is asked whether to cancel it, not told "¡Listo!" as if unsaid."""
    for said, later in (("mejor no, cancela eso", "hola?"), ("hola?? quiero cancelar", "")):
        answers: list[BookResult | WireError] = [WireError("timeout", "")]
        if later:
            answers.append(WireError("timeout", ""))
        chat = Chat(agenda([2], [(10, 30)]), agent=lambda s, answers=answers: answers.pop(0) if answers else booked(s))
        chat.say("hola")
        chat.say("mañana")
        assert "Aún no sé" in texts(chat.say("10:30"))
        reply = chat.say(said)
        if later:
            assert "Aún no sé" in texts(reply)
            reply = chat.say(later, minutes_later=5)
        assert len({b.idempotency_key for b in chat.books}) == 1
        assert "¡Al final tu hora quedó reservada!" in texts(reply) and "Me pediste no tomarla: ¿la cancelo?" in texts(
            reply), (said, texts(reply))
        assert buttons(reply) == ["Sí, cancelar", "No"]
        assert "Entendido, tu hora sigue en pie." in texts(chat.say("no, la dejo"))


def test_a_booking_kept_open_that_did_not_happen_says_so():
    answers: list[WireError] = [WireError("timeout", ""), WireError("internal", "not found", nothing_written=True)]
    chat = Chat(agenda([2], [(10, 30)]), agent=lambda s: answers.pop(0))
    chat.say("hola")
    chat.say("mañana")
    assert chat.say("10:30").state is not None
    reply = chat.say("Hola")
    assert reply.status == "handoff" and reply.state is None
    assert reply.continuation["data"]["booking"] == "failed"
    assert reply.continuation["data"]["reason"] == "booking_failed"  # the clinic's task says it did NOT happen
    assert "Tu hora del miércoles 2 de diciembre a las 10:30 con la Dra. Ana Soto no se pudo reservar." in texts(reply)


def test_errors_that_wrote_nothing_end_the_conversation():
    for error in [WireError("portal_down", "down", nothing_written=True), WireError("paused", "")]:
        chat = Chat(agenda([2], [(10, 30)]), agent=lambda s, error=error: error)
        chat.say("hola")
        chat.say("mañana")
        reply = chat.say("10:30")
        assert reply.status == "handoff" and reply.state is not None and reply.state.stage == "handed_off", error
        assert reply.state.pending is None and reply.state.patient == () and reply.state.options == ()
        assert "Una recepcionista te escribirá en breve." in texts(reply)
        assert "booking" not in reply.continuation["data"]
        # Said as it is, right after the times were shown: not "no puedo revisar la agenda"
        assert texts(reply).startswith("Tu hora del miércoles 2 de diciembre a las 10:30 con la Dra. Ana Soto no se"
                                       " pudo reservar."), texts(reply)


def test_an_open_booking_is_forgotten_once_its_time_has_passed():
    chat = Chat(agenda([2, 9], [(10, 30)]), agent=lambda s: WireError("timeout", ""))
    chat.say("hola")
    chat.say("mañana")
    assert chat.say("10:30").state is not None
    assert isinstance(chat.decide("hola", minutes_later=60), Book)
    fresh = chat.decide("hola", minutes_later=26 * 60)
    assert not isinstance(fresh, Book) and fresh.status == "choose_day"


# --- navigation, endings, expiry --------------------------------------------------------------------------------


def test_back_words_return_from_the_times_to_the_days():
    for word in ["volver", "atrás", "Otro día", "VOLVER!"]:
        chat = Chat(agenda(range(2, 9), [(9, 0)]))
        first = lines(chat.say("hola"))
        chat.say("Jue 3 dic")
        reply = chat.say(word)
        assert reply.status == "choose_day", word
        assert lines(reply)[0] == first[0]


def test_more_days_from_the_times_shows_the_days_after_the_chosen_one():
    chat = Chat(agenda(range(2, 9), [(9, 0)]))
    chat.say("hola")
    chat.say("Jue 3 dic")
    assert lines(chat.say("más días"))[0] == "1. viernes 4 de diciembre"


def test_cancel_ends_politely_and_forgets():
    for word in ["cancelar", "Salir"]:
        chat = Chat(agenda([2], [(9, 0)]))
        chat.say("hola")
        reply = chat.say(word)
        assert reply.status == "handoff" and reply.state is None
        assert reply.continuation["data"]["reason"] == "cancelled"
        assert "no reservé nada" in texts(reply)


def test_asking_to_cancel_a_booking_or_for_a_person_hands_off():
    for message, reason in [
        ("quiero cancelar mi hora del martes", "cancel_requested"),
        ("necesito hablar con una persona", "asked_for_person"),
        ("I want to reschedule", "reschedule_requested"),
    ]:
        chat = Chat(agenda([2], [(9, 0)]))
        chat.say("hola")
        reply = chat.say(message)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == reason, message
        assert "una recepcionista te escribirá en breve." in texts(reply).lower()


def test_no_free_slots_at_all_hands_off():
    chat = Chat(slots())
    reply = chat.say("hola")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "no_slots"
    assert "¡Hola, Ana!" in texts(reply) and "no quedan horas libres en los próximos 14 días" in texts(reply)
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    chat.agenda = slots()
    reply = chat.say("mañana")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "no_slots"


def test_thirty_minutes_of_silence_start_a_new_conversation():
    chat = Chat(agenda(range(2, 9), [(9, 0)]))
    chat.say("hola")
    first_id = chat.state.conversation_id
    assert chat.say("Más días", minutes_later=29).status == "choose_day"
    assert "¡Hola" not in texts(chat.replies[-1])
    reply = chat.say("Jue 3 dic", minutes_later=31)  # a new conversation, that reads its first message
    assert "¡Hola, Ana!" in texts(reply) and reply.status == "choose_time" and "Jue 3 dic" in texts(reply)
    assert chat.state.conversation_id != first_id


def test_another_leads_state_is_not_used():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    chat.lead_id = "9999"
    assert "¡Hola" in texts(chat.say("mañana"))


# --- handoff from the core ------------------------------------------------------------------------------------------


def test_handoff_for_the_core_reasons():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    for reason in ["agent_offline", "paused", "timeout", "login_failed"]:
        reply = handoff(chat.state, chat.turn("mañana"), ES, reason)
        assert reply.status == "handoff" and reply.state is not None and reply.state.stage == "handed_off"
        assert reply.continuation["data"]["reason"] == reason
        assert texts(reply) == "En este momento no puedo revisar la agenda. Una recepcionista te escribirá en breve."
    reply = handoff(None, chat.turn("hola"), EN, "agent_offline")
    assert texts(reply) == "I can't check the schedule right now. A receptionist will write to you shortly."


def test_handoff_while_booking_keeps_the_booking_and_says_it_is_not_confirmed_yet():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    chat.say("mañana")
    book = chat.decide("09:00")
    assert isinstance(book, Book)
    reply = handoff(book.state, chat.turn("09:00"), ES, "timeout")
    assert "Aún no sé si tu hora" in texts(reply) and reply.state is not None and reply.state.booking_open
    assert reply.continuation["data"]["requested_slot_id"] == book.slot.id


# --- idempotency --------------------------------------------------------------------------------------------------


def test_a_repeated_pick_yields_the_same_idempotency_key():
    chat = Chat(agenda([2], [(9, 0), (9, 30)]))
    chat.say("hola")
    chat.say("mañana")
    first = chat.decide("09:00")
    assert isinstance(first, Book)
    # The core stored the booking state; Kommo delivers the same tap again (and the slot is gone by now).
    chat.state = type(first.state).from_json(first.state.to_json())
    chat.agenda = agenda([2], [(9, 30)])
    again = chat.decide("09:00")
    assert isinstance(again, Book) and again.idempotency_key == first.idempotency_key and again.slot == first.slot
    reply = after_booking(again.state, chat.turn("09:00"), ES, booked(again.slot))
    assert reply.status == "booked"


def test_keys_differ_by_slot_and_by_conversation_and_fit_the_wire_rules():
    import re

    def key_for(message: str, began_minutes: int) -> str:
        chat = Chat(agenda([2], [(9, 0), (9, 30)]), now=NOW + timedelta(minutes=began_minutes))
        chat.say("hola")
        chat.say("mañana")
        book = chat.decide(message)
        assert isinstance(book, Book)
        return book.idempotency_key

    assert key_for("09:00", 0) == key_for("09:00", 0)
    assert key_for("09:00", 0) != key_for("09:30", 0)
    assert key_for("09:00", 0) != key_for("09:00", 5)
    assert re.fullmatch(r"[A-Za-z0-9._:@+\-]{1,200}", key_for("09:00", 0))


def test_a_different_message_while_booking_asks_for_the_same_booking_again():
    chat = Chat(agenda([2], [(9, 0), (9, 30)]))
    chat.say("hola")
    chat.say("mañana")
    book = chat.decide("09:00")
    chat.state = book.state  # the relay stopped before the agent answered
    reply = chat.say("09:30")
    assert reply.status == "booked" and [b.slot.start[11:16] for b in chat.books] == ["09:00"]
    assert chat.books[0].idempotency_key == book.idempotency_key


# --- English --------------------------------------------------------------------------------------------------------


def test_the_whole_path_in_english():
    chat = Chat(agenda(range(2, 9), [(10, 30), (16, 0)], TWO), clinic=EN)
    reply = chat.say("Hello")
    assert "Hi, Ana! I'm the booking assistant at Sun Clinic." in texts(reply)
    assert lines(reply)[0] == "1. Wednesday 2 December" and buttons(reply) == ["Wed 2 Dec", "More days"]
    assert "Type the number of your choice." in texts(reply)
    assert buttons(chat.say("More days")) == ["Mon 7 Dec", "Tue 8 Dec", "First days"]
    reply = chat.say("tomorrow")
    assert lines(reply)[:2] == ["1. 10:30 · Dr. Juan Rojas", "2. 10:30 · Dra. Ana Soto"]
    assert buttons(reply) == ["10:30 Dr. Juan Rojas", "Another day"]
    assert "Which time suits you on Wed 2 Dec?" in texts(reply)
    reply = chat.say("at 4pm")
    assert "Several professionals are free at 16:00 on Wed 2 Dec. With whom?" in texts(reply)
    reply = chat.say("with Dr. Rojas")
    assert "Shall I book Wednesday 2 December at 16:00 with Dr. Juan Rojas?" in texts(reply)
    assert buttons(reply) == ["Yes", "Another time"]
    reply = chat.say("yes")
    assert reply.status == "booked"
    assert "Wednesday 2 December at 16:00, with Dr. Juan Rojas." in texts(reply)
    assert "Address: 12 High Street, London." in texts(reply)


def test_english_free_text_and_re_asks():
    chat = Chat(agenda(range(2, 9), [(10, 30)]), clinic=EN)
    chat.say("hi")
    assert "Tue 8 Dec" in texts(chat.say("Tuesday"))
    assert chat.say("back").status == "choose_day"
    assert "Mon 7 Dec" in texts(chat.say("Mon 7 Dec"))
    reply = chat.say("what?")
    assert "Sorry, I didn't get that." in texts(reply) and reply.status == "choose_time"
    assert "That time" not in texts(reply)
    reply = chat.say("cancel")
    assert reply.status == "handoff" and "nothing was booked" in texts(reply)


def test_english_slot_taken_and_no_slots():
    chat = Chat(agenda([2], [(10, 0), (10, 30)]), clinic=EN, agent=lambda s: WireError("slot_taken", "x"))
    chat.say("hi")
    chat.say("Wed 2 Dec")
    reply = chat.say("10:30")
    assert "was just taken." in texts(reply) and buttons(reply) == ["10:00"]
    reply = Chat(slots(), clinic=EN).say("hi")
    assert "There are no free times in the next 14 days right now." in texts(reply)
    assert "A receptionist will write to you shortly." in texts(reply)


# --- time zones --------------------------------------------------------------------------------------------------------


def test_days_and_times_are_the_clinics_not_utc():
    from datetime import timezone

    kolkata = timezone(timedelta(hours=5, minutes=30))
    # 20:00 UTC on 1 Dec is 01:30 on 2 Dec in Kolkata: "mañana" is the 3rd there.
    chat = Chat(agenda([2, 3], [(9, 0)], tz=kolkata), now=NOW.replace(hour=20))
    chat.say("hola")
    reply = chat.say("mañana")
    assert "Jue 3 dic" in texts(reply) and buttons(reply) == ["09:00", "Otro día"]
    reply = chat.say("09:00")
    assert "Jueves 3 de diciembre a las 09:00" in texts(reply)
    assert chat.books[0].slot.start == "2026-12-03T09:00:00+05:30"


def test_a_late_evening_slot_stays_on_its_local_day():
    # 23:30 at -03:00 is already the next day in UTC; the patient must see it on the clinic's day.
    chat = Chat(slots(slot(2, 23, 30)))
    assert buttons(chat.say("hola")) == ["Mié 2 dic"]
    assert buttons(chat.say("Mié 2 dic")) == ["23:30", "Otro día"]


def test_a_direct_decide_with_a_fresh_state_is_the_same_as_none():
    chat = Chat(agenda([2], [(9, 0)]))
    reply = decide(None, chat.turn("hola"), ES, chat.agenda)
    assert reply.status == "choose_day"


def test_afternoon_starts_the_times_at_noon_and_next_week_the_days_at_monday():
    chat = Chat(agenda(range(2, 12), [(9, 0), (9, 30), (10, 0), (15, 0), (15, 30)]))
    chat.say("hola")
    reply = chat.say("mañana en la tarde")
    assert buttons(reply) == ["15:00", "15:30", "Cualquier hora"]  # and a way to drop the filter
    reply = chat.say("por la mañana")  # the morning's times only
    assert buttons(reply) == ["09:00", "09:30", "10:00"]
    assert lines(chat.say("la próxima semana"))[0] == "1. lunes 7 de diciembre"


def test_cancel_while_a_booking_outcome_is_unknown_asks_the_agent_first():
    chat = Chat(agenda([2], [(9, 0)]), agent=lambda s: WireError("timeout", ""))
    chat.say("hola")
    chat.say("mañana")
    book = chat.decide("09:00")
    chat.state = book.state  # the relay stopped before the agent answered
    reply = chat.say("cancelar")
    assert [b.idempotency_key for b in chat.books] == [book.idempotency_key]
    assert reply.status == "handoff" and reply.continuation["data"]["booking"] == "unconfirmed"
    assert "no reservé nada" not in texts(reply) and "Aún no sé si tu hora" in texts(reply)
    assert reply.continuation["data"]["requested_slot_id"] == book.slot.id


def test_a_goodbye_at_any_menu_ends_the_conversation_politely():
    for goodbye in ("chao", "gracias, chao", "ok gracias, hasta luego"):
        chat = Chat(agenda((2, 3), ((9, 0), (10, 0))))
        chat.say("hola")
        chat.say("1")  # a day: the time menu is open
        reply = chat.say(goodbye)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "cancelled", goodbye
        assert "no reservé nada" in texts(reply)


SIX_TIMES = [(8, 30), (11, 0), (14, 30), (15, 30), (17, 0), (17, 30)]


def test_a_late_time_not_free_shows_the_day_s_last_times_not_only_the_nearest():
    chat = Chat(agenda([2], SIX_TIMES))
    chat.say("hola")
    reply = chat.say("mañana a las 6 de la tarde")
    assert "Las 18:00 del Mié 2 dic no están libres." in texts(reply)
    assert buttons(reply)[:3] == ["15:30", "17:00", "17:30"]
    assert "Estas son las últimas horas libres de ese día (para verlas todas, escribe «otras horas»)." in texts(reply)
    every = chat.say("otras horas")  # the earlier ones were free too: "últimas" alone read as "the only ones left"
    assert lines(every) == [f"{n}. {h:02d}:{m:02d} · Dra. Ana Soto" for n, (h, m) in enumerate(SIX_TIMES, 1)]


def test_another_time_at_a_confirmation_shows_the_day_from_its_first_time():
    chat = Chat(agenda([2], SIX_TIMES))
    chat.say("hola")
    reply = chat.say("mañana a las 17:00")
    assert "¿Confirmo el miércoles 2 de diciembre a las 17:00" in texts(reply)
    reply = chat.say("no")
    assert reply.status == "choose_time" and lines(reply)[0].startswith("1. 08:30")
    assert "últimas horas" not in texts(reply)


def test_a_day_past_the_fourteen_days_says_so_and_how_to_get_it():
    chat = Chat(agenda(range(2, 15), [(9, 0)]))  # today is Tue 1 Dec: the agenda reaches Mon 14
    chat.say("hola")
    reply = chat.say("el 28 a las 9")
    assert reply.status == "choose_day"
    assert "Solo puedo ver la agenda de los próximos 14 días (hasta el Lun 14 dic). Para el Lun 28 dic" in texts(reply)
    assert "no tiene horas libres" not in texts(reply)
    assert chat.say("recepción").continuation["data"]["reason"] == "asked_for_person"
    chat = Chat(agenda(range(2, 15), [(9, 0)]))
    reply = chat.say("hora el viernes 18")  # there is one: past the fourteen days, not "no hay un viernes 18"
    assert "Para el Vie 18 dic" in texts(reply) and "No hay un viernes 18" not in texts(reply)
    assert "No hay un lunes 3" in texts(Chat(agenda(range(2, 15), [(9, 0)])).say("hora el lunes 3"))


def test_none_of_the_times_goes_to_other_days_and_none_of_the_days_ends_politely():
    chat = Chat(agenda([2, 3], [(9, 0), (10, 0)]))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("ninguna de esas horas me sirve")
    assert reply.status == "choose_day" and "Entendido. ¿Te sirve otro día?" in texts(reply)
    assert "Perdona" not in texts(reply)
    reply = chat.say("tampoco, ninguno")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "cancelled"
    assert "no reservé nada" in texts(reply) and not chat.books


def test_a_day_ruled_out_at_the_times_is_not_taken_for_none_of_them():
    chat = Chat(agenda([2, 3], [(9, 0), (10, 0)]))
    chat.say("hola")
    chat.say("mañana")
    reply = chat.say("no me sirve el jueves, mejor el miércoles")
    assert reply.status == "choose_time" and reply.continuation["data"]["day_label"] == "Mié 2 dic"


def test_a_question_about_the_clinic_is_answered_and_the_menu_stays():
    chat = Chat(agenda([2, 3], [(9, 0), (10, 0)]))
    first = chat.say("hola, ¿dónde queda la clínica?")
    assert "Estamos en Av. Providencia 1234, Santiago." in texts(first) and first.status == "choose_day"
    chat.say("mañana")
    reply = chat.say("¿cuánto cuesta la consulta?")
    assert reply.status == "choose_time" and "Perdona" not in texts(reply)
    assert "escribe «recepción» y una recepcionista te escribirá" in texts(reply)
    assert buttons(reply)[:2] == ["09:00", "10:00"]
    reply = chat.say("y donde queda?")
    assert "Estamos en Av. Providencia 1234, Santiago." in texts(reply) and reply.status == "choose_time"
    assert chat.say("recepción").continuation["data"]["reason"] == "asked_for_person"


def test_a_weekday_said_at_next_week_s_days_is_that_week_s():
    chat = Chat(agenda(range(2, 15), [(9, 0)]))  # today is Tue 1 Dec
    chat.say("hola")
    reply = chat.say("tienen algo la otra semana?")
    assert reply.status == "choose_day" and buttons(reply)[0].startswith("Lun 7")
    reply = chat.say("mejor el viernes")
    assert reply.continuation["data"]["day_label"] == "Vie 11 dic"
    chat = Chat(agenda(range(2, 15), [(9, 0)]))
    chat.say("hola")
    assert chat.say("el viernes").continuation["data"]["day_label"] == "Vie 4 dic"  # days from today: this week's


def test_courtesy_in_patients_own_words_is_answered_in_kind():
    for message, said in (("perfecto, muchísimas gracias! que tenga buen día", "¡De nada"),
                          ("ok gracias, quedo atento", "¡De nada"), ("graciass", "¡De nada"),
                          ("gracias, nos vemos el viernes!", "¡De nada"), ("chaito", "¡Hasta pronto")):
        reply = Chat(agenda([2], [(9, 0)])).say(message)
        assert reply.status == "closed" and texts(reply).startswith(said), (message, texts(reply))
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    assert chat.say("ok chaito").status == "handoff"  # at a menu: ends politely, nothing booked


def test_a_no_in_own_words_at_a_confirmation_shows_the_other_times():
    chat = Chat(agenda([2], [(9, 0), (10, 0), (11, 0)]))
    chat.say("hola")
    chat.say("mañana a las 10")
    reply = chat.say("nop, prefiero otra")
    assert reply.status == "choose_time" and "Responde «Sí»" not in texts(reply) and not chat.books


def test_asking_to_repeat_the_options_shows_them_again_without_a_reproach():
    chat = Chat(agenda([2], [(9, 0), (10, 0), (11, 0)]))
    chat.say("hola")
    shown = chat.say("mañana")
    reply = chat.say("perdón, me puedes repetir las horas?")
    assert reply.status == "choose_time" and "Perdona, no te entendí" not in texts(reply)
    assert buttons(reply) == buttons(shown)


def test_after_a_handoff_the_patient_is_told_reception_knows_and_can_still_book():
    chat = Chat(agenda([2], [(9, 0), (10, 0)]), agent=lambda s: WireError("paused", ""))
    chat.say("hola")
    chat.say("mañana")
    assert chat.say("09:00").status == "handoff"
    reply = chat.say("hola? sigo esperando")
    assert reply.status == "closed" and "Ya le avisamos a recepción" in texts(reply) and "Hola" not in texts(reply)
    assert chat.say("ok gracias, quedo atento").status == "closed"
    assert chat.say("?").status == "closed"
    assert chat.say("reservar").status == "choose_day"


def test_a_greeting_after_asking_for_a_person_still_waits_but_after_the_agent_was_away_starts_again():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    assert chat.say("quiero hablar con una persona").continuation["data"]["reason"] == "asked_for_person"
    assert chat.say("hola").status == "closed"
    away = Chat(agenda([2], [(9, 0), (10, 0)]), agent=lambda s: WireError("paused", ""))
    away.say("hola")
    away.say("mañana")
    assert away.say("09:00").status == "handoff"
    assert away.say("hola").status == "choose_day"


def test_la_2_at_a_numbered_list_is_its_second_line_and_thanks_at_the_days_ends_saying_nothing_was_booked():
    chat = Chat(agenda([2], [(h, 0) for h in range(9, 17)]))  # eight times: a numbered list
    chat.say("hola")
    listed = chat.say("mañana")
    assert lines(listed)[1].startswith("2. 10:00")
    # "la 2" with 14:00 listed too: the second line, asked about (2 o'clock is a reading too; a helper's walk)
    assert "¿Confirmo el miércoles 2 de diciembre a las 10:00" in texts(chat.say("la 2")) and not chat.books
    assert chat.say("sí").status == "booked" and chat.books[0].slot.start[11:16] == "10:00"
    chat = Chat(agenda([2], [(h, 30) for h in range(9, 17)]))  # no hour at :00: "la 2" is only the second line
    chat.say("hola")
    chat.say("mañana")
    assert chat.say("la 2").status == "booked" and chat.books[0].slot.start[11:16] == "10:30"
    chat = Chat(agenda([2, 3], [(9, 0)]))
    chat.say("hola")
    reply = chat.say("gracias po")
    assert reply.status == "handoff" and "no reservé nada" in texts(reply)
    assert Chat(agenda([2], [(9, 0)])).say("gracias po").status == "closed"


def test_a_time_not_free_shows_the_one_just_before_it_too():
    chat = Chat(agenda([2], [(9, 0), (9, 30), (10, 0), (11, 0), (15, 0), (15, 30), (16, 0)]))
    chat.say("hola, mañana")
    reply = chat.say("10:45")  # 11:00 is nearer, 10:00 is earlier: both
    assert "Las 10:45 del Mié 2 dic no están libres." in texts(reply)
    assert [line.split(" · ")[0] for line in lines(reply)[:2]] == ["1. 10:00", "2. 11:00"]


def test_days_left_out_for_the_time_of_day_asked_for_are_said_so():
    free = slots(slot(2, 11, 0), slot(3, 9, 0), slot(7, 16, 0), slot(8, 17, 0))
    reply = Chat(free).say("hola, quiero hora a primera hora")
    assert "Estos son los próximos días con horas libres antes de las 12:00." in texts(reply)
    assert lines(reply) == [] and buttons(reply)[:2] == ["Mié 2 dic", "Jue 3 dic"]  # Monday 7 only has 16:00
    assert "Cualquier hora" in buttons(reply)
    chat = Chat(free)
    chat.say("hola")
    reply = chat.say("mejor en la tarde")
    assert "con horas libres desde las 13:00" in texts(reply) and buttons(reply)[:2] == ["Lun 7 dic", "Mar 8 dic"]


def test_a_number_of_the_first_list_still_picks_its_line_after_the_list_is_shown_again_shorter():
    """After "no te entendí" the list came back a line shorter (the apology takes room); the patient, still reading
    the first one, typed its last number "7" and was offered 07:00/19:00 — or booked a time they never chose."""
    free = agenda([7], [(9, 30), (10, 30), (11, 30), (12, 30), (15, 30), (16, 30), (17, 30)], ("Dr. Pablo Rojas",))
    chat = Chat(free)
    first = chat.say("quiero hora el lunes")
    assert lines(first)[-1].startswith("7. 17:30")
    again = chat.say("asdf")
    assert "no te entendí" in texts(again) and len(lines(again)) < len(lines(first))
    reply = chat.say("7")
    assert reply.status == "booked" and "17:30" in texts(reply)
    assert [b.slot.start[11:16] for b in chat.books] == ["17:30"]
    chat = Chat(free)
    chat.say("quiero hora el lunes")
    shown = lines(chat.say("asdf"))
    reply = chat.say("la última")  # of the lines on screen now, never one only the first list had
    assert [b.slot.start[11:16] for b in chat.books] == [shown[-1].split(". ")[1][:5]], texts(reply)


def test_a_voice_note_that_ends_in_a_hand_off_does_not_also_ask_the_patient_to_write():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola")
    chat.say("asdf")
    chat.say("qwer")
    reply = chat.say("🎤 Mensaje de voz")
    assert reply.status == "handoff" and "escríbeme" not in texts(reply)
    assert texts(reply).startswith("No puedo escuchar audios") and "Una recepcionista te escribirá" in texts(reply)


def test_a_month_past_the_days_shown_is_said_not_ignored():
    """"hora con kine en enero" showed December's days as if January had not been asked for."""
    for message in ("hola, necesito hora en enero", "quiero hora para el mes de enero porfa", "una hora en marzo"):
        reply = Chat(agenda(range(2, 16), [(9, 0)])).say(message)
        assert "Solo puedo ver la agenda de los próximos 14 días" in texts(reply), message
        assert ("Para enero," in texts(reply)) or ("Para marzo," in texts(reply)), message
    for message in ("hola, necesito hora en diciembre", "hora para el 3 de diciembre"):  # within the days shown
        assert "Solo puedo ver" not in texts(Chat(agenda(range(2, 16), [(9, 0)])).say(message)), message


def test_a_person_asked_for_while_a_booking_was_not_known_is_handed_off_once_it_is_told():
    """"Aún no sé…", then "quiero hablar con una persona": the bot said only "¡Al final tu hora quedó reservada!" and
    reception's task was closed — nobody was asked to write to the patient."""
    answers: list[BookResult | WireError] = [WireError("timeout", "")]
    chat = Chat(agenda([2], [(10, 30)]), agent=lambda s: answers.pop(0) if answers else booked(s))
    chat.say("hola")
    chat.say("mañana")
    assert "Aún no sé" in texts(chat.say("10:30"))
    reply = chat.say("quiero hablar con una persona")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "asked_for_person"
    assert reply.continuation["data"]["booking"] == "booked" and len({b.idempotency_key for b in chat.books}) == 1
    assert "¡Al final tu hora quedó reservada" in texts(reply) and "Una recepcionista te escribirá" in texts(reply)


def test_a_patient_who_booked_in_english_is_answered_in_english_afterwards():
    """"hi" / "yes" / "ok" after an English booking at a Spanish clinic were answered in Spanish (a helper's walk):
    one short word does not tell the language, the conversation that just ended does."""
    from test_dialogue_already import finding
    from test_dialogue_appointments import ClinicAgent

    for message, said in (("hi", "You already have an appointment"), ("ok", "Great, Ana!"), ("yes", "Great, Ana!")):
        agent = ClinicAgent()
        chat = Chat(finding(3), appointments=agent)
        chat.say("hi, I need an appointment on thursday")
        assert chat.say("09:00").status == "booked"
        agent.bookings.append(booked_as_listed(chat.books[0].slot))
        reply = chat.say(message)
        assert said in texts(reply) and "Hola" not in texts(reply), message
    chat = Chat(finding(3))
    chat.say("hola, necesito hora el jueves")
    chat.say("09:00")
    # A Spanish booking at a Spanish clinic keeps only the appointment, as it was booked
    assert just_booked(chat.state) == "2026-12-03T09:00:00-03:00" and chat.state.language == ""


def just_booked(state) -> str:
    """The start of the appointment a conversation that ended keeps (what "¿a qué hora era?" is answered with), when
    it keeps nothing else of the patient's."""
    assert state.stage == "done" and not state.said and not state.patient and not state.patient_name
    return state.target.start


def booked_as_listed(slot):
    from wire.appointments import WireBooking

    return WireBooking("bk-9", slot.start, slot.end, slot.professional, patient="Ana Pérez")


def test_a_mistake_while_choosing_goes_back_and_starting_over_starts_over():
    """"me equivoqué" while choosing a new booking's time was "Para cambiar tu hora, una recepcionista te escribirá"
    (there was none to change), and "empecemos de nuevo" re-asked «¿Confirmo…?» (a helper's walk)."""
    for message in ("me equivoqué", "me equivoque de dia", "uy, me equivoqué"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        chat.say("hora el jueves a las 9")
        reply = chat.say(message)
        assert reply.status == "choose_day" and "¿Qué día te acomoda?" in texts(reply), message
    for message in ("empecemos de nuevo", "volvamos a empezar", "quiero partir de cero", "me equivoqué de doctor"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
        chat.say("hora el jueves a las 9")
        reply = chat.say(message)
        assert "¿Confirmo" not in texts(reply) and "¿Qué día te acomoda?" in texts(reply), message


def test_more_times_with_the_days_last_shown_says_so():
    """"más horas" with every time of the day shown repeated the list without a word (a helper's walk)."""
    chat = Chat(agenda([3], [(8, 30), (12, 0), (14, 0), (18, 0)]))
    chat.say("hora el jueves")
    reply = chat.say("más horas")
    assert "No hay más horas libres el Jue 3 dic" in texts(reply) and reply.status == "choose_time"


def test_a_spanish_message_after_an_english_booking_is_answered_in_spanish():
    from test_dialogue_already import finding
    from test_dialogue_appointments import ClinicAgent

    chat = Chat(finding(3), appointments=ClinicAgent())
    chat.say("hi, I need an appointment on thursday")
    assert chat.say("09:00").status == "booked"
    assert texts(chat.say("quiero otra hora para el viernes, por favor")).startswith("Claro, Ana. El Vie 4 dic")
