"""At most a few log lines a second per kind of event, so a flood of refusals cannot flood the log.

A refused request costs the relay one line to write; a million of them would cost a disk. ``EventThrottle`` lets
``burst`` lines of one event through in any second and counts the rest; the next line that passes says how many
were left out (``suppressed=N``). Pure bookkeeping over an injected clock: no I/O, no timers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from relay.logs import log


class EventThrottle:
    def __init__(self, burst: int = 5, per_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._burst = max(1, burst)
        self._per_s = per_s
        self._clock = clock
        self._windows: dict[str, tuple[float, int, int]] = {}  # event -> (window start, lines, suppressed)

    def admit(self, event: str) -> int | None:
        """None: leave this line out. Otherwise the number of lines of this event left out since the last one."""
        now = self._clock()
        start, lines, suppressed = self._windows.get(event, (now, 0, 0))
        if now - start >= self._per_s:
            start, lines = now, 0
        if lines >= self._burst:
            self._windows[event] = (start, lines, suppressed + 1)
            return None
        self._windows[event] = (start, lines + 1, 0)
        return suppressed

    def log(self, logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
        suppressed = self.admit(event)
        if suppressed is None:
            return
        if suppressed:
            fields["suppressed"] = suppressed
        log(logger, level, event, **fields)
