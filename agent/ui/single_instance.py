"""One tray app per agent home: a second start asks the first to show its window, then exits.

A QLocalServer named after the agent's home (a named pipe on Windows, a socket file elsewhere).
Two agents with different --home folders run side by side; the same home never twice.
"""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from agent.paths import AgentPaths

log = logging.getLogger(__name__)

SHOW_WINDOW = b"show\n"
_WAIT_MS = 2000


def server_name(paths: AgentPaths) -> str:
    """Short (socket paths are limited) and per user, so two users of one PC never collide."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not a reason to refuse to start
        user = ""
    key = f"{user}|{paths.config_dir.resolve()}"
    return "cita-bridge-" + hashlib.sha256(key.encode()).hexdigest()[:16]


class SingleInstance(QObject):
    """`acquire()` True: we are the first (listen, and emit `activation_requested` when another starts).

    False: another is running and has been told to show its window; the caller should exit 0.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        if self._tell_running_instance():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A socket file left by a crash: nobody answered above, so it is safe to take over.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("single-instance check unavailable (%s); starting anyway", server.errorString())
                return True
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.newConnection.disconnect(self._on_connection)
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _tell_running_instance(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(_WAIT_MS):
            return False
        socket.write(SHOW_WINDOW)
        socket.flush()
        socket.waitForBytesWritten(_WAIT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(_WAIT_MS)
        return True

    @Slot()
    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            client.readyRead.connect(self._on_ready_read)
            client.disconnected.connect(client.deleteLater)
            if client.bytesAvailable():
                self._read(client)

    @Slot()
    def _on_ready_read(self) -> None:
        client = self.sender()
        if isinstance(client, QLocalSocket):
            self._read(client)

    def _read(self, client: QLocalSocket) -> None:
        data = bytes(client.readAll().data())
        if SHOW_WINDOW.strip() in data:
            self.activation_requested.emit()
