"""The last slots answer of each clinic's agent, validated once.

An agent answers "which slots are free?" from its cache, so most answers repeat the previous one slot for slot
(only ``age_s`` moves). Checking forty slots field by field costs more than the rest of a turn's decision; an
answer whose slots equal, value for value, the ones validated last time is that same valid answer.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from wire.messages import SlotsResult, WireSlot


class SlotAnswerCache:
    def __init__(self, max_clinics: int = 2048) -> None:
        self._max = max_clinics
        self._last: OrderedDict[str, SlotsResult] = OrderedDict()

    def parse(self, clinic: str, result: Any) -> SlotsResult:
        """``result`` as a ``SlotsResult``; ``ProtocolError`` when it does not follow the wire protocol.

        A repeated answer keeps the very slots tuple of the first one: the conversation prepares an answer once per
        tuple (relay/conversation/agenda.py), so every turn that sees the same slots shares that work.
        """
        known = self._last.get(clinic)
        if known is not None and isinstance(result, dict) and _same_slots(result.get("slots"), known.slots):
            self._last.move_to_end(clinic)
            rest = SlotsResult.from_json({**result, "slots": []})  # age_s, services etc.: small, read anew
            return SlotsResult(known.slots, rest.age_s, rest.services, rest.patient_fields, rest.finds_bookings)
        parsed = SlotsResult.from_json(result)
        self._last[clinic] = parsed
        self._last.move_to_end(clinic)
        while len(self._last) > self._max:
            self._last.popitem(last=False)
        return parsed


def _same_slots(raw: Any, slots: tuple[WireSlot, ...]) -> bool:
    """Every raw slot reads as the kept one, field for field (an absent optional field reads as "")."""
    if type(raw) is not list or len(raw) != len(slots):
        return False
    for item, slot in zip(raw, slots, strict=True):
        if type(item) is not dict:
            return False
        get = item.get
        if (
            get("id") != slot.id
            or get("start") != slot.start
            or get("end") != slot.end
            or get("professional") != slot.professional
        ):
            return False
        specialty, service = get("specialty"), get("service")
        if (specialty != slot.specialty and not (specialty is None and not slot.specialty)) or (
            service != slot.service and not (service is None and not slot.service)
        ):
            return False
    return True
