"""The optional "same as before" fields: ``args.known`` on a slots request, ``fingerprint`` on a full answer and the
short ``unchanged`` result. Older peers neither send nor need them."""

from __future__ import annotations

import pytest

from wire.messages import (
    ProtocolError,
    Request,
    SlotsArgs,
    SlotsResult,
    SlotsUnchanged,
    answer_fingerprint,
    decode,
    encode,
    slots_request,
)


def test_known_travels_only_when_set():
    assert "known" not in SlotsArgs(days=14).to_json()
    plain = decode(encode(slots_request("r1", SlotsArgs(days=14), 8.0)))
    assert isinstance(plain, Request) and plain.args.known is None
    asked = decode(encode(slots_request("r2", SlotsArgs(days=14, known="0123456789abcdef"), 8.0)))
    assert isinstance(asked, Request) and asked.args == SlotsArgs(days=14, known="0123456789abcdef")


@pytest.mark.parametrize("known", ["", "short", "with space 123", 12345678, "x" * 65, ["0123456789"]])
def test_a_bad_known_is_refused(known):
    with pytest.raises(ProtocolError, match="args.known"):
        SlotsArgs.from_json({"days": 14, "known": known})


def test_unchanged_reads_back_and_a_full_answer_is_not_unchanged():
    assert SlotsUnchanged.from_json(SlotsUnchanged("abcdef0123456789", 3.25).to_json()) == SlotsUnchanged(
        "abcdef0123456789", 3.25
    )
    full = SlotsResult((), 1.0).to_json()
    assert SlotsUnchanged.from_json(full) is None and answer_fingerprint(full) == ""
    assert answer_fingerprint({**full, "fingerprint": "abcdef0123456789"}) == "abcdef0123456789"
    with pytest.raises(ProtocolError):
        SlotsUnchanged.from_json({"unchanged": "abcdef0123456789", "slots": []})
    with pytest.raises(ProtocolError):
        SlotsResult.from_json({"unchanged": "abcdef0123456789", "age_s": 1.0})  # what an older relay would say
