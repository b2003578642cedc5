"""The event loop the engine runs on: uvloop where it is installed, else asyncio's own.

A warm "when can I come?" is answered from memory, so most of the agent's part of the patient's wait is the loop
itself: waking up for the relay's frames, running their callbacks, writing the answer. uvloop (libuv) does that in
C, about a third of the agent's CPU per question less than asyncio's pure-Python selector loop (bench/agent_bench.py
--trace). It has no Windows build: there (and with ``CITA_AGENT_LOOP=asyncio``, the way back should a machine's
uvloop misbehave) the engine runs on asyncio's default loop, which behaves the same, only slower.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

log = logging.getLogger(__name__)

LOOP_ENV = "CITA_AGENT_LOOP"


def loop_kind(env: dict[str, str] | os._Environ[str] = os.environ, platform: str = sys.platform) -> str:
    """``uvloop`` or ``asyncio``: which loop a new engine loop will be."""
    if env.get(LOOP_ENV, "").strip().lower() == "asyncio" or platform == "win32":
        return "asyncio"
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop of ``loop_kind()``."""
    if loop_kind() == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()
