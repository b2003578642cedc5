"""Pause and resume a running agent from another process (`cita-agent pause` / `resume`).

The command writes a small control file in the data folder; the engine looks at its modification
time every second or so and applies what it says. The state file is not used for this: the engine
rewrites it on every change of its own and could overwrite a request it has not seen yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from agent.paths import AgentPaths
from agent.private_files import write_private_text
from agent.runtime_state import load_state, save_state

CONTROL_FILE = "control.json"


@dataclass(frozen=True)
class PauseRequest:
    paused: bool
    at: str


def control_file(paths: AgentPaths) -> Path:
    return paths.data_dir / CONTROL_FILE


def request_pause(paths: AgentPaths, paused: bool) -> None:
    """Ask the running agent (if any) to pause or resume; a stopped agent starts that way next time."""
    write_private_text(control_file(paths), json.dumps({"paused": paused, "at": datetime.now(UTC).isoformat()}))
    state = load_state(paths.state_file)
    if state.paused != paused:
        save_state(paths.state_file, replace(state, paused=paused))


def read_request(path: Path) -> PauseRequest | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("paused"), bool):
        return None
    return PauseRequest(paused=data["paused"], at=str(data.get("at", "")))


def modified_at(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns / 1e9
    except OSError:
        return None
