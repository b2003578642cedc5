"""The booking journal: every booking request, written before the browser acts, and its outcome after.

One SQLite file in the agent's data folder. A repeat of an idempotency key gets the first
outcome back; rows left ``in_progress`` by a crash are reconciled on start by the engine
(by looking the slot up in the web app, never by guessing). The UI reads the same file for
its history, from its own thread: every call opens its own short-lived connection.

The file is the user's alone (0600, and SQLite gives its -wal and -shm files the same mode), rows past
the retention are deleted with ``secure_delete`` and the write-ahead log is emptied after, so a purged
patient's name and phone are gone from the disk, not just from the table.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.private_files import make_private_file

IN_PROGRESS = "in_progress"
BOOKED = "booked"
FAILED = "failed"
HANDOFF = "handoff"
CANCELLED = "cancelled"  # a row of its own: the agent cancelled an appointment for its patient
STATUSES = (IN_PROGRESS, BOOKED, FAILED, HANDOFF, CANCELLED)
CANCEL_PREFIX = "cancel:"  # a cancellation's row key: the prefix and the relay's idempotency key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    key            TEXT PRIMARY KEY,
    slot_id        TEXT NOT NULL,
    start          TEXT NOT NULL DEFAULT '',
    end_           TEXT NOT NULL DEFAULT '',
    professional   TEXT NOT NULL DEFAULT '',
    patient_name   TEXT NOT NULL,
    patient_phone  TEXT NOT NULL,
    status         TEXT NOT NULL,
    booking_id     TEXT NOT NULL DEFAULT '',
    error_code     TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT '',
    requested_at   TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_requested_at ON bookings (requested_at);
CREATE INDEX IF NOT EXISTS bookings_status ON bookings (status);
"""
# Columns added after 0.1.0, each with the value an older row means.
_ADDED_COLUMNS = (
    ("owed_to_relay", "INTEGER NOT NULL DEFAULT 0"),  # a journal written by 0.1.0: its rows were all answered then
    # A booking that moved a patient's appointment (wire op reschedule): where the old one was, and whether the
    # old one was cancelled (0: the patient holds both until a person sorts it out).
    ("moved_from_start", "TEXT NOT NULL DEFAULT ''"),
    ("moved_from_professional", "TEXT NOT NULL DEFAULT ''"),
    ("moved_from_booking", "TEXT NOT NULL DEFAULT ''"),
    ("moved_old_cancelled", "INTEGER NOT NULL DEFAULT 1"),
)


@dataclass(frozen=True)
class MoveSource:
    """The appointment a booking moves (the patient's old one): its id in the web app, its start, its professional."""

    booking_id: str
    start: str
    professional: str


@dataclass(frozen=True)
class JournalEntry:
    key: str
    slot_id: str
    start: str  # ISO 8601 with the clinic's offset, or "" when the slot was unknown
    end: str
    professional: str
    patient_name: str
    patient_phone: str
    status: str
    booking_id: str
    error_code: str
    error_message: str
    requested_at: datetime  # UTC
    updated_at: datetime
    moved_from_start: str = ""  # a move (reschedule): the old appointment's start ("" for any other row)
    moved_from_professional: str = ""
    moved_from_booking: str = ""
    moved_old_cancelled: bool = True

    @property
    def finished(self) -> bool:
        return self.status != IN_PROGRESS

    @property
    def moved(self) -> bool:
        """A booking that moved an appointment the patient had (the old one is ``moved_from_booking``)."""
        return self.status == BOOKED and bool(self.moved_from_booking)


def _now() -> datetime:
    return datetime.now(UTC)


def phone_digits(phone: str) -> str:
    """A phone's digits alone: how the journal and the appointment desk match one phone however it is written."""
    return "".join(c for c in phone if c.isdigit())


class BookingJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        make_private_file(path)  # before SQLite creates it with the umask's mode; its -wal/-shm copy this mode
        self._write_lock = threading.Lock()
        # Bumped after every write through this object: the phone index below is rebuilt after any change.
        self._generation = 0
        self._by_phone: _PhoneIndex | None = None
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(bookings)")}
            for name, kind in _ADDED_COLUMNS:
                if name not in columns:
                    db.execute(f"ALTER TABLE bookings ADD COLUMN {name} {kind}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:  # commits, or rolls back on an exception
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA secure_delete=ON")
                yield db
        finally:
            db.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the generation moves on once it is committed (or failed)."""
        with self._write_lock:
            try:
                with self._connect() as db:
                    yield db
            finally:
                self._generation += 1

    # -- writes -----------------------------------------------------------

    def begin(
        self,
        key: str,
        slot_id: str,
        patient_name: str,
        patient_phone: str,
        *,
        start: str = "",
        end: str = "",
        professional: str = "",
        now: datetime | None = None,
        moving_from: MoveSource | None = None,
    ) -> tuple[JournalEntry, bool]:
        """Write the request before acting. Returns (entry, created): created False means a repeat of the key.

        ``moving_from``: the booking moves this appointment, which is cancelled once it is booked; written now, so a
        crash between the two leaves a row that says which appointment is still to be cancelled."""
        stamp = (now or _now()).isoformat()
        old = moving_from or MoveSource("", "", "")
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO bookings (key, slot_id, start, end_, professional, patient_name, patient_phone,"
                " status, requested_at, updated_at, owed_to_relay, moved_from_booking, moved_from_start,"
                " moved_from_professional, moved_old_cancelled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (key, slot_id, start, end, professional, patient_name, patient_phone, IN_PROGRESS, stamp, stamp,
                 old.booking_id, old.start, old.professional, 0 if old.booking_id else 1),
            )
            created = cursor.rowcount == 1
            row = db.execute("SELECT * FROM bookings WHERE key = ?", (key,)).fetchone()
        return _entry(row), created

    def mark_booked(self, key: str, booking_id: str, start: str, end: str, professional: str) -> JournalEntry:
        return self._update(
            key, status=BOOKED, booking_id=booking_id, start=start, end_=end, professional=professional,
            error_code="", error_message="",
        )

    def mark_failed(self, key: str, code: str, message: str) -> JournalEntry:
        return self._update(key, status=FAILED, error_code=code, error_message=message[:500])

    def record_handoff(
        self, key: str, slot_id: str, patient_name: str, patient_phone: str, reason: str, *, start: str = "",
        professional: str = "",
    ) -> JournalEntry:
        """A request the agent could not serve (paused, say): kept so the receptionist can follow up."""
        entry, created = self.begin(
            key, slot_id, patient_name, patient_phone, start=start, professional=professional
        )
        if not created and entry.finished:
            return entry
        return self._update(key, status=HANDOFF, error_code=reason, error_message="")

    def begin_cancel(
        self, key: str, booking_id: str, patient_name: str, patient_phone: str, *, slot_id: str = "",
        start: str = "", end: str = "", professional: str = "", now: datetime | None = None,
    ) -> JournalEntry:
        """A cancellation about to be sent to the web app, written before the browser acts (a row ``in_progress`` keyed
        like its outcome): an agent killed before it recorded the outcome finds on start which appointment it was
        cancelling (``interrupted_cancels``). Never shown as a booking, never owed to the relay."""
        stamp = (now or _now()).isoformat()
        row_key = CANCEL_PREFIX + key
        with self._writing() as db:
            db.execute(
                "INSERT OR IGNORE INTO bookings (key, slot_id, start, end_, professional, patient_name, patient_phone,"
                " status, booking_id, requested_at, updated_at, owed_to_relay)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (row_key, slot_id, start, end, professional, patient_name, patient_phone, IN_PROGRESS, booking_id,
                 stamp, stamp),
            )
            row = db.execute("SELECT * FROM bookings WHERE key = ?", (row_key,)).fetchone()
        return _entry(row)

    def drop_cancel(self, key: str) -> None:
        """The cancellation ``key`` begun did certainly not happen (the appointment is still there): its row goes."""
        with self._writing() as db:
            db.execute("DELETE FROM bookings WHERE key = ? AND status = ?", (CANCEL_PREFIX + key, IN_PROGRESS))

    def record_cancel(
        self, key: str, booking_id: str, patient_name: str, patient_phone: str, *, slot_id: str = "",
        start: str = "", end: str = "", professional: str = "", now: datetime | None = None,
    ) -> tuple[JournalEntry, bool]:
        """An appointment the agent cancelled for its patient (wire op ``cancel``), as a row of its own keyed by the
        relay's idempotency key. Returns (entry, created): created False means this key's cancellation was recorded
        before (the first one stands). Never owed to the relay: the cancel's answer is its own. The row ``begin_cancel``
        wrote becomes it."""
        stamp = (now or _now()).isoformat()
        row_key = CANCEL_PREFIX + key
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO bookings (key, slot_id, start, end_, professional, patient_name, patient_phone,"
                " status, booking_id, requested_at, updated_at, owed_to_relay)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (row_key, slot_id, start, end, professional, patient_name, patient_phone, CANCELLED, booking_id,
                 stamp, stamp),
            )
            created = cursor.rowcount == 1
            if not created:  # begun before: it is done now (once: a recorded one stays as it was)
                created = db.execute(
                    "UPDATE bookings SET status = ?, updated_at = ? WHERE key = ? AND status = ?",
                    (CANCELLED, stamp, row_key, IN_PROGRESS),
                ).rowcount == 1
            row = db.execute("SELECT * FROM bookings WHERE key = ?", (row_key,)).fetchone()
        return _entry(row), created

    def cancellation(self, key: str) -> JournalEntry | None:
        """The cancellation recorded for this idempotency key, if any (``in_progress``: begun, its outcome unknown)."""
        return self.get(CANCEL_PREFIX + key)

    def record_move(self, key: str, *, from_booking: str, from_start: str, from_professional: str,
                    old_cancelled: bool) -> JournalEntry:
        """The booking ``key`` (already booked) moved the appointment ``from_booking``: its row becomes the move's
        row ("Cambiada de ... a ..."). ``old_cancelled`` False: the old appointment is still in the web app."""
        return self._update(
            key, moved_from_booking=from_booking, moved_from_start=from_start,
            moved_from_professional=from_professional, moved_old_cancelled=1 if old_cancelled else 0,
        )

    def record_move_dropped(self, key: str) -> JournalEntry:
        """The move ``key`` was called off after its new appointment was booked (the new one is gone, the old one
        stays): its row is a plain booking again, never finished by cancelling the old one."""
        return self._update(key, moved_from_booking="", moved_from_start="", moved_from_professional="",
                            moved_old_cancelled=1)

    def _update(self, key: str, **columns: str | int) -> JournalEntry:
        columns["updated_at"] = _now().isoformat()
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._writing() as db:
            db.execute(f"UPDATE bookings SET {assignments} WHERE key = ?", (*columns.values(), key))  # noqa: S608
            row = db.execute("SELECT * FROM bookings WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return _entry(row)

    def purge_before(self, cutoff: datetime) -> int:
        """Delete finished requests made before ``cutoff``; return how many. In-progress rows stay: they are
        still to be checked in the web app."""
        stamp = cutoff.astimezone(UTC).isoformat()
        with self._write_lock:
            try:
                with self._connect() as db:
                    deleted = db.execute(
                        "DELETE FROM bookings WHERE requested_at < ? AND status != ?", (stamp, IN_PROGRESS)
                    ).rowcount
            finally:
                self._generation += 1
            if deleted:
                with self._connect() as db:
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def relay_told(self, key: str) -> None:
        """The relay acknowledged this booking's outcome: it need not be told again."""
        with self._writing() as db:
            db.execute("UPDATE bookings SET owed_to_relay = 0 WHERE key = ?", (key,))

    # -- reads ------------------------------------------------------------

    def owed_to_relay(self, limit: int = 50, days: int = 7, now: datetime | None = None) -> list[JournalEntry]:
        """Finished bookings whose outcome the relay has not acknowledged yet (oldest first)."""
        since = ((now or _now()) - timedelta(days=days)).astimezone(UTC).isoformat()
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM bookings WHERE owed_to_relay = 1 AND status != ? AND requested_at >= ?"
                " ORDER BY requested_at LIMIT ?",
                (IN_PROGRESS, since, limit),
            ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, key: str) -> JournalEntry | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM bookings WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row else None

    def upcoming_for(self, phone_digits: str, now: datetime | None = None) -> list[JournalEntry]:
        """The appointments this agent booked for that phone (digits only) that are still ahead and neither
        cancelled nor moved away by the agent, soonest first. Reads the journal when it changed since the last
        call (in a worker thread, then: ``upcoming_known`` answers from memory, without touching the disk)."""
        known = self.upcoming_known(phone_digits, now)
        if known is not None:
            return known
        generation, signature = self._generation, self._signature()  # before the read: a write meanwhile shows
        rows = self._select("status IN (?, ?)", (BOOKED, CANCELLED))
        index = _PhoneIndex.of(rows, generation, signature)
        self._by_phone = index
        return index.ahead(phone_digits, now or _now())

    def upcoming_known(self, phone_digits: str, now: datetime | None = None) -> list[JournalEntry] | None:
        """``upcoming_for`` from memory (a dictionary look-up); None when the journal changed since it was read."""
        if not phone_digits:
            return []
        index = self._by_phone
        if index is None or index.generation != self._generation or index.signature != self._signature():
            return None
        return index.ahead(phone_digits, now or _now())

    def _signature(self) -> tuple[int, ...]:
        """The database's and its write-ahead log's size and change time: another process's write moves them."""
        out: list[int] = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                stat = path.stat()
            except OSError:
                out += (-1, -1, -1)
            else:
                out += (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        return tuple(out)

    def in_progress(self) -> list[JournalEntry]:
        """Bookings begun whose outcome was not written (cancellations begun are ``interrupted_cancels``)."""
        return self._select("status = ? AND key NOT LIKE ?", (IN_PROGRESS, CANCEL_PREFIX + "%"))

    def interrupted_cancels(self) -> list[JournalEntry]:
        """Cancellations begun whose outcome was not written: the agent stopped while the web app was cancelling."""
        return self._select("status = ? AND key LIKE ?", (IN_PROGRESS, CANCEL_PREFIX + "%"))

    def unfinished_moves(self) -> list[JournalEntry]:
        """Moves whose new appointment is booked and whose old one was not cancelled (yet)."""
        return self._select("status = ? AND moved_from_booking != '' AND moved_old_cancelled = 0", (BOOKED,))

    def since(self, since: datetime) -> list[JournalEntry]:
        """Every request made since then, newest first (not a cancellation still under way: it is no request of its
        own until it is done)."""
        return self._select("requested_at >= ? AND NOT (status = ? AND key LIKE ?)",
                            (since.astimezone(UTC).isoformat(), IN_PROGRESS, CANCEL_PREFIX + "%"))

    def recent(self, days: int = 30, now: datetime | None = None) -> list[JournalEntry]:
        return self.since((now or _now()) - timedelta(days=days))

    def problems(self, days: int = 30, now: datetime | None = None) -> list[JournalEntry]:
        """Failed and handed-off requests: the patients a receptionist should write to."""
        since = ((now or _now()) - timedelta(days=days)).astimezone(UTC).isoformat()
        return self._select("requested_at >= ? AND status IN (?, ?)", (since, FAILED, HANDOFF))

    def booked_today(self, now: datetime | None = None) -> list[JournalEntry]:
        """Bookings made today (local day of this PC)."""
        local_now = (now or _now()).astimezone()
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        return [e for e in self.since(midnight) if e.status == BOOKED]

    def _select(self, where: str, params: tuple[object, ...]) -> list[JournalEntry]:
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM bookings WHERE {where} ORDER BY requested_at DESC", params  # noqa: S608
            ).fetchall()
        return [_entry(r) for r in rows]


