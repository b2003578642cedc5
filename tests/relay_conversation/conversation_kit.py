"""A patient chatting with the pure conversation, and slot sets to chat about (no sockets)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from relay.conversation import (
    AgentStep,
    Book,
    ClinicProfile,
    ConversationState,
    Reply,
    Turn,
    after_agent_step,
    after_booking,
    before_booking,
    check_continuation,
    decide,
)
from wire.appointments import MyBookingsArgs
from wire.messages import BookArgs, BookResult, SlotsResult, WireError, WirePatient, WireSlot

SANTIAGO = timezone(timedelta(hours=-3))
# Tuesday 1 December 2026, 09:00 in the clinic (-03:00).
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ES = ClinicProfile(name="Clínica Sol", language="es", address="Av. Providencia 1234, Santiago")
EN = ClinicProfile(name="Sun Clinic", language="en", address="12 High Street, London")


def slot(day: int | date, hour: int, minute: int = 0, professional: str = "Dra. Ana Soto",
         tz: timezone = SANTIAGO, month: int = 12, year: int = 2026) -> WireSlot:
    the_day = day if isinstance(day, date) else date(year, month, day)
    start = datetime(the_day.year, the_day.month, the_day.day, hour, minute, tzinfo=tz)
    ident = f"{the_day.isoformat()}T{hour:02d}{minute:02d}.{zlib.crc32(professional.encode()) % 10_000}"
    return WireSlot(id=ident, start=start.isoformat(), end=(start + timedelta(minutes=30)).isoformat(),
                    professional=professional)


def slots(*items: WireSlot) -> SlotsResult:
    return SlotsResult(slots=tuple(items), age_s=3.0)


def agenda(days: Iterable[int], times: Iterable[tuple[int, int]], professionals: Iterable[str] = ("Dra. Ana Soto",),
           tz: timezone = SANTIAGO) -> SlotsResult:
    return slots(*(slot(d, h, m, p, tz) for d in days for h, m in times for p in professionals))


def booked(s: WireSlot, booking_id: str = "B-1") -> BookResult:
    return BookResult(booking_id=booking_id, start=s.start, end=s.end, professional=s.professional)


def texts(reply: Reply) -> str:
    """Everything the patient reads in one reply, as one string."""
    return " ".join(h["params"]["value"] for h in reply.continuation["execute_handlers"] if h["handler"] == "show")


def buttons(reply: Reply) -> list[str]:
    for handler in reply.continuation["execute_handlers"]:
        if handler["params"].get("type") == "buttons":
            return list(handler["params"]["buttons"])
    return []


def lines(reply: Reply) -> list[str]:
    """The numbered list a menu shows (one text per line), when it shows one."""
    return [
        h["params"]["value"] for h in reply.continuation["execute_handlers"]
        if h["params"].get("type") == "text" and h["params"]["value"][:1].isdigit() and ". " in h["params"]["value"]
    ]


def assert_fits(reply: Reply) -> None:
    problems = check_continuation(reply.continuation)
    assert problems == [], problems
    assert reply.status == reply.continuation["data"]["status"]
    if reply.state is not None:  # what the core stores must come back the same
        assert ConversationState.from_json(reply.state.to_json()) == reply.state


@dataclass
class Chat:
    """One lead's chat. ``say`` runs decide(); a Book goes to ``agent`` (default: books it) and after_booking()."""

    agenda: SlotsResult
    clinic: ClinicProfile = ES
    now: datetime = NOW
    lead_id: str = "4711"
    name: str = "Ana Pérez"
    agent: Callable[[WireSlot], BookResult | WireError] = booked
    # The agent's answer to the optional appointment operations; by default it lacks the capability.
    appointments: Callable[[AgentStep], object] = lambda step: WireError("bad_request", "no such capability")
    steps: list[AgentStep] = field(default_factory=list)
    state: ConversationState | None = None
    books: list[Book] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    def turn(self, message: str) -> Turn:
        return Turn(lead_id=self.lead_id, message=message, name=self.name, phone="+56 9 1234 5678", now=self.now)

    def decide(self, message: str, minutes_later: float = 0.5) -> Reply | Book | AgentStep:
        self.now += timedelta(minutes=minutes_later)
        return decide(self.state, self.turn(message), self.clinic, self.agenda)

    def say(self, message: str, minutes_later: float = 0.5) -> Reply:
        outcome = self.decide(message, minutes_later)
        if isinstance(outcome, Book) and self.agenda.checks_bookings:
            # the relay's look at the phone's appointments as a booking goes out (relay/turns.py)
            known = self.appointments(AgentStep(outcome.state, "my_bookings", MyBookingsArgs("+56 9 1234 5678",
                                                                                               known_only=True)))
            outcome = before_booking(outcome, self.turn(message), self.clinic, self.agenda, known) or outcome
        if isinstance(outcome, Book):
            assert ConversationState.from_json(outcome.state.to_json()) == outcome.state
            # what the relay sends the agent with it (relay/turns.py): the agent refuses a frame that does not read
            told = outcome.state.listed()
            args = BookArgs(outcome.slot.id, WirePatient("Ana Pérez", "+56 9 1234 5678"), outcome.idempotency_key,
                            told=told)
            assert BookArgs.from_json(args.to_json()).told == told
            self.books.append(outcome)
            outcome = after_booking(outcome.state, self.turn(message), self.clinic, self.agent(outcome.slot))
        elif isinstance(outcome, AgentStep):
            assert ConversationState.from_json(outcome.state.to_json()) == outcome.state
            self.steps.append(outcome)
            outcome = after_agent_step(outcome, self.turn(message), self.clinic, self.appointments(outcome))
        assert_fits(outcome)
        self.state = outcome.state
        self.replies.append(outcome)
        return outcome
