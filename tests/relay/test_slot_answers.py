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


def with_fingerprint(result: dict, fingerprint: str) -> dict:
    return {**result, "fingerprint": fingerprint}


def test_unchanged_is_the_held_answer_with_the_new_age_only_when_its_fingerprint_is_held():
    cache = SlotAnswerCache()
    assert cache.known("c1") is None
    first = cache.parse("c1", with_fingerprint(answer("10", "11"), "fp-aaaaaaaa"))
    assert cache.known("c1") == "fp-aaaaaaaa" and cache.known("c2") is None
    same = cache.parse("c1", {"unchanged": "fp-aaaaaaaa", "age_s": 7.0})
    assert same is not None and same.slots is first.slots and same.age_s == 7.0
    assert cache.parse("c1", {"unchanged": "fp-bbbbbbbb", "age_s": 7.0}) is None  # not the one held: ask in full
    assert cache.parse("c2", {"unchanged": "fp-aaaaaaaa", "age_s": 7.0}) is None  # another clinic's


def test_a_new_answer_replaces_the_held_fingerprint_and_an_older_agent_gives_none():
    cache = SlotAnswerCache()
    cache.parse("c1", with_fingerprint(answer("10"), "fp-aaaaaaaa"))
    changed = cache.parse("c1", with_fingerprint(answer("12"), "fp-cccccccc"))
    assert cache.known("c1") == "fp-cccccccc"
    assert cache.parse("c1", {"unchanged": "fp-aaaaaaaa", "age_s": 1.0}) is None
    assert cache.parse("c1", {"unchanged": "fp-cccccccc", "age_s": 1.0}).slots is changed.slots
    # The same slots with other facts: a new fingerprint, the new facts.
    facts = cache.parse("c1", with_fingerprint({**answer("12"), "finds_bookings": True}, "fp-dddddddd"))
    assert facts.slots is changed.slots and cache.parse("c1", {"unchanged": "fp-dddddddd"}).finds_bookings
    cache.parse("c1", answer("12"))  # an older agent (or one restarted without it): nothing to ask with
    assert cache.known("c1") is None
    assert cache.parse("c1", {"unchanged": "fp-dddddddd", "age_s": 1.0}) is None


def test_an_evicted_clinic_holds_no_answer():
    cache = SlotAnswerCache(max_clinics=2)
    for clinic in ("c1", "c2", "c3"):
        cache.parse(clinic, with_fingerprint(answer("10"), f"fp-{clinic}-000"))
    assert cache.known("c1") is None and cache.parse("c1", {"unchanged": "fp-c1-000", "age_s": 1.0}) is None
    assert cache.known("c3") == "fp-c3-000"


@pytest.mark.parametrize(
    "result",
    [
        {"unchanged": "short", "age_s": 1.0},
        {"unchanged": 12345678, "age_s": 1.0},
        {"unchanged": "fp-aaaaaaaa", "age_s": -1},
        {"unchanged": "fp-aaaaaaaa", **answer("10")},
        with_fingerprint(answer("10"), "not a fingerprint"),
    ],
)
def test_a_bad_unchanged_or_fingerprint_is_refused(result):
    cache = SlotAnswerCache()
    cache.parse("c1", with_fingerprint(answer("10"), "fp-aaaaaaaa"))
    with pytest.raises(ProtocolError):
        cache.parse("c1", result)
    assert cache.known("c1") == "fp-aaaaaaaa"
