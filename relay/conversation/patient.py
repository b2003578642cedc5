"""The patient's own fields (name, phone) as Kommo filled them in, checked before any menu is shown.

A bot step whose ``{{contact.phone}}`` was empty, or left unfilled (Kommo then sends the placeholder text
itself), would otherwise walk the patient through the menus and end in "I could not confirm" — or write
``{{contact.name}}`` into the clinic's agenda. Such a patient is handed to a receptionist at once, told why.
Pure code: no I/O, no clock.
"""

from __future__ import annotations

from relay.conversation.model import ClinicProfile, Reply, Turn
from relay.conversation.outcomes import handed_off_state
from relay.conversation.replies import continuation
from relay.conversation.state import ConversationState
from wire.messages import has_control_characters, is_phone

MISSING_PHONE = "missing_phone"
UNREADABLE_NAME = "unreadable_name"
PATIENT_PROBLEMS = frozenset({MISSING_PHONE, UNREADABLE_NAME})

_TEXTS = {
    "es": {
        MISSING_PHONE: "No tengo tu teléfono, así que no puedo reservar por aquí; una recepcionista te escribirá.",
        UNREADABLE_NAME: "No pude leer tu nombre, así que no puedo reservar por aquí; una recepcionista te escribirá.",
    },
    "en": {
        MISSING_PHONE: "I don't have your phone number, so I can't book here; a receptionist will write to you.",
        UNREADABLE_NAME: "I couldn't read your name, so I can't book here; a receptionist will write to you.",
    },
}


def is_placeholder(text: str) -> bool:
    """An unfilled Kommo placeholder such as ``{{contact.phone}}`` (or a piece of one)."""
    return "{{" in text or "}}" in text


def patient_problem(name: str, phone: str) -> str | None:
    """Why these fields cannot go into a booking (a hand-off reason), or None when they can.

    An empty name is fine (it is asked before booking, as one too short for a web app's form is); an empty or
    unfilled phone, and a name that is an unfilled placeholder or holds control characters, are not.
    """
    if not phone.strip() or is_placeholder(phone) or not is_phone(phone):
        return MISSING_PHONE
    if is_placeholder(name) or has_control_characters(name):
        return UNREADABLE_NAME
    return None


def patient_handoff(turn: Turn, clinic: ClinicProfile, reason: str, state: ConversationState | None = None) -> Reply:
    """The hand-off for a patient whose fields cannot be booked: what is missing, and who will write. The
    conversation is kept as handed off (no patient data) so that the patient's next messages, answered the same,
    are one case for the clinic's team, not one each (relay/followups.py)."""
    texts = _TEXTS.get(clinic.language, _TEXTS["es"])
    waiting = handed_off_state(state, turn, reason)
    data = {"status": "handoff", "reason": reason, "conversation_id": waiting.conversation_id}
    return Reply(waiting, continuation(data, [texts[reason]]), "handoff")
