"""A hand-off as a follow-up: which replies are one, the event built from the turn, and its words for Kommo.

Pure code: no I/O, no clock reads (``now`` and the id are passed in).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from relay.conversation import ConversationState, Reply, Turn
from relay.conversation.appointments import KEEP_CHECK, MOVE_BACK_CHECK
from relay.conversation.freetext import Reading, normalize
from relay.conversation.outcomes import QUIET_HANDOFFS
from relay.conversation.picks import picked
from relay.conversation.state import CHOOSE_TIME, CONFIRM
from relay.conversation.texts import language as clinic_language
from wire.handoff import (
    ASKED_OF_A_PERSON,
    RESOLVED_BOOKED,
    RESOLVED_CANCELLED,
    RESOLVED_CONTACTED,
    RESOLVED_KEPT,
    RESOLVED_SUPERSEDED,
    SAID_CHARS,
    SAID_MAX,
    HandoffEvent,
)

_REASON_CLEAN = re.compile(r"[^a-z0-9_]")
_ID_CLEAN = re.compile(r"[^A-Za-z0-9._:@+\-]")
_PHONE_CLEAN = re.compile(r"[^0-9+()\-. ]")

# The reason in words for the clinic's team (Kommo task and note). The tray has its own catalogue.
BOOKED_UNTOLD = "booked_untold"  # a booking told as not known went through: the patient must still hear it
MOVED_UNTOLD = "moved_untold"  # the same for a move: the new time booked (the agent cancels the old one)
MOVE_NOT_MADE = "move_not_made"  # a move told as not known did not happen: the old appointment stands
CANCELLED_UNTOLD = "cancelled_untold"  # a cancel told as not known went through: the patient must still hear it
CANCEL_NOT_MADE = "cancel_not_made"  # a cancel told as not known did not happen: the appointment stands
BOOKING_TAKEN = "booking_taken"  # a booking told as not known did not happen: someone else had taken the time
# Done, but the continuation that told the patient never reached Kommo (its return_url down or gone)
UNSENT = {"booked": "booked_unsent", "moved": "moved_unsent", "cancelled": "cancelled_unsent"}
_REASONS: dict[str, tuple[str, str]] = {
    "agent_offline": ("el computador de la clínica (Cita Bridge) no estaba conectado",
                      "the clinic's PC (Cita Bridge) was not connected"),
    "paused": ("la automatización estaba en pausa", "automation was paused"),
    "timeout": ("la agenda web o el equipo de la clínica no respondieron a tiempo (puede que sí se haya hecho:"
                " revise la agenda)", "the clinic web app or the clinic's PC did not answer in time (it may have"
                " gone through: check the agenda)"),
    "login_failed": ("la agenda web rechazó la contraseña", "the clinic web app refused the password"),
    "account_locked": ("la cuenta de la agenda web está bloqueada", "the clinic web app account is locked"),
    "login_needs_person": ("la agenda web pedía un código de verificación", "the clinic web app asked for a code"),
    "portal_down": ("la agenda web no respondía", "the clinic web app was not responding"),
    "portal_changed": ("la agenda web cambió de aspecto", "the clinic web app changed its screens"),
    "asked_for_person": ("pidió hablar con una persona", "asked to talk to a person"),
    # Starts as asked_for_person does: a patient asking for a person either way has one task (``task_case``)
    "asked_for_call": ("pidió hablar con una persona por teléfono", "asked to talk to a person on the phone"),
    "not_understood": ("el bot no entendió sus mensajes", "the bot did not understand the messages"),
    "no_slots": ("no había horarios libres", "there were no free times"),
    "bad_request": ("la agenda web rechazó los datos del paciente", "the clinic web app refused the details"),
    "bad_answer": ("el agente dio una respuesta ilegible", "the agent gave an unreadable answer"),
    "internal": ("falló el servidor de Cita Bridge", "the Cita Bridge relay failed"),
    "cancel_requested": ("quiere cancelar una hora", "wants to cancel an appointment"),
    "cancel_target_gone": ("quiere cancelar una hora que ya NO estaba en la agenda web (¿la canceló alguien?): no se"
                           " cambió nada; confírmele", "wants to cancel an appointment that was no longer in the web"
                           " app (did someone cancel it?): nothing was changed; tell them"),
    "move_target_gone": ("quiere cambiar una hora que ya NO estaba en la agenda web (¿la canceló alguien?): no se"
                         " reservó la nueva; confírmele y, si corresponde, resérvele la hora que eligió",
                         "wants to change an appointment that was no longer in the web app (did someone cancel it?):"
                         " the new one was not booked; tell them, and book the time they chose if it applies"),
    "reschedule_requested": ("quiere cambiar una hora", "wants to change an appointment"),
    "bookings_requested": ("pregunta por sus horas reservadas", "asks about their appointments"),
    "name_correction": ("pide corregir el nombre de su hora", "asks to correct the name on their appointment"),
    "running_late": ("avisa que llegará tarde a su hora", "says they will be late for their appointment"),
    "keep_requested": ("pidió NO cancelar su hora, pero la agenda no confirmó si alcanzó a cancelarse: revísela y"
                       " confírmele (no la cancele)", "asked NOT to cancel their appointment, but the web app did not"
                       " confirm whether it was cancelled already: check it and tell them (do not cancel it)"),
    "move_back_requested": ("pidió NO cambiar su hora (se queda con la original), pero la agenda no confirmó si el"
                            " cambio alcanzó a hacerse: revísela; si tiene las dos, cancele la nueva",
                            "asked NOT to change their appointment (keeping the original), but the web app did not"
                            " confirm whether the change went through: check it; if they have both, cancel the new"
                            " one"),
    "booked_untold": ("su hora SÍ quedó reservada, pero el bot le dijo que aún no sabía: avísele (no la reserve de"
                      " nuevo)", "their appointment WAS booked, but the bot told them it did not know yet: tell them"
                      " (do not book it again)"),
    "booking_taken": ("su hora NO quedó reservada (otra persona tomó esa hora justo antes): ofrézcale otra",
                      "their appointment was NOT booked (someone else took that time just before): offer another"),
    "other_booking": ("ya tenía otra hora reservada y esta NO se le reservó: pregúntele si quiere una más",
                      "already had another appointment and this one was NOT booked: ask whether they want one more"),
    "booking_failed": ("su hora NO quedó reservada (la agenda web no la guardó): ofrézcale otra",
                       "their appointment was NOT booked (the web app did not save it): offer another"),
    "moved_untold": ("su hora SÍ quedó cambiada a la nueva (la anterior la cancela el agente; si aún la ve en la"
                     " agenda, cancélela), pero el bot le dijo que aún no sabía: avísele (no la cambie de nuevo)",
                     "their appointment WAS moved to the new time (the agent cancels the old one; if you still see it"
                     " in the agenda, cancel it), but the bot told them it did not know yet: tell them (do not move it"
                     " again)"),
    "move_not_made": ("su cambio de hora NO se hizo (la agenda web no guardó la nueva): su hora anterior sigue en"
                      " pie; avísele y ofrézcale otra", "their appointment was NOT moved (the web app did not save the"
                      " new time): the old one stands; tell them and offer another"),
    "cancelled_untold": ("su hora SÍ quedó cancelada, pero el bot le dijo que aún no sabía: avísele",
                         "their appointment WAS cancelled, but the bot told them it did not know yet: tell them"),
    "booked_unsent": ("su hora SÍ quedó reservada, pero Kommo no recibió la respuesta del bot y el paciente no lo"
                      " sabe: avísele (no la reserve de nuevo)", "their appointment WAS booked, but Kommo did not take"
                      " the bot's answer and the patient does not know: tell them (do not book it again)"),
    "moved_unsent": ("su hora SÍ quedó cambiada a la nueva, pero Kommo no recibió la respuesta del bot y el paciente"
                     " no lo sabe: avísele (no la cambie de nuevo)", "their appointment WAS moved to the new time, but"
                     " Kommo did not take the bot's answer and the patient does not know: tell them (do not move it"
                     " again)"),
    "cancelled_unsent": ("su hora SÍ quedó cancelada, pero Kommo no recibió la respuesta del bot y el paciente no lo"
                         " sabe: avísele", "their appointment WAS cancelled, but Kommo did not take the bot's answer"
                         " and the patient does not know: tell them"),
    "cancel_not_made": ("su hora NO quedó cancelada (sigue en la agenda web), aunque el bot le dijo que aún no sabía:"
                        " avísele y, si aún lo pide, cancélela", "their appointment was NOT cancelled (it is still in"
                        " the agenda), but the bot told them it did not know yet: tell them and, if they still ask,"
                        " cancel it"),
    "previous_not_cancelled": ("se reservó su hora nueva pero no se pudo cancelar la anterior: cancélela en la"
                               " agenda", "the new appointment was booked but the old one could not be cancelled:"
                               " cancel it in the agenda"),
    "missing_phone": ("Kommo no envió su teléfono", "Kommo sent no phone number"),
    "unreadable_name": ("Kommo envió un nombre ilegible", "Kommo sent an unreadable name"),
}
_OTHER = ("no se pudo atender automáticamente ({code})", "could not be served automatically ({code})")
_WORDS: dict[str, tuple[str, str]] = {
    "task": ("Contactar por WhatsApp a {who}: {reason}.", "Contact {who} on WhatsApp: {reason}."),
    "chosen": ("Había elegido: {what}.", "They had chosen: {what}."),
    "chosen_cancel": ("Hora que pidió cancelar: {what}.", "The appointment they asked to cancel: {what}."),
    "chosen_keep": ("Hora que pidió conservar: {what}.", "The appointment they asked to keep: {what}."),
    "chosen_move_from": ("Hora que pidió cambiar: {what}.", "The appointment they asked to change: {what}."),
    "chosen_move_to": ("Hora nueva que eligió para cambiar la suya: {what}.",
                       "The new time they chose to change theirs to: {what}."),
    "chosen_day": ("Estaba mirando el día {day}.", "They were looking at {day}."),
    "said": ("Escribió: {said}.", "They wrote: {said}."),
    "note": ("Cita Bridge derivó a {who} a recepción: {reason}.", "Cita Bridge handed {who} to reception: {reason}."),
    "patient": ("el paciente", "the patient"),
    "written_late": ("(Escrita con {delay} de retraso: Kommo no respondía cuando se derivó.)",
                     "(Written {delay} late: Kommo did not answer when the patient was handed off.)"),
    "tag": ("Cita Bridge: contactar", "Cita Bridge: contact"),
    "resolved": ("Cita Bridge: ya no hace falta contactar a {who}: {what}.",
                 "Cita Bridge: no need to contact {who} any more: {what}."),
    "superseded": ("Cita Bridge: el caso cambió; sigue en la tarea nueva.",
                   "Cita Bridge: the case changed; carried on in the new task."),
}


# A case the clinic's team was handed that settled without them (the agent's answer came after all): its earlier
# Kommo task is completed and its tray row closed, so nobody books again what is booked (two appointments).
_OWN_OP_FAILED = frozenset({"reschedule_requested", "cancel_requested"})
_RESOLVED_WORDS: dict[str, tuple[str, str]] = {
    RESOLVED_BOOKED: ("su hora quedó reservada", "their appointment was booked"),
    RESOLVED_CANCELLED: ("su hora quedó cancelada", "their appointment was cancelled"),
    RESOLVED_KEPT: ("pidió conservar su hora y sigue en pie (no se canceló)",
                    "asked to keep their appointment, and it stands (not cancelled)"),
    RESOLVED_CONTACTED: ("recepción ya se comunicó (marcado «Contactado» en Cita Bridge)",
                         "reception already got in touch (marked “Contacted” in Cita Bridge)"),
}


def is_follow_up(reply: Reply) -> bool:
    data = reply.continuation.get("data", {}) if isinstance(reply.continuation, dict) else {}
    return reply.status == "handoff" and str(data.get("reason", "")) not in QUIET_HANDOFFS


def handoff_event(
    followup_id: str, turn: Turn, reply: Reply, before: ConversationState | None, now: datetime, kommo_lead_url: str
) -> HandoffEvent:
    """The follow-up for a hand-off reply; ``before`` is the conversation as it was when the turn began."""
    data: dict[str, Any] = reply.continuation.get("data", {})
    reason = _REASON_CLEAN.sub("_", str(data.get("reason") or "internal").lower())[:40] or "internal"
    if not reason[0].isalpha():
        reason = "internal"
    # The time being booked, or the one «¿Confirmo…?» asked about (a "sí" that found the agent away)
    pending = (before.pending or (before.proposed if before.stage == CONFIRM else None)) if before is not None else None
    if pending is None and before is not None and before.stage == CHOOSE_TIME:  # a time tapped as the agent was away
        tap = picked(before, normalize(turn.message), Reading())  # its label, or its place ("2", "la segunda")
        pending = tap.slot if tap is not None else None
    chosen_start = str(data.get("requested_start") or (pending.start if pending else ""))
    chosen_professional = str(data.get("requested_professional") or (pending.professional if pending else ""))
    # The appointment the case is about: this reply's conversation, or — handed off, which keeps no patient data —
    # the one before the turn (the cancel or move being confirmed)
    state = reply.state if reply.state is not None and reply.state.target is not None else before
    about = _about(state, chosen_start) if chosen_start else ""
    if about in ("cancel", "keep", "move_from") and state is not None and state.target is not None:
        chosen_professional = chosen_professional or state.target.professional  # their appointment's
    if not chosen_professional and before is not None and before.professionals:
        chosen_professional = ", ".join(before.professionals)
    return HandoffEvent(
        id=followup_id,
        at=now.isoformat(),
        lead_id=_ID_CLEAN.sub("", turn.lead_id)[:200] or "lead",
        name=_one_line(turn.name)[:120] if "{" not in turn.name else "",  # "{{contact.name}}": Kommo had none
        phone=_phone_shown(turn.phone),
        reason=reason,
        chosen_start=chosen_start if _aware(chosen_start) else "",
        chosen_professional=chosen_professional[:120],
        chosen_day=before.day if before is not None and before.day and not chosen_start else "",
        kommo_lead_url=kommo_lead_url,
        said=_said(before, turn.message),
        about=about,
    )


def _about(state: ConversationState | None, chosen_start: str) -> str:
    """What the hand-off's time is: the patient's appointment to cancel or to change, or the new time for a change
    (the receptionist must not read the appointment to cancel as one to book)."""
    if state is None or state.target is None:
        return ""
    intent = {MOVE_BACK_CHECK: "reschedule"}.get(state.intent, state.intent)
    theirs = chosen_start == state.target.start
    if intent == KEEP_CHECK and theirs:  # a cancel taken back
        return "keep"
    if intent == "cancel" and theirs:
        return "cancel"
    if intent == "reschedule":
        return "move_from" if theirs else "move_to"
    return ""


def resolution(before: ConversationState | None, reply: Reply) -> str:
    """The resolution code when this reply settles a case the clinic was handed as "not known yet" (``gave_up``):
    booked or cancelled after all, kept (a cancel taken back), or known to have failed (the reply's own follow-up
    then says what to do); "" otherwise (a patient who asks for a person meanwhile settles nothing)."""
    if before is None or not isinstance(reply.continuation, dict):
        return ""
    data = reply.continuation.get("data", {})
    status = data.get("status")
    # A cancel or move reception was handed (it failed, or the agent was paused or away), done by the patient with
    # the bot after all — or the other one of the two for that appointment ("cancélala" … then moved it instead)
    own_change = before.reopened in ("cancel_requested", "reschedule_requested")
    if own_change and status == "cancelled":
        return RESOLVED_CANCELLED
    if own_change and status == "booked" and data.get("rescheduled_from"):
        return RESOLVED_BOOKED
    if before.reopened == "booking_requested" and status == "booked" and not data.get("rescheduled_from"):
        return RESOLVED_BOOKED  # booked it themselves once the agent was back
    if not before.gave_up:
        return ""
    if status == "booked" or (status == "choose_day" and data.get("code") == "booked_undo"):  # booked after all
        return RESOLVED_BOOKED
    if status == "handoff" and data.get("booking") == "booked":  # booked after all, and a person asked for
        return RESOLVED_BOOKED
    if status == "cancelled":
        return RESOLVED_CANCELLED
    if status == "choose_day" and data.get("code") == "kept":  # a cancel not known yet, taken back: still there
        return RESOLVED_KEPT
    if status == "handoff" and (data.get("booking") == "failed" or data.get("reason") == "previous_not_cancelled"):
        return RESOLVED_SUPERSEDED
    if status == "handoff" and data.get("booking") != "unconfirmed" and data.get("reason") in _OWN_OP_FAILED:
        return RESOLVED_SUPERSEDED  # a move or cancel known to have failed after all: the new task says so
    if status == "handoff" and data.get("taken_back") and before.intent not in (KEEP_CHECK, MOVE_BACK_CHECK):
        return RESOLVED_SUPERSEDED  # while unknown: the task to cancel gives way to one to keep it
    return ""


def resolution_event(
    followup_id: str, code: str, turn: Turn, reply: Reply, before: ConversationState, now: datetime,
    kommo_lead_url: str,
) -> HandoffEvent:
    """The event that closes the lead's earlier follow-ups (those handed off before ``now``): what settled, and the
    appointment it is about."""
    data: dict[str, Any] = reply.continuation.get("data", {})
    target = before.target or before.pending
    start = str(data.get("start") or data.get("requested_start") or (target.start if target else ""))
    professional = str(data.get("professional") or data.get("requested_professional")
                       or (target.professional if target else ""))
    return HandoffEvent(
        id=followup_id,
        at=now.isoformat(),
        lead_id=_ID_CLEAN.sub("", turn.lead_id)[:200] or "lead",
        name=_one_line(turn.name)[:120] if "{" not in turn.name else "",
        phone=_phone_shown(turn.phone),
        reason=code,
        chosen_start=start if _aware(start) else "",
        chosen_professional=professional[:120],
        kommo_lead_url=kommo_lead_url,
    )


def resolution_text(event: HandoffEvent, language: str) -> str:
    """A completed task's result, and the note on the lead: nobody needs to act any more, and why."""
    if event.reason not in _RESOLVED_WORDS:  # RESOLVED_SUPERSEDED: the same turn's new task says what to do
        return _say("superseded", language)
    words = _RESOLVED_WORDS[event.reason][1 if language == "en" else 0]
    if event.chosen_start:
        when = datetime.fromisoformat(event.chosen_start).strftime("%Y-%m-%d %H:%M")
        words = f"{words} ({f'{when} {event.chosen_professional}'.strip()})"
    return _say("resolved", language, who=_who(event, language), what=words)


