"""The appointments the web app showed while its free slots were read, by patient phone: the ones reception booked
at the desk or by phone included, which the journal (the bot's own bookings) never saw.

"Does this phone already have an appointment?" is asked before every new booking (the relay's ``known_only``
check) and must never cost a read of the web app (its load stays the same however many patients write): it is
answered from the journal and from this index, which the free-slot reads fill at no extra request when the driver
sees the booked cells as it reads (``PortalDriver.bookings_seen``, optional; the stand-in web app's agenda does).
An appointment the agent cancels leaves the index at once; one reception cancels leaves it at the next read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent.phone_match import digits_of, field_has_phone, numbers_in, phone_key
from agent.portal.base import Booking


@dataclass(frozen=True)
class SeenBookings:
    """What one read of the agenda showed: every appointment starting in [start, end), and when it was read."""

    start: datetime
    end: datetime
    bookings: tuple[Booking, ...]
    read_at: datetime


class SeenBookingsIndex:
    def __init__(self) -> None:
        self._bookings: dict[str, Booking] = {}  # booking id -> appointment
        self._by_phone: dict[str, list[Booking]] = {}
        self._read: SeenBookings | None = None  # the latest read (its window and time)

    def update(self, seen: SeenBookings) -> None:
        """A read's appointments replace those the index held in the same days."""
        kept = {bid: b for bid, b in self._bookings.items() if not seen.start <= b.slot.start < seen.end}
        kept.update((b.id, b) for b in seen.bookings if b.id)
        self._bookings = kept
        self._read = seen if self._read is None or seen.read_at >= self._read.read_at else self._read
        self._index()

    def drop(self, booking_id: str) -> None:
        """The agent cancelled it: not offered as the patient's any more, before the next read shows it gone."""
        if self._bookings.pop(booking_id, None) is not None:
            self._index()

    def forget_all(self) -> None:
        """Another web app (its address or account changed): nothing seen in the old one is the patient's."""
        self._bookings, self._by_phone, self._read = {}, {}, None

    def for_phone(self, phone: str, now: datetime) -> list[Booking]:
        """The phone's appointments still ahead, soonest first (agent/phone_match.py: however reception typed it)."""
        return [b for b in self._by_phone.get(phone_key(digits_of(phone)), ())
                if b.slot.start > now and field_has_phone(b.patient.phone, phone)]

    def gone_since(self, booking_id: str, start: datetime, booked_at: datetime) -> bool:
        """An appointment the agent booked at ``booked_at`` that a later read of its day no longer showed (reception
        cancelled or moved it in the web app)."""
        read = self._read
        return (read is not None and read.read_at > booked_at and read.start <= start < read.end
                and booking_id not in self._bookings)

    def _index(self) -> None:
        by_phone: dict[str, list[Booking]] = {}
        for booking in self._bookings.values():
            for key in {phone_key(number) for number in numbers_in(booking.patient.phone)} - {""}:
                by_phone.setdefault(key, []).append(booking)
        for found in by_phone.values():
            found.sort(key=lambda b: (b.slot.start, b.slot.professional))
        self._by_phone = by_phone
