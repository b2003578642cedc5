"""How a `cita-relay` command asks the running relay (``relay.operator_endpoint``): its local address, and the
operator token when one is set (CITA_RELAY_OPERATOR_TOKEN, never a flag)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
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


def add_relay_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--relay",
        metavar="URL",
        dest="relay_address",
        help="the running relay, as this machine reaches it (default http://127.0.0.1:<CITA_RELAY_PORT or 8700>)",
    )


def local_relay_url(settings: RelaySettings, given: str | None) -> str:
    if given:
        return given.rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


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