def asked_of_a_person(task: str) -> bool:
    """A task of ours for what the patient asked of a person (``wire.handoff.ASKED_OF_A_PERSON``), in either
    language: no case settling by itself closes it."""
    return any(f": {words}" in task for reason in ASKED_OF_A_PERSON for words in _REASONS[reason])


def is_our_task(text: str) -> bool:
    """A Kommo task this relay wrote for a hand-off (in either language), not one the clinic's team made."""
    return text.startswith(tuple(words.split("{", 1)[0] for words in _WORDS["task"]))


def _phone_shown(phone: str) -> str:
    """The phone as the clinic's team reads it; "" for one with no digits ("{{contact.phone}}" left unfilled)."""
    cleaned = _PHONE_CLEAN.sub("", phone).strip()[:40]
    return cleaned if any(c.isdigit() for c in cleaned) else ""


def _said(before: ConversationState | None, message: str) -> tuple[str, ...]:
    """The patient's last messages, this one included (the state saved during the turn may hold it already)."""
    said = list(before.said) if before is not None else []
    line = _one_line(message)[:SAID_CHARS]
    if line and (not said or said[-1] != line):
        said.append(line)
    return tuple(said[-SAID_MAX:])


def reason_words(reason: str, language: str) -> str:
    index = 1 if language == "en" else 0
    pair = _REASONS.get(reason)
    return pair[index] if pair else _OTHER[index].format(code=reason)


