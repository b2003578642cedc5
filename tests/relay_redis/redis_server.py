"""A real redis-server for the tests, on a free port, bound to loopback only (it binds every interface by
default), with no persistence unless asked: started as ../shared/ENVIRONMENT.md says."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from demo.serving import free_port


def redis_server_binary() -> str:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else "")
    if not found:
        raise RuntimeError("redis-server is not installed: run `make setup` (scripts/setup-system.sh installs it)")
    return found


class RedisServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> RedisServer:
        d = str(self.folder)
        subprocess.run(
            [
                redis_server_binary(),
                "--port", str(self.port),
                "--bind", "127.0.0.1", "-::1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "yes",
                "--dir", d,
                "--pidfile", f"{d}/redis.pid",
                "--logfile", f"{d}/redis.log",
            ],
            check=True,
            timeout=30,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    if client.ping():
                        return self
                except redis.exceptions.RedisError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self, *, keep_data: bool = False) -> None:
        """``keep_data``: write the dataset to --dir first, so the next start on this folder loads it (a restart
        of a Redis configured for persistence)."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "save" if keep_data else "nosave"],
            capture_output=True,
            timeout=30,
        )
        deadline = time.monotonic() + 20
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.05)

    def running(self) -> bool:
        """Whether anything accepts connections on the port (a bare connect: no client retries)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)
