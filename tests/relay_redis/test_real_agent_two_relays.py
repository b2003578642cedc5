"""The real agent (`cita-agent run --headless`, configured with both relay URLs) behind two relay processes on one
Redis, booking into the stand-in clinic web app: what the patient gets and what the web app shows."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import httpx
import pytest
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
    days = await patient.say(1, "Hola")  # B: the agent is on A
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
    days = await patient.say(1, "Hola")
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
