"""Waiting for a condition in an async test (any test folder imports it: the root conftest's folder is on the path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(predicate: Callable[[], object], wait_s: float = 30.0, step: float = 0.02) -> None:
    """Poll a condition (no timed assertion: the limit is only there so a broken test ends)."""
    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - a condition on plain state, polled
            await asyncio.sleep(step)
    await asyncio.wait_for(poll(), wait_s)
