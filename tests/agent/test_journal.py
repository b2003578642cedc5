"""The booking journal on a real SQLite file."""

from datetime import UTC, datetime, timedelta

from agent.journal import BOOKED, FAILED, HANDOFF, IN_PROGRESS, BookingJournal


def test_a_request_is_written_before_acting_and_a_repeat_finds_it(tmp_path):
    journal = BookingJournal(tmp_path / "j.sqlite3")
    entry, created = journal.begin("k1", "soto:2026-12-02T10:30", "Ana", "+56 9 1111 2222")
    assert created and entry.status == IN_PROGRESS
    journal.mark_booked("k1", "A-17", "2026-12-02T10:30:00-03:00", "2026-12-02T11:00:00-03:00", "Dra. Soto")

    reopened = BookingJournal(tmp_path / "j.sqlite3")  # as after a restart
    again, created = reopened.begin("k1", "soto:2026-12-02T10:30", "Ana", "+56 9 1111 2222")
    assert not created
    assert (again.status, again.booking_id, again.professional) == (BOOKED, "A-17", "Dra. Soto")


def test_in_progress_rows_survive_for_reconciliation(tmp_path):
    journal = BookingJournal(tmp_path / "j.sqlite3")
    journal.begin("k1", "s1", "Ana", "1234567")
    journal.begin("k2", "s2", "Luis", "7654321")
    journal.mark_failed("k2", "slot_taken", "taken")
    assert [e.key for e in BookingJournal(tmp_path / "j.sqlite3").in_progress()] == ["k1"]


def test_history_for_the_receptionist(tmp_path):
    journal = BookingJournal(tmp_path / "j.sqlite3")
    old = datetime.now(UTC) - timedelta(days=40)
    journal.begin("old", "s0", "Vieja", "1234567", now=old)
    journal.begin("k1", "s1", "Ana", "1234567")
    journal.mark_booked("k1", "B1", "", "", "Dr. Rojas")
    journal.begin("k2", "s2", "Luis", "7654321")
    journal.mark_failed("k2", "portal_down", "no answer")
    journal.record_handoff("k3", "s3", "Eva", "5555555", "paused")

    assert {e.key for e in journal.recent(30)} == {"k1", "k2", "k3"}
    assert {(e.key, e.status) for e in journal.problems()} == {("k2", FAILED), ("k3", HANDOFF)}
    assert [e.key for e in journal.booked_today()] == ["k1"]
