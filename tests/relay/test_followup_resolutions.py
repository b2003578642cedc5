"""Which replies close a case the clinic's team was handed as "not known yet" (pure: relay/followup_texts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from relay.conversation import ConversationState, Reply
from relay.conversation.appointments import KEEP_CHECK
from relay.followup_texts import resolution

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
NOT_KNOWN = ConversationState("c1", "701", NOW, gave_up=True, intent="cancel")


def reply(**data) -> Reply:
    return Reply(None, {"data": data}, str(data.get("status", "")))


@pytest.mark.parametrize(("data", "code"), [
    ({"status": "booked"}, "resolved_booked"),
    ({"status": "cancelled"}, "resolved_cancelled"),
    ({"status": "choose_day", "code": "kept"}, "resolved_kept"),
    ({"status": "choose_day", "code": "booked_undo"}, "resolved_booked"),
    ({"status": "handoff", "booking": "failed", "reason": "booking_failed"}, "resolved_superseded"),
    ({"status": "handoff", "reason": "reschedule_requested"}, "resolved_superseded"),  # a move failed after all
    ({"status": "handoff", "reason": "cancel_requested"}, "resolved_superseded"),
    ({"status": "handoff", "reason": "keep_requested", "booking": "unconfirmed", "taken_back": True},
     "resolved_superseded"),  # "no la canceles": the task to cancel gives way to one to keep it
    ({"status": "handoff", "reason": "timeout", "booking": "unconfirmed"}, ""),  # still not known
    ({"status": "handoff", "reason": "asked_for_person"}, ""),  # a person asked for: the case is not settled
    ({"status": "choose_day"}, ""),
])
def test_what_settles_a_case_not_known_yet(data, code):
    assert resolution(NOT_KNOWN, reply(**data)) == code
    settled = ConversationState("c1", "701", NOW)
    assert resolution(settled, reply(**data)) == ""  # nothing was handed off as not known: nothing to close


def test_a_cancel_taken_back_twice_replaces_the_task_once():
    again = ConversationState("c1", "701", NOW, gave_up=True, intent=KEEP_CHECK)
    data = {"status": "handoff", "reason": "keep_requested", "booking": "unconfirmed", "taken_back": True}
    assert resolution(again, reply(**data)) == ""


def test_a_patient_without_a_name_is_al_paciente_in_reception_s_texts():
    """"Contactar por WhatsApp a el paciente", "derivó a el paciente": a contact whose name could not be read."""
    from relay.followup_texts import note_text, task_text
    from wire.handoff import HandoffEvent

    event = HandoffEvent(id="fu-1", at=NOW.isoformat(), lead_id="9", name="", phone="+56 9 1111 2222",
                         reason="unreadable_name", kommo_lead_url="")
    assert task_text(event, "es").startswith("Contactar por WhatsApp al paciente (+56 9 1111 2222)")
    assert "derivó al paciente" in note_text(event, "es") and "a el " not in note_text(event, "es")


def test_the_note_says_what_the_patient_had_chosen_too():
    """A clinic that keeps notes and no tasks (or reads the lead's history) had no "Había elegido" to go by."""
    from relay.followup_texts import note_text
    from wire.handoff import HandoffEvent

    event = HandoffEvent(id="fu-1", at=NOW.isoformat(), lead_id="9", name="Ana Pérez", phone="+56 9 1111 2222",
                         reason="paused", chosen_start="2026-12-03T10:30:00-03:00",
                         chosen_professional="Dra. Soto", said=("quiero hora",))
    note = note_text(event, "es")
    assert "Había elegido: jueves 3 de diciembre 10:30 Dra. Soto." in note and note.endswith("Escribió: «quiero hora».")


def test_a_note_written_after_an_outage_says_it_is_late():
    """A note owed while Kommo was down lands after a newer one of the same lead: it says so, and by how much."""
    from relay.followup_texts import note_text
    from wire.handoff import HandoffEvent

    event = HandoffEvent(id="fu-1", at=NOW.isoformat(), lead_id="9", name="Ana Pérez", phone="+56 9 1111 2222",
                         reason="paused")
    assert note_text(event, "es", late_by_s=20).startswith("Cita Bridge derivó a Ana Pérez")  # the first try
    assert note_text(event, "es", late_by_s=1_860).startswith(
        "(Escrita con 31 min de retraso: Kommo no respondía cuando se derivó.) Cita Bridge derivó a Ana Pérez")
    assert note_text(event, "en", late_by_s=4 * 3600).startswith("(Written 4 h late: Kommo did not answer")
