"""tests/e2e/test_e2e_restart_{repeat,cancel,retry}.py with the relay on Redis: real `cita-relay serve` processes
(two instances, or one restarted under its own name), the real agent and the stand-in web app.

The instance holding the turns is killed (SIGKILL) mid-booking (or mid-cancel); the other instance takes its turns
over, or the killed one comes back under the same name and re-runs them. Whatever happens: one appointment in the
web app, and every Kommo return_url answered exactly once, with the truth."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import httpx
import pytest
from agent_journal import journal_statuses
from continuations import buttons, data, status, texts
from polling import wait_for
from redis_server import RedisServer
from two_relay_system import TwoRelaySystem

from demo.kommo import RecordedContinuation

A, B = 0, 1


class Patient:
    def __init__(self, system: TwoRelaySystem, name: str, phone: str) -> None:
        self.system = system
        self.name = name
        self.phone = phone
        self.lead_id = str(secrets.randbelow(90_000_000) + 10_000_000)

    async def say(self, instance: int, message: str) -> RecordedContinuation:
        reply = await self.system.kommo.say(
            self.system.widget_url_of(instance), self.system.config.subdomain, self.lead_id, message,
            name=self.name, phone=self.phone, timeout=60,
        )
        assert reply.accepted, reply.reason
        return reply

    def widget_request(self, message: str) -> tuple[dict, str]:
        said = {"lead_id": self.lead_id, "message": message, "name": self.name, "phone": self.phone}
        return self.system.kommo.widget_request(self.system.config.subdomain, said)

    async def post(self, instance: int, body: dict) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.post(self.system.widget_url_of(instance), json=body)).status_code == 200

    async def reach_time_menu(self, instance: int) -> RecordedContinuation:
        days = await self.say(instance, "Hola, con cualquier profesional")
        assert status(days) == "choose_day", texts(days)
        times = await self.say(instance, buttons(days)[0])
        assert status(times) == "choose_time", texts(times)
        return times

    def appointments(self) -> list[dict]:
        return [a for a in self.system.admin.appointments() if a["patient_name"] == self.name]


async def _booking_started(system: TwoRelaySystem) -> None:
    await asyncio.to_thread(wait_for, lambda: journal_statuses(system.agent_home) == ["in_progress"], 60, "the booking to start")


async def _answered_once(system: TwoRelaySystem, continue_ids: list[str]) -> None:
    await asyncio.sleep(2)  # anything more for these return_urls would have come by now
    sent = [r.continue_id for r in system.kommo.continuations()]
    assert all(sent.count(continue_id) == 1 for continue_id in continue_ids), sent
    assert not system.kommo.rejections()


async def _one_booking_told_once(system: TwoRelaySystem, patient: Patient, continue_id: str, instance: int) -> None:
    """The repeated pick's return_url answered once, «booked», with the one appointment the web app shows; the
    patient's next message, through ``instance``, starts over."""
    reply = await system.kommo.wait_for_continuation(continue_id, 60)
    assert reply.accepted, reply.reason
    assert status(reply) == "booked", texts(reply)
    [appointment] = patient.appointments()
    assert data(reply)["booking_id"] == appointment["id"]
    await _answered_once(system, [continue_id])
    assert status(await patient.say(instance, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


@pytest.fixture
def system(tmp_path, browser_path) -> Iterator[TwoRelaySystem]:
    redis_server = RedisServer(tmp_path / "redis").start()
    try:
        with TwoRelaySystem(tmp_path / "system", browser_path, redis_server.url) as running:
            running.wait_for_first_read()
            yield running
    finally:
        redis_server.stop()


async def _alone_on(system: TwoRelaySystem, index: int) -> None:
    """One instance on Redis: the other killed before anything, the agent on the one left."""
    system.kill_relay_instance(1 - index)
    await asyncio.to_thread(system.wait_for_holder, index, 90)


async def test_a_pick_tapped_twice_on_the_instance_killed_mid_booking_is_answered_on_both_urls_by_the_other(system):
    """Fix 1 on Redis, two instances: both taps reach B (the agent on A); B dies; A re-runs the pick with its repeat
    riding along."""
    system.wait_for_holder(A, 60)
    patient = Patient(system, "Teresa Redoble", "+56 9 4141 5252")
    times = await patient.reach_time_menu(B)
    system.admin.set_faults(latency_ms=700)
    first, first_id = patient.widget_request(buttons(times)[0])
    second, second_id = patient.widget_request(buttons(times)[0])  # the same tap, a second time
    await patient.post(B, first)
    await patient.post(B, second)
    await _booking_started(system)

    system.kill_relay_instance(B)  # both taps accepted there; neither answered
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)

    replies = [await system.kommo.wait_for_continuation(cid, 60) for cid in (first_id, second_id)]
    [appointment] = patient.appointments()
    for reply in replies:
        assert reply.accepted, reply.reason
        assert status(reply) == "booked", texts(reply)
        assert data(reply)["booking_id"] == appointment["id"]
    await _answered_once(system, [first_id, second_id])
    assert status(await patient.say(A, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


async def test_a_pick_tapped_twice_on_one_instance_killed_and_restarted_under_its_name(system):
    """Fix 1 on Redis, one instance killed and started again under the same name (as run-several-relays.md sets
    CITA_RELAY_INSTANCE_NAME): its own turns are its to re-run."""
    await _alone_on(system, B)
    patient = Patient(system, "Teresa Reinicio", "+56 9 4242 5353")
    times = await patient.reach_time_menu(B)
    system.admin.set_faults(latency_ms=700)
    first, first_id = patient.widget_request(buttons(times)[0])
    second, second_id = patient.widget_request(buttons(times)[0])
    await patient.post(B, first)
    await patient.post(B, second)
    await _booking_started(system)

    system.kill_relay_instance(B)
    await asyncio.to_thread(wait_for, lambda: bool(patient.appointments()), 60, "the agent to finish the booking")
    system.admin.set_faults(latency_ms=0)
    await asyncio.to_thread(system.start_relay_instance, B)

    replies = [await system.kommo.wait_for_continuation(cid, 60) for cid in (first_id, second_id)]
    [appointment] = patient.appointments()
    for reply in replies:
        assert reply.accepted, reply.reason
        assert status(reply) == "booked", texts(reply)
        assert data(reply)["booking_id"] == appointment["id"]
    await _answered_once(system, [first_id, second_id])
    await asyncio.to_thread(system.wait_for_holder, B, 90)
    assert status(await patient.say(B, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


async def test_a_repeat_whose_instance_died_after_the_first_tap_was_answered_elsewhere_gets_that_answer(system):
    """(c): the first tap on A (answered there), the second on B, which dies before it has the first's reply. A
    takes the repeat over once the first is finished: it is owed the first's reply, never a new turn decided on
    the booked conversation (the pick read again, another appointment or a wrong answer)."""
    system.wait_for_holder(A, 60)
    patient = Patient(system, "Rita Repetida", "+56 9 4343 5454")
    times = await patient.reach_time_menu(A)
    system.admin.set_faults(latency_ms=700)
    first, first_id = patient.widget_request(buttons(times)[0])
    second, second_id = patient.widget_request(buttons(times)[0])
    await patient.post(A, first)
    await _booking_started(system)
    await patient.post(B, second)  # B waits for the first's reply, held by A
    await asyncio.sleep(0.5)
    system.kill_relay_instance(B)

    reply = await system.kommo.wait_for_continuation(first_id, 60)
    system.admin.set_faults(latency_ms=0)
    assert status(reply) == "booked", texts(reply)
    repeat = await system.kommo.wait_for_continuation(second_id, 60)  # A took B's turn over
    [appointment] = patient.appointments()
    for answer in (reply, repeat):
        assert answer.accepted, answer.reason
        assert status(answer) == "booked", texts(answer)
        assert data(answer)["booking_id"] == appointment["id"]
    await _answered_once(system, [first_id, second_id])
    assert status(await patient.say(A, "Hola")) == "choose_day"
    assert len(patient.appointments()) == 1


async def _cancel_under_way(system: TwoRelaySystem, patient: Patient, instance: int) -> tuple[dict, str]:
    """The patient's appointment, and the continue id of their "Sí, cancelar" once the agent has it in hand."""
    times = await patient.reach_time_menu(instance)
    assert status(await patient.say(instance, buttons(times)[0])) == "booked"
    [appointment] = patient.appointments()
    ask = await patient.say(instance, "quiero cancelar mi hora")
    assert data(ask).get("code") == "confirm_cancel", texts(ask)
    system.admin.set_faults(latency_ms=1500)  # the cancel takes seconds in the web app
    body, continue_id = patient.widget_request(buttons(ask)[0])
    await patient.post(instance, body)
    await asyncio.sleep(1.0)
    return appointment, continue_id


async def test_a_cancel_on_the_instance_killed_mid_cancel_is_finished_by_the_other_with_the_truth(system):
    """Fix 2's case on two instances: B, which had the cancel, dies; A takes the turn over (within seconds, the agent
    still there) and asks again with the same key: "cancelada", once, never "sigue reservada"."""
    system.wait_for_holder(A, 60)
    patient = Patient(system, "Nadia Redis", "+56 9 4444 5555")
    appointment, continue_id = await _cancel_under_way(system, patient, B)
    system.kill_relay_instance(B)  # the agent has the cancel in hand

    reply = await system.kommo.wait_for_continuation(continue_id, 60)  # A took the turn over
    system.admin.set_faults(latency_ms=0)
    assert reply.accepted, reply.reason
    assert "sigue reservada" not in texts(reply), texts(reply)
    assert status(reply) == "cancelled", texts(reply)
    assert data(reply)["booking_id"] == appointment["id"]
    assert patient.appointments() == []
    await _answered_once(system, [continue_id])


async def test_a_cancel_cut_short_on_one_instance_restarted_with_the_agent_away_is_not_known_yet(system):
    """Fix 2 on Redis as on SQLite: one instance killed mid-cancel, started again under its name, the agent away."""
    await _alone_on(system, B)
    patient = Patient(system, "Nadia Reinicio", "+56 9 4747 5858")
    appointment, continue_id = await _cancel_under_way(system, patient, B)
    system.kill_relay_instance(B)
    await asyncio.to_thread(wait_for, lambda: not patient.appointments(), 60, "the agent to finish the cancel")
    system.stop_agent()  # and then the clinic's PC goes away too
    system.admin.set_faults(latency_ms=0)
    await asyncio.to_thread(system.start_relay_instance, B)

    reply = await system.kommo.wait_for_continuation(continue_id, 60)  # after the relay's wait for the agent
    assert reply.accepted, reply.reason
    assert "sigue reservada" not in texts(reply), texts(reply)
    assert "Aún no sé si tu hora" in texts(reply) and "quedó cancelada" in texts(reply), texts(reply)
    await _answered_once(system, [continue_id])

    system.start_agent()
    await asyncio.to_thread(system.wait_for_holder, B, 90)
    told = await patient.say(B, "hola, ¿se canceló mi hora?")
    assert status(told) == "cancelled", texts(told)
    assert data(told)["booking_id"] == appointment["id"]
    assert patient.appointments() == []


async def test_kommo_repeating_a_pick_to_the_other_instance_after_a_kill_gets_one_true_answer(system):
    """Fix 3 on Redis: Kommo sends the pick again (same token and return_url) to A once B, which had it, died."""
    system.wait_for_holder(A, 60)
    patient = Patient(system, "Laura Reenvía", "+56 9 4545 5656")
    times = await patient.reach_time_menu(B)
    system.admin.set_faults(latency_ms=700)
    body, continue_id = patient.widget_request(buttons(times)[0])
    await patient.post(B, body)
    await _booking_started(system)
    await patient.post(B, body)  # Kommo repeats it
    system.kill_relay_instance(B)
    await patient.post(A, body)  # and repeats it once more, to the instance left
    system.admin.set_faults(latency_ms=0)

    await _one_booking_told_once(system, patient, continue_id, A)


async def test_kommo_repeating_a_pick_to_one_instance_restarted_under_its_name_gets_one_true_answer(system):
    """Fix 3 on Redis with one instance, killed and started again under the same name."""
    await _alone_on(system, B)
    patient = Patient(system, "Laura Redial", "+56 9 4646 5757")
    times = await patient.reach_time_menu(B)
    system.admin.set_faults(latency_ms=700)
    body, continue_id = patient.widget_request(buttons(times)[0])
    await patient.post(B, body)
    await _booking_started(system)
    await patient.post(B, body)
    system.kill_relay_instance(B)
    await asyncio.to_thread(system.start_relay_instance, B)  # the agent dials in again within seconds
    await patient.post(B, body)
    system.admin.set_faults(latency_ms=0)

    await _one_booking_told_once(system, patient, continue_id, B)
