"""A peer's frame nested deeper than the protocol allows is refused, whatever its shape, and nothing shallower is;
the fast walk (orjson's parse) and the one that also searches strings (the standard library's) agree."""

from __future__ import annotations

import json
import random

import pytest

from wire import json_text
from wire.messages import MAX_DEPTH, ProtocolError, _check_depth, _check_tree_and_strings, checked_json


def depth_of(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


def random_tree(rng: random.Random, room: int):
    kind = rng.random()
    if room == 0 or kind < 0.35:
        return rng.choice(["texto", 7, 1.5, True, None, ""])
    if kind < 0.7:
        return {f"k{i}": random_tree(rng, room - 1) for i in range(rng.randint(0, 4))}
    return [random_tree(rng, room - 1) for _ in range(rng.randint(0, 4))]


@pytest.mark.parametrize("check", [_check_depth, _check_tree_and_strings])
def test_refused_exactly_when_deeper_than_the_limit(check):
    rng = random.Random(13)
    seen = set()
    for _ in range(3000):
        tree = random_tree(rng, rng.randint(0, 14))
        depth = depth_of(tree)
        seen.add(depth > 4)
        if depth > 4:
            with pytest.raises(ProtocolError, match="nested deeper than 4 levels"):
                check(tree, 4)
        else:
            check(tree, 4)
    assert seen == {True, False}


def test_a_deep_frame_is_refused_and_the_deepest_real_frame_passes():
    deep = json.dumps({"a": [[[[[[[[[[[1]]]]]]]]]]]})
    with pytest.raises(ProtocolError, match=f"nested deeper than {MAX_DEPTH} levels"):
        checked_json(deep)
    alternatives = {"type": "response", "id": "r1", "ok": False,
                    "error": {"code": "slot_taken", "message": "", "alternatives": [{"id": "s1"}]}}
    assert checked_json(json_text.dumps(alternatives)) == alternatives
