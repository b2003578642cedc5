"""slots_update (agent -> relay) and ``args.watch`` (relay -> agent): optional additions an older peer ignores."""

from __future__ import annotations

import pytest

from wire.messages import MAX_FRESH_S, ProtocolError, SlotsArgs, SlotsUpdate, decode, encode


def test_an_update_round_trips_and_its_freshness_is_bounded():
    update = SlotsUpdate(14, None, {"unchanged": "a1b2c3d4e5f6", "age_s": 3.0}, fresh_s=447.0)
    assert decode(encode(update)) == update
    assert decode(encode(SlotsUpdate(14, None, None))) == SlotsUpdate(14, None, None, 0.0)
    long = decode('{"type":"slots_update","days":14,"professional":null,"fresh_s":99999,"result":null}')
    assert long.fresh_s == MAX_FRESH_S


@pytest.mark.parametrize("frame", [
    '{"type":"slots_update","days":14,"professional":null,"fresh_s":10,"result":[1]}',
    '{"type":"slots_update","days":99,"professional":null,"fresh_s":10,"result":null}',
    '{"type":"slots_update","days":14,"professional":null,"fresh_s":-1,"result":null}',
    '{"type":"slots_update","days":14,"professional":"\\u0000","fresh_s":1,"result":null}',
])
def test_a_malformed_update_is_refused(frame):
    with pytest.raises(ProtocolError):
        decode(frame)


def test_watch_is_sent_only_when_set_and_read_strictly():
    assert "watch" not in SlotsArgs().to_json()
    assert SlotsArgs.from_json(SlotsArgs(watch=True).to_json()).watch is True
    assert SlotsArgs.from_json({"days": 14}).watch is False  # an older relay's question
    with pytest.raises(ProtocolError):
        SlotsArgs.from_json({"days": 14, "watch": "yes"})
