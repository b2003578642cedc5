"""Through the real relay (stand-in Kommo -> relay -> scripted agent over a websocket): "Ya tienes hora…" before a
second appointment, patient fields the web app requires, and services of their own lengths."""

from __future__ import annotations

from dataclasses import replace

from relay_harness import buttons_of, make_slots, texts_of

from demo.kommo import continuation_violation
from wire.appointments import MyBookingsResult, WireBooking
from wire.messages import WireService, error_response, ok_response


def assert_clean(kommo, record):
    assert record.accepted, record.reason
    assert continuation_violation(record.body) == ""


async def test_a_patient_with_an_appointment_is_told_and_books_another_only_when_asked(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    first_slot = agent.slots[0]
    held = WireBooking("bk-20", first_slot.start, first_slot.end, "Dra. Soto")
    agent.appointments = lambda request: ok_response(request.id, MyBookingsResult((held,)))
    url = relay.widget_url(clinic)

    told = await kommo.say(url, clinic.subdomain, "901", "hola, quiero una hora")
    assert_clean(kommo, told)
    assert told.body["data"]["code"] == "already_booked" and "Ya tienes hora el" in texts_of(told.body)
    assert buttons_of(told.body) == ["Una hora más", "Cambiarla", "Cancelarla"]
    assert [r.op for r in agent.requests] == ["slots", "my_bookings"]
    assert agent.ops("my_bookings")[0].args.phone == "+56 9 1234 5678"
    assert agent.ops("my_bookings")[0].args.known_only  # the agent's journal: no read of the web app per conversation

    days = await kommo.say(url, clinic.subdomain, "901", "Otra hora")
    assert_clean(kommo, days)
    assert days.body["data"]["status"] == "choose_day"
    times = await kommo.say(url, clinic.subdomain, "901", days.body["data"]["option_1"])
    whose = await kommo.say(url, clinic.subdomain, "901", times.body["data"]["option_2"])
    assert whose.body["data"].get("field") == "patient_name"  # the phone has one: whose the new one is, asked
    booked = await kommo.say(url, clinic.subdomain, "901", "a mi nombre")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked" and len(agent.ops("book")) == 1


async def test_an_agent_that_cannot_list_goes_on_to_booking(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    agent.appointments = lambda request: error_response(request.id, "bad_request", "cannot find bookings")
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "902", "hola")
    assert_clean(kommo, reply)
    assert reply.body["data"]["status"] == "choose_day" and "Hola, Ana" in texts_of(reply.body)
    assert "Ya tienes" not in texts_of(reply.body)


async def test_the_email_the_web_app_requires_is_asked_and_sent_with_the_booking(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"patient_fields": ["email"]}
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "903", "hola")
    times = await kommo.say(url, clinic.subdomain, "903", days.body["data"]["option_1"])
    asked = await kommo.say(url, clinic.subdomain, "903", times.body["data"]["option_1"])
    assert_clean(kommo, asked)
    assert asked.body["data"]["field"] == "email" and "¿Cuál es tu correo electrónico?" in texts_of(asked.body)
    again = await kommo.say(url, clinic.subdomain, "903", "ana en correo punto cl")
    assert "Ese correo no parece válido" in texts_of(again.body) and agent.ops("book") == []
    booked = await kommo.say(url, clinic.subdomain, "903", "ana.perez@correo.cl")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked"
    [book] = agent.ops("book")
    assert book.args.patient.email == "ana.perez@correo.cl" and book.args.patient.national_id == ""


async def test_the_bots_data_keys_carry_the_patient_fields(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"patient_fields": ["national_id", "birth_date"]}
    replies = []
    message = "hola"
    for _ in range(3):
        data = {"lead_id": "904", "message": message, "name": "Ana Pérez", "phone": "+56 9 1234 5678",
                "national_id": "12.345.678-5", "birth_date": "15/03/1985", "unknown_key": "ignored"}
        body, continue_id = kommo.widget_request(clinic.subdomain, data)
        assert (await relay.post_widget(clinic, body)).status_code == 200
        reply = await kommo.wait_for_continuation(continue_id)
        assert_clean(kommo, reply)
        replies.append(reply)
        message = reply.body["data"].get("option_1", "")
    assert replies[-1].body["data"]["status"] == "booked"  # never asked: the bot had both
    [book] = agent.ops("book")
    assert book.args.patient.national_id == "12345678-5" and book.args.patient.birth_date == "1985-03-15"


