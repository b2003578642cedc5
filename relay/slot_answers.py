"""The last slots answer of each clinic's agent, validated once.

An agent answers "which slots are free?" from its cache, so most answers repeat the previous one slot for slot
(only ``age_s`` moves). Checking forty slots field by field costs more than the rest of a turn's decision; an
answer whose slots equal, value for value, the ones validated last time is that same valid answer.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from wire.messages import SlotsResult


class SlotAnswerCache:
    def __init__(self, max_clinics: int = 2048) -> None:
        self._max = max_clinics
        # Per clinic: its last answer's slots as the wire carries them (what they read back from), and the answer.
        self._last: OrderedDict[str, tuple[list[dict[str, Any]], SlotsResult]] = OrderedDict()

    def finds_bookings(self, clinic: str) -> bool:
        """Whether the clinic's agent, in its last answer, said it can look up a patient's appointments."""
        known = self._last.get(clinic)
        return known is not None and known[1].finds_bookings

    def parse(self, clinic: str, result: Any) -> SlotsResult:
        """``result`` as a ``SlotsResult``; ``ProtocolError`` when it does not follow the wire protocol.

        A repeated answer keeps the very slots tuple of the first one: the conversation prepares an answer once per
        tuple (relay/conversation/agenda.py), so every turn that sees the same slots shares that work.
        """
        known = self._last.get(clinic)
        # Equal, value for value, to the kept slots as the wire writes them (an agent writes them so): the same slots.
        if known is not None and isinstance(result, dict) and result.get("slots") == known[0]:
            self._last.move_to_end(clinic)
            rest = SlotsResult.from_json({**result, "slots": []})  # age_s, services etc.: small, read anew
            slots = known[1].slots
            return SlotsResult(slots, rest.age_s, rest.services, rest.patient_fields, rest.finds_bookings)
        parsed = SlotsResult.from_json(result)
        self._last[clinic] = ([s.to_json() for s in parsed.slots], parsed)
        self._last.move_to_end(clinic)
        while len(self._last) > self._max:
            self._last.popitem(last=False)
        return parsed
