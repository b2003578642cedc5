"""What one turn of the conversation knows: the turn, the clinic, its language and the free slots ahead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date
from typing import Any

from relay.conversation.freetext import WINDOW_DAYS, Reading, read
from relay.conversation.menus import (
    clinic_zone,
    clock,
    fold,
    free_slots,
)
from relay.conversation.model import ClinicProfile, Turn
from relay.conversation.names import name_words
from relay.conversation.replies import continuation
from relay.conversation.specialties import specialty_key
from relay.conversation.state import (
    ANY_SPECIALTY,
    CHOOSE_TIME,
    CONFIRM,
    ConversationState,
)
from relay.conversation.texts import Language, language
from wire.messages import SlotsResult, WireSlot


@dataclass(frozen=True)
class Context:
    turn: Turn
    clinic: ClinicProfile
    lang: Language
    free: tuple[WireSlot, ...]  # every free slot ahead, in order
    today: date  # the turn's day in the clinic's offset
    opening: tuple[str, ...] = ()  # said before anything else (the greeting, on a conversation's first message)
    answer: SlotsResult | None = None  # the agent's whole answer: services, patient fields, finds_bookings

    @property
    def patient_fields(self) -> tuple[str, ...]:
        """The patient fields the clinic's web app requires beyond name and phone (its driver declares them)."""
        return self.answer.patient_fields if self.answer is not None else ()

    @property
    def finds_bookings(self) -> bool:
        """The agent can list the appointments of a phone (so the conversation checks before booking another)."""
        return self.answer is not None and self.answer.finds_bookings

    def minutes(self, service: str) -> int:
        """The service's length as the agent reported it; 0 when it did not."""
        services = self.answer.services if self.answer is not None else ()
        return next((s.minutes for s in services if fold(s.name) == fold(service)), 0)

    def slots_for(self, professionals: Sequence[str]) -> list[WireSlot]:
        if not professionals:
            return list(self.free)
        return [s for s in self.free if s.professional in professionals]

    def pool(self, state: ConversationState, *, window: bool = True) -> list[WireSlot]:
        """The free slots every filter of the patient allows: professional, specialty and time of day."""
        slots = self.slots_for(state.professionals)
        if state.specialty and state.specialty != ANY_SPECIALTY:
            slots = [s for s in slots if s.specialty and specialty_key(s.specialty) == state.specialty]
        if state.service:
            slots = [s for s in slots if fold(s.service) == fold(state.service)]
        start, end = state.window
        if window and (start or end):
            slots = [s for s in slots if (not start or clock(s) >= start) and (not end or clock(s) < end)]
        return slots

    @property
    def specialties(self) -> dict[str, str]:
        """The clinic's specialties with free slots: key -> the clinic's own name."""
        return {specialty_key(s.specialty): s.specialty for s in self.free if s.specialty}

    def naming(self, slot: WireSlot) -> str:
        """The professional as a sentence names them, with the specialty when the clinic has several."""
        specialty = slot.specialty if len(self.specialties) > 1 else ""
        return self.lang.with_professional(slot.professional, specialty)

    def body(
        self,
        data: dict[str, Any],
        paragraphs: Sequence[str],
        prompt: str = "",
        buttons: Sequence[str] = (),
        question_step: int | None = None,
    ) -> dict[str, Any]:
        return continuation(data, [*self.opening, *paragraphs], prompt, buttons, question_step)

    def say(self, key: str, **fields: object) -> str:
        return self.lang.say(key, **fields)


def make_context(turn: Turn, clinic: ClinicProfile, slots: SlotsResult, opening: Sequence[str] = ()) -> Context:
    """What a turn knows, from the agent's fresh free slots (those still ahead, in the clinic's offset)."""
    free = free_slots(slots.slots, turn.now)
    zone = clinic_zone(free) or clinic_zone(slots.slots) or turn.now.tzinfo
    today = turn.now.astimezone(zone).date()
    return Context(turn, clinic, language(clinic.language), free, today, tuple(opening), slots)


def read_message(ctx: Context, state: ConversationState | None, message: str) -> Reading:
    stage = state.stage if state is not None else ""
    bare_number = "hour" if stage in (CHOOSE_TIME, CONFIRM) else "day" if stage else ""
    names = {w for p in {s.professional for s in ctx.free} for w in name_words(p)}
    return read(message, ctx.today, bare_number=bare_number, window_days=WINDOW_DAYS, names=names)


def aware(turn: Turn) -> Turn:
    """A naive ``now`` is taken as UTC rather than crashing on the comparison with the slots' times."""
    return turn if turn.now.tzinfo is not None else replace(turn, now=turn.now.replace(tzinfo=UTC))


def first_name(name: str) -> str:
    """", Ana" from "Ana Pérez"; nothing when the name is missing or an unfilled Kommo placeholder."""
    words = name.split()
    if not words or "{" in name or "}" in name:
        return ""
    first = words[0].strip(".,;:!?")
    if not first or len(first) > 20 or not all(c.isalpha() or c in "-'" for c in first):
        return ""
    return f", {first[:1].upper()}{first[1:]}"
