"""Patients to contact: the hand-offs the relay sends (``wire.handoff``), kept on the clinic's PC.

``FollowUpBook`` is one SQLite file beside the journal. A follow-up is written before the relay is told it may
forget it (the ack), so none is lost between the two; "Contactado" is remembered here, and a follow-up older
than ``KEEP_DAYS`` is deleted (it holds a patient's name and phone). A resolution from the relay (the case settled
by itself: ``wire.handoff.RESOLUTIONS``) closes the lead's follow-ups handed off before it, as "Contactado" would,
except what the patient asked of a person (``wire.handoff.ASKED_OF_A_PERSON``).
Like the journal, every call opens its own short-lived connection, so the engine's thread and the tray's thread
both use it.

``FollowUpInbox`` is the link's side: it takes the relay's ``event`` frames, stores them, and answers ``ack``; a
"Contactado" goes the other way (``owed_contacts``, a ``contacted`` frame, acknowledged by the relay), once it is
final: the tray's "Deshacer" may take it back for a few seconds (``undo_until``), and the relay hears nothing before.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wire.handoff import ASKED_OF_A_PERSON, RESOLUTIONS, Ack, Contacted, HandoffEvent, decode_followup_frame
from wire.messages import ProtocolError

log = logging.getLogger(__name__)

KEEP_DAYS = 7

_SCHEMA = """
CREATE TABLE IF NOT EXISTS followups (
    id            TEXT PRIMARY KEY,
    at            TEXT NOT NULL,
    lead_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    chosen_start  TEXT NOT NULL DEFAULT '',
    chosen_professional TEXT NOT NULL DEFAULT '',
    chosen_day    TEXT NOT NULL DEFAULT '',
    kommo_url     TEXT NOT NULL DEFAULT '',
    said          TEXT NOT NULL DEFAULT '',
    about         TEXT NOT NULL DEFAULT '',
    received_at   TEXT NOT NULL,
    contacted_at  TEXT NOT NULL DEFAULT '',
    tell_relay    INTEGER NOT NULL DEFAULT 0,
    undo_until    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS followups_received ON followups (received_at);
"""


@dataclass(frozen=True)
class FollowUp:
    """A patient the bot handed to the clinic's team, as the tray lists it."""

    id: str
    at: datetime  # when the patient was handed off (aware)
    lead_id: str
    name: str
    phone: str
    reason: str
    chosen_start: str = ""
    chosen_professional: str = ""
    chosen_day: str = ""
    kommo_url: str = ""
    contacted: bool = False
    said: tuple[str, ...] = ()  # the patient's last messages, oldest first
    about: str = ""  # what chosen_start is: "" a time being booked, "cancel", "keep", "move_from", "move_to"

    @property
    def whatsapp_url(self) -> str:
        """wa.me link to write to the patient ("" without a usable number)."""
        digits = re.sub(r"\D", "", self.phone)
        return f"https://wa.me/{digits}" if 6 <= len(digits) <= 15 else ""


def follow_up_path(journal_file: Path) -> Path:
    return journal_file.with_name("followups.sqlite3")


class FollowUpBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(followups)")}
            if "said" not in columns:  # a book from 0.1
                db.execute("ALTER TABLE followups ADD COLUMN said TEXT NOT NULL DEFAULT ''")
            if "about" not in columns:  # a book from before "about"
                db.execute("ALTER TABLE followups ADD COLUMN about TEXT NOT NULL DEFAULT ''")
            if "tell_relay" not in columns:  # a book from before "Contactado" reached Kommo
                db.execute("ALTER TABLE followups ADD COLUMN tell_relay INTEGER NOT NULL DEFAULT 0")
            if "undo_until" not in columns:  # a book from before "Deshacer"
                db.execute("ALTER TABLE followups ADD COLUMN undo_until TEXT NOT NULL DEFAULT ''")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(str(self.path), timeout=10.0)
        try:
            with db:
                yield db
        finally:
            db.close()

    def receive(self, event: HandoffEvent, now: datetime | None = None) -> bool:
        """Store a follow-up from the relay; False when it was already here (the relay sent it again, or the patient
        wrote again about a case still open: that row then shows what they wrote last). A resolution is stored as
        done, and closes the lead's open follow-ups handed off before it."""
        received = (now or datetime.now(UTC)).isoformat()
        resolves = event.reason in RESOLUTIONS
        with self._write_lock, self._connect() as db:
            # A case handed off before a resolution already here (sent again after a reconnect, behind it): settled
            settled = not resolves and event.reason not in ASKED_OF_A_PERSON and any(
                reason in RESOLUTIONS and _aware(at) > _aware(event.at)
                for at, reason in db.execute("SELECT at, reason FROM followups WHERE lead_id = ?", (event.lead_id,))
            )
            one_case = event.reason in ASKED_OF_A_PERSON or bool(event.chosen_start)  # else only their words say
            same = None if resolves or not one_case else db.execute(
                "SELECT id FROM followups WHERE lead_id = ? AND reason = ? AND chosen_start = ? AND about = ?"
                " AND contacted_at = '' AND id != ?",
                (event.lead_id, event.reason, event.chosen_start, event.about, event.id),
            ).fetchone()
            if same is not None:  # the patient wrote again about the same case: one row, with what they wrote now
                db.execute("UPDATE followups SET said = ? WHERE id = ?", ("\n".join(event.said), same[0]))
                return False
            cur = db.execute(
                "INSERT OR IGNORE INTO followups (id, at, lead_id, name, phone, reason, chosen_start,"
                " chosen_professional, chosen_day, kommo_url, said, about, received_at, contacted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.id, event.at, event.lead_id, event.name, event.phone, event.reason, event.chosen_start,
                 event.chosen_professional, event.chosen_day, event.kommo_lead_url, "\n".join(event.said), event.about,
                 received, received if resolves or settled else ""),
            )
            if cur.rowcount == 1 and resolves:
                settled_at = _aware(event.at)
                earlier = [
                    row_id for row_id, at, reason in db.execute(
                        "SELECT id, at, reason FROM followups WHERE lead_id = ? AND contacted_at = '' AND id != ?",
                        (event.lead_id, event.id),
                    )
                    if _aware(at) < settled_at and reason not in ASKED_OF_A_PERSON  # theirs to close, not the bot's
                ]
                db.executemany("UPDATE followups SET contacted_at = ? WHERE id = ?", [(received, i) for i in earlier])
            return cur.rowcount == 1

    def open_items(self, now: datetime | None = None) -> list[FollowUp]:
        """Not yet contacted, from the last ``KEEP_DAYS`` days, newest first."""
        return [f for f in self.recent(now) if not f.contacted]

    def recent(self, now: datetime | None = None) -> list[FollowUp]:
        since = ((now or datetime.now(UTC)) - timedelta(days=KEEP_DAYS)).isoformat()
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, at, lead_id, name, phone, reason, chosen_start, chosen_professional, chosen_day,"
                " kommo_url, contacted_at, said, about FROM followups WHERE received_at >= ? ORDER BY at DESC",
                (since,),
            ).fetchall()
        return [_item(row) for row in rows]

    def mark_contacted(self, followup_id: str, now: datetime | None = None, undo_for: timedelta | None = None) -> bool:
        """"Contactado". The lead's last open follow-up marked is owed to the relay (``owed_contacts``): its Kommo
        tasks are then completed, so nobody in Kommo writes to the patient again.

        ``undo_for``: the mark may still be taken back (``undo_contacted``) for that long, and the relay is not told
        before it is final (the window passed, or ``make_final``): nothing reaches Kommo that "Deshacer" would have to
        take back. A tray that stops inside the window without ``make_final`` (a crash) leaves it final at its end."""
        at = now or datetime.now(UTC)
        until = (at + undo_for).isoformat() if undo_for else ""
        with self._write_lock, self._connect() as db:
            cur = db.execute(
                "UPDATE followups SET contacted_at = ?, undo_until = ? WHERE id = ? AND contacted_at = ''",
                (at.isoformat(), until, followup_id),
            )
            if cur.rowcount != 1:
                return False
            db.execute(
                "UPDATE followups SET tell_relay = 1 WHERE id = ? AND NOT EXISTS (SELECT 1 FROM followups AS other"
                " WHERE other.lead_id = followups.lead_id AND other.contacted_at = '')",
                (followup_id,),
            )
            return True

    def undo_contacted(self, followup_id: str, now: datetime | None = None) -> bool:
        """"Deshacer" on a "Contactado" still in its undo window: the patient is to contact again, and the relay never
        heard of the mark. False when the window has passed (the relay may have been told) or there is no such mark."""
        at = now or datetime.now(UTC)
        with self._write_lock, self._connect() as db:
            row = db.execute(
                "SELECT undo_until FROM followups WHERE id = ? AND contacted_at != '' AND undo_until != ''",
                (followup_id,),
            ).fetchone()
            if row is None or _aware(row[0]) <= at:
                return False
            db.execute(
                "UPDATE followups SET contacted_at = '', tell_relay = 0, undo_until = '' WHERE id = ?", (followup_id,)
            )
            return True

    def make_final(self, followup_id: str) -> None:
        """The "Contactado" of ``followup_id`` can no longer be undone (its window ended, another patient was marked,
        or the tray is quitting): owed to the relay from now on, as any other."""
        with self._write_lock, self._connect() as db:
            db.execute("UPDATE followups SET undo_until = '' WHERE id = ?", (followup_id,))

    def owed_contacts(self, now: datetime | None = None) -> list[Contacted]:
        """The "Contactado" marks the relay has not acknowledged yet (told on every connection until it does); a mark
        still in its undo window is not told yet."""
        at = now or datetime.now(UTC)
        since = (at - timedelta(days=KEEP_DAYS)).isoformat()
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, lead_id, contacted_at, name, phone, undo_until FROM followups"
                " WHERE tell_relay = 1 AND received_at >= ?", (since,),
            ).fetchall()
        return [Contacted(id=i, lead_id=lead, at=_aware(contacted).isoformat(), name=name, phone=phone)
                for i, lead, contacted, name, phone, until in rows if not until or _aware(until) <= at]

    def relay_heard(self, followup_id: str) -> None:
        """The relay acknowledged the "Contactado" of ``followup_id``."""
        with self._write_lock, self._connect() as db:
            db.execute("UPDATE followups SET tell_relay = 0 WHERE id = ?", (followup_id,))

    def purge(self, now: datetime | None = None) -> int:
        since = ((now or datetime.now(UTC)) - timedelta(days=KEEP_DAYS)).isoformat()
        with self._write_lock, self._connect() as db:
            return db.execute("DELETE FROM followups WHERE received_at < ?", (since,)).rowcount


