"""Staff sessions that expire when idle, and the lock after too many wrong passwords."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Session:
    id: str
    user: str
    csrf: str  # sent back by the agenda's JavaScript on every write
    last_seen: float = field(default=0.0)


class SessionStore:
    """Sessions by cookie value; one idle longer than ``idle_seconds`` is gone (back to the login page)."""

    def __init__(self, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, user: str) -> Session:
        session = Session(secrets.token_urlsafe(24), user, secrets.token_urlsafe(24), self._clock())
        self._sessions[session.id] = session
        return session

    def touch(self, session_id: str | None) -> Session | None:
        """The live session for that cookie, marked active now; None when unknown or expired."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if now - session.last_seen > self.idle_seconds:
            del self._sessions[session_id]
            return None
        session.last_seen = now
        return session

    def close(self, session_id: str | None) -> None:
        self._sessions.pop(session_id or "", None)

    def expire_all(self) -> int:
        """As if every session had been idle too long (tests use it instead of waiting)."""
        count = len(self._sessions)
        self._sessions.clear()
        return count


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """``max_failures`` wrong passwords in a row lock the user for ``lock_seconds``."""

    def __init__(self, max_failures: int = 5, lock_seconds: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._by_user: dict[str, _Failures] = {}

    def locked_for(self, user: str) -> float:
        """Seconds the user stays locked (0 when not locked)."""
        entry = self._by_user.get(user.casefold())
        if entry is None:
            return 0.0
        return max(0.0, entry.locked_until - self._clock())

    def failed(self, user: str) -> int:
        """Record a wrong password; returns the attempts left before the lock (0: now locked)."""
        entry = self._by_user.setdefault(user.casefold(), _Failures())
        if entry.locked_until and entry.locked_until <= self._clock():
            entry.count, entry.locked_until = 0, 0.0
        entry.count += 1
        if entry.count >= self.max_failures:
            entry.locked_until = self._clock() + self.lock_seconds
            entry.count = 0
            return 0
        return self.max_failures - entry.count

    def failures_in_a_row(self, user: str) -> int:
        """Wrong passwords since the last good login (what decides the lock)."""
        entry = self._by_user.get(user.casefold())
        return entry.count if entry else 0

    def succeeded(self, user: str) -> None:
        self._by_user.pop(user.casefold(), None)

    def unlock_all(self) -> None:
        self._by_user.clear()