async def test_services_of_their_own_lengths_are_asked_for(relay, kommo):
    clinic = relay.add_clinic()
    slots = [replace(s, service="Control" if s.start.endswith("T10:00:00-03:00") else "Limpieza")
             for s in make_slots(days=4)]
    agent = await relay.agent(clinic, slots=slots)
    agent.slot_extras = {"services": [WireService("Control", 30), WireService("Limpieza", 60)]}
    url = relay.widget_url(clinic)
    asked = await kommo.say(url, clinic.subdomain, "905", "hola")
    assert_clean(kommo, asked)
    assert asked.body["data"]["code"] == "service" and buttons_of(asked.body) == ["Control", "Limpieza"]
    days = await kommo.say(url, clinic.subdomain, "905", "Control")
    times = await kommo.say(url, clinic.subdomain, "905", days.body["data"]["option_1"])
    assert buttons_of(times.body)[0].startswith("10:00") and times.body["data"]["service"] == "Control"


async def test_the_existing_appointment_question_goes_out_beside_the_slots_question(relay, kommo):
    """Once the clinic's agent said it finds bookings, a new conversation asks "any appointment for this phone?"
    while the slots question is still out (one agent round trip less for the patient), and uses that answer."""
    import asyncio

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    agent.appointments = lambda request: ok_response(request.id, MyBookingsResult(()))
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "904", "hola")  # the relay learns what this agent can do
    assert first.body["data"]["status"] == "choose_day"

    held = WireBooking("bk-21", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")
    asked_meanwhile = asyncio.Event()
    released_by_it: list[bool] = []

    def appointments(request):
        asked_meanwhile.set()
        return ok_response(request.id, MyBookingsResult((held,)))

    answer = agent._answer

    async def slots_after_the_bookings_question(request):
        if request.op == "slots":  # held back until the bookings question arrives (or 2 s, the old way)
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(asked_meanwhile.wait())), 2)
                released_by_it.append(True)
            except TimeoutError:
                released_by_it.append(False)
        await answer(request)

    agent.appointments = appointments
    agent._answer = slots_after_the_bookings_question
    before = len(agent.ops("my_bookings"))
    told = await kommo.say(url, clinic.subdomain, "905", "hola, quiero una hora")
    assert_clean(kommo, told)
    assert told.body["data"]["code"] == "already_booked" and "Ya tienes hora el" in texts_of(told.body)
    assert released_by_it == [True]
    assert len(agent.ops("my_bookings")) == before + 1  # asked once: the early answer was the one used
    assert agent.ops("my_bookings")[-1].args.known_only


async def test_an_appointment_made_meanwhile_is_said_before_the_booking_goes_out(relay, kommo):
    """The same phone in two chats (two leads), both at a time menu: the first books; the second's pick was booked
    too, unasked — two appointments. Just before a booking goes out the agent's memory is asked again (known_only),
    and one never listed is said, the booking confirmed again."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"knows_bookings": True}  # a driver that cannot look a phone up: the agent's memory still can
    held: list[WireBooking] = []
    agent.appointments = lambda request: ok_response(request.id, MyBookingsResult(tuple(held)))
    url = relay.widget_url(clinic)

    days = await kommo.say(url, clinic.subdomain, "931", "hola, quiero una hora")
    assert days.body["data"]["status"] == "choose_day" and "Ya tienes" not in texts_of(days.body)
    times = await kommo.say(url, clinic.subdomain, "931", days.body["data"]["option_1"])
    meanwhile = agent.slots[0]  # booked from the phone's other chat meanwhile
    held.append(WireBooking("bk-31", meanwhile.start, meanwhile.end, meanwhile.professional, patient="Ana Pérez"))
    asked = await kommo.say(url, clinic.subdomain, "931", times.body["data"]["option_2"])
    assert_clean(kommo, asked)
    assert "Ya tienes hora el" in texts_of(asked.body) and "además de esa" in texts_of(asked.body)
    assert asked.body["data"]["code"] == "confirm" and agent.ops("book") == []
    assert all(r.args.known_only for r in agent.ops("my_bookings"))  # the agent's memory, never a web-app read
    booked = await kommo.say(url, clinic.subdomain, "931", "Sí")
    assert booked.body["data"]["status"] == "booked" and len(agent.ops("book")) == 1


async def test_one_more_at_the_very_time_of_one_listed_is_said_before_it_goes_out(relay, kommo):
    """Told «Ya tienes hora … a las 10:00 con el Dr. Pérez», "Una hora más" and a tap on 10:00 that day with Dra. Soto
    booked a second appointment at the same time, unasked: the relay's look before a booking goes out now says it."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    first = agent.slots[0]
    held = WireBooking("bk-40", first.start, first.end, "Dr. Pérez")
    agent.appointments = lambda request: ok_response(request.id, MyBookingsResult((held,)))
    url = relay.widget_url(clinic)

    told = await kommo.say(url, clinic.subdomain, "933", "hola")
    assert "Ya tienes hora el" in texts_of(told.body)
    days = await kommo.say(url, clinic.subdomain, "933", "Una hora más")
    times = await kommo.say(url, clinic.subdomain, "933", days.body["data"]["option_1"])
    assert times.body["data"]["option_1"].startswith(first.start[11:16])
    await kommo.say(url, clinic.subdomain, "933", times.body["data"]["option_1"])
    asked = await kommo.say(url, clinic.subdomain, "933", "a mi nombre")
    assert_clean(kommo, asked)
    said = texts_of(asked.body)
    assert f"a las {first.start[11:16]} con el Dr. Pérez" in said and "además de esa" in said, said
    assert asked.body["data"]["code"] == "confirm" and agent.ops("book") == []
    booked = await kommo.say(url, clinic.subdomain, "933", "Sí")
    assert booked.body["data"]["status"] == "booked" and len(agent.ops("book")) == 1


