"""What one turn of the conversation knows: the turn, the clinic, its language and the free slots ahead."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any, TypeVar

from relay.conversation import agenda as agendas
from relay.conversation.agenda import NO_WINDOW, Filters, View, agenda
from relay.conversation.evolve import evolve
from relay.conversation.freetext import WINDOW_DAYS, Reading, forget_readings, read, without_the_day_replaced
from relay.conversation.menus import fold
from relay.conversation.model import ClinicProfile, Turn
from relay.conversation.replies import continuation
from relay.conversation.state import (
    ANY_SPECIALTY,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM,
    ConversationState,
)
from relay.conversation.texts import Language, language
from wire.messages import SlotsResult, WireSlot

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    turn: Turn
    clinic: ClinicProfile
    lang: Language
    free: tuple[WireSlot, ...]  # every free slot ahead, in order
    today: date  # the turn's day in the clinic's offset
    opening: tuple[str, ...] = ()  # said before anything else (the greeting, on a conversation's first message)
    answer: SlotsResult | None = None  # the agent's whole answer: services, patient fields, finds_bookings
    # What derives from ``free`` (agenda.py), worked out once per slots answer; None: from ``free`` on each use.
    view: View | None = field(default=None, compare=False, repr=False)

    @property
    def last_day(self) -> date:
        """The last day of the agenda the agent reads (the window's)."""
        return self.today + timedelta(days=WINDOW_DAYS - 1)

    def _view(self) -> View:
        if self.view is not None and self.view.free is self.free:
            return self.view
        return View(self.free, None)

    @property
    def patient_fields(self) -> tuple[str, ...]:
        """The patient fields the clinic's web app requires beyond name and phone (its driver declares them)."""
        return self.answer.patient_fields if self.answer is not None else ()

    @property
    def checks_bookings(self) -> bool:
        """The agent can tell the appointments of a phone (so the conversation checks before booking another)."""
        return self.answer is not None and self.answer.checks_bookings

    def minutes(self, service: str) -> int:
        """The service's length as the agent reported it; 0 when it did not."""
        services = self.answer.services if self.answer is not None else ()
        return next((s.minutes for s in services if fold(s.name) == fold(service)), 0)

    def still_free(self, slot_id: str) -> WireSlot | None:
        """The slot of that id as the agent now reads it; None when it is taken (or out of the window)."""
        return next((s for s in self.free if s.id == slot_id), None)

    def slots_for(self, professionals: Sequence[str]) -> list[WireSlot]:
        if not professionals:
            return list(self.free)
        return [s for s in self.free if s.professional in professionals]

    def pool(self, state: ConversationState, *, window: bool = True) -> list[WireSlot]:
        """The free slots every filter of the patient allows: professional, specialty and time of day."""
        return list(self._view().pool(filters(state, window=window)))

    def on_day(self, state: ConversationState, day: date, *, window: bool = True) -> list[WireSlot]:
        """``pool(state, window=window)`` on ``day`` only, in order."""
        return list(self._view().on_day(filters(state, window=window), day))

    def days(self, state: ConversationState) -> tuple[date, ...]:
        """The days of ``pool(state)``, in order."""
        return self._view().days(filters(state))

    def page(self, key: Hashable, build: Callable[[], T]) -> T:
        """A menu page that depends on the free slots and ``key`` only, built once for them (pages.py)."""
        return self._view().page(key, build)

    def services(self, state: ConversationState) -> tuple[str, ...]:
        """The services the patient's other filters leave (any time of day), as the clinic names them, by name."""
        professionals, specialty, _, _, _, not_wanted = filters(state)
        return self._view().services((professionals, specialty, "", NO_WINDOW, (), not_wanted))

    @property
    def specialties(self) -> dict[str, str]:
        """The clinic's specialties with free slots: key -> the clinic's own name."""
        return self._view().specialties

    @property
    def professionals(self) -> tuple[str, ...]:
        """The professionals with free slots, sorted."""
        return self._view().professionals

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
    view = agenda(slots.slots).view(turn.now)
    zone = view.zone or turn.now.tzinfo
    today = turn.now.astimezone(zone).date()
    return Context(turn, clinic, language(clinic.language), view.free, today, tuple(opening), slots, view)


def filters(state: ConversationState, *, window: bool = True) -> Filters:
    """The patient's filters as a pool is keyed: professionals, specialty key, service, time-of-day window, days
    ruled out (``window=False``: any time of any day, as a day the patient picks is read against), professionals not
    wanted (but for one picked since: a choice made later wins)."""
    specialty = state.specialty if state.specialty != ANY_SPECIALTY else ""
    not_wanted = state.skip_professionals
    if not_wanted and state.professionals:
        not_wanted = tuple(p for p in not_wanted if p not in state.professionals)
    if not window:
        return (tuple(state.professionals), specialty, state.service, NO_WINDOW, (), not_wanted)
    return (tuple(state.professionals), specialty, state.service, state.window, state.skip_days, not_wanted)


def read_message(ctx: Context, state: ConversationState | None, message: str) -> Reading:
    stage = state.stage if state is not None else ""
    bare_number = "hour" if stage in (CHOOSE_TIME, CONFIRM) else "day" if stage else ""
    staff = ctx._view().staff
    reading = read(message, ctx.today, bare_number=bare_number, window_days=WINDOW_DAYS, staff=staff)
    if (reading.ambiguous and stage in (CHOOSE_DAY, CHOOSE_TIME, CONFIRM)
            and (wished := without_the_day_replaced(message)) is not None):
        # "¿podemos el lunes en vez del jueves?" while a time is chosen: Monday (never «no te entendí»)
        instead = read(wished, ctx.today, bare_number=bare_number, window_days=WINDOW_DAYS, staff=staff)
        if instead.day and not instead.ambiguous:
            return evolve(instead, intent=reading.intent)
    return reading


def clear_caches() -> None:
    """Forget every prepared slots answer, menu page and reading: the next turn works everything out afresh.

    Never needed for correctness (each cache is keyed on all that its value depends on); tests use it to compare
    a reply built from the caches with a fresh one.
    """
    agendas.forget()
    forget_readings()


def aware(turn: Turn) -> Turn:
    """A naive ``now`` is taken as UTC rather than crashing on the comparison with the slots' times."""
    return turn if turn.now.tzinfo is not None else evolve(turn, now=turn.now.replace(tzinfo=UTC))


_TITLES = frozenset({"don", "doña", "dona", "sr", "sra", "srta", "señor", "señora", "dr", "dra", "mr", "mrs", "ms"})
_NOT_A_FIRST_NAME = frozenset({"yo", "me", "mi", "i", "el", "ella", "nn", "na", "x"})


def first_name(name: str) -> str:
    """", Ana" from "Ana Pérez"; nothing when the name is missing or an unfilled Kommo placeholder."""
    words = name.split()
    if not words or "{" in name or "}" in name:
        return ""
    if len(words) > 1 and words[0].strip(".").casefold() in _TITLES:  # "Don Lucho": Lucho
        words = words[1:]
    first = words[0].strip(".,;:!?")
    letters = first.replace("-", "").replace("'", "")
    if not first or len(first) > 20 or not (letters.isalpha() or not letters):  # letters, "-" and "'" only
        return ""
    if first.casefold() in _NOT_A_FIRST_NAME:  # a WhatsApp profile named "yo" or "me": no "¡Hola, Yo!"
        return ""
    return f", {first[:1].upper()}{first[1:]}"
