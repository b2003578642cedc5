"""Bounded retries with backoff for a web app that answers 5xx or not at all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class TransientFailure(Exception):
    """One attempt failed in a way worth another try (a 5xx, a dropped connection, a timeout)."""


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all, waiting base, base*factor, ... seconds between them (capped)."""

    attempts: int = 4
    base_delay_s: float = 0.2
    factor: float = 2.0
    max_delay_s: float = 2.0

    def delays(self) -> list[float]:
        """The waits between attempts, e.g. [0.2, 0.4, 0.8] for 4 attempts."""
        return [min(self.max_delay_s, self.base_delay_s * self.factor**n) for n in range(self.attempts - 1)]


async def with_retries(action: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str) -> T:
    """Run ``action``; retry on TransientFailure per ``policy``; the last failure propagates.

    ``what`` names the step for the log line ("reading the agenda"). Other exceptions are not retried.
    """
    delays = policy.delays()
    for attempt in range(policy.attempts):
        try:
            return await action()
        except TransientFailure as failure:
            if attempt >= len(delays):
                raise
            log.warning("%s failed (%s); retry %d of %d in %.1f s", what, failure, attempt + 1, len(delays),
                        delays[attempt])
            await asyncio.sleep(delays[attempt])
    raise AssertionError("unreachable")