def _say(key: str, language: str, **values: str) -> str:
    said = _WORDS[key][1 if language == "en" else 0].format(**values)
    return said if language == "en" else said.replace(" a el paciente", " al paciente")  # "contactar al paciente"


def _who(event: HandoffEvent, language: str) -> str:
    name = event.name or _say("patient", language)
    return f"{name} ({event.phone})" if event.phone else name


def task_text(event: HandoffEvent, language: str) -> str:
    """The Kommo task on the lead: who to write to, why, and what the patient had already chosen."""
    return _handed_off_text("task", event, language)


def task_case(event: HandoffEvent, language: str) -> str:
    """How a task starts for this case, when a case can be told from the task alone: what the patient asked of a
    person (whatever day they were looking at), or the appointment a time being booked, cancelled or moved is. A
    lead's open task that starts so is the same case (the patient wrote again): not written twice. "" for the rest
    (paused, the agent away…: whether they wanted a time or to cancel one is only in their words)."""
    asked = "asked_for_person" if event.reason == "asked_for_call" else event.reason  # one person asked for
    text = task_text(replace(event, reason=asked, said=()), language)
    if event.reason in ASKED_OF_A_PERSON:
        return text.split(". ", 1)[0].rstrip(".")
    return text.rstrip(".") if event.chosen_start else ""


