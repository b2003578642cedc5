"""How a `cita-relay` command asks the running relay (``relay.operator_endpoint``): its local address, and the
operator token when one is set (CITA_RELAY_OPERATOR_TOKEN, never a flag)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from relay.settings import RelaySettings


@dataclass(frozen=True)
class RelayAnswer:
    status: int | None  # None: the relay could not be reached
    body: Any = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict)

    @property
    def refused(self) -> bool:
        """The relay would not answer the operator: it has an operator token and this command has none (or another),
        or, without one, the call did not come straight from its own machine. It answers that as a 404 with this
        body, as if the route did not exist (relay/operator_endpoint.py); a relay without the route has no body."""
        return self.status == 404 and self.body == {"error": "not_found"}


def add_relay_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--relay",
        metavar="URL",
        dest="relay_address",
        help="the running relay, as this machine reaches it (default: the address the relay serving --data wrote"
        " when it started; else http://127.0.0.1:<CITA_RELAY_PORT or 8700>)",
    )


ADDRESS_FILE = "relay.address"  # in the data folder: where the relay serving it listens, as this machine reaches it


def local_relay_url(settings: RelaySettings, given: str | None) -> str:
    """``--relay`` when given; else the address the relay serving this data folder wrote when it started (a relay
    started with --port 8931 is found by a command given only --data); else the settings' host and port."""
    if given:
        return given.rstrip("/")
    if given is None and not os.environ.get("CITA_RELAY_PORT"):
        try:
            remembered = (settings.data_dir / ADDRESS_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            remembered = ""
        if remembered.startswith("http://") and remembered.count("\n") == 0:
            return remembered
    return serving_url(settings)


def serving_url(settings: RelaySettings) -> str:
    """The relay these settings serve, as this machine reaches it."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def remember_address(data_dir: Path, url: str, public_url: str = "") -> None:
    """Written by `cita-relay serve` once it holds the data folder (owner-only, like the folder): where it listens,
    and the public URL it was given (an operator's shell under systemd does not load relay.env)."""
    for name, value in ((ADDRESS_FILE, url), (PUBLIC_URL_FILE, public_url)):
        path = data_dir / name
        if not value:
            path.unlink(missing_ok=True)
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(value + "\n")


PUBLIC_URL_FILE = "relay.public-url"  # in the data folder: the public URL the relay serving it was given


def public_base_url(settings: RelaySettings) -> str:
    """Where Kommo reaches the relay: the public URL given to this command; else the one the relay serving this data
    folder was given; else that relay's listening address (it wrote it when it started: a relay on --port 19501 is not
    on the default 8700); else the settings' own (``RelaySettings.public_base_url``)."""
    if not settings.public_url:
        try:
            remembered = (settings.data_dir / PUBLIC_URL_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            remembered = ""
        if remembered.startswith(("https://", "http://")) and "\n" not in remembered:
            return remembered.rstrip("/")
        return local_relay_url(settings, None)
    return settings.public_base_url


def ask_relay(base_url: str, path: str, settings: RelaySettings, *, timeout_s: float = 30.0,
              method: str = "GET") -> RelayAnswer:
    headers = {"Authorization": f"Bearer {settings.operator_token}"} if settings.operator_token else {}
    try:
        response = httpx.request(method, f"{base_url}{path}", headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return RelayAnswer(None, detail=type(exc).__name__)
    try:
        body = response.json()
    except ValueError:
        body = None
    return RelayAnswer(response.status_code, body)
