"""A patient who taps "sí" twice (two widget_requests, each with its own return_url) while the relay is killed
mid-booking: the second was accepted as a repeat of the first, with no pending turn of its own, so the relay that
started again answered only the first; the Salesbot behind the second return_url waited on a continuation nobody
ever sent. Both now get the one booking's confirmation, and the web app holds one appointment."""

from __future__ import annotations

import asyncio

import httpx
from agent_journal import journal_statuses
from patient import Patient, buttons, data, status, texts
from polling import wait_for


async def test_a_pick_sent_twice_then_the_relay_killed_answers_both_return_urls_with_one_booking(
        fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Teresa Dosveces")
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]
    system.admin.set_faults(latency_ms=700)  # the booking takes seconds in the web app
    said = {"lead_id": lead_id, "message": pick, "name": patient.name, "phone": patient.phone}
    first, first_id = system.kommo.widget_request(system.config.subdomain, said)
    second, second_id = system.kommo.widget_request(system.config.subdomain, said)  # the same tap, a second time
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.post(system.widget_url, json=first)).status_code == 200
        assert (await http.post(system.widget_url, json=second)).status_code == 200
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60, "the booking to start")

    system.kill_relay()  # both taps accepted; neither answered
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)
    system.start_relay()

    replies = [await system.kommo.wait_for_continuation(continue_id, 60) for continue_id in (first_id, second_id)]
    [appointment] = patient.appointments()
    for reply in replies:
        assert reply.accepted, reply.reason
        assert status(reply) == "booked", texts(reply)
        assert data(reply)["booking_id"] == appointment["id"]

    system.wait_for_agent(timeout=60)
    assert status(await patient.say("Hola")) == "choose_day"
    assert len(patient.appointments()) == 1
