"""The whole system with two relay instances on one Redis: stand-in portal and Kommo (threads), Redis, two
`cita-relay serve --redis` processes, and one real agent (`cita-agent run --headless`) configured with both relay
URLs. ``demo.system.DemoSystem`` with its relay part doubled; nothing else changes.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx

from demo.serving import free_port
from demo.system import DemoSystem, SystemConfig, _bin, _terminate, clinic_agent_connected

NAMES = ("relay-a", "relay-b")


class TwoRelaySystem(DemoSystem):
    def __init__(self, root: Path, browser_path: str, redis_url: str, **overrides: Any) -> None:
        ports = (free_port(), free_port())
        relay_urls = ",".join(f"ws://127.0.0.1:{port}/agent" for port in ports)
        config = SystemConfig(
            root=root, browser_path=browser_path, relay_port=ports[0], agent_relay_url=relay_urls, **overrides
        )
        super().__init__(config)
        self.redis_url = redis_url
        self.ports = ports
        self.processes: list[subprocess.Popen[bytes] | None] = [None, None]

    def relay_url_of(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def widget_url_of(self, index: int) -> str:
        return f"{self.relay_url_of(index)}/kommo/{self.config.clinic}"

    def relay_env(self) -> dict[str, str]:
        return {**os.environ, **self.config.relay_env, "CITA_RELAY_REDIS_URL": self.redis_url}

    # -- DemoSystem's relay part, doubled ---------------------------------------------------------------------

    def add_clinic(self) -> None:
        result = subprocess.run(
            [
                _bin("cita-relay"), "add-clinic", self.config.clinic,
                "--kommo-subdomain", self.config.subdomain,
                "--kommo-client-id", self.kommo_client_id,
                "--kommo-secret-stdin", "--kommo-token-stdin",
                "--language", self.config.language,
                "--address", self.config.clinic_address,
                "--kommo-base-url", self.kommo.account_base_url(self.config.subdomain),
            ],
            input=f"{self.kommo_secret}\n{self.kommo_token}\n",
            capture_output=True, text=True, env=self.relay_env(), timeout=120, check=True,
        )
        self.agent_token = result.stdout.strip().splitlines()[-1].strip()

    def start_relay(self) -> None:
        for index in (0, 1):
            self.start_relay_instance(index)

    def start_relay_instance(self, index: int) -> None:
        log = open(self.root / f"{NAMES[index]}.log", "ab")  # noqa: SIM115 - owned by the process
        self.processes[index] = subprocess.Popen(
            [_bin("cita-relay"), "serve", "--host", "127.0.0.1", "--port", str(self.ports[index]),
             "--data", str(self.root / NAMES[index]), "--instance-name", NAMES[index]],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.relay_env(),
        )
        log.close()
        self._wait(lambda: self.health(index) is not None, 30, f"{NAMES[index]} to start")

    def stop_relay(self) -> None:
        for index in (0, 1):
            _terminate(self.processes[index])
            self.processes[index] = None

    def kill_relay_instance(self, index: int) -> None:
        """As a crashed host would: no drain, no goodbye to the agent."""
        process = self.processes[index]
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            self.processes[index] = None

    # -- what the instances say ------------------------------------------------------------------------------

    def health(self, index: int) -> Any:
        try:
            return httpx.get(f"{self.relay_url_of(index)}/healthz", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            return None

    def agent_connected(self) -> bool:
        return any(self.holder() == index for index in (0, 1))

    def holder(self) -> int | None:
        """Which instance holds the agent's websocket (None while it holds none)."""
        for index in (0, 1):
            health = self.health(index)
            if health and health.get("agents_connected") == 1 and clinic_agent_connected(health, self.config.clinic):
                return index
        return None

    def wait_for_holder(self, index: int, timeout: float) -> None:
        self._wait(lambda: self.holder() == index, timeout, f"the agent to connect to {NAMES[index]}")

    def agent_requests(self, op: str) -> float:
        """Requests the instances sent to the agent (each counts those it asked), by op, all outcomes."""
        total = 0.0
        for index in (0, 1):
            if self.processes[index] is None:
                continue
            text = httpx.get(f"{self.relay_url_of(index)}/metrics", timeout=5).text
            for line in text.splitlines():
                if line.startswith(f'cita_relay_agent_requests_total{{kind="{op}"'):
                    total += float(line.rsplit(" ", 1)[1])
        return total
