"""The whole Cita Bridge system on one machine, on loopback: for `make demo`, the end-to-end tests and the benchmarks.

stand-in portal (thread) · stand-in Kommo (thread) · relay (`cita-relay serve`, a process) ·
agent (`cita-agent run --headless`, a process). The relay and the agent are real processes so
that a test can kill or restart them as happens in a clinic.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from demo.kommo import StandInKommo
from demo.portal import PortalAdmin, PortalSettings, PortalState, create_portal_app
from demo.serving import ServerThread, free_port


@dataclass(frozen=True)
class SystemConfig:
    root: Path
    clinic: str = "demo"
    subdomain: str = "clinicademo"
    clinic_address: str = "Av. Providencia 1234, Santiago"
    clinic_display_name: str = "Centro Médico Los Aromos"
    language: str = "es"
    seed: int = 7
    timezone: str = "America/Santiago"
    portal_user: str = "recepcion"
    portal_password: str = field(default_factory=lambda: "demo-" + secrets.token_urlsafe(9), repr=False)
    portal_latency_ms: int = 0
    browser_path: str = ""
    refresh_minutes: float = 5.0
    relay_port: int = 0  # 0: a free one
    portal_port: int = 0  # the stand-in web app's; 0: a free one
    kommo_port: int = 0  # the stand-in Kommo's; 0: a free one
    relay_env: dict[str, str] = field(default_factory=dict)
    kommo_rate_limit: float = 7.0
    agent_relay_url: str = ""  # where the agent dials; default the relay itself (a test may put a proxy between)
    # Another clinic web app instead of the stand-in: any installed driver, at an address it already runs on.
    portal_kind: str = "demo"
    portal_url: str = ""  # given: the stand-in is not started and this web app is used
    driver_settings: dict[str, str] = field(default_factory=dict)  # `cita-agent configure --set KEY=VALUE`
    agent_command: tuple[str, ...] = ()  # how to run `cita-agent` (default: the console script of this environment)


def _bin(name: str) -> str:
    """A console script of this environment (the venv's, beside the running Python)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


class DemoSystem:
    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self.root = config.root
        self.root.mkdir(parents=True, exist_ok=True)
        self.admin_token = secrets.token_urlsafe(16)
        self.kommo = StandInKommo(rate_limit_per_s=config.kommo_rate_limit)
        self.kommo_client_id = "cita-demo"
        self.kommo_secret = secrets.token_urlsafe(24)
        self.kommo_token = secrets.token_urlsafe(24)
        self.relay_port = config.relay_port or free_port()
        self.agent_token = ""
        self._portal: ServerThread | None = None
        self._kommo_server: ServerThread | None = None
        self.relay: subprocess.Popen[bytes] | None = None
        self.agent: subprocess.Popen[bytes] | None = None

    # -- addresses ----------------------------------------------------------

    @property
    def portal_url(self) -> str:
        if self.config.portal_url:
            return self.config.portal_url.rstrip("/")
        assert self._portal is not None
        return self._portal.url

    @property
    def uses_stand_in(self) -> bool:
        """True when the clinic web app is the stand-in this system started (its admin API is there)."""
        return not self.config.portal_url

    @property
    def relay_url(self) -> str:
        return f"http://127.0.0.1:{self.relay_port}"

    @property
    def widget_url(self) -> str:
        return f"{self.relay_url}/kommo/{self.config.clinic}"

    @property
    def kommo_url(self) -> str:
        assert self._kommo_server is not None
        return self._kommo_server.url

    @property
    def agent_home(self) -> Path:
        return self.root / "agent"

    @property
    def relay_data(self) -> Path:
        return self.root / "relay"

    # -- life cycle -----------------------------------------------------------

    def start(self, *, agent: bool = True) -> DemoSystem:
        self.start_portal()
        self.start_kommo()
        self.add_clinic()
        self.start_relay()
        if agent:
            self.configure_agent()
            self.start_agent()
            self.wait_for_agent()
        return self

    def stop(self) -> None:
        self.stop_agent()
        self.stop_relay()
        for server in (self._kommo_server, self._portal):
            if server is not None:
                server.stop()
        self._kommo_server = self._portal = None

    def __enter__(self) -> DemoSystem:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_portal(self) -> None:
        if not self.uses_stand_in:
            return  # another web app, already running at config.portal_url
        settings = PortalSettings(
            seed=self.config.seed,
            staff_user=self.config.portal_user,
            staff_password=self.config.portal_password,
            admin_token=self.admin_token,
            timezone=self.config.timezone,
            latency_ms=self.config.portal_latency_ms,
            language=self.config.language,
        )
        self._portal_app = create_portal_app(settings)
        self._portal = ServerThread(self._portal_app, port=self.config.portal_port or None).start()

    def start_kommo(self) -> None:
        self._kommo_server = ServerThread(self.kommo.app, port=self.config.kommo_port or None).start()
        self.kommo.bind(self._kommo_server.url)
        self.kommo.add_account(
            self.config.subdomain, self.kommo_client_id, self.kommo_secret, long_lived_token=self.kommo_token
        )

    def add_clinic(self) -> None:
        out = self._run(
            [
                _bin("cita-relay"), "add-clinic", self.config.clinic,
                "--data", str(self.relay_data),
                "--kommo-subdomain", self.config.subdomain,
                "--kommo-client-id", self.kommo_client_id,
                "--kommo-secret-stdin", "--kommo-token-stdin",
                "--language", self.config.language,
                "--address", self.config.clinic_address,
                "--display-name", self.config.clinic_display_name,
                "--kommo-base-url", self.kommo.account_base_url(self.config.subdomain),
            ],
            stdin=f"{self.kommo_secret}\n{self.kommo_token}\n",
            env={**os.environ, **self.config.relay_env},
        )
        self.agent_token = out.strip().splitlines()[-1].strip()

    def start_relay(self) -> None:
        log = open(self.root / "relay.log", "ab")  # noqa: SIM115 - owned by the process
        env = {**os.environ, **self.config.relay_env}
        self.relay = subprocess.Popen(
            [_bin("cita-relay"), "serve", "--host", "127.0.0.1", "--port", str(self.relay_port),
             "--data", str(self.relay_data)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )
        log.close()
        self._wait(lambda: self._get_json(f"{self.relay_url}/healthz") is not None, 20, "the relay to start")

    def stop_relay(self) -> None:
        # A graceful stop drains the turns in flight first (up to the relay's 25 s shutdown grace).
        _terminate(self.relay, timeout=40)
        self.relay = None

    def kill_relay(self) -> None:
        """As a crash or an OOM kill would: no drain, no clean shutdown."""
        if self.relay is not None:
            self.relay.kill()
            self.relay.wait(10)
            self.relay = None

    def restart_relay(self) -> None:
        self.stop_relay()
        self.start_relay()

    def agent_env(self) -> dict[str, str]:
        """The demo agent's keyring is a file in the demo folder: this machine has no OS keyring."""
        return {
            **os.environ,
            "CITA_AGENT_HOME": str(self.agent_home),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(self.root / "keyring"),
        }

    def agent_command(self) -> list[str]:
        return list(self.config.agent_command) or [_bin("cita-agent")]

    def configure_agent(self) -> None:
        browser = self.config.browser_path or os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
        settings = [part for key, value in self.config.driver_settings.items() for part in ("--set", f"{key}={value}")]
        self._run(
            [
                *self.agent_command(), "configure",
                "--relay", self.config.agent_relay_url or f"ws://127.0.0.1:{self.relay_port}/agent",
                "--portal", self.config.portal_kind, "--portal-url", self.portal_url,
                "--user", self.config.portal_user, *settings,
                "--browser-path", browser,
                "--language", self.config.language,
                "--refresh-minutes", str(self.config.refresh_minutes),
            ],
            env=self.agent_env(),
        )
        self._run(
            [*self.agent_command(), "login", "--password-stdin", "--relay-token-stdin"],
            stdin=f"{self.config.portal_password}\n{self.agent_token}\n",
            env=self.agent_env(),
        )

    def start_agent(self) -> None:
        log = open(self.root / "agent-console.log", "ab")  # noqa: SIM115 - owned by the process
        self.agent = subprocess.Popen(
            [*self.agent_command(), "run", "--headless"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.agent_env(),
        )
        log.close()

    def stop_agent(self) -> None:
        _terminate(self.agent)
        self.agent = None

    def kill_agent(self) -> None:
        """As a power cut would: no clean shutdown."""
        if self.agent is not None:
            self.agent.kill()
            self.agent.wait(10)
            self.agent = None

    def wait_for_agent(self, timeout: float = 60) -> None:
        self._wait(lambda: self.agent_connected(), timeout, "the agent to connect to the relay")

    def wait_for_first_read(self, timeout: float = 120) -> None:
        """Until the agent has read the web app once (its cache answers the first patient at once)."""
        from agent.paths import resolve_paths
        from agent.runtime_state import load_state

        state_file = resolve_paths(str(self.agent_home)).state_file
        self._wait(lambda: bool(load_state(state_file).last_refresh), timeout, "the agent's first read of the web app")

    def wait_for_a_read_since(self, moment: datetime, timeout: float = 120) -> None:
        """Until the agent has read the web app again after ``moment`` (aware): what reception changed meanwhile is
        in its cache."""
        from agent.paths import resolve_paths
        from agent.runtime_state import load_state

        state_file = resolve_paths(str(self.agent_home)).state_file

        def read_since() -> bool:
            last = load_state(state_file).last_refresh
            return bool(last) and datetime.fromisoformat(last) > moment

        self._wait(read_since, timeout, "the agent's next read of the web app")

    def agent_connected(self) -> bool:
        health = self._get_json(f"{self.relay_url}/healthz")
        return bool(health) and clinic_agent_connected(health, self.config.clinic)

    # -- what the clinic web app shows ---------------------------------------

    @property
    def portal_state(self) -> PortalState:
        """The stand-in web app's own state (it runs in this process)."""
        return self._portal_app.state.portal

    @property
    def admin(self) -> PortalAdmin:
        """The stand-in web app's admin interface: what it shows, and staff acting on it."""
        return PortalAdmin(self.portal_url, self.admin_token)

    # -- plumbing -------------------------------------------------------------

    @staticmethod
    def _get_json(url: str) -> Any:
        try:
            return httpx.get(url, timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return None

    @staticmethod
    def _wait(condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")

    @staticmethod
    def _run(cmd: list[str], *, stdin: str = "", env: dict[str, str] | None = None) -> str:
        result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} {cmd[1]} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout


def clinic_agent_connected(health: Any, clinic: str) -> bool:
    """Read the relay's /healthz: is this clinic's agent connected?"""
    clinics = health.get("clinics") if isinstance(health, dict) else None
    if isinstance(clinics, dict):
        info = clinics.get(clinic)
    elif isinstance(clinics, list):
        info = next((c for c in clinics if isinstance(c, dict) and c.get("name") == clinic), None)
    else:
        return False
    if isinstance(info, dict):
        return bool(info.get("agent_connected") or info.get("connected"))
    return bool(info)


def _terminate(process: subprocess.Popen[bytes] | None, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def describe(system: DemoSystem) -> str:
    return json.dumps(
        {"portal": system.portal_url, "relay": system.relay_url, "kommo": system.kommo_url,
         "widget_url": system.widget_url},
        indent=1,
    )
