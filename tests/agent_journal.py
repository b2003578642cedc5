"""What a running agent's bookings journal holds, read from its file (any test folder imports it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agent.paths import resolve_paths


def journal_statuses(agent_home: Path) -> list[str]:
    """Each booking's status in the agent's journal, in row order ([] before the agent wrote one)."""
    path = resolve_paths(agent_home).journal_file
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT status FROM bookings")]
