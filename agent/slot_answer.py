"""The slots part of the agent's answer, ready for the wire, kept until the cache's slots change.

A clinic's 14 days hold hundreds of free slots, and every patient question is answered from the same cached
read: turning each slot into its wire form (and that into JSON text) again for every question cost milliseconds of
the patient's wait. The cache hands out the same slot objects until it reads the web app again, so "the same
objects as last time" is the whole test; the answer frame is then the JSON kept for them with the request's id and
the cache's age put in (``frame``: the bytes ``encode(Response(...))`` would write, without encoding them again).

With the slots go what the relay needs to know of the driver (optional wire fields, wire.messages.SlotsResult):
the services the web app offers with their lengths (read off the slots: a driver whose slot length depends on the
service reads per service and names it on each slot), the patient fields the driver requires, and whether the
agent can list a phone's appointments.

"Same as before": each full answer carries its ``fingerprint`` (a digest of everything in it but ``age_s``); a
relay that holds that answer sends it back as ``args.known``, and while the answer still has it the agent answers
"unchanged" with the fresh age (a few dozen bytes instead of the whole 14 days).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from agent.appointments import can
from agent.portal.base import Slot
from wire import json_text
from wire.messages import MAX_SERVICES, PATIENT_FIELDS, SlotsArgs, SlotsUnchanged, WireService

log = logging.getLogger(__name__)

FINGERPRINT_BYTES = 12  # 24 hex characters: a digest of the answer, not a secret


@dataclass(frozen=True)
class DriverFacts:
    """What the relay should know of the clinic's driver: the patient fields it requires, whether it finds by phone,
    and (always, from this agent) that the agent knows the appointments it booked or saw."""

    patient_fields: tuple[str, ...] = ()
    finds_bookings: bool = False
    # The agent tells a phone's appointments from what it knows (its journal, what its reads saw) with any driver:
    # the relay's "ya tienes hora" check before a booking needs no find-by-phone in the web app.
    knows_bookings: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.patient_fields:
            out["patient_fields"] = list(self.patient_fields)
        if self.finds_bookings:
            out["finds_bookings"] = True
        if self.knows_bookings:
            out["knows_bookings"] = True
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
        self._text: tuple[bytes, bytes] | None = None  # '"slots":[...]', ',"services":[...]': once per run of slots
        self._facts: tuple[DriverFacts | None, bytes] = (None, b"")
        # The fingerprint of the last answer: (the slots' text it was computed from, the facts' text, the digest).
        self._fingerprint: tuple[tuple[bytes, bytes] | None, bytes, str] = (None, b"", "")

    def of(self, slots: tuple[Slot, ...]) -> list[dict[str, str]]:
        """``[slot.to_json() for slot in slots]``, built once for a given run of slot objects."""
        if slots is not self._slots and (
            len(slots) != len(self._slots) or any(a is not b for a, b in zip(slots, self._slots, strict=True))
        ):
            self._slots, self._json, self._services = slots, [slot.to_json() for slot in slots], services_of(slots)
            self._text = None
        self._slots = slots  # an equal run in a new tuple: the next question compares by identity alone
        return self._json

    def frame(
        self,
        request_id: str,
        slots: tuple[Slot, ...],
        age_s: float,
        facts: DriverFacts | None = None,
        known: str | None = None,
    ) -> bytes:
        """``encode(Response(request_id, True, self.result(slots, age_s, facts, known)))`` as UTF-8, byte for byte, with
        the slots' JSON encoded once per run of slots instead of once per question.

        ``known``: the fingerprint of the answer the relay holds (``SlotsArgs.known``). When this answer has it, the
        result is the short "unchanged" one (wire.messages.SlotsUnchanged) instead of the whole answer again."""
        head = b'{"type":"response","id":' + json_text.dumps_bytes(request_id) + b',"ok":true,"result":'
        return b"".join((head, self._result_text(slots, age_s, facts, known), b"}"))

    def update_frame(
        self,
        asked: SlotsArgs,
        fresh_s: float,
        slots: tuple[Slot, ...],
        age_s: float,
        facts: DriverFacts | None = None,
        known: str | None = None,
    ) -> bytes:
        """``encode(SlotsUpdate(...))`` of this answer to the question ``asked`` (wire.messages.SlotsUpdate), made as
        ``frame`` makes a response; "unchanged" when ``known`` is its fingerprint."""
        head = b"".join((
            b'{"type":"slots_update","days":', json_text.dumps_bytes(asked.days), b',"professional":',
            json_text.dumps_bytes(asked.professional), b',"fresh_s":', json_text.dumps_bytes(round(fresh_s, 3)),
            b',"result":',
        ))
        return b"".join((head, self._result_text(slots, age_s, facts, known), b"}"))

    def _result_text(
        self, slots: tuple[Slot, ...], age_s: float, facts: DriverFacts | None, known: str | None
    ) -> bytes:
        slots_text, services, facts_text, fingerprint = self._parts(slots, facts)
        age = json_text.dumps_bytes(round(age_s, 3))
        if known is not None and known == fingerprint:
            return b"".join((b'{"unchanged":"', fingerprint.encode(), b'","age_s":', age, b"}"))
        return b"".join((
            b"{", slots_text, b',"age_s":', age, services, facts_text, b',"fingerprint":"', fingerprint.encode(), b'"}'
        ))

    def result(
        self, slots: tuple[Slot, ...], age_s: float, facts: DriverFacts | None = None, known: str | None = None
    ) -> dict[str, Any]:
        """A ``SlotsResult`` as the wire carries it (with its fingerprint), or ``SlotsUnchanged`` for ``known``."""
        fingerprint = self._parts(slots, facts)[3]
        if known is not None and known == fingerprint:
            return SlotsUnchanged(fingerprint, age_s).to_json()
        out: dict[str, Any] = {"slots": self.of(slots), "age_s": round(age_s, 3)}
        if self._services:
            out["services"] = self._services
        if facts is not None:
            out.update(facts.to_json())
        out["fingerprint"] = fingerprint
        return out

    def fingerprint(self, slots: tuple[Slot, ...], facts: DriverFacts | None = None) -> str:
        """The digest of the answer for these slots and facts: everything in it but ``age_s``."""
        return self._parts(slots, facts)[3]

    def _parts(self, slots: tuple[Slot, ...], facts: DriverFacts | None) -> tuple[bytes, bytes, bytes, str]:
        """The answer's encoded pieces ('"slots":[...]', ',"services":[...]', the facts' members) and its fingerprint,
        each built once per run of slots (and of facts)."""
        self.of(slots)
        if self._text is None:
            services = b',"services":' + json_text.dumps_bytes(self._services) if self._services else b""
            self._text = b'"slots":' + json_text.dumps_bytes(self._json), services
        if facts is None:
            facts_text = b""
        elif self._facts[0] == facts:
            facts_text = self._facts[1]
        else:
            facts_text = json_text.dumps_bytes(facts.to_json())[1:-1]  # the object's members, without its braces
            facts_text = b"," + facts_text if facts_text else b""
            self._facts = (facts, facts_text)
        slots_text, services = self._text
        kept_text, kept_facts, fingerprint = self._fingerprint
        if kept_text is not self._text or kept_facts != facts_text:
            digest = hashlib.blake2b(digest_size=FINGERPRINT_BYTES)
            for part in (slots_text, services, facts_text):
                digest.update(part)
            fingerprint = digest.hexdigest()
            self._fingerprint = (self._text, facts_text, fingerprint)
        return slots_text, services, facts_text, fingerprint