def _aware(iso: str) -> datetime:
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _item(row: tuple[str, ...]) -> FollowUp:
    return FollowUp(
        id=row[0], at=_aware(row[1]), lead_id=row[2], name=row[3], phone=row[4],
        reason=row[5], chosen_start=row[6], chosen_professional=row[7], chosen_day=row[8], kommo_url=row[9],
        contacted=bool(row[10]), said=tuple(line for line in row[11].split("\n") if line), about=row[12],
    )


def is_followup_frame(text: str) -> bool:
    """Cheap look at a frame's type: the relay's requests go elsewhere."""
    try:
        obj = json.loads(text)
    except ValueError:
        return False
    return isinstance(obj, dict) and obj.get("type") == "event"


class FollowUpInbox:
    """The relay's follow-up frames: stored, then acknowledged; ``on_new`` hears of each one not seen before."""

    def __init__(self, book: FollowUpBook, on_new: Callable[[HandoffEvent], None]) -> None:
        self._book = book
        self._on_new = on_new

    def handle_text(self, text: str) -> str | None:
        try:
            frame = decode_followup_frame(json.loads(text))
        except (ProtocolError, ValueError, TypeError) as exc:
            log.warning("Ignored a follow-up from the relay that does not fit the protocol: %s", str(exc)[:200])
            return None
        if not isinstance(frame, HandoffEvent):
            return None
        try:
            new = self._book.receive(frame)
        except sqlite3.Error as exc:  # not stored: no ack, so the relay keeps it and sends it again
            log.error("Could not store a patient to contact (the relay will send it again): %s", exc)
            return None
        if new:
            if frame.reason in RESOLUTIONS:
                log.info("A patient handed to reception no longer needs contacting (%s)", frame.reason)
            else:
                log.info("A patient to contact arrived (reason: %s)", frame.reason)
            self._on_new(frame)
        return json.dumps(Ack(frame.id).to_json())
