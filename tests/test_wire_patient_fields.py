"""Optional wire fields: patient fields on book and reschedule, services / patient_fields / finds_bookings with the
slots. Older peers neither send nor need them."""

from __future__ import annotations

import json

import pytest

from wire.appointments import RescheduleArgs
from wire.messages import (
    BookArgs,
    ProtocolError,
    SlotsResult,
    WirePatient,
    WireService,
    WireSlot,
    book_request,
    decode,
    encode,
)

SLOT = WireSlot("s1", "2026-12-02T10:00:00-03:00", "2026-12-02T10:30:00-03:00", "Dra. Soto", service="Control")


def test_a_booking_carries_the_patient_fields_and_an_older_one_none():
    patient = WirePatient("Ana", "+56 9 1234 5678", email="ana@correo.cl", national_id="12345678-5",
                          birth_date="1985-03-15")
    frame = decode(encode(book_request("r1", BookArgs("s1", patient, "k1"), 10)))
    assert frame.args.patient == patient and frame.args.patient.fields()["email"] == "ana@correo.cl"
    older = decode(encode(book_request("r2", BookArgs("s1", WirePatient("Ana", "+56 9"), "k2"), 10)))
    assert older.args.patient.fields() == {} and "email" not in json.dumps(older.args.to_json())
    assert "ana@correo.cl" not in repr(patient) and "12345678" not in repr(patient)


@pytest.mark.parametrize("field,value", [("email", "ana@"), ("email", "a b@x.cl"), ("national_id", "12 34"),
                                         ("birth_date", "15/03/1985"), ("birth_date", "1985-02-30")])
def test_a_malformed_patient_field_is_refused(field, value):
    with pytest.raises(ProtocolError):
        WirePatient.from_json({"name": "Ana", "phone": "+56 9", field: value})


def test_reschedule_carries_them_too():
    args = RescheduleArgs("bk-1", "s1", "k1", "+56 9", email="ana@correo.cl")
    assert RescheduleArgs.from_json(json.loads(json.dumps(args.to_json()))) == args
    assert "email" not in RescheduleArgs("bk-1", "s1", "k1").to_json()


def test_slots_come_with_services_fields_and_whether_bookings_can_be_found():
    result = SlotsResult((SLOT,), 1.0, (WireService("Control", 30, "Odontología"),), ("email",), True)
    assert SlotsResult.from_json(json.loads(json.dumps(result.to_json()))) == result
    older = SlotsResult.from_json({"slots": [SLOT.to_json()], "age_s": 1})
    assert (older.services, older.patient_fields, older.finds_bookings) == ((), (), False)
    newer = SlotsResult.from_json({"slots": [], "age_s": 1, "patient_fields": ["email", "blood_type"]})
    assert newer.patient_fields == ("email",)  # a field this relay does not know is ignored
    knows = SlotsResult.from_json({"slots": [], "age_s": 1, "knows_bookings": True})
    assert knows.checks_bookings and not knows.finds_bookings and not older.checks_bookings
    assert SlotsResult.from_json(knows.to_json()) == knows
    for bad in ({"services": [{"name": "X", "minutes": 0}]}, {"services": "x"}, {"finds_bookings": "yes"},
                {"knows_bookings": 1}, {"patient_fields": [1]}):
        with pytest.raises(ProtocolError):
            SlotsResult.from_json({"slots": [], "age_s": 1, **bad})


def test_a_booking_may_say_which_appointments_the_patient_was_told_of():
    told = BookArgs("s1", WirePatient("Ana", "+56 9 1234 5678"), "k1", told=("bk-1", "under-way:cb1.abc"))
    assert decode(encode(book_request("r1", told, 10))).args.told == ("bk-1", "under-way:cb1.abc")
    none_yet = decode(encode(book_request("r2", BookArgs("s1", WirePatient("Ana", "+56 9"), "k2", told=()), 10)))
    assert none_yet.args.told == ()  # checked, and told of none: not the same as an older relay's "not checked"
    older = BookArgs("s1", WirePatient("Ana", "+56 9"), "k3")
    assert "told" not in older.to_json() and decode(encode(book_request("r3", older, 10))).args.told is None
    for bad in ("bk-1", ["bk 1"], ["x"] * 51, [7]):
        with pytest.raises(ProtocolError):
            BookArgs.from_json({**older.to_json(), "told": bad})
