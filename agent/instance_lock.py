"""One running agent per agent home, whether the tray app or `cita-agent run --headless`.

Two engines on one home would take turns on the relay's websocket (each new connection replaces the other) and
write the same journal and state file. The tray app already brings its first window forward when started twice
(agent/ui/single_instance.py); this lock also keeps a headless agent and a tray app apart. It is an OS file lock,
released by the system when the process ends, however it ends: a crash never leaves it taken.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_LOCKED_BYTE = 64  # Windows locks a byte range: the one past the pid, so the pid stays readable


class AgentAlreadyRunning(Exception):
    def __init__(self, pid: str) -> None:
        super().__init__(f"another agent (pid {pid}) runs on this agent home")
        self.pid = pid


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def take(self) -> None:
        """Hold the lock for as long as this process lives; ``AgentAlreadyRunning`` when another holds it."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _lock(fd):
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, 32)
            os.close(fd)
            raise AgentAlreadyRunning(holder.split(b"\0")[0].decode(errors="replace").strip() or "?")
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode().ljust(32, b"\0"))
        self._fd = fd


def _lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
