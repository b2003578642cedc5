"""A phone's appointments ahead as the agent knows them without asking the web app.

Three sources, soonest first: the bot's own (the journal), less those a later read of the agenda no longer showed;
those the free-slot reads saw (reception's, booked at the desk or by phone); and those being written now (another
chat of the same phone said "sí" a moment ago), told by their request's key since the web app has no id for them yet
(and, once written, still known by that id: ``WireBooking.was``).
Used for the relay's "ya tienes hora" check (``my_bookings`` with ``known_only``) and by the booking desk, which
refuses a new booking when the phone has one the patient was never told of (``BookArgs.told``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

from agent.journal import BookingJournal, JournalEntry, phone_digits
from agent.portal.base import Booking
from agent.seen_bookings import SeenBookingsIndex
from wire.appointments import WireBooking

UNDER_WAY = "under-way:"  # the id a booking still being written is told by (it has none in the web app yet)


async def known_for(
    journal: BookingJournal, seen: SeenBookingsIndex, under_way: Iterable[JournalEntry], phone: str
) -> list[WireBooking]:
    digits = phone_digits(phone)
    # From memory while the journal is unchanged (every warm question asks this); else read off the loop.
    known = journal.upcoming_known(digits)
    if known is None:
        known = await asyncio.to_thread(journal.upcoming_for, digits)
    ours = [WireBooking(e.booking_id, e.start, e.end or e.start, e.professional, patient=wire_name(e.patient_name),
                        was=under_way_id(e.key))
            for e in known if not seen.gone_since(e.booking_id, datetime.fromisoformat(e.start), e.updated_at)]
    listed = {b.booking_id for b in ours}
    theirs = [wire_booking(b) for b in seen.for_phone(phone, datetime.now(UTC)) if b.id not in listed]
    writing = [WireBooking(under_way_id(e.key), e.start, e.end or e.start, e.professional,
                           patient=wire_name(e.patient_name))
               for e in list(under_way) if e.start and phone_digits(e.patient_phone) == digits]
    return sorted([*ours, *theirs, *writing], key=lambda b: datetime.fromisoformat(b.start))


def under_way_id(key: str) -> str:
    """The id a booking being written is told by: its request's key, within the wire's 200 characters."""
    return f"{UNDER_WAY}{key}"[:200]


def wire_booking(booking: Booking) -> WireBooking:
    slot = booking.slot
    return WireBooking(booking.id, slot.start.isoformat(), slot.end.isoformat(), slot.professional, slot.service,
                       wire_name(booking.patient.name))


def wire_name(patient: str) -> str:
    """The patient's name as the wire takes it: one line, at most 120 characters."""
    return "".join(c for c in " ".join(patient.split()) if c.isprintable())[:120].strip()
