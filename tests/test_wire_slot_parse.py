"""A slot read from the wire is validated once per distinct value (issue 13): the same slot again is the same
valid slot, and a bad one is refused every time, with the message the field-by-field check gives."""

from __future__ import annotations

import pytest

from wire.messages import ProtocolError, SlotsResult, WireSlot

GOOD = {"id": "s1", "start": "2026-12-03T10:00:00-03:00", "end": "2026-12-03T10:30:00-03:00",
        "professional": " Dra. Soto ", "specialty": "Traumatología"}


def test_a_slot_read_again_is_the_same_value_as_one_built_by_hand():
    first, again = WireSlot.from_json(dict(GOOD)), WireSlot.from_json(dict(GOOD))
    built = WireSlot("s1", GOOD["start"], GOOD["end"], "Dra. Soto", "Traumatología", "")
    assert first == again == built and hash(first) == hash(built) and repr(first) == repr(built)
    assert first.to_json() == built.to_json()
    assert WireSlot.from_json(first.to_json()) == first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "a b"}, "slot.id must be"),
        ({"id": 7}, "slot.id must be"),
        ({"start": "tomorrow"}, "slot.start must be an ISO 8601 time"),
        ({"end": "2026-12-03T10:30:00"}, "slot.end must carry a UTC offset"),
        ({"end": "2026-12-03T09:30:00-03:00"}, "slot.end must be after slot.start"),
        ({"professional": "Dra.\x07Soto"}, "slot.professional must not hold control characters"),
        ({"professional": ["Dra. Soto"]}, "slot.professional must be a string"),
        ({"specialty": 0}, "slot.specialty must be a string"),
        ({"service": "x" * 81}, "slot.service must be 1-80 characters"),
    ],
)
def test_a_bad_slot_is_refused_every_time_even_after_the_good_one(change, message):
    WireSlot.from_json(dict(GOOD))
    for _ in range(2):
        with pytest.raises(ProtocolError, match=message):
            WireSlot.from_json({**GOOD, **change})
    assert WireSlot.from_json(dict(GOOD)).professional == "Dra. Soto"


def test_values_that_compare_equal_across_types_are_not_taken_for_a_valid_slot():
    WireSlot.from_json({**GOOD, "specialty": None})
    for odd in (False, 0, 0.0):  # == "" or None for no type a valid slot holds, but checked as given
        with pytest.raises(ProtocolError):
            WireSlot.from_json({**GOOD, "specialty": odd})


def test_a_whole_answer_reads_the_same_twice():
    answer = {"slots": [dict(GOOD), {**GOOD, "id": "s2", "start": "2026-12-03T11:00:00-03:00",
                                     "end": "2026-12-03T11:30:00-03:00"}], "age_s": 1}
    assert SlotsResult.from_json(answer) == SlotsResult.from_json(answer)
    with pytest.raises(ProtocolError, match="a slot must be an object"):
        SlotsResult.from_json({**answer, "slots": [dict(GOOD), "s2"]})
