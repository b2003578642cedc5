"""Where the relay keeps follow-ups (hand-offs no agent has acknowledged yet) and each clinic's Kommo choice.

A follow-up holds patient data (name, phone), so it is kept only until the clinic's agent acknowledges it, and
never longer than ``FOLLOW_UP_RETENTION_S`` (7 days). ``SqliteFollowUps`` shares the relay's SQLite file (a
connection of its own; the file is in WAL mode); several instances share ``relay.cluster.followups_store``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from relay.settings import RelaySettings
from relay.store import StoreError, Transaction
from wire.handoff import HandoffEvent

FOLLOW_UP_RETENTION_S = 7 * 24 * 3600.0

# Where a follow-up lands in the clinic's Kommo, besides the agent's tray.
KOMMO_ACTIONS: tuple[str, ...] = ("task", "note", "tag")
DEFAULT_KOMMO_ACTIONS: tuple[str, ...] = ("task", "note")


def parse_kommo_actions(text: str) -> tuple[str, ...]:
    """``"task,note"`` -> ("task", "note"); ``"none"`` -> (). ``StoreError`` names what is wrong."""
    words = [w.strip().lower() for w in text.replace("+", ",").split(",") if w.strip()]
    if words == ["none"]:
        return ()
    unknown = [w for w in words if w not in KOMMO_ACTIONS]
    if unknown or not words:
        raise StoreError(f"Kommo actions must be 'none' or a comma-separated list of {', '.join(KOMMO_ACTIONS)}")
    return tuple(a for a in KOMMO_ACTIONS if a in words)


NO_ANSWER = 0  # a KommoDebt's status when Kommo did not answer (no connection, a timeout)


@dataclass(frozen=True)
class KommoDebt:
    """A follow-up's Kommo writes that failed and wait to be tried again (``attempt``: the last one made, 0 the
    first). Kept in the store while they wait, so a relay restarted meanwhile — or another instance, when the one
    that owed them is gone — still makes them: reception working in Kommo gets every task."""

    clinic: str
    event: HandoffEvent
    actions: tuple[str, ...]
    attempt: int
    # Kommo's answer to the last attempt: None while the first is being made, NO_ANSWER when none came.
    status: int | None = None

    def to_json(self) -> dict[str, Any]:
        # The event as text: Redis' Lua JSON would turn an empty list in it into an object.
        out: dict[str, Any] = {"clinic": self.clinic, "event": json.dumps(self.event.to_json(), ensure_ascii=False),
                               "actions": ",".join(self.actions), "attempt": self.attempt}
        if self.status is not None:
            out["status"] = self.status
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KommoDebt:
        status = data.get("status")
        return cls(str(data["clinic"]), HandoffEvent.from_json(json.loads(data["event"])),
                   tuple(a for a in str(data["actions"]).split(",") if a), int(data["attempt"]),
                   status if isinstance(status, int) and not isinstance(status, bool) else None)


class FollowUpStore(Protocol):
    async def add(self, clinic: str, event: HandoffEvent, now: float) -> None: ...

    async def pending(self, clinic: str, now: float) -> list[HandoffEvent]:
        """The clinic's unacknowledged follow-ups, oldest first."""
        ...

    async def clinics_with_pending(self, now: float) -> dict[str, str]:
        """Clinic -> a mark that changes whenever its unacknowledged follow-ups change (one cheap read for all)."""
        ...

    async def acknowledge(self, clinic: str, followup_id: str) -> bool:
        """Forget it (the agent has it). False when it was not (or no longer) kept."""
        ...

    async def purge_expired(self, now: float) -> None: ...

    async def kommo_actions(self, clinic: str) -> tuple[str, ...]: ...

    async def owe_kommo(self, debt: KommoDebt, owner: str, held_until: float) -> None:
        """Keep (or update) ``debt``, held by the instance ``owner`` until ``held_until``."""
        ...

    async def paid_kommo(self, clinic: str, followup_id: str) -> None:
        """The follow-up's Kommo writes went through, or were given up: forget its debt."""
        ...

    async def forgive_kommo(self, clinic: str, lead_id: str) -> None:
        """The lead's case settled: writes still owed for it are moot."""
        ...

    async def kommo_debts_of(self, clinic: str) -> list[KommoDebt]:
        """The clinic's Kommo writes still owed (for `check-clinic`)."""
        ...

    async def take_kommo_debts(self, owner: str, now: float, hold_until: float) -> list[KommoDebt]:
        """The debts another owner left (a process before this one; on Redis, an instance whose hold ran out),
        now held by ``owner`` until ``hold_until``."""
        ...

    async def close(self) -> None: ...


