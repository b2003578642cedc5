"""A clinic's repeated slots answer is validated once; any change in it is seen, and a bad one still refused."""

from __future__ import annotations

import pytest

from relay.slot_answers import SlotAnswerCache
from wire.messages import ProtocolError


def answer(*times: str, age: float = 1.0, who: str = "Dra. Soto") -> dict:
    return {
        "slots": [
            {"id": f"s{t}", "start": f"2026-12-03T{t}:00-03:00", "end": f"2026-12-03T{t}:30-03:00", "professional": who}
            for t in times
        ],
        "age_s": age,
    }


def test_the_same_slots_again_are_the_same_answer_with_the_new_age():
    cache = SlotAnswerCache()
    first = cache.parse("c1", answer("10", "11"))
    again = cache.parse("c1", answer("10", "11", age=9.5))
    assert again.slots is first.slots
    assert again.age_s == 9.5


def test_a_changed_slot_is_seen():
    cache = SlotAnswerCache()
    cache.parse("c1", answer("10", "11"))
    assert [s.id for s in cache.parse("c1", answer("10")).slots] == ["s10"]
    assert cache.parse("c1", answer("10", who="Dr. Pérez")).slots[0].professional == "Dr. Pérez"
    assert cache.parse("c2", answer("12")).slots[0].id == "s12"  # each clinic its own


def test_a_bad_answer_is_refused_even_after_a_good_one():
    cache = SlotAnswerCache()
    cache.parse("c1", answer("10"))
    broken = answer("10")
    broken["slots"][0]["start"] = "not a time"
    with pytest.raises(ProtocolError):
        cache.parse("c1", broken)
    with pytest.raises(ProtocolError):
        cache.parse("c1", {**answer("10"), "age_s": -1})


def test_a_changed_specialty_or_service_is_seen():
    cache = SlotAnswerCache()
    plain = answer("10")
    assert cache.parse("c1", plain).slots[0].specialty == ""
    plain["slots"][0]["specialty"] = "Traumatología"
    assert cache.parse("c1", plain).slots[0].specialty == "Traumatología"
    plain["slots"][0]["service"] = "Control"
    assert cache.parse("c1", plain).slots[0].service == "Control"
    plain["slots"][0]["specialty"] = None  # absent and null read the same
    again = cache.parse("c1", plain)
    assert (again.slots[0].specialty, again.slots[0].service) == ("", "Control")
