"""The tray app's words, in Spanish and English. No Qt here: the catalogue is a dict.

The language is the setting when there is one, else the system's; Spanish is the fallback
because the clinics this serves write Spanish.
"""

from __future__ import annotations

from datetime import datetime

LANGUAGES: tuple[str, ...] = ("es", "en")
FALLBACK = "es"

# key -> (Spanish, English). Placeholders use str.format names.
CATALOGUE: dict[str, tuple[str, str]] = {
    "app.name": ("Cita Bridge", "Cita Bridge"),
    # tray states
    "state.connected": ("Conectado", "Connected"),
    "state.connecting": ("Conectando…", "Connecting…"),
    "state.paused": ("En pausa", "Paused"),
    "state.attention": ("Requiere atención", "Needs attention"),
    # tray menu
    "menu.open": ("Abrir reservas", "Open bookings"),
    "menu.open_to_contact": ("Abrir reservas · {count} para contactar", "Open bookings · {count} to contact"),
    "tip.to_contact": ("Para contactar: {count}", "To contact: {count}"),
    "menu.pause": ("Pausar automatización", "Pause automation"),
    "menu.resume": ("Reanudar automatización", "Resume automation"),
    "menu.settings": ("Configuración…", "Settings…"),
    "menu.logs": ("Abrir carpeta de registros", "Open log folder"),
    "menu.quit": ("Salir", "Quit"),
    "menu.pause_30m": ("Durante 30 minutos", "For 30 minutes"),
    "menu.pause_1h": ("Durante 1 hora", "For 1 hour"),
    "menu.pause_tomorrow": ("Hasta mañana", "Until tomorrow"),
    "menu.pause_indefinitely": ("Hasta que la reanude", "Until I resume it"),
    "line.connected": (
        "Conectado · {count} horarios libres leídos {when}", "Connected · {count} free slots read {when}",
    ),
    "line.connected_unread": ("Conectado · horarios todavía sin leer", "Connected · slots not read yet"),
    "line.paused_until": ("En pausa hasta {when}", "Paused until {when}"),
    "line.attention": ("Requiere atención: {what}", "Needs attention: {what}"),
    "quit.title": ("¿Salir de Cita Bridge?", "Quit Cita Bridge?"),
    "quit.body": (
        "Mientras Cita Bridge esté cerrado, los pacientes que escriban por WhatsApp serán derivados a recepción "
        "en vez de reservar solos.",
        "While Cita Bridge is closed, patients who write on WhatsApp are handed to reception instead of "
        "booking by themselves.",
    ),
    "quit.under_way": (
        "Ahora mismo se está reservando la hora de {names}: Cita Bridge la termina antes de cerrarse (puede tardar "
        "hasta un minuto).",
        "A booking for {names} is under way right now: Cita Bridge finishes it before closing (it may take up to a "
        "minute).",
    ),
    "quit.confirm": ("Salir de todos modos", "Quit anyway"),
    "quit.cancel": ("Seguir funcionando", "Keep running"),
    "note.pause_ended.title": ("La pausa terminó", "The pause ended"),
    "note.pause_ended.body": (
        "La automatización vuelve a reservar por WhatsApp.", "Automation is booking on WhatsApp again.",
    ),
    # tooltip
    "tip.refresh": ("Horarios leídos: {when}", "Slots read: {when}"),
    "tip.never": ("todavía no", "not yet"),
    "tip.today": ("Reservas de hoy: {count}", "Bookings today: {count}"),
    # link / portal words for the status bar
    "link.connected": ("conectado", "connected"),
    "link.connecting": ("conectando…", "connecting…"),
    "link.disconnected": ("sin conexión", "offline"),
    "tip.link_retrying": ("No se llega al servidor de Cita Bridge; se reintenta solo.",
                          "Cita Bridge's server cannot be reached; it retries by itself."),
    "tip.technical": ("Detalle técnico (para soporte): {detail}", "Technical detail (for support): {detail}"),
    "portal.ok": ("funcionando", "working"),
    "portal.login_failed": ("contraseña incorrecta", "wrong password"),
    "portal.locked": ("cuenta bloqueada", "account locked"),
    "portal.down": ("no responde", "not responding"),
    "portal.changed": ("cambió (vea el aviso)", "changed (see the notice)"),
    "portal.not_saving": ("no guarda las reservas", "not saving bookings"),
    "portal.unknown": ("sin verificar", "not checked yet"),
    "status.relay": ("Servidor: {state}", "Relay: {state}"),
    "status.portal": ("Agenda web: {state}", "Clinic web app: {state}"),
    "status.refresh": ("Horarios leídos: {when}", "Slots read: {when}"),
    "status.not_configured": ("Falta configurar", "Not set up yet"),
    # bookings window
    "window.title": ("Cita Bridge: reservas", "Cita Bridge: bookings"),
    "window.heading": ("Reservas por WhatsApp", "WhatsApp bookings"),
    "window.summary": (
        "Reservadas hoy: {today}  ·  Próximas citas: {upcoming}  ·  Para contactar: {follow_up}",
        "Booked today: {today}  ·  Upcoming: {upcoming}  ·  To contact: {follow_up}",
    ),
    "window.filter": ("Buscar paciente, teléfono o profesional…", "Search patient, phone or professional…"),
    "window.show_all": ("Todas", "All"),
    "window.show_follow_up": ("Para contactar", "To contact"),
    "window.show_booked": ("Reservadas", "Booked"),
    "window.pause": ("Pausar", "Pause"),
    "window.resume": ("Reanudar", "Resume"),
    "window.refresh": ("Leer horarios ahora", "Read slots now"),
    "window.settings": ("Configuración", "Settings"),
    "window.empty": (
        "Todavía no hay reservas. Aparecerán aquí en cuanto un paciente reserve por WhatsApp.",
        "No bookings yet. They appear here as soon as a patient books on WhatsApp.",
    ),
    "window.retention": (
        "Este equipo guarda {days} días de historial (reservas, registros y capturas); lo anterior se borra solo.",
        "This PC keeps {days} days of history (bookings, logs and screenshots); older entries are deleted "
        "automatically.",
    ),
    "banner.paused_under_way": ("La reserva que ya estaba en curso ({names}) se termina igual.",
                                "The booking already under way ({names}) is still finished."),
    "banner.paused": (
        "Automatización en pausa: los pacientes reciben el mensaje de derivación a recepción.",
        "Automation paused: patients get the hand-off message to reception.",
    ),
    "banner.no_tray": (
        "Este escritorio no tiene bandeja del sistema: Cita Bridge funciona desde esta ventana. "
        "Al cerrarla, el agente se detiene.",
        "This desktop has no system tray: Cita Bridge runs from this window. Closing it stops the agent.",
    ),
    "banner.not_configured": (
        "Falta configurar: {missing}. Abra Configuración para empezar.",
        "Not set up yet: {missing}. Open Settings to start.",
    ),
    "engine.stopped": ("se detuvo sin avisar", "it stopped unexpectedly"),
    "banner.engine_stopped": (
        "El agente se detuvo ({error}). Revise la carpeta de registros; "
        "al guardar la configuración se inicia de nuevo.",
        "The agent stopped ({error}). See the log folder; saving the settings starts it again.",
    ),
    "missing.portal_url": ("dirección de la agenda web", "clinic web app address"),
    "missing.portal_user": ("usuario", "user"),
    "missing.password": ("contraseña", "password"),
    "missing.relay_url": ("dirección del servidor", "relay address"),
    "missing.relay_token": ("clave del agente", "agent token"),
    # columns
    "col.patient": ("Paciente", "Patient"),
    "col.phone": ("Teléfono", "Phone"),
    "col.when": ("Cita", "Appointment"),
    "col.professional": ("Profesional", "Professional"),
    "col.status": ("Estado", "Status"),
    "col.requested": ("Solicitada", "Requested"),
    # statuses
    "booking.booked": ("Reservada", "Booked"),
    "booking.in_progress": ("Reservando…", "Booking…"),
    "booking.failed": ("Falló: contactar", "Failed: contact"),
    "booking.handoff": ("Derivada: contactar", "Handoff: contact"),
    "booking.slot_taken": ("Ocupada: se ofrecieron otras", "Taken: others offered"),
    "booking.gone": ("Ya no está en la agenda", "No longer in the agenda"),
    "booking.gone_detail": (
        "La hora reservada aparece libre en la agenda web: alguien la anuló o la movió allí.",
        "The booked time shows as free in the clinic web app: someone cancelled or moved it there.",
    ),
    "booking.cancelled": ("Cancelada", "Cancelled"),
    "booking.cancelled_detail": (
        "El paciente la canceló por WhatsApp; el agente la anuló en la agenda web.",
        "The patient cancelled it on WhatsApp; the agent cancelled it in the clinic web app.",
    ),
    "booking.moved": ("Cambiada (de {old} a {new})", "Moved (from {old} to {new})"),
    "booking.moved_detail": (
        "El paciente cambió su hora por WhatsApp: se reservó la nueva y se anuló la anterior.",
        "The patient moved the appointment on WhatsApp: the new one was booked and the old one cancelled.",
    ),
    "booking.moved_both": (
        "Cambiada (de {old} a {new}); la anterior sigue en la agenda",
        "Moved (from {old} to {new}); the old one is still in the clinic web app",
    ),
    "booking.moved_both_detail": (
        "Se reservó la nueva hora pero la agenda web no dejó anular la anterior: anúlela a mano.",
        "The new time was booked but the clinic web app did not let the old one be cancelled: cancel it by hand.",
    ),
    "booking.later_cancelled": ("Reservada, luego cancelada", "Booked, later cancelled"),
    "booking.later_moved": ("Reservada, luego cambiada", "Booked, later moved"),
    "booking.later_cancelled_moved": ("Cambiada, luego cancelada", "Moved, later cancelled"),
    "booking.later_moved_moved": ("Cambiada, luego cambiada otra vez", "Moved, later moved again"),
    "booking.later_detail": (
        "Esta hora ya no vale: vea la fila de la cancelación o del cambio.",
        "This appointment no longer stands: see the cancellation's or the move's row.",
    ),
    "booking.no_time": ("(sin horario)", "(no time)"),
    # error / hand-off reasons
    "reason.paused": ("la automatización estaba en pausa", "automation was paused"),
    "reason.slot_taken": ("el horario ya estaba ocupado", "the slot was already taken"),
    "reason.login_failed": ("contraseña de la agenda web incorrecta", "wrong clinic web app password"),
    "reason.account_locked": ("cuenta de la agenda web bloqueada", "clinic web app account locked"),
    "reason.portal_down": ("la agenda web no respondía", "the clinic web app was not responding"),
    "reason.portal_changed": ("la agenda web cambió de aspecto", "the clinic web app changed its screens"),
    "reason.timeout": ("se agotó el tiempo", "it timed out"),
    "reason.other": ("error {code}", "error {code}"),
    "reason.agent_offline": (
        "este equipo no estaba conectado al servidor", "this computer was not connected to the relay",
    ),
    "reason.asked_for_person": ("pidió hablar con una persona", "asked to talk to a person"),
    "reason.asked_for_call": ("pidió hablar con una persona por teléfono", "asked to talk to a person on the phone"),
    "reason.not_understood": ("el bot no entendió sus mensajes", "the bot did not understand the messages"),
    "reason.no_slots": ("no había horarios libres", "there were no free times"),
    "reason.bad_request": ("la agenda web rechazó sus datos", "the clinic web app refused the details"),
    "reason.bad_answer": ("este equipo dio una respuesta ilegible", "this computer gave an unreadable answer"),
    "reason.internal": ("falló el servidor", "the relay failed"),
    "reason.not_saved": ("la agenda web no guardó la hora", "the clinic web app did not save it"),
    "reason.cancel_requested": ("quiere cancelar una hora", "wants to cancel an appointment"),
    "reason.cancel_target_gone": ("quiere cancelar una hora que ya no estaba en la agenda",
                                  "wants to cancel an appointment no longer in the web app"),
    "reason.move_target_gone": ("quiere cambiar una hora que ya no estaba en la agenda: no se cambió",
                                "wants to change an appointment no longer in the web app: not changed"),
    "reason.reschedule_requested": ("quiere cambiar una hora", "wants to change an appointment"),
    "reason.bookings_requested": ("pregunta por sus horas", "asks about their appointments"),
    "reason.name_correction": ("pide corregir el nombre de su hora", "asks to correct the name on an appointment"),
    "reason.running_late": ("avisa que llegará tarde", "says they will be late"),
    "reason.keep_requested": ("pidió NO cancelar su hora: confirme si sigue en la agenda",
                              "asked NOT to cancel: check it is still in the agenda"),
    "reason.move_back_requested": ("pidió NO cambiar su hora: si tiene dos, cancele la nueva",
                                   "asked NOT to change: if they have two, cancel the new one"),
    "reason.booked_untold": ("su hora SÍ quedó reservada: avísele (no la reserve de nuevo)",
                             "it WAS booked: tell them (do not book it again)"),
    "reason.other_booking": ("ya tenía otra hora: pregúntele si quiere una más",
                             "already had another appointment: ask whether they want one more"),
    "reason.booking_failed": ("su hora NO quedó reservada", "their appointment was NOT booked"),
    "reason.booking_taken": ("su hora NO quedó reservada: otra persona la tomó antes", "their appointment was NOT"
                             " booked: someone else took it first"),
    "reason.moved_untold": ("su hora SÍ quedó cambiada: avísele (no la cambie de nuevo)",
                            "their appointment WAS moved: tell them (do not move it again)"),
    "reason.move_not_made": ("su cambio de hora NO se hizo: la anterior sigue", "their move was NOT made: the old"
                             " appointment stands"),
    "reason.cancelled_untold": ("su hora SÍ quedó cancelada: avísele", "it WAS cancelled: tell them"),
    "reason.booked_unsent": ("su hora SÍ quedó reservada, pero no le llegó el aviso: avísele (no la reserve de nuevo)",
                             "it WAS booked, but the message did not reach them: tell them (do not book it again)"),
    "reason.moved_unsent": ("su hora SÍ quedó cambiada, pero no le llegó el aviso: avísele (no la cambie de nuevo)",
                            "it WAS moved, but the message did not reach them: tell them (do not move it again)"),
    "reason.cancelled_unsent": ("su hora SÍ quedó cancelada, pero no le llegó el aviso: avísele",
                                "it WAS cancelled, but the message did not reach them: tell them"),
    "reason.cancel_not_made": ("su hora NO se canceló: sigue en la agenda", "it was NOT cancelled: it is still in"
                               " the agenda"),
    "reason.previous_not_cancelled": ("no se pudo cancelar su hora anterior", "the old appointment was not cancelled"),
    "reason.missing_phone": ("sin teléfono en Kommo", "no phone number in Kommo"),
    "reason.unreadable_name": ("nombre ilegible en Kommo", "unreadable name in Kommo"),
    # patients to contact (hand-offs from the relay)
    "followups.title": ("Para contactar: {count}", "To contact: {count}"),
    "followups.hint": (
        "Pacientes que el bot derivó a recepción. Escríbales y marque «Contactado».",
        "Patients the bot handed to reception. Write to them, then mark them Contacted.",
    ),
    "col.reason": ("Motivo", "Reason"),
    "col.chosen": ("Había elegido", "Had chosen"),
    "col.handed_off": ("Derivado", "Handed off"),
    "followups.copy_phone": ("Copiar teléfono", "Copy phone"),
    "followups.open_agenda": ("Abrir en la agenda web", "Open in the clinic web app"),
    "followups.whatsapp": ("Abrir WhatsApp", "Open WhatsApp"),
    "followups.kommo": ("Abrir en Kommo", "Open in Kommo"),
    "followups.contacted": ("Contactado", "Contacted"),
    "followups.detail": ("Ver detalle…", "Details…"),
    # right after "Contactado", for a few seconds: the mark can be taken back (nothing reaches Kommo before)
    "followups.marked": ("Marcado «Contactado»: {patient}", "Marked Contacted: {patient}"),
    "followups.undo": ("Deshacer", "Undo"),
    # the count above the list also counts this PC's failed bookings whose hand-off the relay has not sent yet
    "followups.also_below": (
        "Y {count} más en la lista de abajo («Falló: contactar» o «Derivada: contactar»).",
        "And {count} more in the list below (“Failed: contact” or “Handoff: contact”).",
    ),
    "followups.copied": ("Teléfono copiado: {phone}", "Phone copied: {phone}"),
    "followups.nothing_chosen": ("nada todavía", "nothing yet"),
    "followups.day": ("el día {day}", "the day {day}"),
    # what the time shown under "Había elegido" is, when it is not a time being booked
    "followups.about.cancel": ("cancelar su hora: {when}", "cancel their appointment: {when}"),
    "followups.their_next": ("su próxima hora: {when}", "their next appointment: {when}"),
    "followups.about.keep": ("conservar su hora: {when}", "keep their appointment: {when}"),
    "followups.about.move_from": ("cambiar su hora: {when}", "change their appointment: {when}"),
    "followups.about.move_to": ("cambiar su hora a: {when}", "change their appointment to: {when}"),
    "followups.no_name": ("(sin nombre)", "(no name)"),
    "followups.later_cancelled": ("luego la canceló con el bot", "later cancelled by them with the bot"),
    "followups.later_moved": ("luego la cambió con el bot a {when}", "later moved by them with the bot to {when}"),
    "detail.title": ("Paciente para contactar", "Patient to contact"),
    "detail.booking_title": ("Solicitud de hora", "Appointment request"),
    "detail.reference": ("Referencia en la agenda web", "Reference in the clinic web app"),
    "detail.patient": ("Paciente", "Patient"),
    "detail.phone": ("Teléfono", "Phone"),
    "detail.reason": ("Motivo", "Reason"),
    "detail.chosen": ("Había elegido", "Had chosen"),
    "detail.when": ("Derivado", "Handed off"),
    "detail.said": ("Escribió", "They wrote"),
    "detail.close": ("Cerrar", "Close"),
    "note.summary.booked": ("{count} reservas nuevas", "{count} new bookings"),
    "note.summary.booked_one": ("1 reserva nueva", "1 new booking"),
    "note.summary.handoff": ("{count} pacientes para contactar", "{count} patients to contact"),
    "note.summary.handoff_one": ("1 paciente para contactar", "1 patient to contact"),
    "note.summary.changed": ("{count} horas canceladas o cambiadas", "{count} appointments cancelled or moved"),
    "note.summary.changed_one": ("1 hora cancelada o cambiada", "1 appointment cancelled or moved"),
    "note.handoff.title": ("Paciente para contactar", "Patient to contact"),
    "note.handoff.body": ("{patient} ({phone}): {reason}", "{patient} ({phone}): {reason}"),
    "note.resolved_booked.title": ("Ya no hace falta contactar", "No need to contact"),
    "note.resolved_booked.body": ("{patient} ({phone}): al final su hora quedó reservada; no la reserve de nuevo",
                                  "{patient} ({phone}): the appointment was booked after all; do not book it again"),
    "note.resolved_cancelled.title": ("Ya no hace falta contactar", "No need to contact"),
    "note.resolved_cancelled.body": ("{patient} ({phone}): al final su hora quedó cancelada",
                                     "{patient} ({phone}): the appointment was cancelled after all"),
    "note.resolved_kept.title": ("Ya no hace falta contactar", "No need to contact"),
    "note.resolved_kept.body": ("{patient} ({phone}): pidió conservar su hora y sigue en pie",
                                "{patient} ({phone}): asked to keep the appointment, and it stands"),
    "note.resolved_superseded.title": ("Paciente para contactar: actualizado", "Patient to contact: updated"),
    "note.resolved_superseded.body": ("{patient} ({phone}): el caso cambió; vea el aviso nuevo",
                                      "{patient} ({phone}): the case changed; see the new row"),
    # notifications
    "note.booked.title": ("Nueva reserva", "New booking"),
    "note.booked.body": ("{patient}: {when} con {professional}", "{patient}: {when} with {professional}"),
    "note.cancelled.title": ("Hora cancelada", "Appointment cancelled"),
    "note.cancelled.body": ("{patient}: {when} con {professional}", "{patient}: {when} with {professional}"),
    "note.moved.title": ("Hora cambiada", "Appointment moved"),
    "note.moved.body": ("{patient}: de {old} a {when} con {professional}",
                        "{patient}: from {old} to {when} with {professional}"),
    "note.follow_up.title": ("Paciente para contactar", "Patient to contact"),
    "note.follow_up.body": ("{patient}: no se reservó ({reason})", "{patient}: not booked ({reason})"),
    "note.login_failed.title": ("Contraseña incorrecta", "Wrong password"),
    "note.login_failed.body": (
        "La agenda web rechazó el usuario o la contraseña. No se reintentará: corríjala en Configuración.",
        "The clinic web app rejected the user or password. No retries: fix it in Settings.",
    ),
    "note.attempts_left": ("La agenda web dice: «{text}»", "The clinic web app says: “{text}”"),
    "note.untested.title": ("Falta probar el acceso", "Login not tested yet"),
    "note.untested.body": (
        "La contraseña de la agenda web se guardó sin probarla: el agente no entrará hasta que pulse Probar "
        "acceso en Configuración y funcione.",
        "The clinic web app password was saved without a test: the agent will not log in until you press Test "
        "login in Settings and it works.",
    ),
    "note.locked.title": ("Cuenta bloqueada", "Account locked"),
    "note.locked.body": (
        "La agenda web bloqueó la cuenta. Desbloquéela en la agenda web y luego pulse Probar acceso.",
        "The clinic web app locked the account. Unlock it there, then press Test login.",
    ),
    "note.bookings_failing.title": ("La agenda web no guarda las reservas",
                                    "The clinic web app is not saving bookings"),
    "note.bookings_failing.body": (
        "Las últimas {count} reservas no quedaron guardadas en la agenda web, aunque se puede leer: esos pacientes"
        " están en «Para contactar». Revise la agenda web (¿deja guardar una cita a mano?) y pause la automatización"
        " hasta que guarde.",
        "The last {count} bookings were not saved in the clinic web app, though it can be read: those patients are"
        " in “To contact”. Check the web app (can an appointment be saved by hand?) and pause automation until it"
        " saves.",
    ),
    "note.bookings_saving.title": ("La agenda web guarda de nuevo", "The clinic web app saves again"),
    "note.bookings_saving.body": (
        "Una reserva quedó guardada en la agenda web: el aviso anterior ya está resuelto.",
        "A booking was saved in the clinic web app: the earlier notice is resolved.",
    ),
    "note.portal_down.title": ("La agenda web no responde", "Clinic web app not responding"),
    "note.portal_down.body": (
        "No se pudo leer la agenda web. Los pacientes reciben el mensaje de derivación mientras tanto.",
        "The clinic web app could not be read. Patients get the hand-off message meanwhile.",
    ),
    "note.portal_changed.title": ("La agenda web cambió", "The clinic web app changed"),
    "note.portal_changed.body": (
        "{sentence} Los pacientes reciben el mensaje de derivación hasta que el agente la reconozca otra vez.",
        "{sentence} Patients get the hand-off message until the agent recognises it again.",
    ),
    "note.portal_changed.hint": (
        "Los pacientes reciben el mensaje de derivación hasta que el agente vuelva a reconocerla (lo revisa cada "
        "noche). Avise a quien instaló Cita Bridge.",
        "Patients get the hand-off message until the agent recognises it again (it checks every night). "
        "Tell whoever installed Cita Bridge.",
    ),
    "note.relay_down.title": ("Sin conexión con el servidor", "Relay unreachable"),
    "note.relay_down.body": (
        "Hace más de 2 minutos que no hay conexión con el servidor: WhatsApp no puede reservar. "
        "Revise la conexión a Internet.",
        "No connection to the relay for over 2 minutes: WhatsApp cannot book. Check the Internet connection.",
    ),
    "note.portal_back.title": ("Agenda web funcionando", "Clinic web app working"),
    "note.portal_back.body": ("La agenda web vuelve a responder: el aviso anterior ya está resuelto.",
                              "The clinic web app answers again: the previous alert is resolved."),
    "note.relay_back.title": ("Conexión restablecida", "Connection restored"),
    "note.relay_back.body": ("El servidor vuelve a estar conectado.", "The relay is connected again."),
    "note.still_running.title": ("Cita Bridge sigue funcionando", "Cita Bridge is still running"),
    "note.still_running.body": (
        "Las reservas siguen llegando. Ábralo desde el icono de la bandeja.",
        "Bookings keep arriving. Open it from the tray icon.",
    ),
    # settings
    "settings.title": ("Configuración de Cita Bridge", "Cita Bridge settings"),
    "settings.portal": ("Agenda web de la clínica", "Clinic web app"),
    "settings.portal_kind": ("Sistema", "System"),
    "settings.portal_url": ("Dirección", "Address"),
    "settings.portal_user": ("Usuario", "User"),
    "settings.password": ("Contraseña", "Password"),
    "settings.password_saved": ("(guardada: escriba para cambiarla)", "(saved: type to change it)"),
    "settings.test_login": ("Probar acceso", "Test login"),
    "settings.testing": ("Probando…", "Testing…"),
    "settings.testing_slow": ("La agenda web tarda en responder… {seconds} s (se deja de esperar a los {limit} s).",
                              "The clinic web app is slow to answer… {seconds} s (gives up after {limit} s)."),
    "settings.save_untested": ("Seguir sin probar el acceso", "Go on without testing the login"),
    "settings.relay": ("Servidor de WhatsApp", "WhatsApp relay"),
    "settings.relay_url": ("Dirección del servidor", "Relay address"),
    "settings.relay_token": ("Clave del agente", "Agent token"),
    "settings.general": ("General", "General"),
    "settings.language": ("Idioma", "Language"),
    "settings.language_auto": ("Automático (sistema)", "Automatic (system)"),
    "settings.start_at_login": ("Iniciar al encender el equipo", "Start when I log in"),
    "settings.save": ("Guardar", "Save"),
    "settings.cancel": ("Cancelar", "Cancel"),
    "settings.saved": ("Configuración guardada.", "Settings saved."),
    "settings.invalid": ("Revise los datos: {error}", "Please check: {error}"),
    "settings.bad_relay_url": (
        "la dirección del servidor «{url}» debe ser la que le dio su proveedor (https://… o wss://…)",
        "the relay address “{url}” must be the one your provider gave you (https://… or wss://…)",
    ),
    "settings.bad_portal_url": (
        "la dirección de la agenda web «{url}» debe empezar por https:// (o http://)",
        "the clinic web app address “{url}” must start with https:// (or http://)",
    ),
    "settings.keyring_title": ("No se pudo guardar la contraseña", "Could not store the password"),
    "settings.secrets_note": (
        "Las contraseñas se guardan en el almacén seguro del sistema, nunca en archivos.",
        "Passwords are kept in the system's secure store, never in files.",
    ),
    "settings.language_note": ("El idioma cambia al guardar.", "The language changes when you save."),
    "login.ok": ("Acceso correcto.", "Login works."),
    "login.login_failed": ("Usuario o contraseña incorrectos.", "Wrong user or password."),
    "login.account_locked": (
        "La cuenta está bloqueada en la agenda web.",
        "The account is locked in the clinic web app.",
    ),
    "login.portal_down": ("La agenda web no responde.", "The clinic web app is not responding."),
    "login.portal_changed": (
        "La agenda web no se ve como el agente espera: revise la dirección y el sistema; si están bien, la agenda"
        " cambió: avise a soporte.",
        "The clinic web app does not look as expected: check the address and the system; if they are right, it"
        " changed: tell support.",
    ),
    "login.wrong_address": (
        "Esa dirección no lleva a la página de inicio de sesión de la agenda web: revise la dirección y el sistema.",
        "That address does not lead to the web app's sign-in page: check the address and the system.",
    ),
    "login.browser_missing": (
        "No se encontró el navegador (Edge o Chrome).",
        "No browser found (Edge or Chrome).",
    ),
    "login.incomplete": ("Complete dirección, usuario y contraseña.", "Fill in address, user and password."),
    "login.other": ("No se pudo probar: {message}", "Could not test: {message}"),
    # wizard
    "wizard.title": ("Bienvenido a Cita Bridge", "Welcome to Cita Bridge"),
    "wizard.intro": (
        "Cita Bridge permite que los pacientes reserven por WhatsApp en la agenda web de la clínica, "
        "desde este equipo. Son tres pasos.",
        "Cita Bridge lets patients book on WhatsApp in the clinic's web app, from this computer. "
        "It takes three steps.",
    ),
    "wizard.portal_sub": (
        "El usuario con el que recepción entra a la agenda web.",
        "The user reception logs in to the clinic web app with.",
    ),
    "wizard.relay_sub": (
        "Los datos que le entregó su proveedor de Cita Bridge.",
        "The details your Cita Bridge provider gave you.",
    ),
    "wizard.general_sub": ("Últimos detalles.", "Last details."),
    "wizard.next": ("Siguiente >", "Next >"),
    "wizard.back": ("< Atrás", "< Back"),
    # misc
    "day.today": ("hoy", "today"),
    "day.tomorrow": ("mañana", "tomorrow"),
}

