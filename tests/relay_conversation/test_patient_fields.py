"""The patient's fields as Kommo filled them: a phone and a name that can go into a booking, or a hand-off."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from relay.conversation import Book, ClinicProfile, Turn, check_continuation, decide
from relay.conversation.patient import MISSING_PHONE, UNREADABLE_NAME, is_placeholder, patient_problem
from wire.messages import SlotsResult, WireSlot

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SLOT = WireSlot("soto:1", "2026-12-02T10:30:00-03:00", "2026-12-02T11:00:00-03:00", "Dra. Soto")
SLOTS = SlotsResult((SLOT,), 1.0)


def turn(name: str = "Ana Pérez", phone: str = "+56 9 1234 5678") -> Turn:
    return Turn(lead_id="1", message="hola", name=name, phone=phone, now=NOW)


def test_usable_fields_pass():
    assert patient_problem("Ana Pérez", "+56 9 1234 5678") is None
    assert patient_problem("", "(02) 2345-6789") is None  # no name: asked before booking


def test_an_empty_unfilled_or_unreadable_phone_is_missing():
    for phone in ("", "   ", "{{contact.phone}}", "{{ contact.phone }}", "{{", "abc", "+", "12\x0034"):
        assert patient_problem("Ana", phone) == MISSING_PHONE, phone


def test_an_unfilled_name_or_one_with_control_characters_is_unreadable():
    for name in ("{{contact.name}}", "Ana {{contact.last_name}}", "Ana\x07", "Ana\x1b[31m", "Ana\x85"):
        assert patient_problem(name, "+56 9 1234 5678") == UNREADABLE_NAME, name


def test_placeholders():
    assert is_placeholder("{{lead.id}}") and is_placeholder("}}") and not is_placeholder("Ana {María}")


def test_decide_hands_off_before_any_menu_in_the_clinics_language():
    for language, words in (("es", "No tengo tu teléfono"), ("en", "I don't have your phone number")):
        reply = decide(None, turn(phone="{{contact.phone}}"), ClinicProfile("Clínica", language), SLOTS)
        assert reply.status == "handoff" and reply.state is not None
        assert (reply.state.stage, reply.state.intent, reply.state.pending) == ("handed_off", MISSING_PHONE, None)
        assert reply.continuation["data"]["reason"] == MISSING_PHONE
        assert reply.continuation["data"]["message"].startswith(words)
        assert not any(h["params"].get("type") == "buttons" for h in reply.continuation["execute_handlers"])
        assert check_continuation(reply.continuation) == []
    reply = decide(None, turn(name="{{contact.name}}"), ClinicProfile("Clínica"), SLOTS)
    assert reply.continuation["data"]["reason"] == UNREADABLE_NAME
    assert "No pude leer tu nombre" in reply.continuation["data"]["message"]


def test_decide_goes_on_with_usable_fields():
    assert decide(None, turn(), ClinicProfile("Clínica"), SLOTS).status == "choose_day"


def test_later_turns_are_checked_too_but_a_booking_under_way_is_asked_about_first():
    profile = ClinicProfile("Clínica")
    days = decide(None, turn(), profile, SLOTS)
    assert days.status == "choose_day"
    unfilled = replace(turn(phone="{{contact.phone}}"), message=days.continuation["data"]["option_1"])
    reply = decide(days.state, unfilled, profile, SLOTS)
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == MISSING_PHONE
    booking = replace(days.state, stage="booking", pending=SLOT, pending_message="x")
    resumed = decide(booking, unfilled, profile, SLOTS)
    assert isinstance(resumed, Book) and resumed.slot == SLOT  # asked again under the booking's own key