def _entry(row: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        key=row["key"],
        slot_id=row["slot_id"],
        start=row["start"],
        end=row["end_"],
        professional=row["professional"],
        patient_name=row["patient_name"],
        patient_phone=row["patient_phone"],
        status=row["status"],
        booking_id=row["booking_id"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        requested_at=datetime.fromisoformat(row["requested_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        moved_from_start=row["moved_from_start"],
        moved_from_professional=row["moved_from_professional"],
        moved_from_booking=row["moved_from_booking"],
        moved_old_cancelled=bool(row["moved_old_cancelled"]),
    )


@dataclass(frozen=True)
class _PhoneIndex:
    """The booked appointments that were not cancelled or moved away, by phone digits, soonest first."""

    generation: int
    signature: tuple[int, ...]
    by_phone: dict[str, list[tuple[datetime, JournalEntry]]]

    @classmethod
    def of(cls, rows: list[JournalEntry], generation: int, signature: tuple[int, ...]) -> _PhoneIndex:
        gone = {e.booking_id for e in rows if e.status == CANCELLED} | {e.moved_from_booking for e in rows if e.moved}
        by_phone: dict[str, list[tuple[datetime, JournalEntry]]] = {}
        for e in rows:
            if e.status == BOOKED and e.booking_id and e.booking_id not in gone and e.start:
                by_phone.setdefault(phone_digits(e.patient_phone), []).append((datetime.fromisoformat(e.start), e))
        for entries in by_phone.values():
            entries.sort(key=lambda pair: pair[0])
        return cls(generation, signature, by_phone)

    def ahead(self, phone_digits: str, moment: datetime) -> list[JournalEntry]:
        return [e for start, e in self.by_phone.get(phone_digits, ()) if start > moment]