# What a person must fix for the relay link (agent.link.failure_kind): the banner, the notification, the tooltip.
LINK_PROBLEM_TEXTS: dict[str, tuple[str, str, str, str]] = {  # kind -> (title es, title en, text es, text en)
    "token_refused": (
        "Clave del agente rechazada", "Agent token refused",
        "El servidor no reconoce la clave del agente. Pegue en Configuración la clave que le entregó su "
        "proveedor de Cita Bridge.",
        "The relay does not recognise the agent token. Paste the token your Cita Bridge provider gave you "
        "in Settings.",
    ),
    "not_a_relay": (
        "Dirección del servidor incorrecta", "Wrong relay address",
        "La dirección del servidor no corresponde a un servidor de Cita Bridge. Revísela en Configuración: es "
        "la que le entregó su proveedor.",
        "The relay address is not a Cita Bridge relay. Check it in Settings: it is the one your provider "
        "gave you.",
    ),
    "tls": (
        "Conexión segura imposible", "Secure connection failed",
        "No se pudo comprobar el certificado de seguridad del servidor. Revise la dirección en Configuración "
        "o avise a su proveedor.",
        "The relay's security certificate could not be verified. Check the address in Settings or tell your "
        "provider.",
    ),
    "no_tls": (
        "El servidor no usa conexión segura", "The relay does not use a secure connection",
        "La dirección del servidor responde sin conexión segura (TLS). Si es un servidor de su red cerrada, "
        "escriba la dirección con ws:// en Configuración; si no, pida la dirección wss:// a su proveedor.",
        "The relay address answers without a secure connection (TLS). For a relay on your closed network, write "
        "the address with ws:// in Settings; otherwise ask your provider for the wss:// address.",
    ),
    "dns": (
        "Servidor no encontrado", "Relay not found",
        "No existe un servidor con esa dirección. Revise que esté bien escrita en Configuración y que haya "
        "Internet.",
        "There is no relay at that address. Check its spelling in Settings and the Internet connection.",
    ),
    "tls_required": (
        "Falta conexión segura", "Secure connection needed",
        "El servidor solo acepta conexiones seguras. En Configuración, la dirección debe empezar por "
        "https:// o wss://.",
        "The relay accepts only secure connections. In Settings, the address must start with https:// or "
        "wss://.",
    ),
}
for _kind, (_title_es, _title_en, _text_es, _text_en) in LINK_PROBLEM_TEXTS.items():
    CATALOGUE[f"note.link_{_kind}.title"] = (_title_es, _title_en)
    CATALOGUE[f"note.link_{_kind}.body"] = (_text_es, _text_en)
