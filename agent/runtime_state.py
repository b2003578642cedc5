"""What the agent remembers between runs that is not a setting: pause, and the last link/portal state.

A small JSON file in the data folder, replaced atomically. `cita-agent status` reads it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from agent.private_files import write_private_text


@dataclass(frozen=True)
class RuntimeState:
    paused: bool = False
    paused_until: str = ""  # ISO time a timed pause ends by itself ("" = until resumed)
    link: str = "disconnected"  # connecting | connected | disconnected
    relay: str = ""
    link_problem: str = ""  # what a person must fix for the link (agent.link.failure_kind): token_refused, dns, …
    portal: str = "unknown"  # ok | login_failed | locked | down | unknown
    portal_detail: str = ""
    last_refresh: str = ""  # ISO time of the last good read of the web app
    updated_at: str = ""
    pid: int = 0


def load_state(path: Path) -> RuntimeState:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return RuntimeState()
    if not isinstance(data, dict):
        return RuntimeState()
    known = set(RuntimeState.__dataclass_fields__)
    try:
        return replace(RuntimeState(), **{k: v for k, v in data.items() if k in known})
    except TypeError:
        return RuntimeState()


def save_state(path: Path, state: RuntimeState) -> None:
    write_private_text(path, json.dumps(asdict(state), indent=1))
