"""Never stuck: whatever the agent does (nothing, pause, slowness, errors), the patient gets a polite hand-off."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of, texts_of


def assert_handoff(record, reason):
    assert record.accepted, record.reason
    data = record.body["data"]
    assert data["status"] == "handoff"
    assert data["reason"] == reason
    assert "Una recepcionista te escribirá en breve" in texts_of(record.body)
    assert buttons_of(record.body) == []


async def test_agent_offline_hands_off_at_once(relay, kommo):
    clinic = relay.add_clinic()
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "11", "hola")
    assert_handoff(record, "agent_offline")
    assert [r for r in kommo.rejections() if r.subdomain == clinic.subdomain] == []


async def test_a_person_asked_for_while_the_clinic_pc_is_off_is_handed_off_as_that(relay, kommo):
    """"Quiero hablar con una persona" with the PC off: "no puedo revisar la agenda" and a task saying only that the
    PC was off; the patient asked for a person, and reception is told so."""
    clinic = relay.add_clinic()
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "13", "hola, quiero hablar con una persona")
    assert_handoff(record, "asked_for_person")
    assert "no puedo revisar la agenda" not in " ".join(texts_of(record.body))


async def test_paused_agent_is_not_asked(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "12", "hola")
    assert_handoff(record, "paused")
    assert agent.requests == []
    await agent.set_paused(False)
    await relay.wait_for_agent(clinic, paused=False)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "12", "hola")
    assert record.body["data"]["status"] == "choose_day"


async def test_slow_agent_times_out_into_a_handoff(make_relay, kommo):
    relay = make_relay(slots_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=3.0)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "13", "hola")
    assert_handoff(record, "timeout")
    assert agent.requests[0].timeout_s == 0.5  # the deadline travels to the agent, relative
    assert (await relay.healthz())["clinics"][clinic.name]["agent_connected"] is True


async def test_slow_booking_hands_off_with_the_requested_slot(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=3.0)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "14", "hola")
    times = await kommo.say(url, clinic.subdomain, "14", buttons_of(days.body)[0])
    record = await kommo.say(url, clinic.subdomain, "14", buttons_of(times.body)[0])
    assert record.body["data"]["status"] == "handoff"
    assert record.body["data"]["reason"] == "timeout"
    assert record.body["data"]["requested_start"].endswith("T10:00:00-03:00")
    assert len(agent.ops("book")) == 1


async def test_agent_error_codes_become_the_handoff_reason(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots_error="login_failed")
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "15", "hola")
    assert_handoff(record, "login_failed")


async def test_agent_gone_mid_request_hands_off_without_waiting_for_the_deadline(make_relay, kommo):
    relay = make_relay(slots_timeout_s=60.0)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=30.0)
    body, continue_id = kommo.widget_request(clinic.subdomain, {"lead_id": "16", "message": "hola"})
    assert (await relay.post_widget(clinic, body)).status_code == 200
    await asyncio.wait_for(agent.asked.wait(), 20)
    await agent.close()
    record = await kommo.wait_for_continuation(continue_id, timeout=20)
    assert_handoff(record, "agent_offline")


async def test_relay_shutdown_still_answers_turns_in_flight(make_relay, kommo):
    relay = make_relay(slots_timeout_s=60.0)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=30.0)
    body, continue_id = kommo.widget_request(clinic.subdomain, {"lead_id": "17", "message": "hola"})
    assert (await relay.post_widget(clinic, body)).status_code == 200
    await asyncio.wait_for(agent.asked.wait(), 20)
    await asyncio.to_thread(relay.stop)
    record = await kommo.wait_for_continuation(continue_id, timeout=20)
    assert_handoff(record, "agent_offline")
