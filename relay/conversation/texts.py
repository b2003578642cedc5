"""Everything the patient reads, in Spanish (the default) and English.

One catalogue per language with the same keys, so a missing translation is a test failure rather than a
surprise on a patient's phone. Button labels here must fit WhatsApp's 20 characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Language:
    code: str
    weekdays: tuple[str, ...]  # Monday first, as date.weekday()
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]
    months_short: tuple[str, ...]
    messages: dict[str, str]

    def say(self, key: str, **fields: object) -> str:
        return self.messages[key].format(**fields)

    def day_label(self, day: date) -> str:
        """The day as a button shows it: "Lun 2 dic" / "Mon 2 Dec"."""
        return f"{self.weekdays_short[day.weekday()]} {day.day} {self.months_short[day.month - 1]}"

    def day_long(self, day: date) -> str:
        """The day in a sentence: "lunes 2 de diciembre" / "Monday 2 December"."""
        weekday = self.weekdays[day.weekday()]
        month = self.months[day.month - 1]
        if self.code == "es":
            return f"{weekday} {day.day} de {month}"
        return f"{weekday} {day.day} {month}"


SPANISH = Language(
    code="es",
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    weekdays_short=("Lun", "Mar", "Mié", "Jue", "Vie", "Sáb", "Dom"),
    months=(
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
    months_short=("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    messages={
        "greeting": "¡Hola{name}! Soy el asistente de citas de {clinic}.",
        "greeting_anonymous": "¡Hola{name}! Soy el asistente de citas.",
        "days_intro": "Estos son los próximos días con horas libres.",
        "days_intro_professional": "Estos son los próximos días con horas libres con {professional}.",
        "day_prompt": "¿Qué día te acomoda? También puedes escribirlo (p. ej. «mañana»).",
        "day_prompt_short": "¿Qué día te acomoda?",
        "time_prompt": "¿Qué hora te acomoda el {day}? Escribe «volver» para otro día.",
        "time_prompt_professional": "¿Qué hora con {professional} el {day}?",
        "time_prompt_short": "¿Qué hora te acomoda?",
        "which_professional": "A las {time} del {day} atienden varios profesionales. ¿Con quién?",
        "alternatives_prompt": "¿Te acomoda alguna de estas?",
        "more_days": "Más días",
        "more_times": "Más horas",
        "other_days": "Otros días",
        "reask_day": "Perdona, no te entendí. Elige un día con los botones o escríbelo.",
        "reask_time": "Perdona, no te entendí. Elige una hora con los botones o escríbela (p. ej. «10:30»).",
        "need_day_first": "¿Para qué día es esa hora? Elige primero un día.",
        "day_not_free": "El {day} no tiene horas libres.",
        "day_not_free_professional": "{professional} no tiene horas libres el {day}.",
        "time_not_free": "Las {time} del {day} no están libres.",
        "slot_gone": "Esa hora ({time} del {day}) ya no está libre.",
        "professional_unknown": "No encontré a «{query}» entre los profesionales con horas libres.",
        "professional_no_slots": "{professional} no tiene horas libres en los próximos 14 días.",
        "slot_taken": "Ese horario acaba de ser tomado.",
        "slot_taken_alternatives": "Ese horario acaba de ser tomado. Estas son las horas libres más cercanas.",
        "slot_taken_no_alternatives": "Ese horario acaba de ser tomado. ¿Vemos otros días?",
        "booked": "¡Listo{name}! Tu hora quedó reservada.",
        "booked_when": "{day} a las {time}, con {professional}.",
        "booked_address": "Dirección: {address}.",
        "booked_closing": "Si necesitas cambiarla, escríbenos.",
        "no_slots": "Por ahora no quedan horas libres en los próximos 14 días.",
        "cannot_check": "En este momento no puedo revisar la agenda.",
        "cannot_confirm": "No pude confirmar tu reserva en este momento.",
        "receptionist": "Una recepcionista te escribirá en breve.",
        "cancelled": "Entendido, no reservé nada. Escríbenos cuando quieras pedir una hora.",
        "asked_for_person": "Entendido. Una recepcionista te escribirá en breve.",
        "booking_unconfirmed": "Aún no sé si tu hora del {day} a las {time} con {professional} quedó reservada: "
        "la agenda de la clínica no respondió a tiempo.",
        "booking_unconfirmed_next": "No pidas otra hora: escríbeme en unos minutos y te digo cómo quedó. "
        "Una recepcionista también lo revisará.",
        "booked_late": "¡Al final tu hora quedó reservada{name}!",
        "booking_failed_late": "Tu hora del {day} a las {time} con {professional} no se pudo reservar.",
    },
)

ENGLISH = Language(
    code="en",
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    weekdays_short=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=(
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    months_short=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    messages={
        "greeting": "Hi{name}! I'm the booking assistant at {clinic}.",
        "greeting_anonymous": "Hi{name}! I'm the booking assistant.",
        "days_intro": "These are the next days with free times.",
        "days_intro_professional": "These are the next days {professional} has free times.",
        "day_prompt": "Which day suits you? You can also type it (e.g. \"tomorrow\").",
        "day_prompt_short": "Which day suits you?",
        "time_prompt": "Which time suits you on {day}? Type \"back\" for another day.",
        "time_prompt_professional": "Which time with {professional} on {day}?",
        "time_prompt_short": "Which time suits you?",
        "which_professional": "Several professionals are free at {time} on {day}. With whom?",
        "alternatives_prompt": "Does one of these suit you?",
        "more_days": "More days",
        "more_times": "More times",
        "other_days": "Other days",
        "reask_day": "Sorry, I didn't get that. Pick a day with the buttons or type it.",
        "reask_time": "Sorry, I didn't get that. Pick a time with the buttons or type it (e.g. \"10:30\").",
        "need_day_first": "Which day is that time for? Please pick a day first.",
        "day_not_free": "There are no free times on {day}.",
        "day_not_free_professional": "{professional} has no free times on {day}.",
        "time_not_free": "{time} on {day} is not free.",
        "slot_gone": "That time ({time} on {day}) is no longer free.",
        "professional_unknown": "I couldn't find \"{query}\" among the professionals with free times.",
        "professional_no_slots": "{professional} has no free times in the next 14 days.",
        "slot_taken": "That time was just taken.",
        "slot_taken_alternatives": "That time was just taken. These are the nearest free times.",
        "slot_taken_no_alternatives": "That time was just taken. Shall we look at other days?",
        "booked": "Done{name}! Your appointment is booked.",
        "booked_when": "{day} at {time}, with {professional}.",
        "booked_address": "Address: {address}.",
        "booked_closing": "If you need to change it, just write to us.",
        "no_slots": "There are no free times in the next 14 days right now.",
        "cannot_check": "I can't check the schedule right now.",
        "cannot_confirm": "I couldn't confirm your booking right now.",
        "receptionist": "A receptionist will write to you shortly.",
        "cancelled": "All right, nothing was booked. Write to us whenever you'd like an appointment.",
        "asked_for_person": "Understood. A receptionist will write to you shortly.",
        "booking_unconfirmed": "I don't know yet whether your appointment on {day} at {time} with {professional} "
        "was booked: the clinic's schedule did not answer in time.",
        "booking_unconfirmed_next": "Please don't book another one: write to me in a few minutes and I'll tell you "
        "how it went. A receptionist will check it too.",
        "booked_late": "Good news{name}: your appointment was booked after all!",
        "booking_failed_late": "Your appointment on {day} at {time} with {professional} could not be booked.",
    },
)

LANGUAGES: dict[str, Language] = {"es": SPANISH, "en": ENGLISH}


def language(code: str | None) -> Language:
    """The clinic's language; Spanish when unset or unknown."""
    return LANGUAGES.get((code or "es").strip().lower()[:2], SPANISH)
