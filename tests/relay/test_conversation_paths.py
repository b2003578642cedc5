"""Every path of the conversation, end to end: stand-in Kommo -> relay -> scripted agent -> continuation."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import datetime, timedelta

from relay_harness import CLINIC_TZ, buttons_of, make_slots, texts_of

from demo.kommo import continuation_violation
from wire.messages import WireError, WireSlot


def two_specialties() -> list[WireSlot]:
    """``make_slots``: Dr. Pérez's in Traumatología, Dra. Soto's in Medicina general."""
    return [
        replace(s, specialty="Traumatología" if s.professional == "Dr. Pérez" else "Medicina general")
        for s in make_slots(days=6)
    ]


def assert_clean(kommo, record):
    assert record.accepted, record.reason
    assert continuation_violation(record.body) == ""
    assert [r for r in kommo.rejections() if r.subdomain == record.subdomain] == []


async def test_greeting_day_time_booking_confirmation(relay, kommo):
    clinic = relay.add_clinic(address="Av. Providencia 1234, Santiago")
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)

    first = await kommo.say(url, clinic.subdomain, "101", "Hola, quiero una hora")
    assert_clean(kommo, first)
    data = first.body["data"]
    assert data["status"] == "choose_day"
    assert buttons_of(first.body) == [data["option_1"], "Más días"]  # under a numbered list of days
    shown = [h["params"]["value"] for h in first.body["execute_handlers"] if h["params"]["type"] == "text"]
    assert [line.split(".")[0] for line in shown if line[:1].isdigit()] == ["1", "2", "3", "4", "5"]
    assert "Hola, Ana" in texts_of(first.body) and "Escribe el número de tu opción." in texts_of(first.body)
    assert first.body["execute_handlers"][-1] == {"handler": "goto", "params": {"type": "question", "step": 1}}

    times = await kommo.say(url, clinic.subdomain, "101", "1")  # typing a line's number = tapping it
    assert_clean(kommo, times)
    assert times.body["data"]["status"] == "choose_time"
    assert times.body["data"]["day_label"] == data["option_1"]
    assert times.body["data"]["option_1"].startswith("10:00")

    booked = await kommo.say(url, clinic.subdomain, "101", times.body["data"]["option_1"])
    assert_clean(kommo, booked)
    data = booked.body["data"]
    assert data["status"] == "booked"
    assert data["professional"] == "Dra. Soto"
    assert data["booking_id"] == "bk-1"
    assert data["start"].endswith("T10:00:00-03:00")
    assert "Av. Providencia 1234, Santiago" in data["message"]
    assert "10:00" in texts_of(booked.body)
    # One slots request per turn, one booking, with the patient's name and phone as Kommo gave them.
    assert [r.op for r in agent.requests] == ["slots", "slots", "slots", "book"]
    book = agent.ops("book")[0].args
    assert book.patient.name == "Ana Pérez" and book.patient.phone == "+56 9 1234 5678"
    assert len(agent.bookings) == 1


async def test_more_days_pages_through_the_fortnight(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots=make_slots(days=8))
    url = relay.widget_url(clinic)
    page = await kommo.say(url, clinic.subdomain, "202", "hola")
    seen: list[str] = []
    while True:
        data = page.body["data"]
        labels = [v for k, v in sorted(data.items()) if k.startswith("option_")]
        labels = [v for v in labels if v not in ("Más días", "Primeros días", "Lo antes posible")]
        assert not set(labels) & set(seen)
        seen += labels
        if "Más días" not in buttons_of(page.body):
            break
        page = await kommo.say(url, clinic.subdomain, "202", "Más días")
        assert_clean(kommo, page)
        assert page.body["data"]["status"] == "choose_day"
    assert len(seen) == 8
    assert "Estos son los últimos días con horas libres" in texts_of(page.body)


async def test_free_text_day_time_and_professional(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    await kommo.say(url, clinic.subdomain, "303", "buenas")
    tomorrow = await kommo.say(url, clinic.subdomain, "303", "mañana")
    assert tomorrow.body["data"]["status"] == "choose_time"
    confirm = await kommo.say(url, clinic.subdomain, "303", "a las 10:30 con la Dra. Soto")
    assert_clean(kommo, confirm)
    assert confirm.body["data"]["code"] == "confirm" and buttons_of(confirm.body) == ["Sí", "Otra hora"]
    assert "a las 10:30 con la Dra. Soto?" in texts_of(confirm.body)
    assert agent.ops("book") == []  # typed text never books before a "Sí"
    booked = await kommo.say(url, clinic.subdomain, "303", "Sí")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked"
    assert booked.body["data"]["start"].endswith("T10:30:00-03:00")
    assert len(agent.bookings) == 1


async def test_unclear_text_is_asked_again_politely(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    url = relay.widget_url(clinic)
    await kommo.say(url, clinic.subdomain, "404", "hola")
    again = await kommo.say(url, clinic.subdomain, "404", "qwerty zzz")
    assert_clean(kommo, again)
    assert again.body["data"]["status"] == "choose_day"
    assert "no te entendí" in texts_of(again.body)


async def test_slot_taken_meanwhile_offers_the_nearest(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "505", "hola")
    times = await kommo.say(url, clinic.subdomain, "505", first.body["data"]["option_1"])
    alternatives = tuple(s for s in agent.slots if s.start.endswith("T10:30:00-03:00"))[:1]
    agent.book_outcome = lambda args: WireError("slot_taken", "someone was faster", alternatives)
    taken = await kommo.say(url, clinic.subdomain, "505", times.body["data"]["option_1"])
    assert_clean(kommo, taken)
    data = taken.body["data"]
    assert data["status"] == "choose_time" and data["code"] == "slot_taken"
    assert buttons_of(taken.body) and buttons_of(taken.body)[0].startswith("10:30")
    assert "tomado" in texts_of(taken.body)
    agent.book_outcome = None
    booked = await kommo.say(url, clinic.subdomain, "505", buttons_of(taken.body)[0])
    assert booked.body["data"]["status"] == "booked"
    assert booked.body["data"]["start"].endswith("T10:30:00-03:00")


async def test_english_clinic_speaks_english(relay, kommo):
    clinic = relay.add_clinic(language="en")
    await relay.agent(clinic)
    first = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "606", "hello")
    assert_clean(kommo, first)
    assert buttons_of(first.body)[-1] == "More days"
    assert "Hi, Ana" in texts_of(first.body)


async def test_two_clinics_on_one_relay_stay_apart(relay, kommo):
    one, two = relay.add_clinic(), relay.add_clinic()
    agent_one = await relay.agent(one)
    agent_two = await relay.agent(two, slots=make_slots(days=2, start_day=3))
    first = await kommo.say(relay.widget_url(one), one.subdomain, "7", "hola")
    second = await kommo.say(relay.widget_url(two), two.subdomain, "7", "hola")
    assert first.body["data"]["option_6"] and "option_3" not in second.body["data"]  # 6 days, and 2 days
    assert len(agent_one.requests) == 1 and len(agent_two.requests) == 1


async def test_a_first_message_with_day_time_and_professional_is_confirmed_then_booked(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "808", "hola! quiero hora mañana a las 10:30 con la dra soto 🙏")
    assert_clean(kommo, first)
    assert first.body["data"]["status"] == "choose_time" and first.body["data"]["code"] == "confirm"
    assert "Hola, Ana" in texts_of(first.body) and "a las 10:30 con la Dra. Soto?" in texts_of(first.body)
    assert agent.ops("book") == []
    other = await kommo.say(url, clinic.subdomain, "808", "Otra hora")
    assert_clean(kommo, other)
    assert other.body["data"]["status"] == "choose_time" and agent.ops("book") == []
    again = await kommo.say(url, clinic.subdomain, "808", "mejor a las 11")
    assert again.body["data"]["code"] == "confirm" and "a las 11:00" in texts_of(again.body)
    booked = await kommo.say(url, clinic.subdomain, "808", "si")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked" and booked.body["data"]["start"].endswith("T11:00:00-03:00")
    assert len(agent.bookings) == 1


async def test_earliest_and_english_first_message(relay, kommo):
    clinic = relay.add_clinic(language="en")
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "809", "Hi, earliest available please")
    assert_clean(kommo, first)
    earliest = min(agent.slots, key=lambda s: s.start)
    assert first.body["data"]["code"] == "confirm" and first.body["data"]["confirm_start"] == earliest.start
    assert "Hi, Ana" in texts_of(first.body) and buttons_of(first.body) == ["Yes", "Another time"]
    booked = await kommo.say(url, clinic.subdomain, "809", "Yes")
    assert booked.body["data"]["status"] == "booked" and booked.body["data"]["start"] == earliest.start


async def test_a_first_message_asking_to_cancel_is_handed_off_not_greeted_with_days(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    first = await kommo.say(
        relay.widget_url(clinic), clinic.subdomain, "810", "necesito cancelar la hora que acabo de tomar"
    )
    assert_clean(kommo, first)
    assert first.body["data"]["status"] == "handoff" and first.body["data"]["reason"] == "cancel_requested"
    assert "Para cancelar tu hora" in texts_of(first.body)
    assert agent.ops("book") == []


async def test_a_clinic_with_specialties_asks_first_and_books_the_chosen_specialty(relay, kommo):
    slots = two_specialties()
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots=slots)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "811", "hola, quiero hora con traumatología en la tarde")
    assert_clean(kommo, first)
    assert first.body["data"]["specialty"] == "traumatologia"
    day = first.body["data"]["option_1"]
    times = await kommo.say(url, clinic.subdomain, "811", day)
    assert_clean(kommo, times)
    assert buttons_of(times.body)[0] == "12:00" and "Dr. Pérez, Traumatología" in texts_of(times.body)
    booked = await kommo.say(url, clinic.subdomain, "811", "12:00")
    assert booked.body["data"]["status"] == "booked" and booked.body["data"]["professional"] == "Dr. Pérez"
    assert [r.op for r in agent.requests].count("book") == 1


async def test_thanks_after_booking_is_answered_in_kind_not_greeted_again(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "616", "hola, quiero una hora")
    times = await kommo.say(url, clinic.subdomain, "616", buttons_of(days.body)[0])
    booked = await kommo.say(url, clinic.subdomain, "616", buttons_of(times.body)[0])
    assert booked.body["data"]["status"] == "booked"

    for message, answer in (("¡Muchas gracias!! 🙏", "¡De nada, Ana!"), ("ok, chao, nos vemos", "¡Hasta pronto, Ana!")):
        thanks = await kommo.say(url, clinic.subdomain, "616", message)
        assert_clean(kommo, thanks)
        assert thanks.body["data"]["status"] == "closed"
        assert texts_of(thanks.body).startswith(answer), texts_of(thanks.body)
        assert "Hola" not in texts_of(thanks.body) and buttons_of(thanks.body) == []
        assert not any(h["handler"] == "goto" for h in thanks.body["execute_handlers"])  # the bot ends
    assert kommo.tasks(clinic.subdomain, "616") == []  # nothing for reception to do
    assert [r.op for r in agent.requests].count("book") == 1

    # A courteous first message that asks for something is a wish, not a goodbye.
    wish = await kommo.say(url, clinic.subdomain, "617", "gracias, ¿tienen hora el viernes?")
    assert wish.body["data"]["status"] in ("choose_day", "choose_time")


def _days_without_the_first_three(count: int) -> int:
    """A ``make_slots`` start day whose ``count`` days are none of the 1st to 3rd of a month (so "2" names none)."""
    today = datetime.now(CLINIC_TZ).date()
    return next(s for s in range(1, 10) if all((today + timedelta(days=s + i)).day > 3 for i in range(count)))


async def test_a_number_typed_at_buttons_is_the_button_it_counts_to(relay, kommo):
    clinic = relay.add_clinic()
    start_day = _days_without_the_first_three(3)
    three_a_day = [s for s in make_slots(days=3, start_day=start_day) if s.start[11:13] != "12"]  # times as buttons
    agent = await relay.agent(clinic, slots=three_a_day)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "515", "hola")
    assert_clean(kommo, days)
    assert days.body["data"]["status"] == "choose_day"
    labels = buttons_of(days.body)
    assert len(labels) == 3 and not re.search(r"(?<!\S)1\. ", texts_of(days.body))  # buttons, no numbered list

    second_day = await kommo.say(url, clinic.subdomain, "515", "2")  # no day of the month shown: the 2nd button
    assert_clean(kommo, second_day)
    assert second_day.body["data"]["status"] == "choose_time"
    assert second_day.body["data"]["day_label"] == labels[1]
    times = buttons_of(second_day.body)
    assert times[:3] == ["10:00", "10:30", "11:00"]

    # Not 03:00 nor 15:00, none offered: 11:00 — asked about (a digit at buttons is never booked by itself)
    asked = await kommo.say(url, clinic.subdomain, "515", "3")
    assert_clean(kommo, asked)
    assert "a las 11:00" in texts_of(asked.body) and not agent.ops("book")
    booked = await kommo.say(url, clinic.subdomain, "515", "Sí")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked"
    assert booked.body["data"]["start"][11:16] == "11:00"
    assert [r.args.slot_id[-15:] for r in agent.ops("book")] == [booked.body["data"]["start"][:10] + "T1100"]


async def test_a_specialty_the_clinic_lacks_is_said_once_not_again_after_the_menu(relay, kommo):
    slots = two_specialties()
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots=slots)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "813", "buenas, busco cardiología para la otra semana, temprano")
    assert_clean(kommo, first)
    assert "No encontré horas libres de esa especialidad en los próximos días" in texts_of(first.body)
    assert "¿Qué especialidad" in texts_of(first.body)
    days = await kommo.say(url, clinic.subdomain, "813", "Medicina general")
    assert_clean(kommo, days)
    assert days.body["data"]["status"] == "choose_day" and days.body["data"]["specialty"] == "general"
    assert "esa especialidad" not in texts_of(days.body)  # told once, with the menu; the choice is not doubted


async def test_the_bots_data_keys_preset_the_specialty(relay, kommo):
    slots = two_specialties()
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots=slots)
    data = {"lead_id": "812", "message": "hola", "name": "Ana Pérez", "phone": "+56 9 1234 5678",
            "specialty": "Traumatología"}
    body, continue_id = kommo.widget_request(clinic.subdomain, data)
    assert (await relay.post_widget(clinic, body)).status_code == 200
    reply = await kommo.wait_for_continuation(continue_id)
    assert_clean(kommo, reply)
    assert reply.body["data"]["status"] == "choose_day" and reply.body["data"]["specialty"] == "traumatologia"
    assert "¿Qué especialidad" not in texts_of(reply.body)


async def test_a_patient_cancels_an_appointment_from_the_chat(relay, kommo):
    from wire.appointments import CancelResult, MyBookingsResult, WireBooking
    from wire.messages import ok_response

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    booking = WireBooking("bk-9", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")
    asked: list[tuple[str, object]] = []

    def appointments(request):
        asked.append((request.op, request.args))
        if request.op == "my_bookings":
            return ok_response(request.id, MyBookingsResult((booking,)))
        return ok_response(request.id, CancelResult(request.args.booking_id))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "813", "hola, necesito cancelar mi hora")
    assert_clean(kommo, first)
    assert first.body["data"]["code"] == "confirm_cancel" and buttons_of(first.body) == ["Sí, cancelar", "No"]
    assert asked[0][0] == "my_bookings" and asked[0][1].phone == "+56 9 1234 5678"
    done = await kommo.say(url, clinic.subdomain, "813", "Sí, cancelar")
    assert_clean(kommo, done)
    assert done.body["data"]["status"] == "cancelled" and done.body["data"]["booking_id"] == "bk-9"
    assert "Listo, cancelé tu hora" in texts_of(done.body)
    assert [op for op, _ in asked] == ["my_bookings", "cancel"] and asked[1][1].booking_id == "bk-9"


async def test_an_agent_without_the_capability_hands_the_cancel_to_a_person(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "814", "quiero cancelar mi hora")
    assert_clean(kommo, reply)
    assert reply.body["data"]["status"] == "handoff" and reply.body["data"]["reason"] == "cancel_requested"


async def test_a_patient_moves_an_appointment_from_the_chat(relay, kommo):
    from wire.appointments import MyBookingsResult, RescheduleResult, WireBooking
    from wire.messages import ok_response

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    old = WireBooking("bk-10", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")
    asked: list[tuple[str, object]] = []

    def appointments(request):
        asked.append((request.op, request.args))
        if request.op == "my_bookings":
            return ok_response(request.id, MyBookingsResult((old,)))
        slot = next(s for s in agent.slots if s.id == request.args.slot_id)
        return ok_response(request.id, RescheduleResult("bk-11", slot.start, slot.end, slot.professional))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "815", "quiero cambiar mi hora")
    assert first.body["data"]["code"] == "confirm_move"
    days = await kommo.say(url, clinic.subdomain, "815", "Sí, cambiarla")
    assert_clean(kommo, days)
    times = await kommo.say(url, clinic.subdomain, "815", days.body["data"]["option_2"])
    pick = times.body["data"]["option_1"]
    moved = await kommo.say(url, clinic.subdomain, "815", pick)
    assert_clean(kommo, moved)
    assert moved.body["data"]["status"] == "booked" and moved.body["data"]["rescheduled_from"] == "bk-10"
    assert [op for op, _ in asked] == ["my_bookings", "reschedule"] and asked[1][1].booking_id == "bk-10"
    assert agent.ops("book") == []  # the agent books the new slot itself, within reschedule


async def test_a_move_gets_two_bookings_worth_of_time_from_a_slow_web_app(make_relay, kommo):
    """A move books the new time and cancels the old one: with a web app slow enough that a move takes longer than a
    booking's deadline, the patient still hears it was moved (not "Aún no sé…")."""
    from wire.appointments import MyBookingsResult, RescheduleResult, WireBooking
    from wire.messages import ok_response

    relay = make_relay(book_timeout_s=0.6)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    old = WireBooking("bk-20", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")

    async def appointments(request):
        if request.op == "my_bookings":
            return ok_response(request.id, MyBookingsResult((old,)))
        await asyncio.sleep(0.9)  # longer than a booking's deadline, within two
        slot = next(s for s in agent.slots if s.id == request.args.slot_id)
        return ok_response(request.id, RescheduleResult("bk-21", slot.start, slot.end, slot.professional))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    await kommo.say(url, clinic.subdomain, "816", "quiero cambiar mi hora")
    days = await kommo.say(url, clinic.subdomain, "816", "Sí, cambiarla")
    times = await kommo.say(url, clinic.subdomain, "816", days.body["data"]["option_2"])
    moved = await kommo.say(url, clinic.subdomain, "816", times.body["data"]["option_1"])
    assert moved.body["data"]["status"] == "booked" and moved.body["data"]["rescheduled_from"] == "bk-20"


async def test_yes_at_a_time_menu_takes_the_one_time_offered_or_asks_which(relay, kommo):
    """A "sí" at a time menu is what a receptionist would make of it: the time, if one is offered; else "which?"."""
    clinic = relay.add_clinic()
    slots = make_slots(days=6)
    agent = await relay.agent(clinic, slots=slots)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "606", "hola")
    said = [h["params"]["value"] for h in first.body["execute_handlers"] if h["handler"] == "show"]
    numbered = [i for i, text in enumerate(said) if text[:1].isdigit() and ". " in text]
    # The question and "type the number" come after the days, not above them.
    assert said[numbered[-1] + 1:] == ["¿Qué día te acomoda? También puedes escribirlo (p. ej. «mañana»).",
                                       "Escribe el número de tu opción."]
    times = await kommo.say(url, clinic.subdomain, "606", first.body["data"]["option_1"])
    assert len([b for b in buttons_of(times.body) if b[:2].isdigit()]) == 3  # 10:00, 10:30, 11:00
    which = await kommo.say(url, clinic.subdomain, "606", "sí")
    assert_clean(kommo, which)
    assert "¿Cuál de estas horas?" in texts_of(which.body) and "no te entendí" not in texts_of(which.body)
    assert buttons_of(which.body) == buttons_of(times.body) and agent.ops("book") == []

    his_days = await kommo.say(url, clinic.subdomain, "606", "con el dr pérez")  # one time a day, every other day
    assert his_days.body["data"]["status"] == "choose_day"
    his_time = await kommo.say(url, clinic.subdomain, "606", his_days.body["data"]["option_1"])
    assert_clean(kommo, his_time)
    assert [b for b in buttons_of(his_time.body) if b[:2].isdigit()] == ["12:00"]
    booked = await kommo.say(url, clinic.subdomain, "606", "sí")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked"
    assert booked.body["data"]["professional"] == "Dr. Pérez" and booked.body["data"]["start"].endswith("T12:00:00-03:00")
    assert len(agent.bookings) == 1