CATALOGUE["banner.fix"] = ("Corregir…", "Fix…")

# The web app asks for more than the password — a code, a captcha, a new password (agent/ui/login_prompt.py; otp).
CATALOGUE.update({
    "portal.login_needs_person": ("pide un código", "asks for a code"),
    "reason.login_needs_person": ("la agenda web pedía un código de verificación",
                                  "the clinic web app asked for a verification code"),
    "note.login_needs_person.title": ("La agenda pide un código", "The web app asks for a code"),
    "note.login_needs_person.body": ("La agenda pide un código: ábrela aquí.",
                                     "The web app asks for a code: open it here."),
    "banner.open_portal": ("Abrir la agenda…", "Open the web app…"),
    "menu.open_portal": ("La agenda pide un código: abrirla…", "The web app asks for a code: open it…"),
    "prompt.close": ("Cerrar", "Close"),
    "login.login_needs_person": (
        "Contraseña correcta. La agenda pide además un código: Cita Bridge le avisará para que lo escriba.",
        "Password accepted. The web app also asks for a code: Cita Bridge will ask you to type it.",
    ),
    "prompt.title": ("La agenda pide un código", "The web app asks for a code"),
    "prompt.code": ("La agenda pide un código: ábrela aquí", "The web app asks for a code: open it here"),
    "prompt.captcha": ("La agenda pide resolver un captcha: ábrela aquí",
                       "The web app asks you to solve a captcha: open it here"),
    "prompt.new_password": ("La agenda pide una contraseña nueva: ábrela aquí",
                            "The web app asks for a new password: open it here"),
    "prompt.explain": (
        "La agenda se abrirá en una ventana del navegador, en la pantalla que lo pide. Escriba el código que le llegó "
        "(SMS, correo o aplicación) y termine de entrar: Cita Bridge retoma solo y cierra la ventana. Mientras tanto, "
        "los pacientes que escriban quedan en «Para contactar».",
        "The web app opens in a browser window, at the screen that asks. Type the code you received (text message, "
        "e-mail or app) and finish logging in: Cita Bridge carries on by itself and closes the window. Meanwhile, "
        "patients who write are listed under \"To contact\".",
    ),
    "prompt.new_password_hint": (
        "Después de cambiarla, guarde la contraseña nueva en Configuración para que Cita Bridge la use.",
        "After changing it, save the new password in Settings so that Cita Bridge uses it.",
    ),
    "prompt.open": ("Abrir la agenda", "Open the web app"),
    "prompt.later": ("Más tarde", "Later"),
    "prompt.waiting": ("Ventana abierta: termine de ingresar allí.", "Window open: finish logging in there."),
    "prompt.done": ("Listo: Cita Bridge volvió a entrar a la agenda.", "Done: Cita Bridge is back in the web app."),
    "prompt.closed": ("La ventana se cerró antes de terminar. Ábrala de nuevo cuando pueda.",
                      "The window closed before the login was finished. Open it again when you can."),
})

