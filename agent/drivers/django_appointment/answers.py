"""What django-appointment's JSON answers mean, as pure functions (no browser, no I/O).

The staff pages and the booking page draw themselves from these calls, and the driver reads the same ones:

- ``ajax/fetch_staff_list/`` -> ``{"staff_members": [{"id": 1, "name": "Camila Soto"}]}`` (superusers only)
- ``ajax/fetch_service_list_for_staff/?staff_member=ID`` -> ``{"services_offered": [{"id": 1, "name": "..."}]}``
- ``ajax/available_slots/?selected_date=YYYY-MM-DD&staff_member=ID&service_id=ID`` -> the booking page's free
  start times of that day, ``{"available_slots": [["2026-12-07T09:00:00", "09:00"], ...]}`` (or ``success: false``
  with ``no_availability`` on a day off / a day with nothing free)
- ``app-admin/appointments/json/`` -> the staff calendar's appointments (naive local times)

A slot id is ``da.<staff id>.<service id>:<local start YYYY-MM-DDTHH:MM>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from agent.portal.base import PortalChanged, Slot

SCREEN = "agenda"
_SLOT_ID = re.compile(r"da\.(\d+)\.(\d+):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})")


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str


@dataclass(frozen=True)
class Service:
    id: int
    name: str


@dataclass(frozen=True)
class CalendarAppointment:
    id: str
    staff_id: int
    service_id: int
    start: datetime  # naive, local
    end: datetime
    client_name: str
    client_phone: str
    additional_info: str


def slot_id(staff_id: int, service_id: int, local_start: datetime) -> str:
    return f"da.{staff_id}.{service_id}:{local_start:%Y-%m-%dT%H:%M}"


def parse_slot_id(value: str) -> tuple[int, int, datetime]:
    """(staff id, service id, naive local start); ValueError when it is not a slot id of this web app."""
    match = _SLOT_ID.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not a slot id of django-appointment (da.STAFF.SERVICE:YYYY-MM-DDTHH:MM)")
    return int(match[1]), int(match[2]), datetime.strptime(match[3], "%Y-%m-%dT%H:%M")


def _list(body: Any, name: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get(name), list):
        raise PortalChanged(SCREEN, f"JSON field {name!r}")
    return body[name]


def _id_and_name(item: Any, where: str) -> tuple[int, str]:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int) or not isinstance(item.get("name"), str):
        raise PortalChanged(SCREEN, f"JSON fields {where}[].id and .name")
    return item["id"], item["name"]


def parse_staff(body: Any) -> list[StaffMember]:
    return [StaffMember(*_id_and_name(item, "staff_members")) for item in _list(body, "staff_members")]


def parse_services(body: Any) -> list[Service]:
    return [Service(*_id_and_name(item, "services_offered")) for item in _list(body, "services_offered")]


def choose_service(services: list[Service], wanted: str) -> Service | None:
    """The service named (or numbered) ``wanted``, ignoring case; the first one offered when ``wanted`` is empty."""
    if not services:
        return None
    if not wanted.strip():
        return min(services, key=lambda s: s.id)
    key = wanted.strip().casefold()
    return next((s for s in services if key in (s.name.casefold(), str(s.id))), None)


def parse_day(body: Any) -> list[datetime]:
    """The free start times of one day's answer of ``available_slots`` (naive, local); none on a day off."""
    if not isinstance(body, dict):
        raise PortalChanged(SCREEN, "JSON answer of available_slots")
    if body.get("success") is False:
        if body.get("no_availability") or body.get("available_slots") == []:
            return []
        raise PortalChanged(SCREEN, f"available_slots answer ({body.get('message', 'no message')})")
    starts = []
    for item in _list(body, "available_slots"):
        try:
            starts.append(datetime.fromisoformat(item[0]).replace(tzinfo=None))
        except (TypeError, ValueError, IndexError, KeyError):
            raise PortalChanged(SCREEN, "JSON field 'available_slots[][0]' as a date and time") from None
    return starts


def slots_of_day(starts: list[datetime], staff: StaffMember, service: Service, minutes: int, tz: tzinfo,
                 window_start: datetime, window_end: datetime) -> list[Slot]:
    out = []
    for local in starts:
        start = local.replace(tzinfo=tz)
        if window_start <= start < window_end:
            out.append(Slot(slot_id(staff.id, service.id, local), start, start + timedelta(minutes=minutes),
                            staff.name, service=service.name))
    return out


def days_between(start: datetime, end: datetime) -> list[date]:
    """Every calendar day holding a moment of [start, end)."""
    last = (end - timedelta(microseconds=1)).date()
    day, out = start.date(), []
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


def parse_appointments(body: Any) -> list[CalendarAppointment]:
    out = []
    for item in _list(body, "appointments"):
        try:
            out.append(CalendarAppointment(
                id=str(item["id"]),
                staff_id=int(item["staff_id"]),
                service_id=int(item["service_id"]),
                start=datetime.fromisoformat(item["start_time"]).replace(tzinfo=None),
                end=datetime.fromisoformat(item["end_time"]).replace(tzinfo=None),
                client_name=str(item.get("client_name") or ""),
                client_phone=str(item.get("client_phone") or ""),
                additional_info=str(item.get("additional_info") or ""),
            ))
        except (KeyError, TypeError, ValueError):
            raise PortalChanged(SCREEN, "JSON fields of appointments[] (id, staff_id, start_time...)") from None
    return out


def saved_first_over(appointments: list[CalendarAppointment], ours: str) -> CalendarAppointment | None:
    """The appointment of the same staff member that overlaps ``ours`` and was saved before it (the app numbers
    appointments in the order it saves them), or None. The app saves an overlap from staff without a word: one
    saved between the driver's last look and its save makes ours the second at that time."""
    mine = next((a for a in appointments if a.id == ours), None)
    if mine is None or not mine.id.isdigit():
        return None
    return next((a for a in appointments
                 if a.staff_id == mine.staff_id and a.id != mine.id and a.id.isdigit() and int(a.id) < int(mine.id)
                 and a.start < mine.end and mine.start < a.end), None)


NOTE_PATIENT = "Paciente: "
NOTE_TAIL = " | Agendado por WhatsApp (Cita Bridge) ref "


def note_for(reference: str, patient_name: str = "") -> str:
    """The appointment's "Additional Information": the patient's name and the booking's reference (idempotency key).

    The name goes here because django-appointment 3.x files an appointment made from the staff calendar under the
    logged-in staff user, whatever client name was typed: the note is the only place the patient's name stays.
    """
    name = " ".join(patient_name.replace("|", " ").split())
    return f"{NOTE_PATIENT}{name}{NOTE_TAIL}{reference}"


def patient_name_in(note: str) -> str:
    if note.startswith(NOTE_PATIENT) and NOTE_TAIL in note:
        return note[len(NOTE_PATIENT):note.index(NOTE_TAIL)].strip()
    return ""


def carries_reference(note: str, reference: str) -> bool:
    return bool(reference) and reference in note.replace(",", " ").split()


def patient_email(phone: str, domain: str) -> str:
    """The staff form requires an e-mail and files appointments under the client with that e-mail: one per phone."""
    digits = "".join(c for c in phone if c.isdigit()) or "sin-telefono"
    return f"wa{digits}@{domain}"
