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
