"""The agent's side of "same slots as before": each full slots answer carries its fingerprint, a question naming the
fingerprint of the agent's current answer is answered "unchanged" with the fresh age, any other is answered in full."""

from __future__ import annotations

from agent_testkit import FakePortal
from test_slot_cache import Parts

from agent.slot_answer import DriverFacts, SlotListJson
from wire.messages import Response, SlotsArgs, SlotsUnchanged, answer_fingerprint, decode, encode, slots_request


async def ask(parts: Parts, known: str | None, days: int = 14) -> Response:
    sent = await parts.handler.handle_text(encode(slots_request("q1", SlotsArgs(days, known=known), 8.0)))
    answer = decode(sent)  # type: ignore[arg-type]
    assert isinstance(answer, Response) and answer.ok and answer.id == "q1"
    return answer


async def test_the_fingerprint_named_again_is_answered_unchanged_until_the_slots_change(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    full = await ask(parts, None)
    assert full.result is not None
    fingerprint = answer_fingerprint(full.result)
    assert fingerprint and full.slots_result().slots

    parts.mono += 30
    same = await ask(parts, fingerprint)
    assert SlotsUnchanged.from_json(same.result) == SlotsUnchanged(fingerprint, 30.0)
    assert (await ask(parts, "0" * 24)).result == {**full.result, "age_s": 30.0}  # not its answer's: in full
    assert answer_fingerprint((await ask(parts, fingerprint, days=3)).result) != fingerprint  # another question

    parts.portal.take(full.slots_result().slots[0].id)  # a receptionist books the first free slot
    await parts.cache.refresh()
    changed = await ask(parts, fingerprint)
    assert changed.result is not None and "slots" in changed.result
    assert answer_fingerprint(changed.result) != fingerprint
    assert [s.id for s in changed.slots_result().slots] != [s.id for s in full.slots_result().slots]


async def test_an_equal_read_keeps_the_fingerprint_and_other_facts_change_it(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    view = parts.cache.view(14)
    kept = SlotListJson()
    first = kept.fingerprint(view.slots)
    await parts.cache.refresh()  # read again: equal slots in new objects
    assert SlotListJson().fingerprint(parts.cache.view(14).slots) == first == kept.fingerprint(view.slots)
    assert kept.fingerprint(view.slots, DriverFacts((), True)) != first
    assert kept.fingerprint(view.slots, DriverFacts(("email",), True)) != kept.fingerprint(view.slots, DriverFacts((), True))


async def test_the_unchanged_frame_is_what_encoding_it_would_write(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    view = parts.cache.view(14)
    facts = DriverFacts((), True)
    kept = SlotListJson()
    fingerprint = kept.fingerprint(view.slots, facts)
    for known in (None, fingerprint, "f" * 24):
        expected = encode(Response("r-9", True, SlotListJson().result(view.slots, 4.5, facts, known))).encode()
        assert kept.frame("r-9", view.slots, 4.5, facts, known) == expected
    assert len(kept.frame("r-9", view.slots, 4.5, facts, fingerprint)) < 120
