"""The relay's settings: one frozen value built from command-line flags over CITA_RELAY_* environment variables.

Nothing reads the environment after start-up: the app is built from a ``RelaySettings``, so a test builds
two relays side by side with different settings.
"""

from __future__ import annotations

import argparse
import difflib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

ENV_PREFIX = "CITA_RELAY_"


def is_loopback_host(host: str) -> bool:
    """The host is this machine: a loopback address (127.0.0.0/8, ::1) or "localhost"."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("cita-relay", appauthor=False))


class SettingsInvalid(ValueError):
    """A setting the operator gave that the relay cannot run with; the message names it and what it must be."""


@dataclass(frozen=True)
class RelaySettings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8700
    # Agent deadlines (ARCHITECTURE.md): a slots answer comes from the agent's cache, a booking drives a browser.
    slots_timeout_s: float = 8.0
    book_timeout_s: float = 20.0
    # Overload (relay/overload.py): a widget_request gets 503 + Retry-After instead of being accepted when it waited,
    # or would wait, longer than max_queue_wait_s for the relay's CPU (measured: the runnable turns times the CPU a
    # turn costs, plus the event loop's lag), when the event loop runs more than max_loop_lag_s behind, when
    # max_turns_in_flight accepted turns are still under way
    # (0: no bound), or when the store cannot be read within accept_deadline_s. A turn's own Redis commands share
    # one pipelined connection (relay/cluster/lane.py); redis_pool_size connections per instance serve the rest
    # (subscriptions, background work), each waited for at most as long as the request's deadline.
    max_loop_lag_s: float = 0.05
    max_queue_wait_s: float = 0.05
    max_turns_in_flight: int = 5000
    accept_deadline_s: float = 1.0
    redis_pool_size: int = 256
    max_body_bytes: int = 64 * 1024
    jwt_leeway_s: float = 60.0
    # Same lead + same message within this window is one delivery (KOMMO.md §5). Kept short: a patient who taps
    # the same button twice on purpose (e.g. "Más días") a few seconds apart gets the same page once more.
    duplicate_window_s: float = 5.0
    # How long a seen JWT id is remembered at most (in practice: until the token expires, plus the leeway).
    jti_memory_s: float = 3600.0
    kommo_requests_per_s: float = 7.0
    # A continuation is retried (network errors, 429, 5xx; never sooner than a Retry-After) for this long,
    # with backoff from continuation_backoff_s up to continuation_max_backoff_s, in at most this many attempts.
    continuation_retry_for_s: float = 150.0
    continuation_attempts: int = 40
    continuation_backoff_s: float = 0.5
    continuation_max_backoff_s: float = 15.0
    # Connecting to Kommo and sending a continuation; then its answer is waited for (never sent twice meanwhile).
    continuation_timeout_s: float = 10.0
    continuation_answer_wait_s: float = 120.0
    # TLS is terminated by a proxy in front; plain ws:// agents are refused from anywhere but loopback.
    allow_insecure_agents: bool = False
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    ws_ping_interval_s: float = 20.0
    # Bounds under abuse (relay/http_limits.py): a request's headers (and a Kommo body) must arrive within
    # http_header_timeout_s; an idle keep-alive connection is closed after http_idle_timeout_s; past
    # limit_concurrency open connections (agents included) new requests get 503; each clinic may hold at most
    # max_agent_sockets_per_clinic agent websockets on this instance (a reconnecting agent briefly holds two).
    http_header_timeout_s: float = 10.0
    http_idle_timeout_s: float = 5.0
    limit_concurrency: int = 20000
    max_agent_sockets_per_clinic: int = 4
    shutdown_grace_s: float = 25.0
    log_level: str = "info"
    log_format: str = "kv"  # "kv" (key=value) or "json"
    access_log: bool = False
    # Several relay instances behind a load balancer share their state in Redis (docs/run-several-relays.md):
    # redis://[user:password@]host:6379/0 or rediss:// for TLS. Empty: the embedded SQLite store, one process.
    redis_url: str = field(default="", repr=False)
    # How this instance names itself to its peers and in /healthz (default: host name, process id and a nonce).
    instance_name: str = ""
    # The relay's address as Kommo and the agents reach it (https://relay.example.com): the integration's redirect
    # URI and the bot's widget_request URL are built from it. Empty: http://<host>:<port>.
    public_url: str = ""
    # Guards the operator endpoints (/operator/...: `cita-relay check-clinic` and `list-clinics` ask them; empty:
    # only a direct loopback connection may ask them) and /healthz's clinic names (empty: only totals, for anyone).
    operator_token: str = field(default="", repr=False)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "relay.sqlite3"

    def __post_init__(self) -> None:
        if self.log_format not in ("kv", "json"):
            raise SettingsInvalid("log_format must be 'kv' or 'json'")
        if self.log_level.strip().lower() not in ("debug", "info", "warning", "error", "critical"):
            raise SettingsInvalid(f"log_level must be debug, info, warning, error or critical, not {self.log_level!r}")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsInvalid(f"trusted_proxies: {proxy!r} is not an IP address or network") from None
        if self.slots_timeout_s <= 0 or self.book_timeout_s <= 0:
            raise SettingsInvalid("agent deadlines must be positive")
        if self.kommo_requests_per_s <= 0:
            raise SettingsInvalid("kommo_requests_per_s must be positive")
        if self.http_header_timeout_s <= 0 or self.http_idle_timeout_s <= 0:
            raise SettingsInvalid("HTTP timeouts must be positive")
        if self.limit_concurrency < 0 or self.max_agent_sockets_per_clinic < 1:
            raise SettingsInvalid(
                "limit_concurrency must be 0 (no limit) or more; max_agent_sockets_per_clinic 1 or more")
        if self.max_loop_lag_s < 0 or self.max_queue_wait_s < 0:
            raise SettingsInvalid("max_loop_lag_s and max_queue_wait_s must be 0 (off) or more")
        if self.max_loop_lag_s < 0 or self.max_turns_in_flight < 0 or self.accept_deadline_s <= 0:
            raise SettingsInvalid(
                "max_loop_lag_s and max_turns_in_flight must be 0 (off) or more; accept_deadline_s > 0")
        if self.redis_pool_size < 4:
            raise SettingsInvalid("redis_pool_size must be at least 4")
        if not 0 <= self.port <= 65535:
            raise SettingsInvalid(f"port must be 0 to 65535, not {self.port}")
        if self.redis_url and urlsplit(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            raise SettingsInvalid("redis_url must start with redis://, rediss:// or unix://")
        object.__setattr__(self, "public_url", self.public_url.strip())  # " https://…" from a copied line
        if self.public_url and "://" not in self.public_url:  # "relay.clinica.cl": Kommo only calls https
            object.__setattr__(self, "public_url", f"https://{self.public_url}")
        if self.public_url:
            parts = urlsplit(self.public_url)
            if self.public_url.count("://") > 1 or " " in self.public_url:
                raise SettingsInvalid(f"public_url must be one address, https://host[/path], not {self.public_url!r}")
            if "/kommo/" in f"{parts.path}/":
                raise SettingsInvalid(
                    f"public_url is the relay's own address ({parts.scheme}://{parts.netloc}), not a clinic's"
                    f" /kommo/… address ({self.public_url})"
                )
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise SettingsInvalid("public_url must be http(s)://host[:port][/path], e.g. https://relay.example.com")

    @property
    def move_timeout_s(self) -> float:
        """The agent's deadline for moving an appointment: it books the new time, then cancels the old one — two
        bookings' worth of a slow web app (one booking's deadline made every move at 1.5 s a page "not known")."""
        return 2 * self.book_timeout_s

    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url)

    @property
    def public_base_url(self) -> str:
        """Where Kommo reaches this relay: ``public_url``, else its own listening address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


