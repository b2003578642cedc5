"""Bookings that are no longer in the clinic's agenda, seen for free on every read of the free slots.

A booked appointment's cell shows up free again when the clinic's staff cancelled or moved it in the web app.
The slot cache reads the free slots anyway, so comparing costs the web app nothing (its rate limit counts every
request): the bookings window then says "ya no está en la agenda" instead of "Reservada". Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from agent.journal import BOOKED, JournalEntry
from agent.portal.base import Slot

# A booking this recent may have been written while the read was under way: its cell can look free in that read.
SETTLE_S = 120.0


def gone_from_agenda(entries: Iterable[JournalEntry], free: Iterable[Slot], read_at: datetime) -> frozenset[str]:
    """Keys of upcoming bookings whose cell is free in a read of the agenda that finished at ``read_at``."""
    free_ids = set()
    free_times = set()
    for slot in free:
        free_ids.add(slot.id)
        free_times.add((slot.start, slot.professional.casefold()))
    gone = set()
    for entry in entries:
        if entry.status != BOOKED or not entry.start or entry.updated_at > read_at - timedelta(seconds=SETTLE_S):
            continue
        try:
            start = datetime.fromisoformat(entry.start)
        except ValueError:
            continue
        if start <= read_at:
            continue
        if entry.slot_id in free_ids or (start, entry.professional.casefold()) in free_times:
            gone.add(entry.key)
    return frozenset(gone)
