"""The optional appointment operations on the wire: my_bookings, cancel, reschedule (pure, no sockets)."""

from __future__ import annotations

import json

import pytest

from wire.appointments import (
    CancelArgs,
    CancelResult,
    MyBookingsArgs,
    MyBookingsResult,
    RescheduleArgs,
    RescheduleResult,
    WireBooking,
    args_from_json,
)
from wire.messages import ProtocolError, Request, WireSlot, decode, encode

BOOKING = WireBooking("bk-1", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Soto", "Control")


@pytest.mark.parametrize(
    "args",
    [
        MyBookingsArgs("+56 9 1234 5678"),
        CancelArgs("bk-1", "cb1.abc"),
        RescheduleArgs("bk-1", "soto:2026-12-04T10:00", "cb1.def"),
    ],
)
def test_a_request_of_each_op_goes_over_the_wire_and_back(args):
    op = {MyBookingsArgs: "my_bookings", CancelArgs: "cancel", RescheduleArgs: "reschedule"}[type(args)]
    frame = decode(encode(Request(id="r-1", op=op, timeout_s=8.0, args=args)))
    assert isinstance(frame, Request) and frame.op == op and frame.args == args


def test_results_round_trip_and_optional_fields_stay_optional():
    assert MyBookingsResult.from_json(MyBookingsResult((BOOKING,)).to_json()).bookings == (BOOKING,)
    plain = WireBooking("bk-2", BOOKING.start, BOOKING.end, "Dr. Rojas")
    assert "service" not in plain.to_json() and WireBooking.from_json(plain.to_json()) == plain
    assert CancelResult.from_json({"booking_id": "bk-1"}) == CancelResult("bk-1", repeat=False)
    moved = RescheduleResult("bk-3", BOOKING.start, BOOKING.end, "Dra. Soto", previous_cancelled=False)
    assert RescheduleResult.from_json(json.loads(json.dumps(moved.to_json()))) == moved


@pytest.mark.parametrize(
    ("op", "args"),
    [
        ("my_bookings", {"phone": "drop table"}),
        ("my_bookings", {}),
        ("cancel", {"booking_id": "../../etc", "idempotency_key": "k"}),
        ("cancel", {"booking_id": "bk-1"}),
        ("reschedule", {"booking_id": "bk-1", "slot_id": "", "idempotency_key": "k"}),
        ("delete_everything", {}),
    ],
)
def test_anything_off_is_refused(op, args):
    with pytest.raises(ProtocolError):
        args_from_json(op, args)
    with pytest.raises(ProtocolError):
        decode(json.dumps({"type": "request", "id": "r-1", "op": op, "timeout_s": 5, "args": args}))


def test_whose_appointment_it_is_goes_along_when_known_and_is_validated():
    family = WireBooking("bk-5", BOOKING.start, BOOKING.end, "Dr. Rojas", patient="Rosa Muñoz")
    assert family.to_json()["patient"] == "Rosa Muñoz" and WireBooking.from_json(family.to_json()) == family
    assert "patient" not in WireBooking("bk-6", BOOKING.start, BOOKING.end, "Dr. Rojas").to_json()
    for bad in ("Rosa\nMuñoz", "x" * 121, 7):
        with pytest.raises(ProtocolError):
            WireBooking.from_json({**family.to_json(), "patient": bad})


def test_a_booking_list_is_bounded_and_validated():
    with pytest.raises(ProtocolError):
        MyBookingsResult.from_json({"bookings": [BOOKING.to_json()] * 21})
    with pytest.raises(ProtocolError):
        MyBookingsResult.from_json({"bookings": [{**BOOKING.to_json(), "start": "mañana"}]})


def test_slots_may_carry_specialty_and_service_and_an_older_slot_still_reads():
    slot = WireSlot("s-1", BOOKING.start, BOOKING.end, "Dra. Soto", specialty="Medicina general", service="Control")
    assert WireSlot.from_json(slot.to_json()) == slot
    old = {"id": "s-1", "start": BOOKING.start, "end": BOOKING.end, "professional": "Dra. Soto"}
    assert WireSlot.from_json(old).specialty == "" and slot.to_json().keys() >= old.keys()
    assert args_from_json("slots", {"days": 14, "specialty": "Traumatología"}).specialty == "Traumatología"


def test_the_bots_own_appointment_says_the_id_it_had_while_being_written():
    written = WireBooking("bk-9", BOOKING.start, BOOKING.end, "Dr. Rojas", was="under-way:cb1.f00")
    assert WireBooking.from_json(written.to_json()) == written
    assert written.told_in({"under-way:cb1.f00"}) and written.told_in({"bk-9"}) and not written.told_in({"bk-8"})
    assert "was" not in WireBooking("bk-9", BOOKING.start, BOOKING.end, "Dr. Rojas").to_json()
    with pytest.raises(ProtocolError):
        WireBooking.from_json({**written.to_json(), "was": "under way"})
