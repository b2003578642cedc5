"""The real agent (`cita-agent run --headless`, configured with both relay URLs) behind two relay processes on one
Redis, booking into the stand-in clinic web app: what the patient gets and what the web app shows."""

from __future__ import annotations

import asyncio
import secrets
import signal
from collections.abc import Iterator

import httpx
import pytest
from agent_journal import journal_statuses
from polling import wait_for
from redis_server import RedisServer
from two_relay_system import TwoRelaySystem

from demo.kommo import RecordedContinuation


def status(reply: RecordedContinuation) -> str:
    return str(reply.body.get("data", {}).get("status", ""))


def buttons(reply: RecordedContinuation) -> list[str]:
    for handler in reply.body.get("execute_handlers", []):
        params = handler.get("params", {})
        if handler.get("handler") == "show" and params.get("type") == "buttons":
            return list(params.get("buttons", []))
    return []


class Patient:
    def __init__(self, system: TwoRelaySystem, name: str) -> None:
        self.system = system
        self.name = name
        self.lead_id = str(secrets.randbelow(90_000_000) + 10_000_000)

    async def say(self, instance: int, message: str) -> RecordedContinuation:
        reply = await self.system.kommo.say(
            self.system.widget_url_of(instance),
            self.system.config.subdomain,
            self.lead_id,
            message,
            name=self.name,
            phone="+56 9 8765 4321",
            timeout=60,
        )
        assert reply.accepted, reply.reason
        return reply

    def widget_request(self, message: str) -> tuple[dict, str]:
        data = {"lead_id": self.lead_id, "message": message, "name": self.name, "phone": "+56 9 8765 4321"}
        return self.system.kommo.widget_request(self.system.config.subdomain, data)

    def appointments(self) -> list[dict]:
        return [a for a in self.system.admin.appointments() if a["patient_name"] == self.name]


@pytest.fixture
def system(tmp_path, browser_path) -> Iterator[TwoRelaySystem]:
    redis_server = RedisServer(tmp_path / "redis").start()
    try:
        with TwoRelaySystem(tmp_path / "system", browser_path, redis_server.url) as running:
            yield running
    finally:
        redis_server.stop()


async def test_a_conversation_alternating_between_instances_books_exactly_once(system):
    system.wait_for_holder(0, 60)  # the agent dials the first URL first
    patient = Patient(system, "Ana Alterna")
    days = await patient.say(1, "Hola, con cualquier profesional")  # B: the agent is on A
    assert status(days) == "choose_day"
    times = await patient.say(0, buttons(days)[0])
    assert status(times) == "choose_time"

    # The pick reaches both instances at once (Kommo repeating it): one booking, the same answer on both URLs.
    body_a, id_a = patient.widget_request(buttons(times)[0])
    body_b, id_b = patient.widget_request(buttons(times)[0])
    async with httpx.AsyncClient(timeout=10) as http:
        answers = await asyncio.gather(
            http.post(system.widget_url_of(1), json=body_a), http.post(system.widget_url_of(0), json=body_b)
        )
    assert [a.status_code for a in answers] == [200, 200]
    first = await system.kommo.wait_for_continuation(id_a, timeout=60)
    second = await system.kommo.wait_for_continuation(id_b, timeout=60)
    assert status(first) == status(second) == "booked"
    assert first.body["data"]["booking_id"] == second.body["data"]["booking_id"]

    booked = patient.appointments()
    assert len(booked) == 1 and booked[0]["start"].startswith(first.body["data"]["start"][:16])
    assert await asyncio.to_thread(system.agent_requests, "book") == 1.0  # one request, across both instances
    assert [r for r in system.kommo.rejections()] == []


async def test_the_agents_instance_killed_mid_conversation(system):
    system.wait_for_holder(0, 60)
    patient = Patient(system, "Bruno Caída")
    days = await patient.say(1, "Hola, con cualquier profesional")
    assert status(days) == "choose_day"

    system.kill_relay_instance(0)  # the instance holding the agent's websocket dies
    await asyncio.to_thread(system.wait_for_holder, 1, 60)  # the agent moves to the second URL by itself
    times = await patient.say(1, buttons(days)[0])
    assert status(times) == "choose_time"
    booked = await patient.say(1, buttons(times)[0])
    assert status(booked) == "booked"
    assert len(patient.appointments()) == 1

    # The first instance comes back: the agent returns to it (it checks its first relay about once a minute).
    await asyncio.to_thread(system.start_relay_instance, 0)
    await asyncio.to_thread(system.wait_for_holder, 0, 150)
    again = await patient.say(1, "Hola")  # asked through B, answered by the agent on A
    assert status(again) == "choose_day", again.body
    assert len(patient.appointments()) == 1


async def _slow_pick_through(system: TwoRelaySystem, patient: Patient, instance: int) -> str:
    """The pick goes to ``instance`` while the web app is slow; returns its continue id once the agent is booking."""
    days = await patient.say(instance, "Hola, con cualquier profesional")  # no specialty question first
    assert status(days) == "choose_day"
    # The second day listed: today's first time may begin while the slowed booking is in flight (the suite reaching
    # this test at a slot's start), and the web app then rightly refuses it as past
    times = await patient.say(instance, "2")
    system.admin.set_faults(latency_ms=700)
    body, continue_id = patient.widget_request(buttons(times)[0])
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.post(system.widget_url_of(instance), json=body)).status_code == 200
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60, "the booking to start")
    return continue_id


async def test_the_instance_that_took_the_pick_killed_mid_booking_its_turn_is_finished_by_the_other(system):
    system.wait_for_holder(0, 60)  # the agent is on A; Kommo's calls go to B
    patient = Patient(system, "Lucía Huérfana")
    continue_id = await _slow_pick_through(system, patient, 1)

    system.kill_relay_instance(1)  # B dies with the turn in flight
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)

    reply = await system.kommo.wait_for_continuation(continue_id, 60)  # A takes B's turn over
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", reply.body
    [appointment] = patient.appointments()
    assert reply.body["data"]["booking_id"] == appointment["id"]
    assert "turn_resumed" in (system.root / "relay-a.log").read_text(errors="replace")
    assert status(await patient.say(0, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


async def test_the_agents_instance_stopped_mid_booking_drains_the_forwarded_booking_first(system):
    system.wait_for_holder(0, 60)
    patient = Patient(system, "Mateo Reenvío")
    continue_id = await _slow_pick_through(system, patient, 1)

    system.processes[0].send_signal(signal.SIGTERM)  # A, which holds the agent, is deployed mid-booking
    reply = await system.kommo.wait_for_continuation(continue_id, 60)
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", reply.body
    await asyncio.to_thread(system.processes[0].wait, 40)
    system.processes[0] = None
    system.admin.set_faults(latency_ms=0)
    await asyncio.to_thread(system.wait_for_holder, 1, 60)
    assert status(await patient.say(1, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1
