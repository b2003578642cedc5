"""The last slots answer of each clinic's agent, validated once.

An agent answers "which slots are free?" from its cache, so most answers repeat the previous one slot for slot
(only ``age_s`` moves). Checking forty slots field by field costs more than the rest of a turn's decision; an
answer whose slots equal, value for value, the ones validated last time is that same valid answer.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from wire.messages import SlotsResult, WireSlot, extras_from_json


class SlotAnswerCache:
    def __init__(self, max_clinics: int = 2048) -> None:
        self._max = max_clinics
        self._last: OrderedDict[str, SlotsResult] = OrderedDict()

    def parse(self, clinic: str, result: Any) -> SlotsResult:
        """``result`` as a ``SlotsResult``; ``ProtocolError`` when it does not follow the wire protocol."""
        known = self._last.get(clinic)
        if known is not None and isinstance(result, dict) and _same_slots(result.get("slots"), known.slots):
            self._last.move_to_end(clinic)
            age = SlotsResult.from_json({"slots": [], "age_s": result.get("age_s", 0.0)}).age_s
            return SlotsResult(known.slots, age, **extras_from_json(result))  # services etc.: small, read anew
        parsed = SlotsResult.from_json(result)
        self._last[clinic] = parsed
        self._last.move_to_end(clinic)
        while len(self._last) > self._max:
            self._last.popitem(last=False)
        return parsed


def _same_slots(raw: Any, slots: tuple[WireSlot, ...]) -> bool:
    if not isinstance(raw, list) or len(raw) != len(slots):
        return False
    for item, slot in zip(raw, slots, strict=True):
        if (
            type(item) is not dict
            or item.get("id") != slot.id
            or item.get("start") != slot.start
            or item.get("end") != slot.end
            or item.get("professional") != slot.professional
        ):
            return False
    return True
