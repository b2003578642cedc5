"""What the stand-in portal's agenda JSON means, as pure functions (no browser, no I/O).

The agenda page draws itself from two JSON calls, and the driver reads the same ones:
``GET /api/profesionales`` and ``GET /api/agenda?profesional=KEY&semana=YYYY-MM-DD`` (a week,
Monday..Sunday, local "HH:MM" times in the clinic's zone). A slot's id is what the agenda shows:
``"<professional key>:<local start YYYY-MM-DDTHH:MM>"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.portal.base import PortalChanged, Slot

SCREEN = "agenda"


@dataclass(frozen=True)
class Professional:
    key: str
    name: str
    specialty: str = ""


@dataclass(frozen=True)
class ClinicInfo:
    tz: tzinfo
    professionals: tuple[Professional, ...]

    def find(self, ref: str) -> Professional | None:
        """By key or by name, ignoring case."""
        wanted = ref.strip().casefold()
        return next((p for p in self.professionals if wanted in (p.key.casefold(), p.name.casefold())), None)


@dataclass(frozen=True)
class AgendaAppointment:
    id: str
    patient_name: str
    patient_phone: str
    patient_document: str
    note: str


@dataclass(frozen=True)
class AgendaCell:
    professional: Professional
    start: datetime  # aware
    end: datetime
    state: str  # "libre" | "ocupado" | "pasado"
    appointment: AgendaAppointment | None

    @property
    def slot(self) -> Slot:
        return Slot(
            slot_id(self.professional.key, self.start), self.start, self.end, self.professional.name,
            specialty=self.professional.specialty,
        )


def slot_id(professional_key: str, start: datetime) -> str:
    return f"{professional_key}:{start:%Y-%m-%dT%H:%M}"


def parse_slot_id(value: str) -> tuple[str, datetime]:
    """(professional key, local naive start) of a slot id; ValueError when it is not one of ours."""
    key, sep, when = value.partition(":")
    if not sep or not key:
        raise ValueError(f"{value!r} is not a slot id of this web app (expected KEY:YYYY-MM-DDTHH:MM)")
    try:
        start = datetime.strptime(when, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ValueError(f"{value!r} is not a slot id of this web app (expected KEY:YYYY-MM-DDTHH:MM)") from None
    return key, start


def mondays_covering(start: datetime, end: datetime) -> list[date]:
    """The Mondays of every agenda week that holds a moment of [start, end)."""
    first = start.date() - timedelta(days=start.weekday())
    last_moment = end - timedelta(microseconds=1)
    last = last_moment.date() - timedelta(days=last_moment.weekday())
    weeks, monday = [], first
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _field(body: Any, name: str, kind: type, where: str = "") -> Any:
    if not isinstance(body, dict) or not isinstance(body.get(name), kind):
        raise PortalChanged(SCREEN, f"JSON field {where}{name!r}")
    return body[name]


def parse_clinic(body: Any) -> ClinicInfo:
    """The answer of ``/api/profesionales``."""
    zone = _field(body, "zona_horaria", str)
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PortalChanged(SCREEN, f"known time zone (it says {zone!r})") from None
    professionals = tuple(
        Professional(
            _field(item, "id", str, "profesionales[]."),
            _field(item, "nombre", str, "profesionales[]."),
            specialty=item["especialidad"].strip()[:80] if isinstance(item.get("especialidad"), str) else "",
        )
        for item in _field(body, "profesionales", list)
    )
    return ClinicInfo(tz, professionals)


def _hhmm(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()


def parse_week(body: Any, professional: Professional, tz: tzinfo) -> list[AgendaCell]:
    """Every cell of one week's answer of ``/api/agenda``, in order."""
    cells = []
    for day in _field(body, "dias", list):
        try:
            on = date.fromisoformat(_field(day, "fecha", str, "dias[]."))
        except ValueError:
            raise PortalChanged(SCREEN, "JSON field 'dias[].fecha' as a date") from None
        for cell in _field(day, "celdas", list, "dias[]."):
            state = _field(cell, "estado", str, "celdas[].")
            try:
                start = datetime.combine(on, _hhmm(_field(cell, "inicio", str, "celdas[].")))
                end = datetime.combine(on, _hhmm(_field(cell, "fin", str, "celdas[].")))
            except ValueError:
                raise PortalChanged(SCREEN, "JSON field 'celdas[].inicio' as HH:MM") from None
            appointment = None
            raw = cell.get("cita")
            if isinstance(raw, dict):
                appointment = AgendaAppointment(
                    id=str(raw.get("id", "")),
                    patient_name=str(raw.get("paciente", "")),
                    patient_phone=str(raw.get("telefono", "")),
                    patient_document=str(raw.get("documento", "")),
                    note=str(raw.get("nota", "")),
                )
            cells.append(AgendaCell(professional, start.replace(tzinfo=tz), end.replace(tzinfo=tz), state, appointment))
    return cells


def free_slots(cells: list[AgendaCell], start: datetime, end: datetime) -> list[Slot]:
    """The free cells starting in [start, end), sorted by start then professional, without duplicates."""
    found = {c.slot.id: c.slot for c in cells if c.state == "libre" and start <= c.start < end}
    return sorted(found.values(), key=lambda s: (s.start, s.professional))


def note_for(reference: str) -> str:
    """The appointment note that carries the booking's reference (the idempotency key)."""
    return f"Agendado por WhatsApp (Cita Bridge) ref {reference}"


def carries_reference(note: str, reference: str) -> bool:
    return bool(reference) and reference in note.replace(",", " ").split()
