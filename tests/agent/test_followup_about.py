"""A follow-up's time says what it is: the appointment the patient asked to cancel or change is never shown as a time
they had chosen (reception would book it again)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from agent.followups import FollowUpBook
from agent.ui.followup_rows import follow_up_rows
from agent.ui.i18n import Translator
from wire.handoff import HandoffEvent

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
START = "2026-12-04T16:00:00-03:00"


def event(event_id: str, about: str) -> HandoffEvent:
    return HandoffEvent(event_id, NOW.isoformat(), "901", "Rosa Ruiz", "+56 9 6060 7070", "timeout",
                        chosen_start=START, chosen_professional="Dr. Juan Rojas", about=about)


def chosen_cells(book: FollowUpBook, language: str) -> dict[str, str]:
    rows = follow_up_rows(book.open_items(NOW), Translator(language), NOW)
    return {row.id: row.text("chosen") for row in rows}


def test_the_tray_says_which_time_is_to_book_to_cancel_to_keep_or_to_change(tmp_path):
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    for about in ("", "cancel", "keep", "move_from", "move_to"):
        assert book.receive(event(f"fu-{about or 'book'}", about), NOW)
    cells = chosen_cells(book, "es")
    when = cells["fu-book"]
    assert "16:00" in when and "Dr. Juan Rojas" in when and ":" not in when.split("16:00")[0]
    assert cells["fu-cancel"] == f"cancelar su hora: {when}"
    assert cells["fu-keep"] == f"conservar su hora: {when}"
    assert cells["fu-move_from"] == f"cambiar su hora: {when}"
    assert cells["fu-move_to"] == f"cambiar su hora a: {when}"
    assert chosen_cells(book, "en")["fu-cancel"].startswith("cancel their appointment: ")


def test_a_follow_up_book_from_before_keeps_its_rows_and_learns_the_new_column(tmp_path):
    path = tmp_path / "followups.sqlite3"
    with sqlite3.connect(path) as db:  # the book as the previous version wrote it
        db.execute("CREATE TABLE followups (id TEXT PRIMARY KEY, at TEXT NOT NULL, lead_id TEXT NOT NULL,"
                   " name TEXT NOT NULL, phone TEXT NOT NULL, reason TEXT NOT NULL, chosen_start TEXT NOT NULL DEFAULT '',"
                   " chosen_professional TEXT NOT NULL DEFAULT '', chosen_day TEXT NOT NULL DEFAULT '',"
                   " kommo_url TEXT NOT NULL DEFAULT '', said TEXT NOT NULL DEFAULT '', received_at TEXT NOT NULL,"
                   " contacted_at TEXT NOT NULL DEFAULT '')")
        db.execute("INSERT INTO followups (id, at, lead_id, name, phone, reason, chosen_start, received_at)"
                   " VALUES ('old', ?, '900', 'Ana', '+56 9 1', 'timeout', ?, ?)", (NOW.isoformat(), START, NOW.isoformat()))
    book = FollowUpBook(path)
    assert book.receive(event("new", "cancel"), NOW)
    assert {item.id: item.about for item in book.open_items(NOW)} == {"old": "", "new": "cancel"}


def test_the_field_travels_on_the_wire_and_an_unknown_kind_reads_as_a_time_chosen():
    sent = event("fu-1", "move_to").to_json()
    assert HandoffEvent.from_json(sent).about == "move_to"
    assert HandoffEvent.from_json({**sent, "about": "something_newer"}).about == ""
    assert "about" not in event("fu-2", "").to_json()


def test_a_case_that_arrives_after_its_own_resolution_is_listed_as_settled(tmp_path):
    """After an agent restart the relay sends the backlog: a hand-off of 06:39 can arrive after the resolution of
    06:40 that closes it; it stayed open in the tray while Kommo showed it done."""
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    resolved = HandoffEvent("fu-res", "2026-12-02T12:01:00+00:00", "901", "Rosa Ruiz", "+56 9 6060 7070",
                            "resolved_superseded")
    stale = HandoffEvent("fu-old", "2026-12-02T12:00:00+00:00", "901", "Rosa Ruiz", "+56 9 6060 7070",
                         "agent_offline")
    newer = HandoffEvent("fu-new", "2026-12-02T12:02:00+00:00", "901", "Rosa Ruiz", "+56 9 6060 7070", "paused")
    assert book.receive(resolved, NOW) and book.receive(stale, NOW) and book.receive(newer, NOW)
    assert [item.id for item in book.open_items(NOW)] == ["fu-new"]


def test_a_case_about_no_time_chosen_shows_the_patients_next_appointment_not_nothing_yet(tmp_path):
    """ "Voy a llegar tarde": the tray said "Había elegido: nada todavía" — read as "this patient has no appointment" —
    while its own "Abrir en la agenda web" opened theirs."""
    from agent.journal import BOOKED, JournalEntry

    book = FollowUpBook(tmp_path / "followups.sqlite3")
    late = HandoffEvent("fu-late", NOW.isoformat(), "902", "Ana Pérez", "+56 9 1111 0001", "running_late")
    assert book.receive(late, NOW)
    theirs = JournalEntry("k1", "paula-mendez:2026-12-02T13:00", "2026-12-02T13:00:00-03:00",
                          "2026-12-02T13:30:00-03:00", "Klga. Paula Méndez", "Ana Pérez", "+56911110001", BOOKED,
                          "900001", "", "", NOW, NOW)
    [row] = follow_up_rows(book.open_items(NOW), Translator("es"), NOW, [theirs])
    assert row.text("chosen").startswith("su próxima hora: ") and "13:00 · Klga. Paula Méndez" in row.text("chosen")
    [alone] = follow_up_rows(book.open_items(NOW), Translator("es"), NOW, [])
    assert alone.text("chosen") == "nada todavía"


def test_a_case_about_an_appointment_the_patient_then_moved_or_cancelled_with_the_bot_says_so(tmp_path):
    """Carla asked (while paused) to cancel her 09:45, then moved it to 10:30 herself with the bot: the tray still said
    "cancelar su hora: 09:45" and its "Abrir en la agenda web" opened an appointment that no longer exists — a
    receptionist working down the list could cancel the 10:30 she had just chosen."""
    from agent.journal import BOOKED, CANCELLED, JournalEntry

    old_start, new_start = "2026-12-03T09:45:00-03:00", "2026-12-03T10:30:00-03:00"
    book = FollowUpBook(tmp_path / "followups.sqlite3")
    assert book.receive(HandoffEvent("fu-1", NOW.isoformat(), "903", "Carla Muñoz", "+56 9 1111 0001", "paused",
                                     chosen_start=old_start, chosen_professional="Klga. Paula Méndez",
                                     about="cancel"), NOW)
    old = JournalEntry("k1", "pm:0945", old_start, "2026-12-03T10:15:00-03:00", "Klga. Paula Méndez", "Carla Muñoz",
                       "+56911110001", BOOKED, "900001", "", "", NOW, NOW)
    moved = JournalEntry("k2", "pm:1030", new_start, "2026-12-03T11:00:00-03:00", "Klga. Paula Méndez",
                         "Carla Muñoz", "+56911110001", BOOKED, "900003", "", "", NOW, NOW,
                         moved_from_start=old_start, moved_from_professional="Klga. Paula Méndez",
                         moved_from_booking="900001")
    links: list[str] = []

    def link(booking_id: str, slot_id: str) -> str:
        links.append(booking_id)
        return f"http://agenda/cita={booking_id}"

    [row] = follow_up_rows(book.open_items(NOW), Translator("es"), NOW, [moved, old], link)
    assert row.text("chosen").startswith("cancelar su hora: ")
    assert "luego la cambió con el bot a " in row.text("chosen") and "10:30" in row.text("chosen").split("—")[1]
    assert row.agenda_url == "http://agenda/cita=900003"  # her appointment now, never the one gone
    cancelled = JournalEntry("k3", "pm:0945", old_start, "", "Klga. Paula Méndez", "Carla Muñoz", "+56911110001",
                             CANCELLED, "900001", "", "", NOW, NOW)
    [row] = follow_up_rows(book.open_items(NOW), Translator("es"), NOW, [cancelled, old], link)
    assert row.text("chosen").endswith("— luego la canceló con el bot") and row.agenda_url == ""
