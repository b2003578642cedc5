"""Everything the patient reads, in Spanish (the default) and English.

One catalogue per language with the same keys, so a missing translation is a test failure rather than a
surprise on a patient's phone. Button labels here must fit WhatsApp's 20 characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from relay.conversation.menus import fold

_DAYS_KEPT = 2048  # day labels kept per language and form: years of days


@dataclass(frozen=True)
class Language:
    code: str
    weekdays: tuple[str, ...]  # Monday first, as date.weekday()
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]
    months_short: tuple[str, ...]
    messages: dict[str, str]
    # The same few dozen days are named for every clinic: each label worked out once (day -> text).
    _labels: dict[date, str] = field(default_factory=dict, compare=False, repr=False)
    _long: dict[date, str] = field(default_factory=dict, compare=False, repr=False)

    def say(self, key: str, **fields: object) -> str:
        return self.messages[key].format(**fields)

    def why_not_known(self, reason: str) -> str:
        """Why an outcome is not known yet, as the hand-off's reason says (the agent gone, the web app failing,
        else it was slow)."""
        return self.messages.get(f"why.{reason}") or self.messages["why.timeout"]

    def day_label(self, day: date) -> str:
        """The day as a button shows it: "Lun 2 dic" / "Mon 2 Dec"."""
        label = self._labels.get(day)
        if label is None:
            if len(self._labels) >= _DAYS_KEPT:
                self._labels.clear()
            short = self.weekdays_short[day.weekday()]
            label = self._labels[day] = f"{short} {day.day} {self.months_short[day.month - 1]}"
        return label

    def with_professional(self, name: str, specialty: str = "") -> str:
        """"la Dra. Ana Soto" / "Dra. Ana Soto", and ", Traumatología" when the specialty is worth saying."""
        first = name.split(" ", 1)[0].rstrip(".").casefold() if name else ""
        article = _ARTICLE_OF_TITLE.get(fold(first), "") if self.code == "es" else ""
        return f"{article}{name}, {specialty}" if specialty else f"{article}{name}"

    def day_long(self, day: date) -> str:
        """The day in a sentence: "lunes 2 de diciembre" / "Monday 2 December"."""
        text = self._long.get(day)
        if text is None:
            if len(self._long) >= _DAYS_KEPT:
                self._long.clear()
            text = self._long[day] = self._day_long(day)
        return text

    def _day_long(self, day: date) -> str:
        weekday = self.weekdays[day.weekday()]
        month = self.months[day.month - 1]
        if self.code == "es":
            return f"{weekday} {day.day} de {month}"
        return f"{weekday} {day.day} {month}"


# A title whose gender is plain ("Klga." kinesióloga, "Dr."): "con la Klga. Paula Méndez". One that is not ("Psic.",
# "Nut.", "Enf.", "TM") gets none: a wrong article is worse than none.
_ARTICLE_OF_TITLE = {
    **dict.fromkeys(("dr", "doctor", "klgo", "kinesiologo", "psicologo", "odontologo", "enfermero", "nutriologo",
                     "profesor", "tecnologo", "fonoaudiologo"), "el "),
    **dict.fromkeys(("dra", "doctora", "klga", "kinesiologa", "psicologa", "odontologa", "enfermera", "matrona",
                     "nutriologa", "profesora", "tecnologa", "fonoaudiologa"), "la "),
}


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
        "follow_on": "Claro{name}.",
        "hello_again": "¡Hola{name}!",
        "days_intro": "Estos son los próximos días con horas libres{window}.",
        "days_intro_professional": "Estos son los próximos días con horas libres con {professional}{window}.",
        "days_intro_specialty": "Estos son los próximos días con horas libres de {specialty}{window}.",
        "window_from": " desde las {start}",
        "window_before": " antes de las {end}",
        "window_between": " entre las {start} y las {end}",
        "day_prompt": "¿Qué día te acomoda? También puedes escribirlo (p. ej. «mañana»).",
        "day_prompt_short": "¿Qué día te acomoda?",
        "time_prompt": "¿Qué hora te acomoda el {day}?",
        "back_hint": "Escribe «volver» para otro día.",
        "time_prompt_professional": "¿Qué hora con {professional} el {day}?",
        "time_prompt_short": "¿Qué hora te acomoda?",
        "which_professional": "A las {time} del {day} atienden varios profesionales. ¿Con quién?",
        "alternatives_prompt": "¿Te acomoda alguna de estas?",
        "more_days": "Más días",
        "more_times": "Más horas",
        "other_days": "Otros días",
        "reask_day": "Perdona, no te entendí. Elige un día con los botones o escríbelo.",
        "reask_choice": "Perdona, no te entendí. Elige una opción (su número o el botón).",
        "sure_first": "Solo para estar seguros:",
        "kept_and_one_more": "Entendido, tu hora del {day} a las {time} sigue en pie; esta sería una hora más.",
        "reask_time": "Perdona, no te entendí. Elige una hora con los botones o escríbela (p. ej. «10:30»).",
        "reask_reception": "Si prefieres, escribe «recepción» y una recepcionista te ayudará.",
        "not_understood": "Perdona, no logro entenderte por aquí. Una recepcionista te escribirá en breve.",
        "which_time_list": "¿Cuál de estas horas? Escribe su número o la hora (p. ej. «10:30»).",
        "which_time_buttons": "¿Cuál de estas horas? Tócala en los botones o escribe la hora (p. ej. «10:30»).",
        "which_day_list": "¿Cuál de estos días? Escribe su número o el día (p. ej. «mañana»).",
        "which_day_buttons": "¿Cuál de estos días? Tócalo en los botones o escribe el día (p. ej. «mañana»).",
        "which_professional_pick": "¿Con quién? Elige a uno o escribe su nombre.",
        "need_day_first": "¿Para qué día es esa hora? Elige primero un día.",
        "day_not_free": "El {day} no tiene horas libres.",
        "day_not_free_professional": "{professional} no tiene horas libres el {day}.",
        "time_not_free": "Las {time} del {day} no están libres.",
        "time_not_free_professional": "Las {time} del {day} no están libres con {professional}.",
        "time_passed": "Las {time} de hoy ya pasaron.",
        "slot_gone": "Esa hora ({time} del {day}) ya no está libre.",
        "professional_unknown": "No encontré a «{query}» entre los profesionales con horas libres.",
        "professional_no_slots": "{professional} no tiene horas libres en los próximos 14 días.",
        "slot_taken": "Ese horario acaba de ser tomado.",
        "slot_taken_alternatives": "Ese horario{when} acaba de ser tomado. Estas son las horas libres más cercanas.",
        "slot_taken_no_alternatives": "Ese horario{when} acaba de ser tomado. ¿Vemos otros días?",
        "booked": "¡Listo{name}! Tu hora quedó reservada.",
        "booked_when": "{day} a las {time}, con {professional}.",
        "booked_address": "Dirección: {address}.",
        "booked_closing": "Si necesitas cambiarla, escríbenos.",
        "booked_closing_all": "Si necesitas cambiar alguna, escríbenos.",
        "booked_next_person": "Me pediste también una hora para otra persona: respóndeme «sí» y te muestro los días.",
        "booked_next_yours": "Me pediste también una hora para ti: respóndeme «sí» y te muestro los días.",
        "more_apart": "Lo otro que me pediste, escríbemelo ahora en un mensaje aparte, por favor.",
        "late_noted": "Anotado que podrías llegar un poco tarde: si ese día vas con atraso, escríbenos y le avisamos"
        " a recepción.",
        "no_slots": "Por ahora no quedan horas libres en los próximos 14 días.",
        "cannot_check": "En este momento no puedo revisar la agenda.",
        "cannot_confirm": "No pude confirmar tu reserva en este momento.",
        "receptionist": "Una recepcionista te escribirá en breve.",
        "emergency": "⚠️ Si es una emergencia, no esperes una hora: llama al número de emergencias o ve al servicio de"
                     " urgencias más cercano.",
        "cancelled": "Entendido, no reservé nada. Escríbenos cuando quieras pedir una hora.",
        "cancel_own_how": "Si lo que quieres es cancelar una hora que ya tienes, escribe «cancelar mi hora».",
        "media_only": "No puedo escuchar audios ni ver fotos o archivos: escríbeme lo que necesitas, por favor.",
        "media_handoff": "No puedo escuchar audios ni abrir fotos o archivos.",
        "closing_thanks": "¡De nada{name}! Escríbenos cuando necesites una hora.",
        "handed_off_waiting": "Ya le avisamos a recepción: una recepcionista te escribirá en breve. Si prefieres"
        " elegir tú una hora, escribe «reservar».",
        "handed_off_waiting_call": "Ya le avisamos a recepción: te llamarán en breve. Si prefieres elegir tú una"
        " hora, escribe «reservar».",
        "closing_bye": "¡Hasta pronto{name}! Escríbenos cuando necesites una hora.",
        "closing_stop": "Entendido{name}, no te escribo más. Si algún día necesitas una hora, escríbenos.",
        "closing_ok": "¡Perfecto{name}! Si necesitas cambiar o cancelar una hora, escríbeme cuando quieras.",
        "asked_for_person": "Entendido. Una recepcionista te escribirá en breve.",
        "asked_for_call": "Entendido. Le pedí a recepción que te llame en breve.",
        "confirm": "¿Confirmo el {day} a las {time} con {professional}?",
        "confirm_for": "¿Confirmo el {day} a las {time} con {professional}, a nombre de {patient}?",
        "confirm_move_to": "¿Confirmo el {day} a las {time} con {professional}, en vez de tu hora del {old_day} a las"
        " {old_time}?",
        "confirm_move_to_for": "¿Confirmo el {day} a las {time} con {professional}, en vez de la hora de {patient} del"
        " {old_day} a las {old_time}?",
        "earliest": "La primera hora libre es esta.",
        "latest": "La última hora libre de ese día es esta.",
        "yes": "Sí",
        "other_time": "Otra hora",
        "confirm_reask": "Responde «Sí» para reservarla u «Otra hora» para ver más.",
        "cancel_requested": "Para cancelar tu hora, una recepcionista te escribirá en breve.",
        "reschedule_requested": "Para cambiar tu hora, una recepcionista te escribirá en breve.",
        "name_correction": "Para corregir el nombre de tu hora, una recepcionista te escribirá en breve; tu hora"
        " sigue reservada.",
        "name_correction_noted": "Anoté el nombre correcto: {name}. Yo no puedo cambiar el nombre de una hora ya"
        " reservada: una recepcionista te escribirá en breve para corregirlo.",
        "surname_correction_noted": "Anoté el apellido correcto: {name}. Yo no puedo cambiar el nombre de una hora ya"
        " reservada: una recepcionista te escribirá en breve para corregirlo.",
        "bookings_requested": "Para revisar tus horas, una recepcionista te escribirá en breve.",
        # Never "tu hora sigue reservada": the bot has not seen the appointment (there may be none, or it was moved)
        "running_late": "Gracias por avisar. Le pasé el aviso a recepción; si hace falta, una recepcionista te"
        " escribirá.",
        "no_such_day": "No hay un {weekday} {n} en los próximos {days} días.",
        "day_passed": "El {weekday} {n} ya pasó.",
        "no_booking_that_day": "No tienes hora el {day}; la que tengo anotada es otra:",
        "no_booking_that_day_list": "No tienes hora el {day}.",
        "no_booking_like_that": "No tienes una hora así; la que tengo anotada es otra:",
        "no_booking_for_them": "No encontré una hora de esa persona; con este número tengo anotada solo esta:",
        "no_booking_like_that_list": "No encontré una hora así a tu nombre.",
        "no_booking_for_them_list": "No encontré una hora de esa persona con este número.",
        "no_booking_of_yours": "No encontré una hora a tu nombre con este número; la que tengo anotada es otra:",
        "not_cancelled": "No, no está cancelada: sigue en pie.",
        "none_fits_times": "Entendido. ¿Te sirve otro día?",
        "no_other_professionals": "No hay otros profesionales de {specialty} con horas libres. Si buscas otra"
        " especialidad, escríbela.",
        "which_booking": "¿Cuál de tus horas? Elige una de la lista (su número o el botón).",
        "clinic_address": "Estamos en {address}.",
        "visit_length": "Cada hora dura {minutes} minutos.",
        "clinic_question": "Eso te lo responde recepción: escribe «recepción» y una recepcionista te escribirá.",
        "none_fits_days": "Entendido. Estos son los días siguientes con horas libres.",
        "beyond_window": "Solo puedo ver la agenda de los próximos {days} días (hasta el {last}). Para el {day},"
        " escribe «recepción» y una recepcionista te ayudará.",
        "beyond_window_month": "Solo puedo ver la agenda de los próximos {days} días (hasta el {last}). Para {month},"
        " escribe «recepción» y una recepcionista te ayudará.",
        "specialty_unknown": "No encontré horas libres de esa especialidad en los próximos días (puede que la clínica"
        " no la atienda); para consultarlo, escribe «recepción».",
        "window_no_slots": "No quedan horas libres en ese horario; te muestro todas.",
        "days_ruled_out": "Entendido, sin esos días.",
        "day_ruled_out": "Entendido, sin ese día.",
        "time_ruled_out": "Entendido, sin esa hora.",
        "professional_ruled_out": "Entendido, sin {professional}.",
        "day_only_not_wanted": "El {day} solo hay horas libres con {professional}.",
        "time_only_not_wanted": "Las {time} del {day} solo están libres con {professional}.",
        "professionals_ruled_out_none": "En los próximos 14 días no hay horas libres con otro profesional, así que te"
        " muestro las horas con {professional}. Si prefieres otra opción, escribe «recepción».",
        "day_not_free_window": "El {day} no tiene horas libres en ese horario.",
        "waiting": "Claro, te espero. Cuando quieras, elige aquí:",
        "not_held": "Claro. Ojo: la hora no queda reservada hasta que la confirmes aquí.",
        "take_your_time": "Claro, te espero.",
        "days_ruled_out_none": "No quedan horas libres en los días que me pediste; te muestro todos.",
        "time_prompt_with": "¿Qué hora con {professional} el {day}?",
        "list_hint": "Escribe el número de tu opción.",
        "other_day": "Otro día",
        "any_professional_button": "Otros profesionales",
        "any_time_button": "Cualquier hora",
        "first_days": "Primeros días",
        "last_days": "Estos son los últimos días con horas libres de los próximos 14 días.",
        "no_more_days": "No hay más días con horas libres en los próximos 14 días; estos son los primeros.",
        "no_days_from": "No quedan horas libres desde el {day}; estos son los últimos días con horas.",
        "no_more_times": "No hay más horas libres el {day}; aquí están desde la primera.",
        "last_times": "Estas son las últimas horas libres de ese día (para verlas todas, escribe «otras horas»).",
        "specialty_prompt": "¿Qué especialidad necesitas?",
        "bookings_intro": "Estas son tus próximas horas:",
        "booking_line": "{day} a las {time} con {professional}",
        "which_to_cancel": "¿Cuál quieres cancelar?",
        "bookings_prompt": "¿Quieres cambiar o cancelar alguna, o pedir otra hora?",
        "cancel_one_button": "Cancelar una",
        "new_booking_button": "Pedir otra hora",
        "first_booking_button": "Pedir una hora",
        "no_bookings": "No encontré horas próximas con este número de teléfono.",
        "no_bookings_other_phone": "Si la pediste con otro número, escribe «recepción» y una recepcionista te ayudará.",
        "new_booking_prompt": "¿Quieres pedir una?",
        "another_booking_prompt": "Si quieres, puedes pedir otra hora.",
        "confirm_cancel": "¿Cancelo tu hora del {day} a las {time} con {professional}?",
        "confirm_cancel_for": "¿Cancelo la hora de {patient} del {day} a las {time} con {professional}?",
        "cancel_yes": "Sí, cancelar",
        "cancel_no": "No",
        "cancel_kept": "Entendido, tu hora sigue en pie.",
        "cancel_kept_for": "Entendido, la hora de {patient} sigue en pie.",
        "still_on": "Sí: tu hora del {day} a las {time} con {professional} sigue en pie.",
        "cancel_kept_one": "Entendido, esa sigue en pie.",
        "cancel_kept_all": "Entendido, tus horas siguen en pie.",
        "cancel_keep_noted": "Anoté que NO quieres cancelar tu hora del {day} a las {time} con {professional}. Aún no"
                             " sé si alcanzó a cancelarse: la agenda de la clínica no responde.",
        "cancel_taken_back": "Entendido, no la cancelo: tu hora del {day} a las {time} con {professional} sigue en"
                             " pie.",
        "cancel_went_before": "Tu hora del {day} a las {time} con {professional} ya había quedado cancelada antes de"
                              " tu mensaje.",
        "cancel_each": "Tienes {count} horas: te pregunto por cada una.",
        "cancel_each_named": "Son {count} horas: te pregunto por cada una.",
        "cancel_done": "Listo, cancelé tu hora del {day} a las {time} con {professional}.",
        "cancelled_already": "Ojo: la del {day} a las {time} ya quedó cancelada.",
        "cancel_done_for": "Listo, cancelé la hora de {patient} del {day} a las {time} con {professional}.",
        "cancel_done_closing": "Si quieres otra hora, escríbenos cuando quieras.",
        "cancel_failed": "No pude cancelar tu hora en este momento: sigue reservada.",
        "not_in_agenda": "No encontré tu hora del {day} a las {time} con {professional} en la agenda de la clínica:"
                         " puede que ya la hayan cancelado. No hice ningún cambio.",
        "cancel_unconfirmed": "Aún no sé si tu hora del {day} a las {time} con {professional} quedó cancelada: {why}.",
        # why an outcome is not known, by the hand-off's reason (why.timeout for any other)
        "why.timeout": "la agenda de la clínica no respondió a tiempo",
        "why.agent_offline": "se cortó la conexión con el computador de la clínica",
        "why.portal_down": "la agenda de la clínica tuvo un problema",
        "rest_after_news": "Lo otro que me pediste te lo respondo en cuanto sepa cómo quedó esto.",
        "cancel_unconfirmed_next": "Escríbeme en unos minutos y te digo cómo quedó. Una recepcionista también lo"
        " revisará.",
        "which_to_move": "¿Cuál quieres cambiar?",
        "confirm_move": "¿Cambio tu hora del {day} a las {time} con {professional}?",
        "confirm_move_for": "¿Cambio la hora de {patient} del {day} a las {time} con {professional}?",
        "move_yes": "Sí, cambiarla",
        "move_intro": "Elige la nueva hora; la del {day} a las {time} se cancelará cuando la nueva quede reservada.",
        "moved": "¡Listo{name}! Cambié tu hora del {day} a las {time} por esta:",
        "moved_for": "¡Listo{name}! Cambié la hora de {patient} del {day} a las {time} por esta:",
        "moved_old_kept": "Tu nueva hora quedó reservada, pero no pude cancelar la anterior ({day} a las {time}).",
        "move_failed": "No pude cambiar tu hora en este momento; la del {day} a las {time} sigue en pie.",
        "move_unconfirmed": "Aún no sé si tu hora quedó cambiada al {day} a las {time}: {why}.",
        "move_taken_back": "Entendido, no la cambio: tu hora del {day} a las {time} con {professional} sigue en pie.",
        "move_keep_noted": "Anoté que NO quieres cambiar tu hora del {day} a las {time} con {professional}. Aún no"
        " sé si el cambio alcanzó a hacerse: la agenda de la clínica no responde.",
        "move_both_booked": "La hora nueva del {new_day} a las {new_time} alcanzó a quedar reservada, y la del {day} a"
        " las {time} con {professional} sigue en pie: tienes las dos.",
        "move_went_before": "El cambio alcanzó a hacerse antes de tu mensaje: la hora del {day} a las {time} ya quedó"
        " cancelada.",
        "any_specialty_button": "Cualquiera",
        "booking_unconfirmed": "Aún no sé si tu hora del {day} a las {time} con {professional} quedó reservada: "
        "{why}.",
        "booking_unconfirmed_next": "No pidas otra hora: escríbeme en unos minutos y te digo cómo quedó. "
        "Una recepcionista también lo revisará.",
        "booked_late": "¡Al final tu hora quedó reservada{name}!",
        "booked_undo_question": "Me pediste no tomarla: ¿la cancelo?",
        "booking_failed_late": "Tu hora del {day} a las {time} con {professional} no se pudo reservar.",
        "already_one": "Ya tienes hora el {day} a las {time} con {professional}.",
        "already_one_for": "{patient} tiene hora el {day} a las {time} con {professional}.",
        "already_many": "Ya tienes {n} horas reservadas:",
        "already_prompt_one": "¿Quieres una hora más, cambiarla o cancelarla?",
        "already_prompt_many": "¿Quieres una hora más, cambiar una o cancelar una?",
        "already_one_more": "Si quieres una hora más, además de esa, confírmala; si no, no necesitas hacer nada.",
        "already_more_than_these": "Si quieres una hora más, además de esas, confírmala; si no, no necesitas hacer "
        "nada.",
        # Never "Otra hora": at «¿Confirmo…?» that button is a different time instead; here it is one more appointment
        "another_button": "Una hora más",
        "move_it_button": "Cambiarla",
        "cancel_it_button": "Cancelarla",
        "move_one_button": "Cambiar una",
        "already_reask": "Perdona, no te entendí.",
        "another_or_move": "¿Quieres una hora más, además de esa, o cambiarla?",
        "another_or_move_one": "¿Quieres una hora más, además de esas, o cambiar una de ellas?",
        "that_is_yours": "Sí, esa es tu hora: el {day} a las {time} con {professional}. Sigue en pie.",
        "that_is_theirs": "Sí, esa es la hora de {patient}: el {day} a las {time} con {professional}. Sigue en pie.",
        "tap_an_option": "¿Qué prefieres? Toca una de las opciones.",
        "for_other_named": "Entendido, la hora será para {name}.",
        "for_me_named": "Entendido, la hora será a tu nombre.",
        "for_other_noted": "Entendido, la hora es para otra persona: te pediré su nombre antes de reservar.",
        "move_keeps_name": "La hora que estás cambiando sigue a nombre de {name}; si debe quedar a nombre de otra"
        " persona, escribe «recepción» y una recepcionista la corrige.",
        "attendance_thanks": "¡Gracias por confirmar{name}! Te esperamos el {day} a las {time} con {professional}.",
        "attendance_thanks_many": "¡Gracias por confirmar!",
        "fields_intro": "Para reservar, la clínica necesita algunos datos tuyos.",
        "fields_intro_for": "Para reservar, la clínica necesita algunos datos de {patient}.",
        "ask_patient_name": "¿A nombre de quién reservo la hora? Escribe el nombre y apellido de quien se atenderá.",
        "invalid_patient_name": "No pude leer ese nombre: escribe solo el nombre y apellido, p. ej. «Rosa Díaz».",
        "name_not_a_professional": "Eso es una especialidad o un profesional; necesito el nombre y apellido de quien"
        " se atenderá, p. ej. «Rosa Díaz».",
        "name_this_one_first": "Primero la hora del {day} a las {time}; después vemos la otra.",
        "one_person_name": "Cada hora es para una persona: escribe el nombre y apellido de quien se atenderá en esta;"
        " después te doy otra para la otra persona.",
        "booked_for": "¡Listo{name}! La hora de {patient} quedó reservada.",
        "as_booked": "Así quedó tu hora{name}:",
        "as_booked_all": "Así quedaron las horas que reservé{name}:",
        "booked_so_far": "Hasta ahora reservé{name}:",
        "booked_whose": "{when}, para {patient}.",
        "booked_yours": "{when}, para ti.",
        "as_booked_for": "Así quedó la hora de {patient}{name}:",
        "as_moved": "Tu hora anterior quedó cancelada. Así quedó la nueva{name}:",
        "as_moved_for": "La hora anterior de {patient} quedó cancelada. Así quedó la nueva{name}:",
        "ask_email": "¿Cuál es tu correo electrónico?",
        "ask_national_id": "¿Cuál es tu número de documento (RUT, DNI o NIE)?",
        "ask_birth_date": "¿Cuál es tu fecha de nacimiento? (día/mes/año, p. ej. 15/03/1985)",
        "ask_national_id_for": "¿Cuál es el número de documento (RUT, DNI o NIE) de {patient}?",
        "ask_birth_date_for": "¿Cuál es la fecha de nacimiento de {patient}? (día/mes/año, p. ej. 15/03/2015)",
        "invalid_email": "Ese correo no parece válido: escríbelo completo, como nombre@correo.com.",
        "no_email": "La clínica necesita un correo para reservar por aquí. Si no tienes uno, escribe «recepción» y"
        " una recepcionista te ayudará.",
        "invalid_rut": "Ese RUT no es válido: el dígito verificador no coincide.",
        "one_national_id": "Escribe un solo número de documento, el de quien se atenderá.",
        "invalid_dni_letter": "Ese DNI o NIE no es válido: la letra no corresponde al número.",
        "invalid_national_id": "Ese número de documento no parece válido: usa de 5 a 20 letras y números.",
        "invalid_birth_date": "No entendí esa fecha: escríbela como día/mes/año, p. ej. 15/03/1985.",
        "birth_date_future": "Esa fecha todavía no llega: escribe tu fecha de nacimiento.",
        "birth_date_too_old": "Esa fecha es de hace más de 120 años: revisa el año.",
        "cancel_button": "Cancelar",
        "service_prompt": "¿Qué servicio necesitas?",
        "service_unknown": "No encontré horas libres de ese servicio.",
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
        "follow_on": "Sure{name}.",
        "hello_again": "Hi{name}!",
        "days_intro": "These are the next days with free times{window}.",
        "days_intro_professional": "These are the next days {professional} has free times{window}.",
        "days_intro_specialty": "These are the next days with free times in {specialty}{window}.",
        "window_from": " from {start}",
        "window_before": " before {end}",
        "window_between": " between {start} and {end}",
        "day_prompt": "Which day suits you? You can also type it (e.g. \"tomorrow\").",
        "day_prompt_short": "Which day suits you?",
        "time_prompt": "Which time suits you on {day}?",
        "back_hint": "Type \"back\" for another day.",
        "time_prompt_professional": "Which time with {professional} on {day}?",
        "time_prompt_short": "Which time suits you?",
        "which_professional": "Several professionals are free at {time} on {day}. With whom?",
        "alternatives_prompt": "Does one of these suit you?",
        "more_days": "More days",
        "more_times": "More times",
        "other_days": "Other days",
        "reask_day": "Sorry, I didn't get that. Pick a day with the buttons or type it.",
        "reask_choice": "Sorry, I didn't get that. Pick an option (its number or the button).",
        "sure_first": "Just to be sure:",
        "kept_and_one_more": "Understood, your appointment on {day} at {time} stays; this would be one more.",
        "reask_time": "Sorry, I didn't get that. Pick a time with the buttons or type it (e.g. \"10:30\").",
        "reask_reception": "If you prefer, type \"reception\" and a receptionist will help you.",
        "not_understood": "Sorry, I can't quite understand you here. A receptionist will write to you shortly.",
        "which_time_list": "Which of these times? Type its number or the time (e.g. \"10:30\").",
        "which_time_buttons": "Which of these times? Tap its button or type the time (e.g. \"10:30\").",
        "which_day_list": "Which of these days? Type its number or the day (e.g. \"tomorrow\").",
        "which_day_buttons": "Which of these days? Tap its button or type the day (e.g. \"tomorrow\").",
        "which_professional_pick": "With whom? Pick one or type their name.",
        "need_day_first": "Which day is that time for? Please pick a day first.",
        "day_not_free": "There are no free times on {day}.",
        "day_not_free_professional": "{professional} has no free times on {day}.",
        "time_not_free": "{time} on {day} is not free.",
        "time_not_free_professional": "{time} on {day} is not free with {professional}.",
        "time_passed": "{time} today has already passed.",
        "slot_gone": "That time ({time} on {day}) is no longer free.",
        "professional_unknown": "I couldn't find \"{query}\" among the professionals with free times.",
        "professional_no_slots": "{professional} has no free times in the next 14 days.",
        "slot_taken": "That time was just taken.",
        "slot_taken_alternatives": "That time{when} was just taken. These are the nearest free times.",
        "slot_taken_no_alternatives": "That time{when} was just taken. Shall we look at other days?",
        "booked": "Done{name}! Your appointment is booked.",
        "booked_when": "{day} at {time}, with {professional}.",
        "booked_address": "Address: {address}.",
        "booked_closing": "If you need to change it, just write to us.",
        "booked_closing_all": "If you need to change one, just write to us.",
        "booked_next_person": "You also asked for an appointment for someone else: reply «yes» and I'll show you the"
        " days.",
        "booked_next_yours": "You also asked for an appointment for yourself: reply «yes» and I'll show you the days.",
        "more_apart": "For the other thing you asked, please write it to me now in a message of its own.",
        "late_noted": "Noted that you may be a little late: if you're running late on the day, write to us and we'll"
        " tell reception.",
        "no_slots": "There are no free times in the next 14 days right now.",
        "cannot_check": "I can't check the schedule right now.",
        "cannot_confirm": "I couldn't confirm your booking right now.",
        "receptionist": "A receptionist will write to you shortly.",
        "emergency": "⚠️ If this is an emergency, do not wait for an appointment: call your local emergency number or"
                     " go to the nearest emergency room.",
        "cancelled": "All right, nothing was booked. Write to us whenever you'd like an appointment.",
        "cancel_own_how": "If you meant to cancel an appointment you already have, write \"cancel my appointment\".",
        "media_only": "I can't listen to voice notes or see photos or files: please write what you need.",
        "media_handoff": "I can't listen to voice notes or open photos or files.",
        "closing_thanks": "You're welcome{name}! Write to us whenever you need an appointment.",
        "handed_off_waiting": "Reception already knows: a receptionist will write to you shortly. If you'd rather"
        " pick a time yourself, write \"book\".",
        "handed_off_waiting_call": "Reception already knows: they will call you shortly. If you'd rather pick a time"
        " yourself, write \"book\".",
        "closing_bye": "See you{name}! Write to us whenever you need an appointment.",
        "closing_stop": "Understood{name}, I won't write again. If you ever need an appointment, write to us.",
        "closing_ok": "Great{name}! If you need to change or cancel an appointment, write to me whenever you like.",
        "asked_for_person": "Understood. A receptionist will write to you shortly.",
        "asked_for_call": "Understood. I've asked reception to call you shortly.",
        "confirm": "Shall I book {day} at {time} with {professional}?",
        "confirm_for": "Shall I book {day} at {time} with {professional}, under the name {patient}?",
        "confirm_move_to": "Shall I book {day} at {time} with {professional}, instead of your appointment on {old_day}"
        " at {old_time}?",
        "confirm_move_to_for": "Shall I book {day} at {time} with {professional}, instead of {patient}'s appointment on"
        " {old_day} at {old_time}?",
        "earliest": "This is the earliest free time.",
        "latest": "This is the day's last free time.",
        "yes": "Yes",
        "other_time": "Another time",
        "confirm_reask": "Answer \"Yes\" to book it or \"Another time\" to see more.",
        "cancel_requested": "To cancel your appointment, a receptionist will write to you shortly.",
        "reschedule_requested": "To change your appointment, a receptionist will write to you shortly.",
        "name_correction": "To correct the name on your appointment, a receptionist will write to you shortly; your"
        " appointment stays booked.",
        "name_correction_noted": "Noted, the right name is {name}. I can't change the name on an appointment already"
        " booked myself: a receptionist will write to you shortly to correct it.",
        "surname_correction_noted": "Noted, the right surname is {name}. I can't change the name on an appointment"
        " already booked myself: a receptionist will write to you shortly to correct it.",
        "bookings_requested": "To check your appointments, a receptionist will write to you shortly.",
        "running_late": "Thanks for letting us know. I've told reception; if needed, a receptionist will write to"
        " you.",
        "no_such_day": "There is no {weekday} {n} in the next {days} days.",
        "day_passed": "{weekday} the {n} has already passed.",
        "no_booking_that_day": "You have no appointment on {day}; the one I have is another:",
        "no_booking_that_day_list": "You have no appointment on {day}.",
        "no_booking_like_that": "You have no appointment like that; the one I have is another:",
        "no_booking_for_them": "I found no appointment of that person's; with this number I only have this one:",
        "no_booking_like_that_list": "I couldn't find an appointment like that for you.",
        "no_booking_for_them_list": "I found no appointment of that person's with this number.",
        "no_booking_of_yours": "I found no appointment in your name with this number; the one I have is another:",
        "not_cancelled": "No, it has not been cancelled: it still stands.",
        "none_fits_times": "All right. Would another day suit you?",
        "no_other_professionals": "There are no other {specialty} professionals with free times. If you need another"
        " specialty, type it.",
        "which_booking": "Which of your appointments? Pick one from the list (its number or the button).",
        "clinic_address": "We're at {address}.",
        "visit_length": "Each appointment lasts {minutes} minutes.",
        "clinic_question": "Reception can answer that: write \"reception\" and a receptionist will write to you.",
        "none_fits_days": "All right. These are the next days with free times.",
        "beyond_window": "I can only see the next {days} days of the agenda (until {last}). For {day}, write"
        " \"reception\" and a receptionist will help you.",
        "beyond_window_month": "I can only see the next {days} days of the agenda (until {last}). For {month},"
        " write \"reception\" and a receptionist will help you.",
        "specialty_unknown": "I found no free times for that specialty in the coming days (the clinic may not offer"
        " it); to ask, write \"reception\".",
        "window_no_slots": "There are no free times at that time of day; here are all of them.",
        "days_ruled_out": "All right, leaving those days out.",
        "day_ruled_out": "All right, leaving that day out.",
        "time_ruled_out": "All right, not at that time.",
        "professional_ruled_out": "All right, not with {professional}.",
        "day_only_not_wanted": "On {day} the only free times are with {professional}.",
        "time_only_not_wanted": "{time} on {day} is free only with {professional}.",
        "professionals_ruled_out_none": "There are no free times with anyone else in the next 14 days, so these are"
        " the times with {professional}. If you prefer another option, type \"reception\".",
        "day_not_free_window": "{day} has no free times at that time of day.",
        "waiting": "Of course, take your time. Whenever you are ready, choose here:",
        "not_held": "Sure. Just so you know, the time is not held until you confirm it here.",
        "take_your_time": "Of course, take your time.",
        "days_ruled_out_none": "There are no free times on the days you asked for; here are all of them.",
        "time_prompt_with": "Which time with {professional} on {day}?",
        "list_hint": "Type the number of your choice.",
        "other_day": "Another day",
        "any_professional_button": "Other professionals",
        "any_time_button": "Any time",
        "first_days": "First days",
        "last_days": "These are the last days with free times in the next 14 days.",
        "no_more_days": "There are no more days with free times in the next 14 days; these are the first ones.",
        "no_days_from": "There are no free times from {day} on; these are the last days with free times.",
        "no_more_times": "There are no later free times on {day}; here they are from the first one.",
        "last_times": "These are the last free times that day (to see them all, write \"other times\").",
        "specialty_prompt": "Which specialty do you need?",
        "bookings_intro": "These are your upcoming appointments:",
        "booking_line": "{day} at {time} with {professional}",
        "which_to_cancel": "Which one do you want to cancel?",
        "bookings_prompt": "Would you like to change or cancel one, or book another?",
        "cancel_one_button": "Cancel one",
        "new_booking_button": "Book another",
        "first_booking_button": "Book one",
        "no_bookings": "I found no upcoming appointments for this phone number.",
        "no_bookings_other_phone": "If you booked it with another number, write \"reception\" and a receptionist will"
        " help you.",
        "new_booking_prompt": "Would you like to book one?",
        "another_booking_prompt": "If you like, you can book another appointment.",
        "confirm_cancel": "Shall I cancel your appointment on {day} at {time} with {professional}?",
        "confirm_cancel_for": "Shall I cancel {patient}'s appointment on {day} at {time} with {professional}?",
        "cancel_yes": "Yes, cancel",
        "cancel_no": "No, keep it",
        "cancel_kept": "All right, your appointment stays.",
        "cancel_kept_for": "All right, {patient}'s appointment stays.",
        "still_on": "Yes: your appointment on {day} at {time} with {professional} still stands.",
        "cancel_kept_one": "All right, that one stays.",
        "cancel_kept_all": "All right, your appointments stay.",
        "cancel_keep_noted": "Noted: you do NOT want to cancel your appointment on {day} at {time} with"
                             " {professional}. I don't know yet whether it was cancelled: the clinic's agenda is not"
                             " answering.",
        "cancel_taken_back": "All right, I won't cancel it: your appointment on {day} at {time} with {professional}"
                             " stands.",
        "cancel_went_before": "Your appointment on {day} at {time} with {professional} had already been cancelled"
                              " before your message.",
        "cancel_each": "You have {count} appointments: I'll ask about each one.",
        "cancel_each_named": "That's {count} appointments: I'll ask about each one.",
        "cancel_done": "Done, I cancelled your appointment on {day} at {time} with {professional}.",
        "cancelled_already": "Note: the one on {day} at {time} is cancelled already.",
        "cancel_done_for": "Done, I cancelled {patient}'s appointment on {day} at {time} with {professional}.",
        "cancel_done_closing": "Write to us whenever you'd like another appointment.",
        "cancel_failed": "I couldn't cancel your appointment right now: it is still booked.",
        "not_in_agenda": "I couldn't find your appointment on {day} at {time} with {professional} in the clinic's"
                         " agenda: it may have been cancelled already. I made no change.",
        "cancel_unconfirmed": "I don't know yet whether your appointment on {day} at {time} with {professional} was"
        " cancelled: {why}.",
        "why.timeout": "the clinic's schedule did not answer in time",
        "why.agent_offline": "the connection to the clinic's computer was lost",
        "why.portal_down": "the clinic's schedule had a problem",
        "rest_after_news": "The rest of what you asked, I'll answer as soon as I know how this went.",
        "cancel_unconfirmed_next": "Write to me in a few minutes and I'll tell you how it went. A receptionist will"
        " check it too.",
        "which_to_move": "Which one do you want to change?",
        "confirm_move": "Shall I change your appointment on {day} at {time} with {professional}?",
        "confirm_move_for": "Shall I change {patient}'s appointment on {day} at {time} with {professional}?",
        "move_yes": "Yes, change it",
        "move_intro": "Pick the new time; the one on {day} at {time} is cancelled once the new one is booked.",
        "moved": "Done{name}! I moved your appointment on {day} at {time} to this one:",
        "moved_for": "Done{name}! I moved {patient}'s appointment on {day} at {time} to this one:",
        "moved_old_kept": "Your new appointment is booked, but I couldn't cancel the old one ({day} at {time}).",
        "move_failed": "I couldn't change your appointment right now; the one on {day} at {time} still stands.",
        "move_unconfirmed": "I don't know yet whether your appointment was moved to {day} at {time}: {why}.",
        "move_taken_back": "All right, I won't change it: your appointment on {day} at {time} with {professional}"
        " stands.",
        "move_keep_noted": "Noted: you do NOT want to change your appointment on {day} at {time} with {professional}."
        " I don't know yet whether the change went through: the clinic's agenda is not answering.",
        "move_both_booked": "The new appointment on {new_day} at {new_time} was booked, and the one on {day} at {time}"
        " with {professional} still stands: you have both.",
        "move_went_before": "The change went through before your message: the appointment on {day} at {time} was"
        " already cancelled.",
        "any_specialty_button": "Any",
        "booking_unconfirmed": "I don't know yet whether your appointment on {day} at {time} with {professional} "
        "was booked: {why}.",
        "booking_unconfirmed_next": "Please don't book another one: write to me in a few minutes and I'll tell you "
        "how it went. A receptionist will check it too.",
        "booked_late": "Good news{name}: your appointment was booked after all!",
        "booked_undo_question": "You asked me not to take it: shall I cancel it?",
        "booking_failed_late": "Your appointment on {day} at {time} with {professional} could not be booked.",
        "already_one": "You already have an appointment on {day} at {time} with {professional}.",
        "already_one_for": "{patient} has an appointment on {day} at {time} with {professional}.",
        "already_many": "You already have {n} appointments:",
        "already_prompt_one": "Would you like one more, to change it or to cancel it?",
        "already_prompt_many": "Would you like one more, to change one or to cancel one?",
        "already_one_more": "If you want one more besides that one, confirm it; if not, there is nothing to do.",
        "already_more_than_these": "If you want one more besides those, confirm it; if not, there is nothing to do.",
        "another_button": "One more",
        "move_it_button": "Change it",
        "cancel_it_button": "Cancel it",
        "move_one_button": "Change one",
        "already_reask": "Sorry, I didn't get that.",
        "another_or_move": "Would you like one more, besides that one, or to change it?",
        "another_or_move_one": "Would you like one more, besides those, or to change one of them?",
        "that_is_yours": "Yes, that is your appointment: {day} at {time} with {professional}. It stands.",
        "that_is_theirs": "Yes, that is {patient}'s appointment: {day} at {time} with {professional}. It stands.",
        "tap_an_option": "Which would you like? Tap one of the options.",
        "for_other_named": "All right, the appointment will be for {name}.",
        "for_me_named": "All right, the appointment will be under your name.",
        "for_other_noted": "All right, it's for someone else: I'll ask their name before booking.",
        "move_keeps_name": "The appointment you're changing stays under {name}; if it should be under someone else's"
        " name, type \"reception\" and a receptionist will correct it.",
        "attendance_thanks": "Thanks for confirming{name}! We'll see you on {day} at {time} with {professional}.",
        "attendance_thanks_many": "Thanks for confirming!",
        "fields_intro": "To book, the clinic needs a few details from you.",
        "fields_intro_for": "To book, the clinic needs a few details of {patient}.",
        "ask_patient_name": "Whose name should the appointment be under? Type the full name of the person coming.",
        "invalid_patient_name": "I couldn't read that name: type just the first and last name, e.g. \"Rose Day\".",
        "name_not_a_professional": "That is a specialty or a professional; I need the first and last name of the"
        " person to be seen, e.g. \"Rose Day\".",
        "name_this_one_first": "This one first, on {day} at {time}; then we'll see the other one.",
        "one_person_name": "Each appointment is for one person: type the full name of who comes to this one; then"
        " I'll find another for the other person.",
        "booked_for": "Done{name}! {patient}'s appointment is booked.",
        "as_booked": "Here is your appointment{name}:",
        "as_booked_all": "Here are the appointments I booked{name}:",
        "booked_so_far": "So far I have booked{name}:",
        "booked_whose": "{when}, for {patient}.",
        "booked_yours": "{when}, for you.",
        "as_booked_for": "Here is {patient}'s appointment{name}:",
        "as_moved": "Your previous appointment was cancelled. Here is the new one{name}:",
        "as_moved_for": "{patient}'s previous appointment was cancelled. Here is the new one{name}:",
        "ask_email": "What is your e-mail address?",
        "ask_national_id": "What is your ID document number?",
        "ask_birth_date": "What is your date of birth? (day/month/year, e.g. 15/03/1985)",
        "ask_national_id_for": "What is {patient}'s ID document number?",
        "ask_birth_date_for": "What is {patient}'s date of birth? (day/month/year, e.g. 15/03/2015)",
        "invalid_email": "That e-mail doesn't look right: please type it in full, like name@mail.com.",
        "no_email": "The clinic needs an e-mail to book here. If you don't have one, write «reception» and a"
        " receptionist will help you.",
        "invalid_rut": "That RUT is not valid: its check digit does not match.",
        "one_national_id": "Please type just one ID number: that of the person to be seen.",
        "invalid_dni_letter": "That DNI or NIE is not valid: its letter does not match the number.",
        "invalid_national_id": "That ID number doesn't look right: please use 5 to 20 letters and digits.",
        "invalid_birth_date": "I couldn't read that date: please type it as day/month/year, e.g. 15/03/1985.",
        "birth_date_future": "That date hasn't come yet: please type your date of birth.",
        "birth_date_too_old": "That date is more than 120 years ago: please check the year.",
        "cancel_button": "Cancel",
        "service_prompt": "Which service do you need?",
        "service_unknown": "I found no free times for that service.",
    },
)

LANGUAGES: dict[str, Language] = {"es": SPANISH, "en": ENGLISH}


def language(code: str | None) -> Language:
    """The clinic's language; Spanish when unset or unknown."""
    return LANGUAGES.get((code or "es").strip().lower()[:2], SPANISH)
