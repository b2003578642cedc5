"""Where the agent keeps its configuration, data and logs.

By default the OS's usual folders (platformdirs); `--home DIR` or CITA_AGENT_HOME puts all of
them under one folder, so several agents (and tests) can run side by side. Every folder and file in
them is the user's alone (``agent.private_files``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from agent.private_files import make_private_dir, make_tree_private

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
    def instance_lock(self) -> Path:
        """Held by the running agent (agent/instance_lock.py)."""
        return self.data_dir / "agent.lock"

    @property
    def web_session_file(self) -> Path:
        """The clinic web app's session between runs, encrypted (agent/session_store.py)."""
        return self.data_dir / "web-session.bin"

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

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every folder the agent writes in (with --home, the home itself first)."""
        own = (self.config_dir, self.data_dir, self.log_dir)
        return (self.home, *own) if self.home is not None else own

    def ensure(self) -> AgentPaths:
        """Create the folders, and make them and everything in them private (0700/0600) if they were not."""
        for folder in self.folders:
            make_private_dir(folder)
        self.make_private()
        return self

    def make_private(self) -> int:
        """Set 0700/0600 on everything under the folders (what another program or an older version left open)."""
        roots = (self.home,) if self.home is not None else self.folders
        return sum(make_tree_private(root) for root in roots if root is not None)


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
