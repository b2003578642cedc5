"""The slots part of the agent's answer, ready for the wire, kept until the cache's slots change.

A clinic's 14 days hold hundreds of free slots, and every patient question is answered from the same cached
read: turning each slot into its wire form again for every question cost milliseconds of the patient's wait.
The cache hands out the same slot objects until it reads the web app again, so "the same objects as last time"
is the whole test.
"""

from __future__ import annotations

from typing import Any

from agent.portal.base import Slot


class SlotListJson:
    def __init__(self) -> None:
        self._slots: tuple[Slot, ...] = ()
        self._json: list[dict[str, str]] = []

    def of(self, slots: tuple[Slot, ...]) -> list[dict[str, str]]:
        """``[slot.to_json() for slot in slots]``, built once for a given run of slot objects."""
        if len(slots) != len(self._slots) or any(a is not b for a, b in zip(slots, self._slots, strict=True)):
            self._slots, self._json = slots, [slot.to_json() for slot in slots]
        return self._json

    def result(self, slots: tuple[Slot, ...], age_s: float) -> dict[str, Any]:
        """A ``SlotsResult`` as the wire carries it."""
        return {"slots": self.of(slots), "age_s": round(age_s, 3)}