def _when(start: str, language: str) -> str:
    """ "jueves 10 de diciembre 15:30": a receptionist's words, in the clinic's time (the appointment's own offset)."""
    moment = datetime.fromisoformat(start)
    return f"{clinic_language(language).day_long(moment.date())} {moment:%H:%M}"


def _day(day: str, language: str) -> str:
    try:
        return clinic_language(language).day_long(date.fromisoformat(day))
    except ValueError:
        return day


def note_text(event: HandoffEvent, language: str, *, late_by_s: float = 0.0) -> str:
    """The note on the lead: why, what the patient had chosen (for a clinic that keeps notes and no tasks, the only
    place it is said), and their words. Written a minute or more after the hand-off (Kommo was down), it says so
    first: a newer note of the same lead may be above it in Kommo."""
    text = _handed_off_text("note", event, language)
    if late_by_s < 60:
        return text
    minutes = int(late_by_s // 60)
    delay = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
    return f"{_say('written_late', language, delay=delay)} {text}"


def _handed_off_text(key: str, event: HandoffEvent, language: str) -> str:
    """The ``key`` sentence (who, why), then what the patient had chosen and what they wrote, when they did."""
    first = _say(key, language, who=_who(event, language), reason=reason_words(event.reason, language))
    said = said_text(event, language) if event.said else ""
    return " ".join(part for part in (first, _chosen_text(event, language), said) if part)


def _chosen_text(event: HandoffEvent, language: str) -> str:
    if event.chosen_start:
        what = f"{_when(event.chosen_start, language)} {event.chosen_professional}".strip()
        return _say(f"chosen_{event.about}" if event.about else "chosen", language, what=what)
    if event.chosen_day:
        return _say("chosen_day", language, day=_day(event.chosen_day, language))
    return ""


def said_text(event: HandoffEvent, language: str) -> str:
    """What the patient last wrote, in their words: what a receptionist needs not to ask it all again."""
    quoted = " ".join(f"«{line}»" if language != "en" else f'"{line}"' for line in event.said)
    return _say("said", language, said=quoted)


def tag_name(language: str) -> str:
    return _say("tag", language)


def _one_line(text: str) -> str:
    return " ".join("".join(c if ord(c) >= 32 else " " for c in text).split())


def _aware(value: str) -> bool:
    try:
        return bool(value) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
