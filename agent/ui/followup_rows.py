"""The "Para contactar" list's words: one row per patient the bot handed to reception. No Qt here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from agent.followups import FollowUp
from agent.journal import BOOKED, JournalEntry
from agent.ui.booking_rows import replaced_bookings
from agent.ui.i18n import Translator
from agent.ui.row_actions import whatsapp_url
from wire.handoff import ABOUT

__all__ = ["FOLLOW_UP_COLUMNS", "FollowUpRow", "chosen_text", "follow_up_rows", "whatsapp_url"]

FOLLOW_UP_COLUMNS: tuple[str, ...] = ("patient", "phone", "reason", "chosen", "handed_off")


@dataclass(frozen=True)
class FollowUpRow:
    id: str
    cells: tuple[str, ...]  # in FOLLOW_UP_COLUMNS order
    phone: str
    whatsapp_url: str
    kommo_url: str
    agenda_url: str = ""  # the patient's appointment in the clinic's web app, where the driver can say
    said: str = ""  # what the patient last wrote, quoted: what they wanted, in their words

    def text(self, column: str) -> str:
        return self.cells[FOLLOW_UP_COLUMNS.index(column)]


def chosen_text(item: FollowUp, tr: Translator, now: datetime) -> str:
    """What the patient had already chosen, in words ("mañana 10:30 con Dra. Soto", "el día mar 3 dic")."""
    if item.chosen_start:
        try:
            start = datetime.fromisoformat(item.chosen_start)
        except ValueError:
            start = None
        if start is not None:
            when = tr.day_and_time(start, now)
            shown = f"{when} · {item.chosen_professional}" if item.chosen_professional else when
            return tr(f"followups.about.{item.about}", when=shown) if item.about in ABOUT else shown
    if item.chosen_day:
        try:
            day = date.fromisoformat(item.chosen_day)
        except ValueError:
            return tr("followups.nothing_chosen")
        label = tr.day_and_time(datetime(day.year, day.month, day.day, tzinfo=now.tzinfo), now).rsplit(" ", 1)[0]
        return tr("followups.day", day=label)
    if item.chosen_professional:
        return item.chosen_professional
    return tr("followups.nothing_chosen")


def follow_up_rows(items: list[FollowUp], tr: Translator, now: datetime, entries: Iterable[JournalEntry] = (),
                   link: Callable[[str, str], str] | None = None) -> list[FollowUpRow]:
    """``entries`` (the journal) and ``link`` (agent/portal/links.py): a patient whose appointment the journal holds
    gets its address in the web app ("Abrir en la agenda web")."""
    listed = list(entries)
    replaced = replaced_bookings(listed)
    booked = [e for e in listed if e.status == BOOKED and e.booking_id]
    standing = [e for e in booked if e.booking_id not in replaced]  # not cancelled or moved since by the patient
    rows = []
    for item in items:
        handed = tr.day_and_time(item.at.astimezone(), now)
        appointment = appointment_of(item, standing, now)
        chosen = chosen_text(item, tr, now)
        if not (item.chosen_start or item.chosen_day or item.chosen_professional) and appointment is not None:
            chosen = _next_one(appointment, tr, now)  # "voy a llegar tarde": the appointment they have, not "nada"
        since = _changed_since(item, booked, listed, replaced, tr, now)
        if since:  # "cancelar su hora: mañana 09:45 — luego la cambió con el bot a sáb 5 10:30": maybe settled
            chosen = f"{chosen} — {since}"
        cells = (item.name or tr("followups.no_name"), item.phone, tr.reason(item.reason), chosen, handed)
        url = link(appointment.booking_id, appointment.slot_id) if appointment is not None and link else ""
        said = " ".join(f"«{line}»" for line in item.said)
        rows.append(FollowUpRow(item.id, cells, item.phone, item.whatsapp_url, item.kommo_url, url, said))
    return rows


def _changed_since(item: FollowUp, booked: list[JournalEntry], entries: list[JournalEntry],
                   replaced: dict[str, str], tr: Translator, now: datetime) -> str:
    """The patient's appointment the follow-up names, cancelled or moved by them with the bot after the hand-off:
    said, with where it went ("" when it stands, or the follow-up names none)."""
    chosen = _when(item.chosen_start)
    old = next((e for e in booked if chosen is not None and _when(e.start) == chosen
                and _digits(e.patient_phone) == _digits(item.phone) and e.booking_id in replaced), None)
    if old is None:
        return ""
    if replaced[old.booking_id] == "cancelled":
        return tr("followups.later_cancelled")
    new = next((e for e in entries if e.moved and e.moved_from_booking == old.booking_id), None)
    start = _when(new.start) if new is not None else None
    return tr("followups.later_moved", when=tr.day_and_time(start, now)) if start else tr("followups.later_cancelled")


def _next_one(entry: JournalEntry, tr: Translator, now: datetime) -> str:
    start = _when(entry.start)
    if start is None:
        return tr("followups.nothing_chosen")
    when = tr.day_and_time(start, now)
    return tr("followups.their_next", when=f"{when} · {entry.professional}" if entry.professional else when)


def appointment_of(item: FollowUp, booked: list[JournalEntry], now: datetime) -> JournalEntry | None:
    """The patient's appointment a follow-up is about: the one at the time they had chosen, else their next one."""
    phone = _digits(item.phone)
    if not phone:
        return None
    mine = [e for e in booked if _digits(e.patient_phone) == phone and _when(e.start) is not None]
    chosen = _when(item.chosen_start)
    if chosen is not None:
        exact = [e for e in mine if _when(e.start) == chosen]
        if exact:
            return exact[0]
    upcoming = sorted((e for e in mine if (_when(e.start) or now) >= now), key=lambda e: _when(e.start) or now)
    return upcoming[0] if upcoming else None


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
