"""Kommo's request budget per account: at most N requests in any one-second window."""

from __future__ import annotations

from collections import deque


class SlidingWindowLimit:
    """Admits a request when fewer than ``limit`` were admitted in the last ``window_s`` seconds.

    Refused requests are not counted: a client that backs off after a 429 gets in again once the window
    slides, which is how a relay that slightly overshoots recovers.
    """

    def __init__(self, limit: float, window_s: float = 1.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._admitted: deque[float] = deque()

    def admit(self, now: float) -> bool:
        while self._admitted and self._admitted[0] <= now - self.window_s:
            self._admitted.popleft()
        if len(self._admitted) >= self.limit:
            return False
        self._admitted.append(now)
        return True
