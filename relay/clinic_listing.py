"""The agent, follow-up and conversation columns of `cita-relay list-clinics` (pure)."""

from __future__ import annotations

import time
from typing import Any

DAY_S = 24 * 3600.0


def conversations_since(now: float | None = None) -> float:
    """The start of the "last 24 hours" window."""
    return (time.time() if now is None else now) - DAY_S


def agent_cells(agent: dict[str, Any] | None, *, known: bool = True) -> tuple[str, str]:
    """(AGENT, WEB APP) cells: "connected since …" or "last seen …" / "never", and the web app's state."""
    if not known:
        return "?", "?"
    if not agent:
        return "never connected", "-"
    if agent.get("connected"):
        since = _short(agent.get("connected_at"))
        state = "paused" if agent.get("paused") else str(agent.get("portal") or "unknown")
        return f"connected since {since}", state
    last = agent.get("last_seen")
    return (f"last seen {_short(last)}" if last else "never connected"), str(agent.get("portal") or "unknown")


def followups_cell(waiting: dict[str, int] | None, clinic: str) -> str:
    """FOLLOW-UPS cell: how many hand-offs wait for the clinic's agent to take them; "?" when unknown."""
    if waiting is None:
        return "?"
    return str(waiting.get(clinic, 0))


def _short(iso: Any) -> str:
    text = str(iso or "?")
    return text.replace("T", " ").replace("+00:00", "Z")
