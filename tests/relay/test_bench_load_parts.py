"""The load bench's scripted agents answer the relay's requests by cutting the id out of the frame's text
(bench/load_parts.py): that must hold for the frames the relay really sends, and their answers must be what the
relay reads as a valid slots response."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from load_parts import request_id  # noqa: E402

from wire.messages import Request, Response, SlotsArgs, Status, decode, encode  # noqa: E402


def test_the_id_of_the_relays_own_request_frames_and_none_for_others():
    frame = encode(Request(id="r-42:x", op="slots", timeout_s=5.0, args=SlotsArgs(days=14, professional="Dra. Soto")))
    assert request_id(frame) == "r-42:x"
    # Another key order (an older or newer relay): read properly, same answer.
    assert request_id('{"op":"slots","id":"r7","type":"request","timeout_s":5,"args":{"days":14}}') == "r7"
    assert request_id(encode(Status(paused=False, portal="ok", version="x"))) is None
    assert request_id('{"type":"ack","id":"k1"}') is None


def test_the_pre_encoded_answer_is_a_valid_response():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from relay_load import slots_json

    head, tail = '{"type":"response","id":"', '","ok":true,"result":' + slots_json(8) + "}"
    frame = decode(head + "r-42:x" + tail)
    assert isinstance(frame, Response)
    assert frame.id == "r-42:x" and frame.ok
    assert len(frame.result["slots"]) == 8


def test_the_bench_agents_say_unchanged_only_to_the_question_naming_their_answer():
    from load_parts import answer_tails
    from relay_load import slots_json

    from relay.slot_answers import SlotAnswerCache

    full, known, unchanged = answer_tails(slots_json(8))
    head = '{"type":"response","id":"'
    answers = SlotAnswerCache()
    first = decode(head + "r1" + full)
    assert isinstance(first, Response) and len(answers.parse("c1", first.result).slots) == 8
    question = encode(Request(id="r2", op="slots", timeout_s=5.0, args=SlotsArgs(days=14, known=answers.known("c1"))))
    assert known in question
    assert known not in encode(Request(id="r3", op="slots", timeout_s=5.0, args=SlotsArgs(days=14)))
    again = decode(head + "r2" + unchanged)
    assert isinstance(again, Response) and answers.parse("c1", again.result).slots == answers.parse("c1", first.result).slots


def test_the_bench_agents_standing_update_is_one_the_relay_keeps():
    from load_parts import standing_update
    from relay_load import slots_json

    from relay.slot_answers import SLOT_DAYS, SlotAnswerCache, standing_after
    from wire.messages import SlotsUpdate

    update = decode(standing_update(slots_json(8, knows_bookings=True)))
    assert isinstance(update, SlotsUpdate)
    standing = standing_after(None, update, 0.0, SLOT_DAYS)
    assert standing is not None and standing.fresh_until > 400
    answer = SlotAnswerCache().parse("c1", standing.result)
    assert len(answer.slots) == 8 and answer.checks_bookings
