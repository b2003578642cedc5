"""The HTTP server around the relay app: uvicorn, with the relay's drain put before any connection is closed.

uvicorn's graceful shutdown closes every websocket (1012) *before* the app's lifespan shutdown runs, so a drain in
lifespan would find the agents already gone: a booking under way would lose its answer and its patient would be
told "not confirmed" while the agent books it. Here the listening sockets close first (no new connections), then
the turns in flight finish with the agent links still open, and only then does uvicorn close connections.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import uvicorn

from relay.app import Relay

# Connections the kernel queues before the relay accepts them (capped by net.core.somaxconn). Past capacity the
# relay answers 503 + Retry-After itself; a short accept queue would instead drop Kommo's connections unanswered.
LISTEN_BACKLOG = 8192


class RelayServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, relay: Relay) -> None:
        config.backlog = max(config.backlog, LISTEN_BACKLOG)
        super().__init__(config)
        self._relay = relay

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        await self._relay.drain()
        await super().shutdown(sockets)


class StartRefused(Exception):
    """The relay must not start: another one holds its data folder or its port. The message says what to do."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The relay's listening socket, bound before anything else starts: a relay that cannot serve must not first
    resume the turns of the one already running (it would answer its patients and take over its bookings)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartRefused(
                f"port {port} on {host or 'all addresses'} is already in use: another cita-relay (or another program)"
                f" is listening there. Stop it first (`ss -ltnp 'sport = :{port}'` shows which), or choose --port."
            ) from None
        raise StartRefused(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


class DataFolderLock:
    """One relay process per SQLite data folder: a second one would resume the first one's turns as its own."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / "relay.lock"
        self._fd: int | None = None

    def take(self) -> None:
        import fcntl  # the relay runs on Linux (and macOS); never imported by the agent's Windows build

        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds Kommo secrets, like the store
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StartRefused(
                f"another cita-relay (pid {holder}) is already running on the data folder {self._path.parent};"
                " stop it first, or give this one its own folder with --data"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd  # held, and released by the system, for as long as this process lives
