"""The demo's closing summary: every appointment the chat made, booked, cancelled or moved (pure).

The chat keeps the data of every continuation the relay sent; this reads the appointments out of it and says
them in the clinic's language and local time. ``in_agenda`` (the stand-in's agenda, when the demo has it) adds
whether each one is there now, so the summary also shows that the web app agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

BOOKED, CANCELLED, MOVED = "booked", "cancelled", "moved"

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "title": "Citas que hizo esta demo (hora de {zone}):",
        "none": "Esta demo no reservó ninguna hora.",
        BOOKED: "reservada",
        CANCELLED: "cancelada",
        MOVED: "cambiada",
        "line": "  {n}. {what}: {when}, {professional}",
        "moved_to": " → pasó al {when}",
        "moved_from": " (en lugar de la del {when})",
        "there": " — en la agenda de la clínica",
        "gone": " — ya no está en la agenda",
        "missing": " — ¡NO está en la agenda de la clínica!",
        "still_there": " — ¡sigue en la agenda de la clínica!",
        "agenda_unknown": "",
    },
    "en": {
        "title": "Appointments this demo made ({zone} time):",
        "none": "This demo booked no appointment.",
        BOOKED: "booked",
        CANCELLED: "cancelled",
        MOVED: "moved",
        "line": "  {n}. {what}: {when}, {professional}",
        "moved_to": " → moved to {when}",
        "moved_from": " (instead of the one on {when})",
        "there": " — in the clinic's agenda",
        "gone": " — no longer in the agenda",
        "missing": " — NOT in the clinic's agenda!",
        "still_there": " — still in the clinic's agenda!",
        "agenda_unknown": "",
    },
}

DAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


@dataclass(frozen=True)
class DemoAppointment:
    booking_id: str
    start: str  # ISO 8601 with its offset, as the relay sent it
    professional: str
    state: str = BOOKED  # BOOKED, CANCELLED or MOVED (to ``moved_to``)
    moved_to: str = ""  # the booking that replaced it
    moved_from: str = ""  # the booking it replaced


def appointments_made(continuations: Iterable[Mapping[str, Any]]) -> list[DemoAppointment]:
    """Every appointment the continuations' data tell of, in the order they were made, with its latest state."""
    made: dict[str, DemoAppointment] = {}
    for data in continuations:
        booking_id = str(data.get("booking_id") or "")
        if not booking_id:
            continue
        status = data.get("status")
        new = status == "booked" or (status == "handoff" and data.get("reason") == "previous_not_cancelled")
        if new and data.get("start"):
            old_id = str(data.get("rescheduled_from") or "")
            known = made.get(booking_id)
            made[booking_id] = DemoAppointment(
                booking_id, str(data["start"]), str(data.get("professional") or ""),
                state=known.state if known else BOOKED, moved_from=old_id or (known.moved_from if known else ""),
            )
            if old_id and old_id in made and data.get("previous_cancelled", True):
                made[old_id] = replace(made[old_id], state=MOVED, moved_to=booking_id)
        elif status == "cancelled":
            known = made.get(booking_id)
            if known is None:  # an appointment made before this demo: still worth saying it was cancelled
                known = DemoAppointment(booking_id, str(data.get("start") or ""), str(data.get("professional") or ""))
            made[booking_id] = replace(known, state=CANCELLED)
    return list(made.values())


def local_when(start: str, tz: tzinfo, language: str) -> str:
    """"viernes 4 de diciembre, 09:30" / "Friday 4 December, 09:30", in the clinic's time zone."""
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return start
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    lang = language if language in DAYS else "es"
    day, month = DAYS[lang][moment.weekday()], MONTHS[lang][moment.month - 1]
    if lang == "es":
        return f"{day} {moment.day} de {month}, {moment:%H:%M}"
    return f"{day} {moment.day} {month}, {moment:%H:%M}"


def summary_lines(
    made: list[DemoAppointment],
    *,
    language: str,
    tz: tzinfo,
    zone_name: str,
    in_agenda: set[str] | None = None,
) -> list[str]:
    """The closing summary. ``in_agenda``: the ids the clinic web app shows now (None: not known)."""
    texts = TEXTS.get(language, TEXTS["es"])
    if not made:
        return [texts["none"]]
    by_id = {a.booking_id: a for a in made}
    lines = [texts["title"].format(zone=zone_name)]
    for n, appointment in enumerate(made, start=1):
        line = texts["line"].format(
            n=n, what=texts[appointment.state], when=local_when(appointment.start, tz, language),
            professional=appointment.professional,
        )
        if appointment.state == MOVED and appointment.moved_to in by_id:
            line += texts["moved_to"].format(when=local_when(by_id[appointment.moved_to].start, tz, language))
        elif appointment.moved_from in by_id:
            line += texts["moved_from"].format(when=local_when(by_id[appointment.moved_from].start, tz, language))
        if in_agenda is not None:
            there = appointment.booking_id in in_agenda
            if appointment.state == BOOKED:
                line += texts["there"] if there else texts["missing"]
            else:
                line += texts["still_there"] if there else texts["gone"]
        lines.append(line)
    return lines