class FollowUpAdmin(Protocol):
    """What `cita-relay set-follow-ups` needs."""

    def set_kommo_actions(self, clinic: str, actions: Sequence[str]) -> None: ...

    def waiting_counts(self, now: float) -> dict[str, int]:
        """Clinic -> how many follow-ups wait for its agent (unacknowledged, not expired); `list-clinics`."""
        ...

    def close_now(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS followups (
    clinic TEXT NOT NULL,
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (clinic, id)
);
CREATE INDEX IF NOT EXISTS followups_age ON followups(created_at);
CREATE TABLE IF NOT EXISTS followup_settings (
    clinic TEXT PRIMARY KEY,
    kommo_actions TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kommo_debts (
    clinic TEXT NOT NULL,
    id TEXT NOT NULL,
    lead TEXT NOT NULL,
    debt TEXT NOT NULL,
    owner TEXT NOT NULL,
    held_until REAL NOT NULL,
    PRIMARY KEY (clinic, id)
);
"""


class SqliteFollowUps:
    """Follow-ups in the relay's SQLite file. Async methods for the running relay, plain ones for the CLI."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    async def add(self, clinic: str, event: HandoffEvent, now: float) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO followups (clinic, id, event, created_at) VALUES (?, ?, ?, ?)",
            (clinic, event.id, json.dumps(event.to_json(), ensure_ascii=False), now),
        )

    async def pending(self, clinic: str, now: float) -> list[HandoffEvent]:
        rows = self._db.execute(
            "SELECT event FROM followups WHERE clinic = ? AND created_at > ? ORDER BY created_at",
            (clinic, now - FOLLOW_UP_RETENTION_S),
        ).fetchall()
        return [HandoffEvent.from_json(json.loads(row[0])) for row in rows]

    async def clinics_with_pending(self, now: float) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT clinic, COUNT(*), MAX(created_at) FROM followups WHERE created_at > ? GROUP BY clinic",
            (now - FOLLOW_UP_RETENTION_S,),
        ).fetchall()
        return {row[0]: f"{row[1]}:{row[2]!r}" for row in rows}

    async def acknowledge(self, clinic: str, followup_id: str) -> bool:
        cur = self._db.execute("DELETE FROM followups WHERE clinic = ? AND id = ?", (clinic, followup_id))
        return cur.rowcount == 1

    async def purge_expired(self, now: float) -> None:
        self._db.execute("DELETE FROM followups WHERE created_at <= ?", (now - FOLLOW_UP_RETENTION_S,))

    async def kommo_actions(self, clinic: str) -> tuple[str, ...]:
        row = self._db.execute("SELECT kommo_actions FROM followup_settings WHERE clinic = ?", (clinic,)).fetchone()
        return DEFAULT_KOMMO_ACTIONS if row is None else parse_kommo_actions(row[0])

    async def owe_kommo(self, debt: KommoDebt, owner: str, held_until: float) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO kommo_debts (clinic, id, lead, debt, owner, held_until) VALUES (?, ?, ?, ?, ?, ?)",
            (debt.clinic, debt.event.id, debt.event.lead_id, json.dumps(debt.to_json(), ensure_ascii=False), owner,
             held_until),
        )

    async def paid_kommo(self, clinic: str, followup_id: str) -> None:
        self._db.execute("DELETE FROM kommo_debts WHERE clinic = ? AND id = ?", (clinic, followup_id))

    async def forgive_kommo(self, clinic: str, lead_id: str) -> None:
        self._db.execute("DELETE FROM kommo_debts WHERE clinic = ? AND lead = ?", (clinic, lead_id))

    async def kommo_debts_of(self, clinic: str) -> list[KommoDebt]:
        rows = self._db.execute("SELECT debt FROM kommo_debts WHERE clinic = ?", (clinic,)).fetchall()
        return [KommoDebt.from_json(json.loads(row[0])) for row in rows]

    async def take_kommo_debts(self, owner: str, now: float, hold_until: float) -> list[KommoDebt]:
        # One process at a time uses the file (the data folder's lock): another owner's debts are an earlier run's.
        with Transaction(self._db):
            rows = self._db.execute("SELECT debt FROM kommo_debts WHERE owner != ?", (owner,)).fetchall()
            self._db.execute("UPDATE kommo_debts SET owner = ?, held_until = ? WHERE owner != ?",
                             (owner, hold_until, owner))
        return [KommoDebt.from_json(json.loads(row[0])) for row in rows]

    def set_kommo_actions(self, clinic: str, actions: Sequence[str]) -> None:
        self._db.execute(
            "INSERT INTO followup_settings (clinic, kommo_actions) VALUES (?, ?)"
            " ON CONFLICT (clinic) DO UPDATE SET kommo_actions = excluded.kommo_actions",
            (clinic, ",".join(actions) or "none"),
        )

    def waiting_counts(self, now: float) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT clinic, COUNT(*) FROM followups WHERE created_at > ? GROUP BY clinic",
            (now - FOLLOW_UP_RETENTION_S,),
        ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        self._db.close()


def open_followup_store(settings: RelaySettings) -> FollowUpStore:
    """The running relay's follow-ups: in the shared Redis when there is one, else in the SQLite file."""
    if settings.uses_redis:
        from relay.cluster.client import async_client
        from relay.cluster.followups_store import RedisFollowUps

        return RedisFollowUps(async_client(settings.redis_url))
    return SqliteFollowUps(settings.database_path)


def open_followup_admin(settings: RelaySettings) -> FollowUpAdmin:
    if settings.uses_redis:
        from relay.cluster.followups_store import RedisFollowUpAdmin

        return RedisFollowUpAdmin(settings.redis_url)
    return SqliteFollowUps(settings.database_path)
