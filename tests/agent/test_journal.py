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



def test_a_cancellation_is_written_before_the_web_app_is_asked_and_settled_after(tmp_path):
    """Begun: no booking to reconcile, no row of the bookings window, never owed; then done (told once) or dropped."""
    from agent.journal import CANCELLED

    journal = BookingJournal(tmp_path / "j.sqlite3")
    journal.begin("k1", "s1", "Ana", "+56 9 1111 2222")
    journal.mark_booked("k1", "A-17", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Soto")
    begun = journal.begin_cancel("c1", "A-17", "Ana", "+56 9 1111 2222", start="2026-12-03T10:00:00-03:00")
    journal.begin_cancel("c2", "B-2", "Luis", "+56 9 3333 4444")
    assert begun.status == IN_PROGRESS and not begun.finished
    reopened = BookingJournal(tmp_path / "j.sqlite3")  # as after a kill
    assert reopened.in_progress() == []  # not a booking to look up
    assert sorted(e.booking_id for e in reopened.interrupted_cancels()) == ["A-17", "B-2"]
    assert [e.key for e in reopened.recent()] == ["k1"] == [e.key for e in reopened.owed_to_relay()]
    assert [e.booking_id for e in reopened.upcoming_for("56911112222", datetime(2026, 12, 1, tzinfo=UTC))] == ["A-17"]

    done, created = reopened.record_cancel("c1", "A-17", "Ana", "+56 9 1111 2222")
    assert created and done.status == CANCELLED and done.start == "2026-12-03T10:00:00-03:00"
    assert not reopened.record_cancel("c1", "A-17", "Ana", "+56 9 1111 2222")[1]  # told once
    reopened.drop_cancel("c2")  # did not happen
    reopened.drop_cancel("c1")  # a done one stays
    assert reopened.interrupted_cancels() == [] and reopened.cancellation("c2") is None
    assert reopened.cancellation("c1").status == CANCELLED
    assert reopened.upcoming_for("56911112222", datetime(2026, 12, 1, tzinfo=UTC)) == []

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


def test_a_cancellation_is_a_row_of_its_own_kept_once_and_never_owed_to_the_relay(tmp_path):
    from agent.journal import CANCELLED

    journal = BookingJournal(tmp_path / "j.sqlite3")
    journal.begin("k1", "soto:2026-12-03T10:00", "Ana", "+56 9 1111 2222", start="2026-12-03T10:00:00-03:00")
    journal.mark_booked("k1", "A-17", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Soto")
    entry, created = journal.record_cancel("lead-1:cancel", "A-17", "Ana", "+56 9 1111 2222",
                                           slot_id="soto:2026-12-03T10:00", start="2026-12-03T10:00:00-03:00",
                                           professional="Dra. Soto")
    assert created and (entry.status, entry.booking_id, entry.start) == (CANCELLED, "A-17", "2026-12-03T10:00:00-03:00")
    again, created = BookingJournal(tmp_path / "j.sqlite3").record_cancel("lead-1:cancel", "A-17", "Ana", "x")
    assert not created and again.key == entry.key  # a repeat after a restart: the first stands
    assert journal.cancellation("lead-1:cancel") == entry
    assert [e.key for e in journal.owed_to_relay()] == ["k1"]  # the booking's outcome only
    assert {e.status for e in journal.recent()} == {BOOKED, CANCELLED}
    assert journal.problems() == [] and [e.key for e in journal.booked_today()] == ["k1"]


def test_a_move_marks_its_booking_with_where_the_old_appointment_was(tmp_path):
    journal = BookingJournal(tmp_path / "j.sqlite3")
    journal.begin("k-move", "soto:2026-12-04T11:00", "Ana", "+56 9 1111 2222")
    journal.mark_booked("k-move", "A-18", "2026-12-04T11:00:00-03:00", "2026-12-04T11:30:00-03:00", "Dra. Soto")
    moved = journal.record_move("k-move", from_booking="A-17", from_start="2026-12-03T10:00:00-03:00",
                                from_professional="Dra. Soto", old_cancelled=False)
    assert moved.moved and moved.status == BOOKED and not moved.moved_old_cancelled
    assert BookingJournal(tmp_path / "j.sqlite3").get("k-move").moved_from_start == "2026-12-03T10:00:00-03:00"
    plain = journal.begin("k2", "s2", "Luis", "7654321")[0]
    assert not plain.moved and plain.moved_old_cancelled


def test_a_journal_of_an_older_version_gains_the_new_columns(tmp_path):
    import sqlite3

    path = tmp_path / "j.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE bookings (key TEXT PRIMARY KEY, slot_id TEXT NOT NULL, start TEXT NOT NULL DEFAULT '',"
        " end_ TEXT NOT NULL DEFAULT '', professional TEXT NOT NULL DEFAULT '', patient_name TEXT NOT NULL,"
        " patient_phone TEXT NOT NULL, status TEXT NOT NULL, booking_id TEXT NOT NULL DEFAULT '',"
        " error_code TEXT NOT NULL DEFAULT '', error_message TEXT NOT NULL DEFAULT '', requested_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL);"
        "INSERT INTO bookings VALUES ('old', 's', '', '', '', 'Ana', '123', 'booked', 'B1', '', '',"
        " '2026-12-01T10:00:00+00:00', '2026-12-01T10:00:00+00:00');"
    )
    db.commit()
    db.close()
    [entry] = BookingJournal(path).recent(days=3650)
    assert entry.status == BOOKED and not entry.moved and entry.moved_old_cancelled
