"""The clinic's agenda in memory: the seeded days plus what staff and the agent book at run time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from demo.portal.schedule import PROFESSIONALS, Professional, cells, seeded_day


class BookingRefused(Exception):
    """The agenda cannot take this appointment; ``reason`` is a code, the message is for staff."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "taken" | "not_a_cell" | "past" | "absent"


@dataclass(frozen=True)
class Appointment:
    id: str
    professional: Professional
    start: datetime  # aware, clinic time zone
    end: datetime
    patient_name: str
    patient_phone: str
    patient_document: str
    note: str
    created_by: str

    def to_admin_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "professional": self.professional.name,
            "professional_key": self.professional.key,
            "slot_id": slot_id(self.professional, self.start),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "patient_name": self.patient_name,
            "patient_phone": self.patient_phone,
            "patient_document": self.patient_document,
            "note": self.note,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Cell:
    start: datetime  # aware
    end: datetime
    appointment: Appointment | None


@dataclass(frozen=True)
class DayView:
    day: date
    absence: str | None
    cells: tuple[Cell, ...]


def slot_id(professional: Professional, start: datetime) -> str:
    """The id a free cell is known by, here and in the driver: "<professional key>:<local start>"."""
    return f"{professional.key}:{start:%Y-%m-%dT%H:%M}"


class Agenda:
    """Seeded lazily day by day, so any week the agenda is asked for exists, always the same for a seed."""

    def __init__(self, seed: int, tz: tzinfo, today: date, professionals: tuple[Professional, ...] = PROFESSIONALS):
        self.seed = seed
        self.tz = tz
        self.today = today  # seeding's reference: the coming days are fuller
        self.professionals = professionals
        self._by_cell: dict[tuple[str, datetime], Appointment] = {}  # (key, local naive start)
        self._absences: dict[tuple[str, date], str] = {}
        self._seeded: set[tuple[str, date]] = set()
        self._next_id = 900001

    def professional(self, ref: str) -> Professional | None:
        """By key or by name (case-insensitive)."""
        wanted = ref.strip().casefold()
        for professional in self.professionals:
            if wanted in (professional.key, professional.name.casefold()):
                return professional
        return None

    def day(self, professional: Professional, day: date) -> DayView:
        self._seed(professional, day)
        absence = self._absences.get((professional.key, day))
        if absence is not None:
            return DayView(day, absence, ())
        return DayView(
            day,
            None,
            tuple(
                Cell(self._aware(start), self._aware(end), self._by_cell.get((professional.key, start)))
                for start, end in cells(professional, day)
            ),
        )

    def free_cells(
        self, start: datetime, end: datetime, professional: Professional | None = None
    ) -> list[tuple[Professional, Cell]]:
        """Free cells starting in [start, end), sorted by start then professional name."""
        chosen = [professional] if professional else list(self.professionals)
        found = []
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for each in chosen:
                for cell in self.day(each, day).cells:
                    if cell.appointment is None and start <= cell.start < end:
                        found.append((each, cell))
            day += timedelta(days=1)
        found.sort(key=lambda pair: (pair[1].start, pair[0].name))
        return found

    def book(
        self,
        professional: Professional,
        start: datetime,
        *,
        patient_name: str,
        patient_phone: str,
        patient_document: str = "",
        note: str = "",
        created_by: str,
        now: datetime,
    ) -> Appointment:
        local = start.astimezone(self.tz).replace(tzinfo=None) if start.tzinfo else start
        view = self.day(professional, local.date())
        if view.absence:
            raise BookingRefused("absent", f"{professional.name} no atiende ese día ({view.absence}).")
        cell = next((c for c in view.cells if c.start.replace(tzinfo=None) == local), None)
        if cell is None:
            raise BookingRefused("not_a_cell", "Ese horario no está en la agenda del profesional.")
        if cell.appointment is not None:
            raise BookingRefused("taken", "Este horario ya fue tomado. Elija otro horario.")
        if cell.start < now:
            raise BookingRefused("past", "No se puede agendar en un horario que ya pasó.")
        appointment = Appointment(
            id=str(self._next_id),
            professional=professional,
            start=cell.start,
            end=cell.end,
            patient_name=patient_name,
            patient_phone=patient_phone,
            patient_document=patient_document,
            note=note,
            created_by=created_by,
        )
        self._next_id += 1
        self._by_cell[(professional.key, local)] = appointment
        return appointment

    def cancel(self, appointment_id: str) -> bool:
        for key, appointment in list(self._by_cell.items()):
            if appointment.id == appointment_id:
                del self._by_cell[key]
                return True
        return False

    def appointments(self, first: date, last: date) -> list[Appointment]:
        """Every appointment on the days first..last (inclusive), sorted by start then professional."""
        day = first
        while day <= last:
            for professional in self.professionals:
                self._seed(professional, day)
            day += timedelta(days=1)
        found = [a for a in self._by_cell.values() if first <= a.start.date() <= last]
        found.sort(key=lambda a: (a.start, a.professional.name))
        return found

    def _seed(self, professional: Professional, day: date) -> None:
        if (professional.key, day) in self._seeded:
            return
        self._seeded.add((professional.key, day))
        seeded = seeded_day(self.seed, professional, day, self.today)
        if seeded.absence:
            self._absences[(professional.key, day)] = seeded.absence
        for item in seeded.appointments:
            self._by_cell[(professional.key, item.start)] = Appointment(
                id=item.id,
                professional=professional,
                start=self._aware(item.start),
                end=self._aware(item.end),
                patient_name=item.patient_name,
                patient_phone=item.patient_phone,
                patient_document=item.patient_document,
                note=item.note,
                created_by=item.created_by,
            )

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz)
