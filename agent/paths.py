"""Where the agent keeps its configuration, data and logs.

By default the OS's usual folders (platformdirs); `--home DIR` or CITA_AGENT_HOME puts all of
them under one folder, so several agents (and tests) can run side by side.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "CitaBridge"
HOME_ENV = "CITA_AGENT_HOME"


@dataclass(frozen=True)
class AgentPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    home: Path | None = None  # set when --home/CITA_AGENT_HOME chose one folder

    @property
    def config_file(self) -> Path:
        return self.config_dir / "agent.toml"

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state.json"

    @property
    def portal_work_dir(self) -> Path:
        """The driver's folder: failure screenshots live under it."""
        return self.data_dir / "portal"

    @property
    def keyring_service(self) -> str:
        """The keyring service name; a separate home gets its own, so agents side by side never share secrets."""
        if self.home is None:
            return "Cita Bridge"
        digest = hashlib.sha256(str(self.home.resolve()).encode()).hexdigest()[:10]
        return f"Cita Bridge ({digest})"

    def ensure(self) -> AgentPaths:
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(home: str | os.PathLike[str] | None = None) -> AgentPaths:
    chosen = home or os.environ.get(HOME_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return AgentPaths(root / "config", root / "data", root / "logs", home=root)
    return AgentPaths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
