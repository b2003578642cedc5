"""Kommo repeating a delivery: one agent request, one booking, and no return_url left uncalled."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of


def data(lead, message="hola"):
    return {"lead_id": lead, "message": message, "name": "Ana Pérez", "phone": "+56 9 1234 5678"}


async def settle(relay):
    """Until no turn is in flight in the relay (the repeat is handled after the first, on the lead's lock)."""
    for _ in range(400):
        if (await relay.healthz())["turns_in_flight"] == 0:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("turns still in flight")


async def test_same_body_twice_gives_one_request_and_one_continuation(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=0.3)
    body, continue_id = kommo.widget_request(clinic.subdomain, data("21"))
    first, second = await asyncio.gather(relay.post_widget(clinic, body), relay.post_widget(clinic, body))
    assert first.status_code == second.status_code == 200
    record = await kommo.wait_for_continuation(continue_id)
    await settle(relay)
    assert record.accepted and record.body["data"]["status"] == "choose_day"
    assert len(agent.requests) == 1
    assert [c.continue_id for c in kommo.continuations(clinic.subdomain)] == [continue_id]


async def test_same_jti_with_a_new_return_url_gets_the_same_reply(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=0.3)
    body_a, id_a = kommo.widget_request(clinic.subdomain, data("22"), jti="kommo-jti-22")
    body_b, id_b = kommo.widget_request(clinic.subdomain, data("22"), jti="kommo-jti-22")
    assert (await relay.post_widget(clinic, body_a)).status_code == 200
    assert (await relay.post_widget(clinic, body_b)).status_code == 200
    record_a = await kommo.wait_for_continuation(id_a)
    record_b = await kommo.wait_for_continuation(id_b)
    assert record_a.accepted and record_b.accepted
    assert record_a.body == record_b.body
    assert len(agent.requests) == 1


async def test_same_lead_and_message_within_seconds_is_one_request(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=0.3)
    body_a, id_a = kommo.widget_request(clinic.subdomain, data("23", "Hola"))
    body_b, id_b = kommo.widget_request(clinic.subdomain, data("23", "hola "))  # a new jti, the same text
    await asyncio.gather(relay.post_widget(clinic, body_a), relay.post_widget(clinic, body_b))
    record_a, record_b = await kommo.wait_for_continuation(id_a), await kommo.wait_for_continuation(id_b)
    assert record_a.body == record_b.body
    assert len(agent.requests) == 1


async def a_pick_delivered_twice(relay, kommo, clinic, lead):
    """Up to a time menu, then the first time offered as two widget_requests (each with its own jti)."""
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, lead, "hola")
    times = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0])
    pick = buttons_of(times.body)[0]
    return [kommo.widget_request(clinic.subdomain, data(lead, pick)) for _ in range(2)]


def assert_one_booking_answered_twice(agent, record_a, record_b):
    assert record_a.body["data"]["status"] == record_b.body["data"]["status"] == "booked"
    assert record_a.body["data"]["booking_id"] == record_b.body["data"]["booking_id"]
    assert len(agent.ops("book")) == 1 and len(agent.bookings) == 1


async def test_repeated_pick_books_once(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=0.3)
    (body_a, id_a), (body_b, id_b) = await a_pick_delivered_twice(relay, kommo, clinic, "24")
    await asyncio.gather(relay.post_widget(clinic, body_a), relay.post_widget(clinic, body_b))
    record_a, record_b = await kommo.wait_for_continuation(id_a), await kommo.wait_for_continuation(id_b)
    assert_one_booking_answered_twice(agent, record_a, record_b)


async def test_a_pick_repeated_while_its_booking_is_underway_gets_the_same_booking(relay, kommo):
    """The first delivery already kept the pick and asked the agent to book: the repeat is still that turn."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=1.0)
    (body_a, id_a), (body_b, id_b) = await a_pick_delivered_twice(relay, kommo, clinic, "27")
    assert (await relay.post_widget(clinic, body_a)).status_code == 200
    for _ in range(200):
        if agent.ops("book"):
            break
        await asyncio.sleep(0.01)
    assert (await relay.post_widget(clinic, body_b)).status_code == 200
    record_a, record_b = await kommo.wait_for_continuation(id_a), await kommo.wait_for_continuation(id_b)
    assert_one_booking_answered_twice(agent, record_a, record_b)


async def test_the_same_button_again_after_the_bot_moved_on_is_a_new_answer(relay, kommo):
    """'Más días' tapped on page 2 is not a repeat of 'Más días' tapped on page 1."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = await kommo.say(url, clinic.subdomain, "25", "hola")
    second = await kommo.say(url, clinic.subdomain, "25", "Más días")
    third = await kommo.say(url, clinic.subdomain, "25", "Más días")
    assert buttons_of(first.body) != buttons_of(second.body) != buttons_of(third.body)
    assert len(agent.requests) == 3


async def test_two_quick_messages_of_one_lead_are_handled_in_order(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=0.2)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "26", "hola")
    day = buttons_of(days.body)[0]
    body_a, id_a = kommo.widget_request(clinic.subdomain, data("26", day))
    body_b, id_b = kommo.widget_request(clinic.subdomain, data("26", "10:30"))
    await relay.post_widget(clinic, body_a)
    await relay.post_widget(clinic, body_b)
    record_a, record_b = await kommo.wait_for_continuation(id_a), await kommo.wait_for_continuation(id_b)
    # The day was chosen first, so "10:30" books that day's 10:30: the second turn saw the first one's state.
    assert record_a.body["data"]["status"] == "choose_time"
    assert record_b.body["data"]["status"] == "booked"
    assert record_b.body["data"]["start"].endswith("T10:30:00-03:00")
    assert len(agent.bookings) == 1