_WEEKDAYS = {
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def choose_language(setting: str, system_locale: str | None) -> str:
    """The setting if it names a language we have, else the system locale's language, else Spanish."""
    if setting in LANGUAGES:
        return setting
    code = (system_locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else FALLBACK


class Translator:
    """Looks words up in one language. Unknown keys show themselves, so a gap is visible, not a crash."""

    def __init__(self, language: str = FALLBACK) -> None:
        self.language = language if language in LANGUAGES else FALLBACK

    def __call__(self, key: str, **values: object) -> str:
        pair = CATALOGUE.get(key)
        if pair is None:
            return key
        text = pair[LANGUAGES.index(self.language)]
        return text.format(**values) if values else text

    def reason(self, code: str) -> str:
        """A hand-off or failure code in words."""
        key = f"reason.{code}"
        return self(key) if key in CATALOGUE else self("reason.other", code=code or "?")

    def short_time(self, moment: datetime) -> str:
        return moment.strftime("%H:%M")

    def day_and_time(self, moment: datetime, now: datetime) -> str:
        """'hoy 10:30', 'mañana 09:00', 'mar 2 dic 10:30' (in the moment's own offset: the clinic's)."""
        day = moment.date()
        today = now.astimezone(moment.tzinfo).date() if moment.tzinfo else now.date()
        if day == today:
            label = self("day.today")
        elif (day - today).days == 1:
            label = self("day.tomorrow")
        else:
            weekday = _WEEKDAYS[self.language][day.weekday()]
            month = _MONTHS[self.language][day.month - 1]
            label = f"{weekday} {day.day} {month}" if self.language == "es" else f"{weekday} {month} {day.day}"
        return f"{label} {moment.strftime('%H:%M')}"