def _convert(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(RelaySettings)}[name]
    if kind == "Path":
        return Path(raw).expanduser()
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> RelaySettings:
    """CITA_RELAY_<FIELD> for every field (e.g. CITA_RELAY_DATA_DIR, CITA_RELAY_SLOTS_TIMEOUT_S); then overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(RelaySettings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is None and f.name == "data_dir":
            raw = environ.get(ENV_PREFIX + "DATA")
        if raw is not None:
            try:
                values[f.name] = _convert(f.name, raw)
            except ValueError as exc:  # "abc" for a number: what it must be, not Python's words
                kind = {"int": "a whole number", "float": "a number (seconds, or per second)"}.get(
                    {g.name: g.type for g in fields(RelaySettings)}[f.name], "")
                said = f"must be {kind}" if kind else str(exc)
                raise SettingsInvalid(f"{ENV_PREFIX}{f.name.upper()}={raw!r}: {said}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.setdefault("data_dir", default_data_dir())
    return RelaySettings(**values)


def unknown_env_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """One warning per CITA_RELAY_* variable that is no setting (a typo is otherwise ignored without a word), with
    the closest setting's name when there is one."""
    environ = os.environ if environ is None else environ
    known = {ENV_PREFIX + f.name.upper() for f in fields(RelaySettings)} | {ENV_PREFIX + "DATA"}
    warnings = []
    for name in sorted(n for n in environ if n.startswith(ENV_PREFIX) and n not in known):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        guess = f" (did you mean {close[0]}?)" if close else ""
        warnings.append(f"{name} is not a cita-relay setting{guess}: it is ignored")
    return warnings


def add_storage_flags(parser: argparse.ArgumentParser) -> None:
    """Where the relay keeps its state: the embedded SQLite file (--data) or a shared Redis (--redis)."""
    parser.add_argument("--data", metavar="DIR", help="data folder (or CITA_RELAY_DATA); holds relay.sqlite3")
    parser.add_argument(
        "--redis",
        metavar="URL",
        dest="redis_url",
        help="share clinics, tokens and conversations with other relay instances in this Redis"
        " (or CITA_RELAY_REDIS_URL, which keeps a password out of `ps`)",
    )


