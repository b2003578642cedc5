"""Which journal entries the bookings window lists, and the words in each cell. No Qt here.

The window lists today's and upcoming appointments, plus the recent requests that failed or
were handed off (the patients the receptionist should write to), newest request first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from agent.journal import BOOKED, CANCELLED, FAILED, HANDOFF, IN_PROGRESS, JournalEntry
from agent.ui.i18n import Translator

# How far back the window looks: a 14-day booking window means no upcoming appointment was asked for earlier.
LOOKBACK_DAYS = 45
# Failed and handed-off requests stay listed this long: long enough to call the patient back.
FOLLOW_UP_DAYS = 7
FOLLOW_UP = (FAILED, HANDOFF)

COLUMNS: tuple[str, ...] = ("patient", "phone", "when", "professional", "status", "requested")


@dataclass(frozen=True)
class BookingRow:
    key: str
    status: str
    follow_up: bool
    cells: tuple[str, ...]  # in COLUMNS order
    sort_keys: tuple[str, ...]  # in COLUMNS order: what the column sorts by
    detail: str  # the reason a request failed or was handed off, for the tooltip
    reference: str = ""  # the appointment's reference in the clinic's web app, once booked
    slot_id: str = ""  # the slot as the driver named it (for a link to the appointment in the web app)
    agenda_url: str = ""  # the appointment in the clinic's web app, where the driver can say ("" otherwise)

    def text(self, column: str) -> str:
        return self.cells[COLUMNS.index(column)]

    def matches(self, needle: str) -> bool:
        needle = needle.strip().casefold()
        return not needle or any(needle in cell.casefold() for cell in self.cells)


@dataclass(frozen=True)
class Summary:
    today: int
    upcoming: int
    follow_up: int
    failing: int = 0  # the latest bookings in a row the web app did not save (``failing_in_a_row``)


# Why a booking failed when the web app itself did not save it (not a slot taken, a pause, or a patient's choice).
WEB_APP_FAILURES = frozenset({"portal_down", "internal", "portal_changed", "timeout"})
FAILING_WINDOW = timedelta(hours=6)


def failing_in_a_row(entries: Iterable[JournalEntry], now: datetime) -> int:
    """How many of the latest bookings (newest first, the last ``FAILING_WINDOW``) the web app failed to save in a
    row: reads may work while saves do not (a full agenda table, a permission taken away), and every patient then
    hears "no se pudo reservar"."""
    failed = 0
    for entry in sorted(entries, key=lambda e: e.requested_at, reverse=True):
        if entry.status in (IN_PROGRESS, CANCELLED) or entry.requested_at < now - FAILING_WINDOW:
            continue
        if entry.status in FOLLOW_UP and entry.error_code in WEB_APP_FAILURES:
            failed += 1
            continue
        break  # a booking saved (or refused for the patient's reasons): the web app answers
    return failed


def _start(entry: JournalEntry) -> datetime | None:
    try:
        return datetime.fromisoformat(entry.start) if entry.start else None
    except ValueError:
        return None


def is_listed(entry: JournalEntry, now: datetime) -> bool:
    if entry.status in FOLLOW_UP:
        return entry.requested_at >= now - timedelta(days=FOLLOW_UP_DAYS)
    start = _start(entry)
    if start is None:
        return entry.status == IN_PROGRESS
    local_midnight = now.astimezone(start.tzinfo).replace(hour=0, minute=0, second=0, microsecond=0)
    return start >= local_midnight


def build_rows(entries: Iterable[JournalEntry], tr: Translator, now: datetime,
               gone: frozenset[str] = frozenset()) -> list[BookingRow]:
    """Rows for the window, newest request first (the journal's order). ``gone``: booked keys whose cell the last
    read of the agenda found free again (agent.agenda_check). A cancellation is a row of its own ("Cancelada"); a
    move is its new booking's row ("Cambiada (de jue 3 10:00 a vie 4 11:00)"); the booking either replaced says
    so ("Reservada, luego cancelada")."""
    listed = list(entries)
    later = replaced_bookings(listed)
    return [_row(e, tr, now, e.key in gone, later.get(e.booking_id, "") if e.status == BOOKED else "")
            for e in listed if is_listed(e, now)]


LINKED_STATUSES = ("booked", "moved", "gone")  # rows whose appointment is (or should be) in the web app


def with_agenda_links(rows: Iterable[BookingRow], link: Callable[[str, str], str]) -> list[BookingRow]:
    """Each row whose appointment the driver can show gets its address ("Abrir en la agenda web")."""
    return [replace(r, agenda_url=link(r.reference, r.slot_id)) if r.reference and r.status in LINKED_STATUSES
            else r for r in rows]


def replaced_bookings(entries: Iterable[JournalEntry]) -> dict[str, str]:
    """Booking id -> "cancelled" or "moved", for the appointments a later request of the patient took back."""
    later: dict[str, str] = {}
    for entry in entries:
        if entry.status == CANCELLED and entry.booking_id:
            later[entry.booking_id] = "cancelled"
        elif entry.moved and entry.moved_old_cancelled:
            later.setdefault(entry.moved_from_booking, "moved")
    return later


def summarize(entries: Iterable[JournalEntry], now: datetime, followed_up: Iterable[str] = (),
              gone: frozenset[str] = frozenset(), contacted: Iterable[str] = ()) -> Summary:
    """``followed_up``: phones of the relay's open follow-ups, counted apart (the same patient is counted once);
    ``contacted``: phones of follow-ups reception marked "Contactado" (their failed bookings are not counted again)."""
    followed = list(followed_up)
    phones = {_digits(p) for p in (*followed, *contacted) if _digits(p)}
    local_now = now.astimezone()
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = upcoming = follow_up = 0
    entries = list(entries)
    replaced = replaced_bookings(entries)
    for entry in entries:
        if entry.status == BOOKED:
            if entry.requested_at >= midnight and entry.booking_id not in replaced:  # not one taken back since
                today += 1
            start = _start(entry)
            if start is not None and start >= now and entry.key not in gone and entry.booking_id not in replaced:
                upcoming += 1
        elif needs_follow_up(entry) and is_listed(entry, now) and _digits(entry.patient_phone) not in phones:
            follow_up += 1
    return Summary(today=today, upcoming=upcoming, follow_up=follow_up + len(followed),
                   failing=failing_in_a_row(entries, now))


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def needs_follow_up(entry: JournalEntry) -> bool:
    """A failed or handed-off request, except a slot taken: the bot offered the patient other times."""
    return entry.status in FOLLOW_UP and entry.error_code != "slot_taken"


def _row(entry: JournalEntry, tr: Translator, now: datetime, gone: bool = False, later: str = "") -> BookingRow:
    start = _start(entry)
    when = tr.day_and_time(start, now) if start else tr("booking.no_time")
    requested_local = entry.requested_at.astimezone()
    requested = tr.day_and_time(requested_local, now)
    status_text = tr(f"booking.{entry.status}" if needs_follow_up(entry) or entry.status not in FOLLOW_UP
                     else "booking.slot_taken")
    detail = ""
    status = entry.status
    if entry.status in FOLLOW_UP:  # this PC's own booking: "internal" is the web app not saving it, not the relay
        detail = tr("reason.not_saved") if entry.error_code == "internal" else tr.reason(entry.error_code)
    elif entry.status == CANCELLED:
        detail = tr("booking.cancelled_detail")
    elif entry.moved:
        status = "moved"
        moved_from = _moment(entry.moved_from_start)
        old = tr.day_and_time(moved_from, now) if moved_from else tr("booking.no_time")
        both = "" if entry.moved_old_cancelled else "_both"
        status_text = tr(f"booking.moved{both}", old=old, new=when)
        detail = tr(f"booking.moved{both}_detail")
    if later:
        again = "_moved" if entry.moved else ""  # a move's booking, itself taken back later
        status, status_text, detail = "replaced", tr(f"booking.later_{later}{again}"), tr("booking.later_detail")
    elif gone:
        status, status_text, detail = "gone", tr("booking.gone"), tr("booking.gone_detail")
    cells = (entry.patient_name, entry.patient_phone, when, entry.professional, status_text, requested)
    sort_keys = (
        entry.patient_name.casefold(),
        entry.patient_phone,
        start.isoformat() if start else "",
        entry.professional.casefold(),
        _STATUS_ORDER.get(entry.status, "9"),
        entry.requested_at.isoformat(),
    )
    return BookingRow(
        key=entry.key, status=status, follow_up=needs_follow_up(entry), cells=cells,
        sort_keys=sort_keys,
        detail=detail, reference=entry.booking_id, slot_id=entry.slot_id,
    )


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


# Sorting by status puts the rows needing a call first.
_STATUS_ORDER = {FAILED: "0", HANDOFF: "1", IN_PROGRESS: "2", BOOKED: "3", CANCELLED: "4"}
