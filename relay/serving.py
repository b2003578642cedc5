"""The HTTP server around the relay app: uvicorn, with the relay's drain put before any connection is closed.

uvicorn's graceful shutdown closes every websocket (1012) *before* the app's lifespan shutdown runs, so a drain in
lifespan would find the agents already gone: a booking under way would lose its answer and its patient would be
told "not confirmed" while the agent books it. Here the listening sockets close first (no new connections), then
the turns in flight finish with the agent links still open, and only then does uvicorn close connections.
"""

from __future__ import annotations

import socket

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
