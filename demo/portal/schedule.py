"""The clinic's professionals and their seeded agenda: pure functions of (seed, day), no I/O.

Everything here works in the clinic's local wall-clock time (naive ``datetime``); the web layer
attaches the clinic's time zone. A seed gives the same professionals' days off and pre-existing
appointments on every run, so tests and benchmarks can compare against a known agenda.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

Block = tuple[time, time]


@dataclass(frozen=True)
class Professional:
    key: str  # stable, used in URLs and slot ids
    name: str  # what the clinic and the patient see
    specialty: str
    slot_minutes: int
    week: tuple[tuple[Block, ...], ...]  # Monday..Sunday: working blocks; the gaps are breaks

    def blocks(self, day: date) -> tuple[Block, ...]:
        return self.week[day.weekday()]


def _t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _blocks(*spans: str) -> tuple[Block, ...]:
    return tuple((_t(span.split("-")[0]), _t(span.split("-")[1])) for span in spans)


OFF: tuple[Block, ...] = ()

PROFESSIONALS: tuple[Professional, ...] = (
    Professional(
        key="camila-soto",
        name="Dra. Camila Soto",
        specialty="Medicina general",
        slot_minutes=20,
        week=(
            _blocks("09:00-13:00", "14:00-18:00"),
            _blocks("09:00-13:00", "14:00-18:00"),
            _blocks("09:00-13:00", "14:00-18:00"),
            _blocks("09:00-13:00", "14:00-18:00"),
            _blocks("09:00-14:00"),
            _blocks("09:00-12:00"),
            OFF,
        ),
    ),
    Professional(
        key="andres-rojas",
        name="Dr. Andrés Rojas",
        specialty="Traumatología",
        slot_minutes=30,
        week=(
            _blocks("08:30-13:00", "14:30-19:00"),
            _blocks("08:30-13:00", "14:30-19:00"),
            OFF,
            _blocks("08:30-13:00", "14:30-19:00"),
            _blocks("08:30-12:30", "15:00-18:00"),  # Friday afternoon too ("traumatología el viernes en la tarde")
            OFF,
            OFF,
        ),
    ),
    Professional(
        key="paula-mendez",
        name="Klga. Paula Méndez",
        specialty="Kinesiología",
        slot_minutes=45,
        week=(
            _blocks("10:00-13:45", "15:00-19:30"),
            _blocks("14:00-20:00"),
            _blocks("10:00-13:45", "15:00-19:30"),
            OFF,
            _blocks("10:00-13:45", "15:00-19:30"),
            _blocks("09:00-12:45"),
            OFF,
        ),
    ),
)

# The specialties as a clinic in an English-speaking place names them (`cita-demo all --language en`).
SPECIALTIES_EN: dict[str, str] = {
    "Medicina general": "General medicine",
    "Traumatología": "Traumatology",
    "Kinesiología": "Physiotherapy",
}


def professionals_in(language: str) -> tuple[Professional, ...]:
    """The clinic's professionals with their specialties named in ``language`` ("es" as seeded, or "en")."""
    if language != "en":
        return PROFESSIONALS
    return tuple(replace(p, specialty=SPECIALTIES_EN.get(p.specialty, p.specialty)) for p in PROFESSIONALS)


ABSENCE_REASONS = ("Vacaciones", "Congreso", "Capacitación", "Permiso administrativo")
FIRST_NAMES = (
    "María José", "Catalina", "Javiera", "Fernanda", "Valentina", "Constanza", "Francisca", "Daniela",
    "Sofía", "Antonia", "Benjamín", "Matías", "Vicente", "Tomás", "Joaquín", "Sebastián", "Cristóbal",
    "Felipe", "Ignacio", "Rodrigo", "Carmen", "Rosa", "Luis", "Jorge", "Patricio", "Gloria",
)
LAST_NAMES = (
    "González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda",
    "Morales", "Rodríguez", "López", "Fuentes", "Hernández", "Torres", "Araya", "Flores", "Espinoza",
    "Valenzuela", "Castillo", "Tapia", "Reyes", "Gutiérrez", "Castro", "Pizarro", "Álvarez", "Vásquez",
)
NOTES = (
    "", "", "", "Control", "Primera consulta", "Fonasa", "Isapre Colmena", "Trae exámenes",
    "Control post operatorio", "Sesión 3 de 10", "Derivada por Dr. Rojas", "Certificado médico",
)
STAFF = ("recepcion", "mgonzalez", "recepcion2", "agenda-web")


@dataclass(frozen=True)
class SeededAppointment:
    """An appointment that was already in the agenda when the stand-in started."""

    id: str
    professional: str  # key
    start: datetime  # local, naive
    end: datetime
    patient_name: str
    patient_phone: str
    patient_document: str
    note: str
    created_by: str


@dataclass(frozen=True)
class SeededDay:
    professional: str
    day: date
    absence: str | None  # why the professional does not attend that day, if so
    appointments: tuple[SeededAppointment, ...]


def cells(professional: Professional, day: date) -> list[tuple[datetime, datetime]]:
    """The agenda's cells on that day (start, end), local time, ignoring absences."""
    length = timedelta(minutes=professional.slot_minutes)
    result = []
    for begin, finish in professional.blocks(day):
        start = datetime.combine(day, begin)
        limit = datetime.combine(day, finish)
        while start + length <= limit:
            result.append((start, start + length))
            start += length
    return result


def occupancy(days_ahead: int) -> float:
    """Share of cells already taken: the coming days are fuller than the weeks after."""
    if days_ahead < 0:
        return 0.8
    return max(0.2, 0.7 - 0.02 * days_ahead)


def seeded_day(seed: int, professional: Professional, day: date, today: date) -> SeededDay:
    """The professional's day as the clinic had it at start-up: same inputs, same day."""
    # A string seed is hashed with SHA-512 by `random`, so it does not depend on PYTHONHASHSEED.
    rng = random.Random(f"{seed}|{professional.key}|{day.isoformat()}")
    day_cells = cells(professional, day)
    if day_cells and rng.random() < 0.06:
        return SeededDay(professional.key, day, rng.choice(ABSENCE_REASONS), ())
    # By key, so the same professional seeds the same day whatever language its specialty is named in.
    index = next((n for n, p in enumerate(PROFESSIONALS) if p.key == professional.key), 9)
    share = occupancy((day - today).days)
    appointments = []
    for number, (start, end) in enumerate(day_cells):
        if rng.random() >= share:
            continue
        first, last, last2 = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)
        rut = rng.randrange(6_000_000, 24_000_000)
        appointments.append(
            SeededAppointment(
                id=f"{day:%y%m%d}{index}{number:02d}",
                professional=professional.key,
                start=start,
                end=end,
                patient_name=f"{first} {last} {last2}",
                patient_phone=f"+56 9 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
                patient_document=f"{rut:,}".replace(",", ".") + f"-{rut_check_digit(rut)}",
                note=rng.choice(NOTES),
                created_by=rng.choice(STAFF),
            )
        )
    return SeededDay(professional.key, day, None, tuple(appointments))


def rut_check_digit(number: int) -> str:
    """The Chilean RUT's verification digit (modulo 11), so seeded documents look real."""
    total, factor = 0, 2
    while number:
        total += (number % 10) * factor
        number //= 10
        factor = 2 if factor == 7 else factor + 1
    digit = 11 - total % 11
    return {10: "K", 11: "0"}.get(digit, str(digit))


def week_start(day: date) -> date:
    """The Monday of the week holding ``day`` (the agenda shows Monday..Sunday)."""
    return day - timedelta(days=day.weekday())