async def test_nothing_new_before_the_booking_books_at_once(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"knows_bookings": True}
    agent.appointments = lambda request: ok_response(request.id, MyBookingsResult(()))
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "932", "hola")
    times = await kommo.say(url, clinic.subdomain, "932", days.body["data"]["option_1"])
    booked = await kommo.say(url, clinic.subdomain, "932", times.body["data"]["option_1"])
    assert booked.body["data"]["status"] == "booked" and len(agent.ops("book")) == 1
    assert len(agent.ops("my_bookings")) == 2  # at the start and just before the booking


async def test_a_phone_field_with_two_numbers_books_with_the_first(relay, kommo):
    """A contact's phone edited by hand ("+56 9 8765 4321 / +56 2 2345 6789", "… anexo 12") was "no phone": the
    patient heard "No tengo tu teléfono" and reception "Kommo no envió su teléfono" beside the number."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    for lead, field in (("951", "+56 9 8765 4321 / +56 2 2345 6789"), ("952", "+56 9 8765 4321 anexo 12")):
        days = await kommo.say(url, clinic.subdomain, lead, "hola", phone=field)
        assert days.body["data"]["status"] == "choose_day" and "No tengo tu teléfono" not in texts_of(days.body)
        times = await kommo.say(url, clinic.subdomain, lead, days.body["data"]["option_1"], phone=field)
        booked = await kommo.say(url, clinic.subdomain, lead, times.body["data"]["option_1"], phone=field)
        assert booked.body["data"]["status"] == "booked"
        assert agent.ops("book")[-1].args.patient.phone == "+56 9 8765 4321"


async def test_an_appointment_taken_back_right_after_its_cancel_books_without_asking_about_the_others(relay, kommo):
    """"Cancela la del jueves" … "Listo, cancelé" … "no, déjala, me equivoqué" … «¿Confirmo…?» "sí": the patient was
    then told "Ya tienes hora el viernes… si no, no necesitas hacer nada" — the other appointment listed a moment
    before, as if new; a patient reading "nothing to do" stopped there and lost the one they wanted back."""
    from wire.appointments import CancelArgs, CancelResult

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    first, other = agent.slots[0], agent.slots[4]
    held = [WireBooking("bk-41", first.start, first.end, first.professional),
            WireBooking("bk-42", other.start, other.end, other.professional)]

    def appointments(request):
        if isinstance(request.args, CancelArgs):
            held[:] = [b for b in held if b.booking_id != request.args.booking_id]
            return ok_response(request.id, CancelResult(request.args.booking_id))
        return ok_response(request.id, MyBookingsResult(tuple(held)))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    listed = await kommo.say(url, clinic.subdomain, "961", "quiero cancelar una hora")
    asked = await kommo.say(url, clinic.subdomain, "961", listed.body["data"]["option_1"])
    assert asked.body["data"]["code"] == "confirm_cancel", texts_of(asked.body)
    done = await kommo.say(url, clinic.subdomain, "961", "Sí, cancelar")
    assert done.body["data"]["status"] == "cancelled" and [b.booking_id for b in held] == ["bk-42"]
    again = await kommo.say(url, clinic.subdomain, "961", "no, déjala, me equivoqué")
    assert "¿Confirmo" in texts_of(again.body), texts_of(again.body)
    booked = await kommo.say(url, clinic.subdomain, "961", "sí")
    assert_clean(kommo, booked)
    assert booked.body["data"]["status"] == "booked", texts_of(booked.body)
    assert "Ya tienes" not in texts_of(booked.body) and agent.ops("book")[0].args.slot_id == first.id
