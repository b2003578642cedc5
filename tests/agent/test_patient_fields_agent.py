"""Patient fields a driver requires, end to end in the agent: declared by the driver, told to the relay with the
slots, carried by a booking to the driver, and never in a log."""

from __future__ import annotations

import logging
from dataclasses import replace

from agent_testkit import FakeDriver, book_args

from agent.events import SlotsRefreshed
from agent.portal.base import Patient
from agent.slot_answer import facts_of, services_of


async def test_the_declared_fields_go_with_the_slots_and_the_booking_gives_them_to_the_driver(
    start_engine, relay, portal, monkeypatch, caplog
):
    monkeypatch.setattr(FakeDriver, "patient_fields", ("email", "birth_date"), raising=False)
    caplog.set_level(logging.DEBUG)
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    answer = (await relay.request("slots", {"days": 14}))["result"]
    assert answer["patient_fields"] == ["email", "birth_date"]
    assert "finds_bookings" not in answer  # the fake driver cannot list a phone's appointments
    assert answer["knows_bookings"] is True  # the agent's memory can: the relay's "ya tienes hora" check runs
    slot = answer["slots"][0]
    args = book_args(slot["id"], "lead-9:conv-1:" + slot["id"])
    args["patient"].update(email="ana.perez@correo.cl", birth_date="1985-03-15")
    assert (await relay.request("book", args))["ok"] is True
    [booking] = portal.appointments.values()
    assert (booking.patient.email, booking.patient.birth_date) == ("ana.perez@correo.cl", "1985-03-15")
    assert "ana.perez" not in caplog.text and "1985-03-15" not in caplog.text


async def test_a_driver_that_declares_none_sends_none(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    answer = (await relay.request("slots", {"days": 14}))["result"]
    assert "patient_fields" not in answer and "services" not in answer


def test_facts_of_a_driver_ignore_unknown_fields_and_read_capabilities(caplog):
    class Driver:
        patient_fields = ("email", "blood_type")

    assert facts_of(Driver()).patient_fields == ("email",)
    assert "blood_type" in caplog.text
    assert facts_of(object()).patient_fields == () and facts_of(object()).finds_bookings is False


def test_services_are_read_off_the_slots_with_their_usual_length(portal):
    slots = sorted(portal.free(), key=lambda s: s.start)[:6]
    named = tuple(replace(s, service="Control" if i % 2 else "Limpieza") for i, s in enumerate(slots))
    minutes = round((slots[0].end - slots[0].start).total_seconds() / 60)
    assert sorted(services_of(named), key=lambda s: s["name"]) == [
        {"name": "Control", "minutes": minutes}, {"name": "Limpieza", "minutes": minutes}]
    assert services_of(tuple(slots)) == []


def test_a_patients_personal_fields_stay_out_of_its_repr():
    text = repr(Patient("Ana", "+56 9 1234 5678", email="ana@correo.cl", national_id="12345678-5",
                        birth_date="1985-03-15"))
    assert "ana@correo.cl" not in text and "12345678-5" not in text and "1985" not in text
