""""Contactado" in the tray is owed to the relay (which completes the lead's Kommo task) once the patient has no
open row left, until the relay acknowledges it; a case that settled by itself owes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.followups import FollowUpBook
from wire.handoff import RESOLVED_BOOKED, Contacted, HandoffEvent

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def event(event_id: str, lead: str, reason: str = "timeout", minutes: int = 0) -> HandoffEvent:
    return HandoffEvent(event_id, (NOW + timedelta(minutes=minutes)).isoformat(), lead, "Rosa Ruiz",
                        "+56 9 6060 7070", reason)


def test_the_leads_last_open_row_marked_is_owed_to_the_relay_until_it_acknowledges(tmp_path):
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    for followup in (event("fu-1", "901"), event("fu-2", "901", "paused", minutes=1), event("fu-3", "902")):
        book.receive(followup, NOW)

    assert book.mark_contacted("fu-1", NOW + timedelta(minutes=5))
    assert book.owed_contacts(NOW) == []  # the patient still has a row open: Kommo's task is still needed
    assert book.mark_contacted("fu-2", NOW + timedelta(minutes=6))
    assert not book.mark_contacted("fu-2", NOW + timedelta(minutes=7))  # twice: nothing new
    assert book.owed_contacts(NOW) == [
        Contacted("fu-2", "901", (NOW + timedelta(minutes=6)).isoformat(), "Rosa Ruiz", "+56 9 6060 7070")
    ]
    assert FollowUpBook(tmp_path / "followups.sqlite3").owed_contacts(NOW)  # a restarted tray still owes it
    book.relay_heard("fu-2")
    assert book.owed_contacts(NOW) == []
    assert [item.id for item in book.open_items(NOW)] == ["fu-3"]


def test_a_case_settled_by_itself_owes_the_relay_nothing(tmp_path):
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    book.receive(event("fu-1", "903"), NOW)
    book.receive(event("fu-2", "903", RESOLVED_BOOKED, minutes=2), NOW)  # the relay closed it: Kommo knows
    assert book.open_items(NOW) == [] and book.owed_contacts(NOW) == []


def test_the_frame_travels_on_the_wire():
    from wire import json_text
    from wire.messages import decode

    sent = Contacted("fu-2", "901", NOW.isoformat(), "Rosa Ruiz", "+56 9 6060 7070")
    assert decode(json_text.dumps(sent.to_json())) == sent
    assert sent.ack_id == "contacted:fu-2"


def test_a_case_settling_by_itself_leaves_what_the_patient_asked_of_a_person_open(tmp_path):
    """"Aún no sé si quedó", then "quiero hablar con alguien": the booking turning out booked closed both rows —
    the patient who asked to talk to someone disappeared from the tray."""
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    book.receive(event("fu-1", "904", "timeout"), NOW)
    book.receive(event("fu-2", "904", "asked_for_person", minutes=1), NOW)
    book.receive(event("fu-3", "904", "running_late", minutes=2), NOW)
    book.receive(event("fu-4", "904", RESOLVED_BOOKED, minutes=3), NOW)
    assert sorted(item.id for item in book.open_items(NOW)) == ["fu-2", "fu-3"]
    book.receive(event("fu-5", "904", "name_correction", minutes=2), NOW)  # late, from before the resolution
    assert sorted(item.id for item in book.open_items(NOW)) == ["fu-2", "fu-3", "fu-5"]


def test_the_patient_writing_again_about_an_open_case_is_one_row_showing_what_they_wrote_last(tmp_path):
    """"que me llame alguien", "¿hola?", "prefiero hablar con alguien": three rows, three notifications ("Luis Pino,
    Luis Pino") for one patient waiting for one call."""
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    first = event("fu-1", "905", "asked_for_person")
    again = HandoffEvent("fu-2", (NOW + timedelta(minutes=2)).isoformat(), "905", "Rosa Ruiz", "+56 9 6060 7070",
                         "asked_for_person", said=("que me llame alguien", "prefiero hablar con alguien"))
    assert book.receive(first, NOW) and not book.receive(again, NOW)  # not new: no second notification
    [row] = book.open_items(NOW)
    assert row.id == "fu-1" and row.said == ("que me llame alguien", "prefiero hablar con alguien")
    assert book.receive(event("fu-3", "905", "paused", minutes=3), NOW)  # another case: its own row
    assert len(book.open_items(NOW)) == 2
    assert book.receive(event("fu-4", "905", "paused", minutes=4), NOW)  # paused again: a booking or a cancel?
    assert len(book.open_items(NOW)) == 3  # only their words say: never folded into another row