async def test_an_appointment_for_someone_else_goes_under_their_name(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "818", "hola, necesito una hora para mi mamá")
    times = await kommo.say(url, clinic.subdomain, "818", buttons_of(days.body)[0])
    asked = await kommo.say(url, clinic.subdomain, "818", buttons_of(times.body)[0])
    assert_clean(kommo, asked)
    assert asked.body["data"]["code"] == "patient_field" and asked.body["data"]["field"] == "patient_name"
    assert "¿A nombre de quién reservo la hora?" in texts_of(asked.body) and not agent.ops("book")
    for not_a_name in ("1234", "sí", "ella", "jaja", "Rosa"):  # a full name, not a yes, a pronoun or a laugh
        again = await kommo.say(url, clinic.subdomain, "818", not_a_name)
        assert "No pude leer ese nombre" in texts_of(again.body) and not agent.ops("book"), not_a_name

    booked = await kommo.say(url, clinic.subdomain, "818", "se llama Rosa Díaz")

    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked"
    assert "¡Listo, Ana! La hora de Rosa Díaz quedó reservada." in texts_of(booked.body)
    [book] = agent.ops("book")
    assert book.args.patient.name == "Rosa Díaz" and book.args.patient.phone == "+56 9 1234 5678"


async def test_a_whatsapp_name_typed_in_lower_case_goes_to_the_agenda_capitalised(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    who = {"name": "maría josé o'higgins", "phone": "+56 9 1234 0001"}
    days = await kommo.say(url, clinic.subdomain, "819", "hola", **who)
    times = await kommo.say(url, clinic.subdomain, "819", buttons_of(days.body)[0], **who)
    booked = await kommo.say(url, clinic.subdomain, "819", buttons_of(times.body)[0], **who)
    assert booked.body["data"]["status"] == "booked"
    [book] = agent.ops("book")
    assert book.args.patient.name == "María José O'Higgins"