def add_serve_flags(parser: argparse.ArgumentParser) -> None:
    """Flags of `cita-relay serve`; each one overrides its environment variable."""
    add_storage_flags(parser)
    parser.add_argument(
        "--instance-name", metavar="NAME", help="this instance's name among several (default: host-pid-nonce)"
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1; CITA_RELAY_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8700; CITA_RELAY_PORT)")
    parser.add_argument(
        "--slots-timeout", type=float, metavar="S", dest="slots_timeout_s", help="agent deadline for slots (8 s)"
    )
    parser.add_argument(
        "--book-timeout", type=float, metavar="S", dest="book_timeout_s",
        help="agent deadline for a booking or a cancel (20 s); a move gets twice it",
    )
    parser.add_argument(
        "--max-loop-lag",
        type=float,
        metavar="S",
        dest="max_loop_lag_s",
        help="answer Kommo 503 + Retry-After while the relay runs more than S behind (0.05; 0: never)",
    )
    parser.add_argument(
        "--max-queue-wait",
        type=float,
        metavar="S",
        dest="max_queue_wait_s",
        help="answer Kommo 503 + Retry-After when a widget_request waited or would wait more than S for the relay's"
        " CPU (0.05; 0: never)",
    )
    parser.add_argument(
        "--max-turns",
        type=int,
        metavar="N",
        dest="max_turns_in_flight",
        help="answer Kommo 503 + Retry-After while N accepted turns are under way (5000; 0: no bound)",
    )
    parser.add_argument(
        "--redis-pool-size", type=int, metavar="N", help="connections to Redis per instance (256)"
    )
    parser.add_argument("--max-body-bytes", type=int, metavar="N", help="largest Kommo request body (64 KB)")
    parser.add_argument(
        "--jwt-leeway", type=float, metavar="S", dest="jwt_leeway_s", help="clock skew allowed on JWTs (60 s)"
    )
    parser.add_argument(
        "--duplicate-window",
        type=float,
        metavar="S",
        dest="duplicate_window_s",
        help="same lead+message within this is a repeat",
    )
    parser.add_argument(
        "--kommo-rate",
        type=float,
        metavar="N",
        dest="kommo_requests_per_s",
        help="Kommo requests per second per account (7)",
    )
    parser.add_argument(
        "--allow-insecure-agents",
        action="store_const",
        const=True,
        help="accept plain ws:// agents from non-loopback addresses (only behind a trusted network)",
    )
    parser.add_argument(
        "--trusted-proxies",
        metavar="ADDRS",
        help="comma-separated proxy addresses whose X-Forwarded-* headers are believed",
    )
    parser.add_argument(
        "--ws-ping-interval", type=float, metavar="S", dest="ws_ping_interval_s", help="agent keepalive ping (20 s)"
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        metavar="S",
        dest="http_header_timeout_s",
        help="close a connection whose request (headers and body) is not complete within S seconds (10)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        metavar="S",
        dest="http_idle_timeout_s",
        help="close an idle keep-alive connection after S seconds (5)",
    )
    parser.add_argument(
        "--limit-concurrency",
        type=int,
        metavar="N",
        help="answer 503 to new requests past N open connections, agents included (20000; 0: no limit)",
    )
    parser.add_argument(
        "--max-agent-sockets",
        type=int,
        metavar="N",
        dest="max_agent_sockets_per_clinic",
        help="agent websockets one clinic may hold on this instance (4)",
    )
    parser.add_argument(
        "--operator-token",
        metavar="TOKEN",
        help="only `Authorization: Bearer TOKEN` may ask /operator/... and see clinic names in /healthz"
        " (better: CITA_RELAY_OPERATOR_TOKEN, which keeps it out of `ps`)",
    )
    parser.add_argument("--log-level", metavar="LEVEL", help="debug, info, warning (CITA_RELAY_LOG_LEVEL)")
    parser.add_argument("--log-format", choices=("kv", "json"), help="key=value or JSON lines")
    parser.add_argument("--access-log", action="store_const", const=True, help="log every HTTP request")
    add_public_url_flag(parser)


def add_public_url_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the relay's address as Kommo reaches it, e.g. https://relay.example.com (CITA_RELAY_PUBLIC_URL)",
    )


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> RelaySettings:
    overrides: dict[str, Any] = {}
    names = {f.name for f in fields(RelaySettings)}
    for key, value in vars(args).items():
        if value is None:
            continue
        if key == "data":
            overrides["data_dir"] = Path(value).expanduser()
        elif key == "trusted_proxies":
            overrides[key] = _convert(key, value)
        elif key in names:
            overrides[key] = value
    return settings_from_env(environ, **overrides)


def with_overrides(settings: RelaySettings, **changes: Any) -> RelaySettings:
    return replace(settings, **changes)
