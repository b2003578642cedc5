"""The slots part of the agent's answer, ready for the wire, kept until the cache's slots change.

A clinic's 14 days hold hundreds of free slots, and every patient question is answered from the same cached
read: turning each slot into its wire form again for every question cost milliseconds of the patient's wait.
The cache hands out the same slot objects until it reads the web app again, so "the same objects as last time"
is the whole test.

With the slots go what the relay needs to know of the driver (optional wire fields, wire.messages.SlotsResult):
the services the web app offers with their lengths (read off the slots: a driver whose slot length depends on the
service reads per service and names it on each slot), the patient fields the driver requires, and whether the
agent can list a phone's appointments.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from agent.appointments import can
from agent.portal.base import Slot
from wire.messages import MAX_SERVICES, PATIENT_FIELDS, WireService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DriverFacts:
    """What the relay should know of the clinic's driver: the patient fields it requires, whether it finds by phone."""

    patient_fields: tuple[str, ...] = ()
    finds_bookings: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.patient_fields:
            out["patient_fields"] = list(self.patient_fields)
        if self.finds_bookings:
            out["finds_bookings"] = True
        return out


def facts_of(driver: object) -> DriverFacts:
    """The driver's declared ``patient_fields`` (a class attribute, or set per instance from its settings) and its
    find-by-phone capability. A name outside PATIENT_FIELDS is a bug in the driver: said loudly, then ignored."""
    declared = tuple(getattr(driver, "patient_fields", ()) or ())
    unknown = [f for f in declared if f not in PATIENT_FIELDS]
    if unknown:
        log.error("The driver declares unknown patient fields %s (known: %s)", unknown, ", ".join(PATIENT_FIELDS))
    fields = tuple(f for f in PATIENT_FIELDS if f in declared)
    return DriverFacts(patient_fields=fields, finds_bookings=can(driver, "find_bookings"))


def services_of(slots: tuple[Slot, ...]) -> list[dict[str, Any]]:
    """The services named on the slots, each with its usual length (the commonest among its slots) and specialty."""
    lengths: dict[tuple[str, str], Counter[int]] = {}
    for slot in slots:
        if slot.service:
            minutes = round((slot.end - slot.start).total_seconds() / 60)
            lengths.setdefault((slot.service, slot.specialty), Counter())[minutes] += 1
    services = [
        WireService(name[:80], min(max(counts.most_common(1)[0][0], 1), 24 * 60), specialty[:80])
        for (name, specialty), counts in lengths.items()
    ]
    return [s.to_json() for s in services[:MAX_SERVICES]]


class SlotListJson:
    def __init__(self) -> None:
        self._slots: tuple[Slot, ...] = ()
        self._json: list[dict[str, str]] = []
        self._services: list[dict[str, Any]] = []

    def of(self, slots: tuple[Slot, ...]) -> list[dict[str, str]]:
        """``[slot.to_json() for slot in slots]``, built once for a given run of slot objects."""
        if len(slots) != len(self._slots) or any(a is not b for a, b in zip(slots, self._slots, strict=True)):
            self._slots, self._json, self._services = slots, [slot.to_json() for slot in slots], services_of(slots)
        return self._json

    def result(self, slots: tuple[Slot, ...], age_s: float, facts: DriverFacts | None = None) -> dict[str, Any]:
        """A ``SlotsResult`` as the wire carries it."""
        out: dict[str, Any] = {"slots": self.of(slots), "age_s": round(age_s, 3)}
        if self._services:
            out["services"] = self._services
        if facts is not None:
            out.update(facts.to_json())
        return out
