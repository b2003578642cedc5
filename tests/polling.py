"""Waiting for a condition in an async test (any test folder imports it: the root conftest's folder is on the path)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def wait_until(predicate: Callable[[], object], wait_s: float = 30.0, step: float = 0.02) -> None:
    """Poll a condition (no timed assertion: the limit is only there so a broken test ends)."""
    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - a condition on plain state, polled
            await asyncio.sleep(step)
    await asyncio.wait_for(poll(), wait_s)


def wait_for(condition: Callable[[], object], timeout_s: float, what: str, step: float = 0.05) -> None:
    """Poll a condition from a thread (``await asyncio.to_thread(wait_for, …)`` while the servers run): fails naming
    ``what`` when it does not hold within ``timeout_s`` (only there so a broken test ends)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")
