"""The wire protocol as plain values: no sockets."""

import json

import pytest

from wire.messages import (
    BookArgs,
    BookResult,
    ProtocolError,
    Request,
    Response,
    SlotsArgs,
    SlotsResult,
    Status,
    WirePatient,
    WireSlot,
    book_request,
    decode,
    encode,
    error_response,
    ok_response,
    slots_request,
)

SLOT = WireSlot("soto:2026-12-02T10:30", "2026-12-02T10:30:00-03:00", "2026-12-02T11:00:00-03:00", "Dra. Soto")


def test_round_trip_of_every_frame():
    frames = [
        slots_request("r1", SlotsArgs(days=14, professional=None), 8.0),
        book_request("r2", BookArgs(SLOT.id, WirePatient("Ana Pérez", "+56 9 1234 5678"), "k-1"), 20.0),
        ok_response("r1", SlotsResult((SLOT,), 12.5)),
        ok_response("r2", BookResult("b-9", SLOT.start, SLOT.end, SLOT.professional, repeat=True)),
        error_response("r2", "slot_taken", "taken", alternatives=(SLOT,)),
        Status(paused=True, portal="ok", version="0.1.0"),
    ]
    for frame in frames:
        assert decode(encode(frame)) == frame


def test_request_matches_the_documented_shape():
    text = encode(slots_request("abc", SlotsArgs(), 8.0))
    assert json.loads(text) == {
        "type": "request", "id": "abc", "op": "slots", "timeout_s": 8.0,
        "args": {"days": 14, "professional": None},
    }


def test_results_parse_back_to_values():
    response = decode(encode(ok_response("x", SlotsResult((SLOT,), 3.0))))
    assert isinstance(response, Response)
    assert response.slots_result().slots == (SLOT,)


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[]",
        '{"type": "shell", "cmd": "rm -rf /"}',
        '{"type": "request", "id": "1", "op": "navigate", "timeout_s": 5, "args": {"url": "http://evil"}}',
        '{"type": "request", "id": "1", "op": "slots", "timeout_s": -1, "args": {}}',
        '{"type": "request", "id": "1", "op": "slots", "timeout_s": 1e9, "args": {}}',
        '{"type": "request", "id": "1", "op": "slots", "timeout_s": 5, "args": {"days": 400}}',
        '{"type": "request", "id": "1", "op": "slots", "timeout_s": 5, "args": {"days": true}}',
        '{"type": "request", "id": "../../x", "op": "slots", "timeout_s": 5, "args": {}}',
        '{"type": "request", "id": "1", "op": "book", "timeout_s": 5, "args": {"slot_id": "a", "patient": {"name": "A", "phone": "<script>"}, "idempotency_key": "k"}}',
        '{"type": "request", "id": "1", "op": "book", "timeout_s": 5, "args": {"slot_id": "a", "patient": {"name": "", "phone": "123456"}, "idempotency_key": "k"}}',
        '{"type": "request", "id": "1", "op": "book", "timeout_s": 5, "args": {"slot_id": "a b", "patient": {"name": "A", "phone": "123456"}, "idempotency_key": "k"}}',
        '{"type": "response", "id": "1", "ok": "yes"}',
        '{"type": "status", "paused": "no"}',
    ],
)
def test_the_agent_refuses_frames_off_the_protocol(frame):
    with pytest.raises(ProtocolError):
        decode(frame)


def test_oversized_frame_is_refused():
    with pytest.raises(ProtocolError):
        decode("x" * (300 * 1024))


def test_unknown_error_code_reads_as_internal():
    response = decode('{"type":"response","id":"1","ok":false,"error":{"code":"weird","message":"m"}}')
    assert isinstance(response, Response) and response.error is not None
    assert response.error.code == "internal"


def test_slot_times_need_an_offset():
    with pytest.raises(ProtocolError):
        WireSlot.from_json({"id": "a", "start": "2026-12-02T10:30:00", "end": "2026-12-02T11:00:00", "professional": "X"})


def test_request_is_a_value():
    assert isinstance(decode(encode(slots_request("a", SlotsArgs(3, "Dra. Soto"), 2))), Request)


def test_hostile_text_is_a_protocol_error_never_another_exception():
    hostile = [
        '{"type": "status", "paused": false, "version": "\\ud800"}',
        '{"type": "status", "paused": false, "version": "1.0\\u0000"}',
        '{"\\udc80": 1, "type": "status", "paused": false}',
        "[" * 100_000,
        '{"type": "status", "paused": false, "x": ' + "[" * 20 + "]" * 20 + "}",
        b"\xff\xfe",
    ]
    for text in hostile:
        with pytest.raises(ProtocolError):
            decode(text)
    ok = '{"type": "response", "id": "r", "ok": false, "error": {"code": "internal", "message": "line\\nnext"}}'
    assert decode(ok).error.message == "line\nnext"
    coloured = '{"type": "response", "id": "r", "ok": false, "error": {"code": "internal", "message": "\\u001b[2mx"}}'
    assert decode(coloured).error.message == "[2mx"
